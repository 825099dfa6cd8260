import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Storage } from '../../storage/storage.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { runExperiment } from '../../platform/run-experiment.ts';
import type { Candidate } from '../../strategies/strategy.ts';
import { ACC_LAT, evaluate, rngFor, space } from '../strategies/fixture.ts';
import { initTf } from '../../runtime/tf.ts';
import { ROUND_NOTE } from '../../strategies/surrogate/surrogate.ts';
import { SMALL, toyPort } from '../strategies/surrogate/fixture.ts';
import { tensorPolicies } from '../../runtime/gru-policy.ts';

await initTf();

const dir = mkdtempSync(join(tmpdir(), 'nas-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let dbCount = 0;
const BUDGET = 26;
const BATCH = 3;
const constraints = [{ metric: 'latency', op: '<=' as const, limit: 30 }];

function strategyFor(name: string) {
  const options = name === 'evolution' ? { population: 8, sampleSize: 3, crossoverProb: 0.5 } : name === 'nsga2' ? { population: 6 } : name === 'reinforce' ? { learningRate: 0.05, hidden: 8 } : name === 'surrogate' ? SMALL : {};
  return createStrategy<Nb201Arch>(name, { space, objectives: ACC_LAT, constraints, rng: rngFor(7), policies: tensorPolicies, ...(name === 'surrogate' ? { surrogate: toyPort(false) as never } : {}) }, options);
}

async function newExperiment(storage: Storage, name: string): Promise<number> {
  return (await storage.createExperiment({ name, config: {}, seed: 7, space: 'nb201', objectives: [
    { name: 'accuracy', unit: '%', direction: 'max' }, { name: 'latency', unit: 'MMAC', direction: 'min' },
  ] })).id;
}

function comparable(t: TrialRecord) {
  return { number: t.number, state: t.state, arch: t.arch, hw: t.hw, key: t.key, metrics: t.metrics, predicted: t.predicted, feasible: t.feasible, error: t.error };
}

async function trialsOf(storage: Storage, id: number) {
  return (await storage.listTrials({ experimentId: id, sort: 'number', limit: 10_000 })).items.map(comparable);
}

/** Runs with interruptions: `stops` are [kind, count] — abort after that many evaluations or startTrials calls (steps started). */
async function interruptedRun(storage: Storage, name: string, strategyName: string, stops: readonly (readonly ['eval' | 'start', number])[]) {
  const id = await newExperiment(storage, name);
  let resumes = 0;
  for (const stop of [...stops, null]) {
    const [kind, at] = stop ?? [null, 0];
    const ctrl = new AbortController();
    let evals = 0;
    let starts = 0;
    const wrapped: Storage = Object.create(storage, {
      startTrials: { value: (inputs: Parameters<Storage['startTrials']>[0]) => {
        if (kind === 'start' && ++starts === at) ctrl.abort();
        return storage.startTrials(inputs);
      } },
    });
    const summary = await runExperiment({
      sink: wrapped, experimentId: id, strategy: strategyFor(strategyName), objectives: ACC_LAT, constraints, budget: BUDGET, batch: BATCH,
      signal: ctrl.signal,
      evaluate: (c: Candidate<Nb201Arch>) => {
        if (kind === 'eval' && ++evals === at) ctrl.abort();
        return evaluate(c);
      },
    });
    expect(summary.status).toBe(kind === null ? 'finished' : 'stopped');
    if (summary.resumed) resumes++;
  }
  return { id, resumes };
}

const backends: [string, () => Promise<Storage>][] = [
  ['memory', async () => new MemoryStorage()],
  ['sqlite', async () => SqliteStorage.open(join(dir, `runner-${++dbCount}.db`))],
];

describe.each(backends)('runner on %s storage', (_label, open) => {
  it.each(['random', 'evolution', 'nsga2', 'reinforce', 'surrogate'])('%s: kill-and-resume at several points equals an uninterrupted run', async (strategyName) => {
    const storage = await open();
    try {
      const base = await newExperiment(storage, 'whole');
      const whole = await runExperiment({ sink: storage, experimentId: base, strategy: strategyFor(strategyName), objectives: ACC_LAT, constraints, evaluate, budget: BUDGET, batch: BATCH });
      expect(whole).toEqual({ status: 'finished', completed: BUDGET, resumed: false });
      const expected = await trialsOf(storage, base);
      expect(expected).toHaveLength(BUDGET);
      expect(expected.every((t) => t.state !== 'running')).toBe(true);

      // Stops mid-evaluation (orphaned running trials), right after a step's trials were started, right after a commit.
      const { id, resumes } = await interruptedRun(storage, 'interrupted', strategyName, [['eval', 2], ['start', 2], ['eval', 3], ['eval', 7], ['start', 1]]);
      expect(resumes).toBe(5);
      expect(await trialsOf(storage, id)).toEqual(expected);
      expect((await storage.loadSnapshot(id))?.state).toEqual((await storage.loadSnapshot(base))?.state);
      expect((await storage.getExperiment(id)).status).toBe('finished');
      // A strategy's notes (the surrogate's round fits) are kept once per committed step, as in the uninterrupted run.
      const notes = async (e: number) => (await storage.eventsSince(0, { experimentId: e })).filter((x) => x.type === ROUND_NOTE).map((x) => ({ ...(x.payload as object), ms: null }));
      expect(await notes(id)).toEqual(await notes(base));
      if (strategyName === 'surrogate') expect((await notes(base)).length).toBeGreaterThan(2);
    } finally {
      await storage.close();
    }
  });
});

describe('runner bookkeeping', () => {
  it('records failures, missing objectives and feasibility without stopping', async () => {
    const storage = new MemoryStorage();
    const id = await newExperiment(storage, 'faults');
    let n = 0;
    const summary = await runExperiment({
      sink: storage, experimentId: id, strategy: strategyFor('random'), objectives: ACC_LAT, constraints, budget: 40,
      evaluate: async (c) => {
        n++;
        if (n % 10 === 0) return { accuracy: 1 };
        return evaluate(c);
      },
    });
    expect(summary.completed).toBe(40);
    const trials = await trialsOf(storage, id);
    expect(trials.filter((t) => t.error?.includes('no value for objective(s) latency'))).toHaveLength(4);
    expect(trials.some((t) => t.error?.includes('simulated crash'))).toBe(true);
    const finished = trials.filter((t) => t.state === 'finished');
    for (const t of finished) expect(t.feasible).toBe((t.metrics?.['latency'] as number) <= 30);
    expect(finished.some((t) => t.feasible === false)).toBe(true);
    const stored = await storage.listTrials({ experimentId: id, limit: 1 });
    expect(stored.items[0]?.timings?.['evaluateMs']).toBeGreaterThanOrEqual(0);
  });

  it('reports the start of the search loop once, before the first prepare, with the trials already completed', async () => {
    const storage = new MemoryStorage();
    const id = await newExperiment(storage, 'loop');
    const seen: string[] = [];
    const strategy = strategyFor('random');
    const traced = Object.assign(Object.create(strategy) as typeof strategy, { prepare: async () => void seen.push('prepare') });
    const run = (budget: number) => runExperiment({
      sink: storage, experimentId: id, strategy: traced, objectives: ACC_LAT, constraints, budget, batch: BATCH, evaluate,
      onLoopStart: (s) => seen.push(`loop ${s.completed}/${s.budget}`), onStepStart: (s) => seen.push(`step ${s.completed}`),
    });
    await run(6);
    expect(seen).toEqual(['loop 0/6', 'prepare', 'step 0', 'prepare', 'step 3']);
    seen.length = 0;
    await run(9);
    expect(seen).toEqual(['loop 6/9', 'prepare', 'step 6']);
  });

  it('rejects a bad budget naming the field', async () => {
    const storage = new MemoryStorage();
    const id = await newExperiment(storage, 'bad');
    await expect(runExperiment({ sink: storage, experimentId: id, strategy: strategyFor('random'), objectives: ACC_LAT, evaluate, budget: -1 })).rejects.toThrow(/budget/);
  });
});
