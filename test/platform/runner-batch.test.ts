import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../core/types.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { createStrategy } from '../../strategies/registry.ts';
import { runExperiment, type EvaluateBatch } from '../../platform/run-experiment.ts';
import type { Candidate } from '../../strategies/strategy.ts';
import { ACC_LAT, evaluate, metricsOf, rngFor, space } from '../strategies/fixture.ts';

// Enough trials that some fall on the fixture's crashing cells (1 in 25).
const BUDGET = 150;
const constraints = [{ metric: 'latency', op: '<=' as const, limit: 30 }];

async function run(name: string, evaluateBatch?: EvaluateBatch<Nb201Arch>) {
  const storage = new MemoryStorage();
  const id = (await storage.createExperiment({ name: 'b', config: {}, seed: 5, space: 'nb201', objectives: [
    { name: 'accuracy', unit: '%', direction: 'max' }, { name: 'latency', unit: 'MMAC', direction: 'min' },
  ] })).id;
  const strategy = createStrategy<Nb201Arch>(name, { space, objectives: ACC_LAT, constraints, rng: rngFor(5) }, name === 'evolution' ? { population: 6, sampleSize: 3 } : {});
  const summary = await runExperiment({ sink: storage, experimentId: id, strategy, objectives: ACC_LAT, constraints, evaluate, evaluateBatch, budget: BUDGET, batch: 6 });
  expect(summary).toEqual({ status: 'finished', completed: BUDGET, resumed: false });
  const trials = (await storage.listTrials({ experimentId: id, sort: 'number', limit: 1000 })).items;
  return { trials: trials.map((t: TrialRecord) => ({ key: t.key, state: t.state, metrics: t.metrics, feasible: t.feasible, error: t.error })), raw: trials };
}

describe('runner with a batch evaluator', () => {
  it.each(['random', 'evolution'])('%s: one call per step gives the same trials as per-candidate evaluation', async (name) => {
    const calls: number[] = [];
    // Fails the whole batch when any cell would crash: the step falls back to per-candidate evaluation.
    const batch: EvaluateBatch<Nb201Arch> = async (cs: readonly Candidate<Nb201Arch>[]) => {
      calls.push(cs.length);
      if (cs.some((c) => c.x.ops[0] === 'none' && c.x.ops[1] === 'none')) throw new Error('batch failed');
      return cs.map((c): Metrics => metricsOf(c.x));
    };
    const reference = await run(name);
    const batched = await run(name, batch);
    expect(batched.trials).toEqual(reference.trials);
    expect(calls).toHaveLength(Math.ceil(BUDGET / 6));
    expect(batched.trials.some((t) => t.error?.includes('simulated crash'))).toBe(true);
    expect(batched.raw.every((t) => (t.timings?.['evaluateMs'] as number) >= 0)).toBe(true);
  });

  it('falls back when the batch returns the wrong number of results', async () => {
    const reference = await run('random');
    const short = await run('random', async (cs) => cs.slice(1).map((c) => metricsOf(c.x)));
    expect(short.trials).toEqual(reference.trials);
  });
});
