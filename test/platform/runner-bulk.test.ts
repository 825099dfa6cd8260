/** The runner's per-step storage traffic, and running trials and exact resume on the batched (`evaluateBatch`) path. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../core/types.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Storage } from '../../storage/storage.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { runExperiment, type EvaluateBatch } from '../../platform/run-experiment.ts';
import type { Candidate } from '../../strategies/strategy.ts';
import { ACC_LAT, evaluate, metricsOf, rngFor, space } from '../strategies/fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-runner-bulk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let dbCount = 0;

const BUDGET = 60;
const BATCH = 6;
const constraints = [{ metric: 'latency', op: '<=' as const, limit: 30 }];
const strategy = (seed = 3) => createStrategy<Nb201Arch>('evolution', { space, objectives: ACC_LAT, constraints, rng: rngFor(seed) }, { population: 12, sampleSize: 4 });
// Per-candidate semantics in one call: a crashing cell fails the batch, which falls back per candidate.
const batch: EvaluateBatch<Nb201Arch> = async (cs) => {
  if (cs.some((c) => c.x.ops[0] === 'none' && c.x.ops[1] === 'none')) throw new Error('batch failed');
  return cs.map((c): Metrics => metricsOf(c.x));
};

async function newExperiment(s: Storage, name: string): Promise<number> {
  return (await s.createExperiment({ name, config: {}, seed: 3, space: 'nb201', objectives: [
    { name: 'accuracy', unit: '%', direction: 'max' }, { name: 'latency', unit: 'MMAC', direction: 'min' },
  ] })).id;
}

const comparable = (t: TrialRecord) => ({ number: t.number, state: t.state, arch: t.arch, key: t.key, metrics: t.metrics, feasible: t.feasible, error: t.error });
const trialsOf = async (s: Storage, id: number) => (await s.listTrials({ experimentId: id, sort: 'number', limit: 10_000 })).items.map(comparable);

/** Counts storage calls by name. */
function counting(s: Storage, calls: Map<string, number>): Storage {
  const wrap = (name: 'startTrial' | 'startTrials' | 'commitStep' | 'finishTrial' | 'failTrial') => ({
    value: (...args: never[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return (s[name] as (...a: never[]) => unknown)(...args);
    },
  });
  return Object.create(s, { startTrial: wrap('startTrial'), startTrials: wrap('startTrials'), commitStep: wrap('commitStep'), finishTrial: wrap('finishTrial'), failTrial: wrap('failTrial') }) as Storage;
}

describe('runner storage traffic', () => {
  it('per-candidate evaluation: one startTrials and one commitStep per step, no per-trial calls', async () => {
    const s = new MemoryStorage();
    const calls = new Map<string, number>();
    const id = await newExperiment(s, 'eager');
    const seen: number[] = [];
    const lastEvents: number[] = [];
    await runExperiment({
      sink: counting(s, calls), experimentId: id, strategy: strategy(), objectives: ACC_LAT, constraints, budget: BUDGET, batch: BATCH,
      // While a candidate is evaluated, its whole step is visible as running, and a 'step' event told the UI so.
      evaluate: async (c: Candidate<Nb201Arch>) => {
        seen.push(await s.countTrials({ experimentId: id, state: 'running' }));
        const last = (await s.eventsSince(0, { experimentId: id, limit: 10_000 })).at(-1);
        lastEvents.push(last?.type === 'step' ? (last.payload as { started: number }).started : -1);
        return evaluate(c);
      },
    });
    expect(Object.fromEntries(calls)).toEqual({ startTrials: BUDGET / BATCH, commitStep: BUDGET / BATCH });
    expect(new Set(seen)).toEqual(new Set([BATCH]));
    expect(new Set(lastEvents)).toEqual(new Set([BATCH]));
    const trials = await trialsOf(s, id);
    expect(trials.some((t) => t.state === 'failed' && t.error?.includes('simulated crash'))).toBe(true);
  });

  it('batched evaluation: one startTrials and one commitStep per step, same trials as per-candidate evaluation', async () => {
    const s = new MemoryStorage();
    const calls = new Map<string, number>();
    const a = await newExperiment(s, 'per-candidate');
    const b = await newExperiment(s, 'batched');
    await runExperiment({ sink: s, experimentId: a, strategy: strategy(), objectives: ACC_LAT, constraints, evaluate, budget: BUDGET, batch: BATCH });
    await runExperiment({ sink: counting(s, calls), experimentId: b, strategy: strategy(), objectives: ACC_LAT, constraints, evaluate, evaluateBatch: batch, budget: BUDGET, batch: BATCH });
    expect(Object.fromEntries(calls)).toEqual({ startTrials: BUDGET / BATCH, commitStep: BUDGET / BATCH });
    const want = await trialsOf(s, a);
    expect(await trialsOf(s, b)).toEqual(want);
    expect(want.filter((t) => t.state === 'failed').length).toBeGreaterThan(0);
  });
});

describe.each([
  ['memory', async () => new MemoryStorage()],
  ['sqlite', async () => SqliteStorage.open(join(dir, `bulk-${++dbCount}.db`))],
] as [string, () => Promise<Storage>][])('batched runner on %s', (_label, open) => {
  it('kills mid-batch, mid-commit (nothing written) and after a commit end like an uninterrupted run', async () => {
    const s = await open();
    try {
      const base = await newExperiment(s, 'whole');
      await runExperiment({ sink: s, experimentId: base, strategy: strategy(), objectives: ACC_LAT, constraints, evaluate, evaluateBatch: batch, budget: BUDGET, batch: BATCH });
      const expected = await trialsOf(s, base);

      const id = await newExperiment(s, 'interrupted');
      // [kind, n]: abort inside the nth batch call, throw from the nth commitStep before it writes, abort after the nth commit.
      const stops = [['batch', 2], ['commit', 1], ['after', 2], ['commit', 3], ['batch', 1]] as const;
      for (const stop of [...stops, null]) {
        const ctrl = new AbortController();
        let batches = 0;
        let commits = 0;
        const wrapped: Storage = Object.create(s, {
          commitStep: { value: async (input: Parameters<Storage['commitStep']>[0]) => {
            commits++;
            if (stop?.[0] === 'commit' && commits === stop[1]) throw new Error('killed mid-commit');
            const r = await s.commitStep(input);
            if (stop?.[0] === 'after' && commits === stop[1]) ctrl.abort();
            return r;
          } },
        });
        const run = runExperiment({
          sink: wrapped, experimentId: id, strategy: strategy(), objectives: ACC_LAT, constraints, evaluate, budget: BUDGET, batch: BATCH, signal: ctrl.signal,
          evaluateBatch: (cs, ctx) => {
            if (stop?.[0] === 'batch' && ++batches === stop[1]) ctrl.abort();
            return batch(cs, ctx);
          },
        });
        if (stop?.[0] === 'commit') await expect(run).rejects.toThrow('killed mid-commit');
        else expect((await run).status).toBe(stop === null ? 'finished' : 'stopped');
        // Interrupted while scored or committed: the step's started trials end interrupted (none stays
        // running), the experiment 'stopped' or, when the run threw, 'failed'; the resume takes them over.
        const orphans = stop?.[0] === 'batch' || stop?.[0] === 'commit' ? BATCH : 0;
        expect(await s.countTrials({ experimentId: id, state: 'interrupted' })).toBe(orphans);
        expect(await s.countTrials({ experimentId: id, state: 'running' })).toBe(0);
        expect((await s.getExperiment(id)).status).toBe(stop === null ? 'finished' : stop[0] === 'commit' ? 'failed' : 'stopped');
      }
      expect(await trialsOf(s, id)).toEqual(expected);
      expect((await s.loadSnapshot(id))?.state).toEqual((await s.loadSnapshot(base))?.state);
    } finally {
      await s.close();
    }
  });

  it("a batch's trials are stored as running while it is scored, and completed by the step's commit", async () => {
    const s = await open();
    try {
      const id = await newExperiment(s, 'visible');
      // Recorded, not asserted, inside the batch: the runner treats a throwing batch as failed and falls back.
      const seen: { keys: (string | null)[]; candidates: string[]; running: number; states: string[] }[] = [];
      await runExperiment({
        sink: s, experimentId: id, strategy: strategy(), objectives: ACC_LAT, constraints, evaluate, budget: BUDGET, batch: BATCH,
        // Looks at storage the way the UI does (experiment list counts, trial list filtered by state) from inside the batch.
        evaluateBatch: async (cs, ctx) => {
          const running = (await s.listTrials({ experimentId: id, state: 'running', sort: 'number' })).items;
          const summary = (await s.listExperiments()).find((e) => e.id === id);
          seen.push({ keys: running.map((t) => t.key), candidates: cs.map((c) => c.key), running: summary?.trials.running ?? -1, states: running.map((t) => t.state) });
          return batch(cs, ctx);
        },
      });
      expect(seen).toHaveLength(BUDGET / BATCH);
      for (const step of seen) {
        expect(step.keys).toEqual(step.candidates);
        expect(step).toMatchObject({ running: BATCH, states: Array(BATCH).fill('running') });
      }
      const trials = await trialsOf(s, id);
      expect(trials).toHaveLength(BUDGET);
      expect(trials.filter((t) => t.state === 'running')).toHaveLength(0);
      expect(trials.map((t) => t.key)).toEqual(seen.flatMap((step) => step.keys));
    } finally {
      await s.close();
    }
  });

  it('orphans of a partial step that a changed strategy no longer proposes are all kept as failed', async () => {
    const s = await open();
    try {
      const id = await newExperiment(s, 'orphans');
      const ctrl = new AbortController();
      // Per-candidate run stopped during its first evaluation: a whole step of running trials.
      await runExperiment({ sink: s, experimentId: id, strategy: strategy(3), objectives: ACC_LAT, constraints, budget: BUDGET, batch: BATCH, signal: ctrl.signal, evaluate: async (c) => (ctrl.abort(), evaluate(c)) });
      expect(await s.countTrials({ experimentId: id, state: 'interrupted' })).toBe(BATCH);
      // Resumed with another seed (a changed strategy): the first proposal differs from the first orphan.
      const summary = await runExperiment({ sink: s, experimentId: id, strategy: strategy(99), objectives: ACC_LAT, constraints, evaluate, evaluateBatch: batch, budget: BUDGET, batch: BATCH });
      expect(summary).toMatchObject({ status: 'finished', completed: BUDGET, resumed: true });
      const trials = await trialsOf(s, id);
      expect(trials.filter((t) => t.error?.startsWith('abandoned'))).toHaveLength(BATCH);
      expect(trials.filter((t) => t.state === 'running')).toHaveLength(0);
      expect(trials.map((t) => t.number)).toEqual(trials.map((_, i) => i + 1));
    } finally {
      await s.close();
    }
  });
});
