/**
 * Conformance suite every Strategy passes: same seed ⇒ same history; snapshot/restore mid-run ⇒ the
 * same continuation (through a JSON round trip, as storage does); constraints respected by
 * selection; failed evaluations told without breaking the strategy; dispose frees every tensor it
 * made and may be called twice.
 */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../core/rng.ts';
import type { JsonObject, Metrics } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import type { Constraint } from '../../strategies/constraints.ts';
import { violation } from '../../strategies/constraints.ts';
import type { ObjectiveSpec } from '../../strategies/objectives.ts';
import { missingObjectives, toMinimize } from '../../strategies/objectives.ts';
import type { Candidate, EvalResult, Strategy } from '../../strategies/strategy.ts';
import { tf } from '../../runtime/tf.ts';

export interface StrategyCase<T extends JsonObject> {
  readonly name: string;
  readonly space: SearchSpace<T>;
  readonly objectives: readonly ObjectiveSpec[];
  /** A fresh strategy with its RNG; `constraints` are those the suite applies. */
  make(rng: Rng, constraints: readonly Constraint[]): Strategy<T>;
  rng(seed: number): Rng;
  /** Deterministic; may throw for some candidates. */
  evaluate(c: Candidate<T>): Promise<Metrics>;
  /** A constraint that cuts a good part of the space, and the trials after which selection must favour feasible ones. */
  readonly constraint: Constraint;
  readonly steps: number;
  readonly batch: number;
  /** Whether the strategy should produce feasible candidates more often than random sampling (learning strategies). */
  readonly learnsConstraints: boolean;
}

async function step<T extends JsonObject>(s: Strategy<T>, c: StrategyCase<T>, batch: number, constraints: readonly Constraint[]): Promise<EvalResult<T>[]> {
  const results: EvalResult<T>[] = [];
  await s.prepare?.();
  for (const cand of s.ask(batch)) {
    try {
      // Besides the case's own failures, every 7th candidate fails, so every run sees failures.
      if (cand.id % 7 === 3) throw new Error(`injected failure of candidate ${cand.id}`);
      const m = await c.evaluate(cand);
      if (missingObjectives(m, c.objectives).length > 0) throw new Error('missing objective');
      results.push({ candidate: cand, ok: true, metrics: m, values: toMinimize(m, c.objectives), violation: violation(m, constraints) });
    } catch (e) {
      results.push({ candidate: cand, ok: false, error: String(e) });
    }
  }
  s.tell(results);
  return results;
}

async function history<T extends JsonObject>(s: Strategy<T>, c: StrategyCase<T>, steps: number, constraints: readonly Constraint[] = []): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < steps; i++) keys.push(...(await step(s, c, c.batch, constraints)).map((r) => `${r.candidate.id}:${r.candidate.key}:${r.ok}`));
  return keys;
}

export function strategyConformance<T extends JsonObject>(c: StrategyCase<T>): void {
  describe(`Strategy conformance: ${c.name}`, () => {
    it('same seed ⇒ same history; different seed ⇒ different history', async () => {
      const a = await history(c.make(c.rng(1), []), c, c.steps);
      const b = await history(c.make(c.rng(1), []), c, c.steps);
      const d = await history(c.make(c.rng(2), []), c, c.steps);
      expect(b).toEqual(a);
      expect(d).not.toEqual(a);
      expect(a).toHaveLength(c.steps * c.batch);
    });

    it('snapshot/restore (through JSON) mid-run continues identically', async () => {
      const whole = await history(c.make(c.rng(3), []), c, c.steps);
      const first = c.make(c.rng(3), []);
      const half = Math.floor(c.steps / 2);
      const head = await history(first, c, half);
      const snap = JSON.parse(JSON.stringify(first.snapshot()));
      // A strategy built with another seed: everything that matters must come from the snapshot.
      const second = c.make(c.rng(999), []);
      second.restore(snap);
      expect(JSON.parse(JSON.stringify(second.snapshot()))).toEqual(snap);
      const tail = await history(second, c, c.steps - half);
      expect([...head, ...tail]).toEqual(whole);
    });

    it('dispose frees every tensor the strategy made and may be called twice', async () => {
      // the engine's own counter: reading it does not initialise a backend
      const before = tf.engine().state.numTensors;
      const s = c.make(c.rng(6), []);
      await history(s, c, 2);
      s.snapshot();
      s.dispose();
      s.dispose();
      expect(tf.engine().state.numTensors).toBe(before);
    });

    it('records failures and keeps proposing valid candidates', async () => {
      const s = c.make(c.rng(4), []);
      let failed = 0;
      for (let i = 0; i < c.steps; i++) {
        const rs = await step(s, c, c.batch, []);
        failed += rs.filter((r) => !r.ok).length;
        for (const r of rs) expect(c.space.key(c.space.validate(r.candidate.x))).toBe(r.candidate.key);
      }
      expect(failed).toBeGreaterThan(0);
      // Ids are unique and increasing.
      const ids = (await step(s, c, c.batch, [])).map((r) => r.candidate.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(ids[0]).toBe(c.steps * c.batch);
    });

    it('constraints: late candidates are feasible at least as often as random ones', async () => {
      const cons = [c.constraint];
      const s = c.make(c.rng(5), cons);
      const all: EvalResult<T>[] = [];
      for (let i = 0; i < c.steps; i++) all.push(...(await step(s, c, c.batch, cons)));
      const ok = all.filter((r) => r.ok) as Extract<EvalResult<T>, { ok: true }>[];
      expect(ok.some((r) => r.violation > 0)).toBe(true);
      const late = ok.slice(Math.floor(ok.length / 2));
      const lateRate = late.filter((r) => r.violation === 0).length / late.length;
      const early = ok.slice(0, Math.floor(ok.length / 4));
      const earlyRate = early.filter((r) => r.violation === 0).length / Math.max(1, early.length);
      if (c.learnsConstraints) expect(lateRate).toBeGreaterThan(earlyRate);
      else expect(lateRate).toBeGreaterThan(0);
    });
  });
}
