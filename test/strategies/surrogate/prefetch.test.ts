/**
 * The surrogate strategy's prefetch (options.prefetch): the pool refresh is screened in the background
 * right after `ask`, and the initial pool by `warm()`, while the batch is verified; `prepare` awaits
 * and applies it. Only when work happens may change: trials, predictions and round records must be
 * those of a run without prefetch, whatever the timing, after a restore too; a failing or abandoned
 * prefetch surfaces from `prepare`, never as an unhandled rejection.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../core/types.ts';
import { violation } from '../../../strategies/constraints.ts';
import { toMinimize } from '../../../strategies/objectives.ts';
import { createStrategy } from '../../../strategies/registry.ts';
import type { EvalResult, Strategy, StrategyNote } from '../../../strategies/strategy.ts';
import type { SurrogatePort } from '../../../strategies/surrogate/port.ts';
import type { SurrogateStrategy } from '../../../strategies/surrogate/surrogate.ts';
import { ACC_LAT, rngFor } from '../fixture.ts';
import { HW40, SMALL, evaluateJoint, joint40, toyPort } from './fixture.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The toy port with screenings that take (varying) time, and a log of when they were asked for. */
function slowPort(log: string[], fail?: (call: number) => boolean): SurrogatePort<JsonObject> {
  const base = toyPort(true, HW40);
  let calls = 0;
  return {
    ...base,
    async screen(hws, nets) {
      const call = ++calls;
      log.push('screen');
      await tick(1 + ((call * 7) % 5));
      if (fail?.(call)) throw new Error(`screening ${call} failed`);
      return base.screen(hws, nets);
    },
  };
}

const make = (port: SurrogatePort<JsonObject>, options: object, seed = 2) =>
  createStrategy<JsonObject>('surrogate', { space: joint40 as never, objectives: ACC_LAT, rng: rngFor(seed), surrogate: port }, { ...SMALL, ...options }) as SurrogateStrategy<JsonObject>;

interface Step { asked: unknown[]; results: EvalResult<JsonObject>[]; notes: StrategyNote[] }

/** prepare → ask → (slow) evaluate → tell, as the runner does; the snapshot after each step. */
async function steps(s: Strategy<JsonObject>, count: number, log: string[] = [], first: number = SMALL.initial): Promise<{ steps: Step[]; snapshots: unknown[] }> {
  const out: Step[] = [];
  const snapshots: unknown[] = [];
  for (let i = 0; i < count; i++) {
    log.push('prepare');
    await s.prepare?.();
    log.push('ask');
    const cs = s.ask(i === 0 ? first : 4);
    const notes = s.takeNotes?.() ?? [];
    if (i < count - 1) s.warm?.(); // as the runner does: the next step's preparation overlaps this one
    const results: EvalResult<JsonObject>[] = [];
    for (const c of cs) {
      await tick(2);
      const m = await evaluateJoint(c as never).catch(() => null);
      results.push(m ? { candidate: c, ok: true, metrics: m, values: toMinimize(m, ACC_LAT), violation: violation(m, []) } : { candidate: c, ok: false, error: 'crash' });
    }
    s.tell(results);
    out.push({ asked: cs.map((c) => ({ id: c.id, key: c.key, predicted: c.predicted ?? null })), results, notes });
    snapshots.push(JSON.parse(JSON.stringify(s.snapshot())));
  }
  return { steps: out, snapshots };
}

/** Round records without their timings (the only field that may differ). */
const comparable = (r: { steps: Step[] }) => r.steps.map((s) => ({ ...s, notes: s.notes.map((n) => ({ ...n, payload: { ...n.payload, ms: null } })) }));

describe('surrogate prefetch', () => {
  it('gives the trials, predictions, round records and snapshots of a run without it', async () => {
    const log: string[] = [];
    const ahead = make(slowPort(log), { prefetch: true });
    ahead.warm();
    const a = await steps(ahead, 7, log);
    const b = await steps(make(slowPort([]), { prefetch: false }), 7);
    expect(comparable(a)).toEqual(comparable(b));
    expect(a.snapshots).toEqual(b.snapshots);
    // the pool changed along the way, so the prefetched refreshes decided something
    const refreshed = a.steps.slice(2).filter((s) => s.notes.some((n) => (n.payload as { pool: { added: string[] } }).pool.added.length > 0));
    expect(refreshed.length).toBeGreaterThan(0);
    // the screenings really ran ahead: the initial one before the first prepare, each refresh's right after its ask
    expect(log[0]).toBe('screen');
    expect(log.filter((e, i) => e === 'screen' && log[i - 1] === 'ask').length).toBeGreaterThanOrEqual(5);
    ahead.dispose();
  });

  it('continues exactly from a snapshot taken while a prefetch was in flight', async () => {
    const whole = await steps(make(slowPort([]), { prefetch: true }), 6);
    const first = make(slowPort([]), { prefetch: true });
    const part = await steps(first, 3);
    first.dispose(); // the refresh it started is abandoned (the process died)
    const restored = make(slowPort([]), { prefetch: true });
    restored.restore(part.snapshots[2] as never);
    restored.warm(); // the pool is chosen: this prefetches the refresh the snapshot holds pending, in this process
    const rest = await steps(restored, 3, [], 4);
    expect(comparable(rest)).toEqual(comparable(whole).slice(3));
    expect(rest.snapshots).toEqual(whole.snapshots.slice(3));
  });

  it('resumes with a refresh pending in a process whose tables are not loaded yet', async () => {
    /** Like the platform's port: exact costs only for accelerators prepared in this process. */
    const fresh = (): SurrogatePort<JsonObject> => {
      const base = slowPort([]);
      const prepared = new Set<string>();
      return {
        ...base,
        async prepare(hws) {
          for (const h of hws) prepared.add(JSON.stringify(h));
          await base.prepare(hws);
        },
        exactCost(genes, rows, hw) {
          if (!prepared.has(JSON.stringify(hw))) throw new Error(`no table for ${JSON.stringify(hw)}`);
          return base.exactCost(genes, rows, hw);
        },
      };
    };
    const whole = await steps(make(fresh(), { prefetch: false }), 5);
    const part = await steps(make(fresh(), { prefetch: false }), 3);
    const restored = make(fresh(), { prefetch: false });
    restored.restore(part.snapshots[2] as never);
    expect(comparable(await steps(restored, 2, [], 4))).toEqual(comparable(whole).slice(3));
  });

  it('surfaces a failed background screening from the next prepare, not as an unhandled rejection', async () => {
    // call 1 screens the initial pool; the first round (second step's ask) starts call 2 in the background
    const s = make(slowPort([], (call) => call === 2), { prefetch: true });
    await expect(steps(s, 3)).rejects.toThrow(/screening 2 failed/);
    s.dispose();
  });

  it('leaves nothing unhandled when disposed while a prefetch runs, and warms nothing without hardware work to do', async () => {
    const s = make(slowPort([], () => true), { prefetch: true });
    s.warm();
    s.dispose();
    await tick(30);
    const fixed = make(slowPort([]), { prefetch: true, hwRefresh: 0 });
    const off = make(slowPort([]), { prefetch: false, hwRefresh: 0 });
    expect(comparable(await steps(fixed, 4))).toEqual(comparable(await steps(off, 4)));
  });
});
