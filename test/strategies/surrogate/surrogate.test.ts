/**
 * strategy: surrogate — the conformance suite (determinism, exact continuation from a JSON snapshot,
 * failures, constraints), alone and joint with a hardware pool, plus what the issue asks of it:
 * the initial design holds the extremes, predictions travel in `Candidate.predicted` and never as
 * metrics, each round leaves a fit record, the pool is refreshed, and bad options or a missing port
 * are config errors naming the field.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.ts';
import type { Choice } from '../../../core/space/choice-space.ts';
import type { Joint } from '../../../core/space/joint.ts';
import type { JsonObject } from '../../../core/types.ts';
import type { Nb201Arch } from '../../../search-space/nb201.ts';
import { violation } from '../../../strategies/constraints.ts';
import { toMinimize } from '../../../strategies/objectives.ts';
import { createStrategy, parseStrategyOptions } from '../../../strategies/registry.ts';
import type { EvalResult, Strategy } from '../../../strategies/strategy.ts';
import { ROUND_NOTE } from '../../../strategies/surrogate/surrogate.ts';
import { strategyConformance } from '../../conformance/strategy.case.ts';
import { ACC_LAT, evaluate, rngFor, space } from '../fixture.ts';
import { HW40, SMALL, evaluateJoint, joint40, jointSpace, toyPort } from './fixture.ts';

const constraint = { metric: 'latency', op: '<=' as const, limit: 30 };

strategyConformance<Nb201Arch>({
  name: 'surrogate',
  space, objectives: ACC_LAT, rng: rngFor, evaluate, constraint,
  make: (rng, constraints) => createStrategy('surrogate', { space, objectives: ACC_LAT, constraints, rng, surrogate: toyPort(false) as never }, SMALL),
  steps: 6,
  batch: 4,
  learnsConstraints: true,
});

strategyConformance<Joint<Nb201Arch, Choice>>({
  name: 'surrogate (joint, accelerator pool refreshed every round)',
  space: jointSpace, objectives: ACC_LAT, rng: rngFor, evaluate: evaluateJoint, constraint,
  make: (rng, constraints) => createStrategy('surrogate', { space: jointSpace, objectives: ACC_LAT, constraints, rng, surrogate: toyPort(true) as never }, SMALL),
  steps: 6,
  batch: 4,
  learnsConstraints: true,
});

async function run(s: Strategy<JsonObject>, steps: number, batch: number): Promise<EvalResult<JsonObject>[]> {
  const all: EvalResult<JsonObject>[] = [];
  for (let i = 0; i < steps; i++) {
    await s.prepare?.();
    const rs: EvalResult<JsonObject>[] = [];
    for (const c of s.ask(batch)) {
      const m = await evaluateJoint(c as never).catch(() => null);
      rs.push(m ? { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: violation(m, []) } : { candidate: c, ok: false, error: 'crash' });
    }
    s.tell(rs);
    all.push(...rs);
  }
  return all;
}

const joint = (seed = 1, options: object = SMALL) => createStrategy<JsonObject>('surrogate', { space: jointSpace as never, objectives: ACC_LAT, rng: rngFor(seed), surrogate: toyPort(true) }, options);

describe('surrogate strategy', () => {
  it('verifies the largest and the smallest network first, then a space-filling sample', async () => {
    const s = joint();
    await s.prepare?.();
    const first = s.ask(6);
    const ops = first.map((c) => (c.x as unknown as Joint<Nb201Arch, Choice>).arch.ops);
    expect(ops[0]).toEqual(Array(6).fill('nor_conv_3x3'));
    expect(ops[1]).toEqual(Array(6).fill('none'));
    expect(new Set(first.map((c) => c.key)).size).toBe(6);
    for (const c of first) expect(c.predicted).toEqual({ round: 0, rule: 'initial-design' });
  });

  it('hands out predictions apart from metrics, and records one fit per round', async () => {
    const s = joint();
    const results = await run(s, 1, SMALL.initial); // the initial design
    expect(s.takeNotes?.()).toEqual([]);
    const later = await run(s, 3, 4);
    const notes = s.takeNotes?.() ?? [];
    expect(notes.map((n) => n.type)).toEqual([ROUND_NOTE, ROUND_NOTE, ROUND_NOTE]);
    const last = notes[2]?.payload as { round: number; evaluations: number; cv: { kendallTau: number | null; rmse: number; folds: number } | null; batch: { size: number } };
    expect(last.round).toBe(3);
    expect(last.evaluations).toBe(SMALL.population * (SMALL.generations + 1));
    expect(last.cv?.folds).toBe(SMALL.cvFolds);
    expect(last.cv?.rmse).toBeGreaterThan(0);
    expect(last.batch.size).toBe(4);
    for (const r of later) {
      const p = r.candidate.predicted as { round: number; rule: string; accuracy: { mean: number; sd: number; source: string } };
      expect(p.round).toBeGreaterThanOrEqual(1);
      expect(['ucb-max', 'ucb-hvi', 'diversity', 'fill']).toContain(p.rule);
      expect(Number.isFinite(p.accuracy.mean) && p.accuracy.sd >= 0).toBe(true);
      expect(['predictor', 'verified network']).toContain(p.accuracy.source);
      // the verified metrics are the evaluation's only: the prediction is not among them
      if (r.ok) expect(Object.keys(r.metrics).sort()).toEqual(['accuracy', 'energy', 'latency']);
    }
    expect(results.length + later.length).toBe(SMALL.initial + 12);
    // nothing is asked twice
    const keys = [...results, ...later].map((r) => r.candidate.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('screens accelerators into its pool and swaps members for better-screening children', async () => {
    const s = createStrategy<JsonObject>('surrogate', { space: joint40 as never, objectives: ACC_LAT, rng: rngFor(2), surrogate: toyPort(true, HW40) }, SMALL);
    await run(s, 1, SMALL.initial);
    await run(s, 6, 4);
    const pools = (s.takeNotes?.() ?? []).map((n) => (n.payload as { pool: { members: string[]; added: string[]; removed: string[] } }).pool);
    expect(pools).toHaveLength(6);
    for (const p of pools) {
      expect(p.members.length).toBeLessThanOrEqual(SMALL.hwPool);
      expect(new Set(p.members).size).toBe(p.members.length);
      expect(p.added.length).toBeGreaterThanOrEqual(p.removed.length);
    }
    const swaps = pools.filter((p) => p.added.length > 0);
    expect(swaps.length).toBeGreaterThan(0);
    // a child joins only by lowering latency somewhere: the best latency factor in the pool never worsens
    const factor = (key: string) => (7 * Number(key.slice(1))) % 40;
    const best = pools.map((p) => Math.min(...p.members.map(factor)));
    for (let i = 1; i < best.length; i++) expect(best[i]).toBeLessThanOrEqual(best[i - 1]!);
  });

  it('rejects bad options, naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ beta: -1 }, /surrogate\.options\.beta/],
      [{ diversity: 2 }, /surrogate\.options\.diversity/],
      [{ initial: 1 }, /surrogate\.options\.initial/],
      [{ cvFolds: 1 }, /surrogate\.options\.cvFolds/],
      [{ warp: 'log' }, /surrogate\.options\.warp/],
      [{ hwPool: 0 }, /surrogate\.options\.hwPool/],
      [{ populaton: 10 }, /populaton/],
    ];
    for (const [options, field] of bad) {
      expect(() => parseStrategyOptions('surrogate', options)).toThrow(ConfigError);
      expect(() => parseStrategyOptions('surrogate', options)).toThrow(field);
    }
  });

  it('needs its port and an objective it can predict', () => {
    expect(() => createStrategy('surrogate', { space, objectives: ACC_LAT, rng: rngFor(1) })).toThrow(/StrategyContext\.surrogate/);
    const costOnly = [{ name: 'latency', direction: 'min' as const }, { name: 'energy', direction: 'min' as const }];
    expect(() => createStrategy('surrogate', { space, objectives: costOnly, rng: rngFor(1), surrogate: toyPort(false) as never })).toThrow(/needs accuracy among the objectives/);
    const unknown = [{ name: 'accuracy', direction: 'max' as const }, { name: 'params', direction: 'min' as const }];
    expect(() => createStrategy('surrogate', { space, objectives: unknown, rng: rngFor(1), surrogate: toyPort(false) as never })).toThrow(/objectives\[1\]/);
  });
});
