/**
 * A surrogate search whose verifications are queue jobs: the coordinator's strategy makes the
 * predictions (stored with each trial, apart from its metrics) and writes the round records; the
 * supernet scores come back from a worker. With 1 worker on PostgreSQL the trials, their predictions
 * and the round records equal those of the same search evaluated without one. (PostgreSQL with no
 * worker equals SQLite: determinism.test.ts.) The first platform build on a machine re-verifies the
 * shipped supernet (≈ 1 min on one core); the others read that passed check from .cache/verified.
 */
import { describe, expect, it } from 'vitest';
import { ACCURACY_OBJECTIVE } from '../../estimators/accuracy/accuracy-predictor.ts';
import { COUNTER_OBJECTIVES } from '../../estimators/counter-estimator.ts';
import { parseExperiment } from '../../platform/config.ts';
import { initTf } from '../../runtime/tf.ts';
import { PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { pgRun } from './fixture.ts';

/** The shipped supernet on few validation images, one scoring thread per process: about a second per trial. */
const SURROGATE = parseExperiment({
  seed: 4, space: 'mbconv', accuracy: { source: 'supernet', valLimit: 60, calibImages: 8, workers: 1 }, hardware: { mode: 'none' },
  strategy: { name: 'surrogate', options: { initial: 4, population: 20, generations: 5, cvFolds: 2 } },
  objectives: ['accuracy', 'macs_m'], budget: 10, batch: 3,
});
const OBJECTIVES = [ACCURACY_OBJECTIVE, COUNTER_OBJECTIVES.find((o) => o.name === 'macs_m')!];

describe.skipIf(!PG_URL)(PG_URL ? 'surrogate search on queue workers' : `surrogate search on queue workers (skipped: ${PG_SKIP})`, () => {
  it('with 0 and with 1 worker: the same trials, predictions and round records', async () => {
    await initTf('wasm');
    const none = await pgRun(0, SURROGATE, OBJECTIVES);
    expect(none.jobs).toHaveLength(0);
    expect(none.trials).toHaveLength(10);
    expect(none.notes.length).toBeGreaterThan(0);
    // predictions made by the strategy, stored with the trials it picked after the initial design
    expect(none.trials.filter((t) => t.includes('"source":"predictor"')).length).toBeGreaterThan(0);

    const one = await pgRun(1, SURROGATE, OBJECTIVES);
    // steps issued as jobs once the worker is seen live (the first may be evaluated before it registers)
    expect(one.jobs.length).toBeGreaterThanOrEqual(6);
    expect(one.done.length).toBeGreaterThan(0); // the worker verified some of them
    expect({ trials: one.trials, notes: one.notes }).toEqual({ trials: none.trials, notes: none.notes });
  }, 900_000);
});
