/** Conformance cases for trials: lifecycle, immutability, queries, and the atomic commitStep. */
import { describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, StorageError } from '../../core/errors.ts';
import type { Storage } from '../../storage/storage.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { deeplyFrozen, dump, experiment, isIso, rejects, trial } from './storage-helpers.ts';

export function trialCases(get: () => Storage): void {
  describe('trials', () => {
    it('startTrial: running, numbered 1.. per experiment, ids and timestamps from storage', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const b = await s.createExperiment(experiment('b'));
      const input = { ...trial(a.id, 1), id: 77, number: 40, state: 'finished', createdAt: 'x' } as never;
      const t1 = await s.startTrial(input);
      const u1 = await s.startTrial(trial(b.id, 1));
      const t2 = await s.startTrial(trial(a.id, 2, { hw: null, key: null }));
      expect([t1.number, t2.number, u1.number]).toEqual([1, 2, 1]);
      expect(t1.id).not.toBe(77);
      expect(u1.id).toBeGreaterThan(t1.id);
      expect(t2.id).toBeGreaterThan(u1.id);
      expect(t1).toMatchObject({ experimentId: a.id, state: 'running', arch: trial(0, 1).arch, hw: trial(0, 1).hw, key: 'k1', metrics: null, feasible: null, timings: null, error: null, finishedAt: null });
      expect(t2).toMatchObject({ hw: null, key: null });
      expect(isIso(t1.createdAt)).toBe(true);
      expect(deeplyFrozen(t1)).toBe(true);
      expect(await s.getTrial(t1.id)).toEqual(t1);
    });

    it('finish/fail complete a running trial; completed trials are immutable (StorageError)', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const t1 = await s.startTrial(trial(a.id, 1));
      const t2 = await s.startTrial(trial(a.id, 2));
      const f = await s.finishTrial(t1.id, { metrics: { accuracy: 0.75, latency_ms: 3 }, timings: { evaluateMs: 12.5 } });
      expect(f).toMatchObject({ state: 'finished', metrics: { accuracy: 0.75, latency_ms: 3 }, feasible: true, timings: { evaluateMs: 12.5 }, error: null, number: 1, createdAt: t1.createdAt });
      expect(isIso(f.finishedAt)).toBe(true);
      const g = await s.failTrial(t2.id, { error: 'out of memory' });
      expect(g).toMatchObject({ state: 'failed', metrics: null, feasible: null, error: 'out of memory', timings: null });
      for (const [id, before] of [[t1.id, f], [t2.id, g]] as const) {
        await rejects(() => s.finishTrial(id, { metrics: { accuracy: 1 } }), StorageError);
        await rejects(() => s.failTrial(id, { error: 'again' }), StorageError);
        await rejects(() => s.commitStep({ experimentId: a.id, trials: [{ trialId: id, outcome: { state: 'finished', metrics: { accuracy: 0 } } }], snapshot: {} }), StorageError);
        expect(await s.getTrial(id)).toEqual(before);
      }
      const inf = await s.finishTrial((await s.startTrial(trial(a.id, 3))).id, { metrics: { accuracy: 0.1 }, feasible: false });
      expect(inf.feasible).toBe(false);
    });

    it("keeps a strategy's prediction apart from the metrics: stored at start, untouched by completion, validated", async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const predicted = { accuracy: { mean: 90.1, sd: 0.3, source: 'predictor' }, round: 2, rule: 'ucb-hvi' };
      const [t] = await s.startTrials([trial(a.id, 1, { predicted })]);
      expect(t).toMatchObject({ predicted, metrics: null });
      expect(deeplyFrozen(t)).toBe(true);
      const done = await s.finishTrial(t!.id, { metrics: { accuracy: 89.7, latency_ms: 2 } });
      expect(done.predicted).toEqual(predicted);
      expect(done.metrics).toEqual({ accuracy: 89.7, latency_ms: 2 });
      const plain = await s.startTrial(trial(a.id, 2));
      expect(plain.predicted).toBeNull();
      const step = await s.commitStep({ experimentId: a.id, trials: [{ ...trial(a.id, 3, { predicted: { x: 1 } }), outcome: { state: 'finished', metrics: { accuracy: 1 } } }], snapshot: {} });
      expect(step.trials[0]?.predicted).toEqual({ x: 1 });
      expect((await s.listTrials({ experimentId: a.id, sort: 'number' })).items.map((x) => x.predicted)).toEqual([predicted, null, { x: 1 }]);
      await rejects(() => s.startTrial(trial(a.id, 4, { predicted: [1, 2] as never })), ConfigError, { field: 'trial.predicted' });
      await rejects(() => s.startTrials([trial(a.id, 4, { predicted: { m: Number.NaN } })]), ConfigError, { field: 'trials[0].predicted.m' });
    });

    it('validates trial inputs (ConfigError naming the field) and unknown ids (NotFoundError)', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      await rejects(() => s.startTrial(trial(9999)), NotFoundError, { what: 'experiment' });
      await rejects(() => s.startTrial(trial(0)), ConfigError, { field: 'trial.experimentId', value: 0 });
      await rejects(() => s.startTrial(trial(a.id, 0, { arch: [1, 2] as never })), ConfigError, { field: 'trial.arch' });
      await rejects(() => s.startTrial(trial(a.id, 0, { arch: { x: Number.POSITIVE_INFINITY } })), ConfigError, { field: 'trial.arch.x' });
      await rejects(() => s.startTrial(trial(a.id, 0, { key: '' })), ConfigError, { field: 'trial.key' });
      const t = await s.startTrial(trial(a.id));
      await rejects(() => s.finishTrial(t.id, { metrics: { accuracy: Number.NaN } }), ConfigError, { field: 'outcome.metrics.accuracy' });
      await rejects(() => s.finishTrial(t.id, { metrics: { 'bad name': 1 } }), ConfigError);
      await rejects(() => s.finishTrial(t.id, { metrics: {}, timings: { evaluateMs: -1 } }), ConfigError, { field: 'outcome.timings.evaluateMs', value: -1 });
      await rejects(() => s.failTrial(t.id, { error: '' }), ConfigError, { field: 'outcome.error' });
      await rejects(() => s.finishTrial(424242, { metrics: {} }), NotFoundError, { what: 'trial' });
      await rejects(() => s.getTrial(424242), NotFoundError);
      expect((await s.getTrial(t.id)).state).toBe('running');
      expect(await s.countTrials()).toBe(1);
    });

    it('listTrials/countTrials: filters, sorting (missing values last both ways, ties by id), paging', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const b = await s.createExperiment(experiment('b'));
      const accs = [0.5, 0.9, null, 0.5, 0.1];
      const ts: TrialRecord[] = [];
      for (const [i, acc] of accs.entries()) {
        const t = await s.startTrial(trial(a.id, i));
        ts.push(acc === null ? await s.failTrial(t.id, { error: 'x' }) : await s.finishTrial(t.id, { metrics: { accuracy: acc }, feasible: i !== 1 }));
      }
      const running = await s.startTrial(trial(a.id, 9));
      await s.startTrial(trial(b.id, 1));
      const ids = (p: { items: readonly TrialRecord[] }) => p.items.map((t) => t.id);
      const [t0, t1, t2, t3, t4] = ts.map((t) => t.id) as [number, number, number, number, number];

      const all = await s.listTrials({ experimentId: a.id });
      expect(ids(all)).toEqual([t0, t1, t2, t3, t4, running.id]);
      expect(all).toMatchObject({ total: 6, limit: 100, offset: 0 });
      expect(deeplyFrozen(all)).toBe(true);
      expect((await s.listTrials()).total).toBe(7);
      expect(ids(await s.listTrials({ experimentId: a.id, sort: 'id', order: 'desc' }))).toEqual([running.id, t4, t3, t2, t1, t0]);
      expect(ids(await s.listTrials({ experimentId: a.id, sort: 'metric:accuracy', order: 'desc' }))).toEqual([t1, t0, t3, t4, t2, running.id]);
      expect(ids(await s.listTrials({ experimentId: a.id, sort: 'metric:accuracy', order: 'asc' }))).toEqual([t4, t0, t3, t1, t2, running.id]);
      expect(ids(await s.listTrials({ experimentId: a.id, sort: 'finishedAt', order: 'desc' })).at(-1)).toBe(running.id);
      expect(ids(await s.listTrials({ experimentId: a.id, sort: 'state' }))).toEqual([t2, t0, t1, t3, t4, running.id]);
      expect(ids(await s.listTrials({ experimentId: a.id, state: 'finished' }))).toEqual([t0, t1, t3, t4]);
      expect(ids(await s.listTrials({ experimentId: a.id, state: ['failed', 'running'] }))).toEqual([t2, running.id]);
      expect(ids(await s.listTrials({ experimentId: a.id, feasible: false }))).toEqual([t1]);
      const page = await s.listTrials({ experimentId: a.id, sort: 'metric:accuracy', order: 'desc', limit: 2, offset: 1 });
      expect(ids(page)).toEqual([t0, t3]);
      expect(page).toMatchObject({ total: 6, limit: 2, offset: 1 });
      expect((await s.listTrials({ experimentId: a.id, offset: 10 })).items).toEqual([]);
      expect(await s.countTrials({ experimentId: a.id })).toBe(6);
      expect(await s.countTrials({ state: 'running' })).toBe(2);
      expect(await s.countTrials({ experimentId: a.id, state: 'finished', feasible: true })).toBe(3);
      await rejects(() => s.listTrials({ limit: 0 }), ConfigError, { field: 'query.limit', value: 0 });
      await rejects(() => s.listTrials({ limit: 10_001 }), ConfigError);
      await rejects(() => s.listTrials({ sort: 'color' as never }), ConfigError, { field: 'query.sort' });
      await rejects(() => s.listTrials({ state: 'done' as never }), ConfigError);
      await rejects(() => s.countTrials({ offset: -1 } as never), ConfigError);
    });
  });

  describe('commitStep (atomic)', () => {
    it('completes running trials, inserts completed ones, replaces the snapshot and appends events together', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const r1 = await s.startTrial(trial(a.id, 1));
      const r2 = await s.startTrial(trial(a.id, 2));
      const res = await s.commitStep({
        experimentId: a.id,
        trials: [
          { trialId: r1.id, outcome: { state: 'finished', metrics: { accuracy: 0.6 } } },
          { ...trial(a.id, 3), outcome: { state: 'failed', error: 'nan loss' } },
          { ...trial(a.id, 4), outcome: { state: 'finished', metrics: { accuracy: 0.7 }, feasible: false } },
        ],
        snapshot: { generation: 1, rng: [1, 2, 3] },
        events: [{ experimentId: a.id, type: 'trial', payload: { n: 1 } }, { type: 'progress', payload: [1] }],
      });
      expect(res.trials.map((t) => [t.state, t.number])).toEqual([['finished', 1], ['failed', 3], ['finished', 4]]);
      expect(res.trials[0]!.id).toBe(r1.id);
      expect(res.snapshot).toMatchObject({ experimentId: a.id, trialCount: 3, state: { generation: 1, rng: [1, 2, 3] } });
      expect(res.events.map((e) => [e.type, e.experimentId])).toEqual([['trial', a.id], ['progress', null]]);
      expect(res.events[1]!.id).toBeGreaterThan(res.events[0]!.id);
      expect(deeplyFrozen(res)).toBe(true);
      expect(await s.loadSnapshot(a.id)).toEqual(res.snapshot);
      expect((await s.getTrial(r2.id)).state).toBe('running');
      const second = await s.commitStep({ experimentId: a.id, trials: [{ trialId: r2.id, outcome: { state: 'finished', metrics: { accuracy: 0.2 } } }], snapshot: { generation: 2 } });
      expect(second.snapshot).toMatchObject({ trialCount: 4, state: { generation: 2 } });
      expect(second.events).toEqual([]);
      expect(await s.loadSnapshot(a.id)).toEqual(second.snapshot);
    });

    it('a failing step changes nothing: trials, snapshot and events stay as before', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const b = await s.createExperiment(experiment('b'));
      const run = await s.startTrial(trial(a.id, 1));
      const done = await s.finishTrial((await s.startTrial(trial(a.id, 2))).id, { metrics: { accuracy: 1 } });
      const other = await s.startTrial(trial(b.id, 1));
      await s.saveSnapshot(a.id, { generation: 0 });
      await s.appendEvent({ experimentId: a.id, type: 'status', payload: 'running' });
      const before = await dump(s);
      const good = { trialId: run.id, outcome: { state: 'finished', metrics: { accuracy: 0.5 } } } as const;
      const inserted = { ...trial(a.id, 5), outcome: { state: 'finished', metrics: { accuracy: 0.4 } } } as const;
      const bad: [string, Parameters<Storage['commitStep']>[0], abstract new (...a: never[]) => Error][] = [
        ['completed trial last', { experimentId: a.id, trials: [good, inserted, { trialId: done.id, outcome: { state: 'failed', error: 'x' } }], snapshot: { g: 1 } }, StorageError],
        ['same trial twice', { experimentId: a.id, trials: [good, good], snapshot: { g: 1 } }, StorageError],
        ['unknown trial', { experimentId: a.id, trials: [good, inserted, { trialId: 987654, outcome: good.outcome }], snapshot: { g: 1 } }, NotFoundError],
        ['trial of another experiment', { experimentId: a.id, trials: [good, { trialId: other.id, outcome: good.outcome }], snapshot: { g: 1 } }, ConfigError],
        ['insert for another experiment', { experimentId: a.id, trials: [good, { ...inserted, experimentId: b.id }], snapshot: { g: 1 } }, ConfigError],
        ['event for unknown experiment', { experimentId: a.id, trials: [good, inserted], snapshot: { g: 1 }, events: [{ type: 'ok', payload: 1 }, { experimentId: 9999, type: 'x', payload: 1 }] }, NotFoundError],
        ['bad arch in an insert', { experimentId: a.id, trials: [good, { ...inserted, arch: { x: Number.NaN } }], snapshot: { g: 1 } }, ConfigError],
        ['bad outcome', { experimentId: a.id, trials: [good, { trialId: run.id, outcome: { state: 'done' } as never }], snapshot: { g: 1 } }, ConfigError],
        ['bad snapshot', { experimentId: a.id, trials: [good], snapshot: { f: () => 1 } as never }, ConfigError],
        ['bad event', { experimentId: a.id, trials: [good], snapshot: {}, events: [{ type: '', payload: 1 }] }, ConfigError],
        ['unknown experiment', { experimentId: 5555, trials: [], snapshot: {} }, NotFoundError],
      ];
      for (const [what, input, cls] of bad) {
        await rejects(() => s.commitStep(input), cls).catch((e: unknown) => {
          throw new Error(`${what}: ${String(e)}`);
        });
        expect(await dump(s), what).toEqual(before);
      }
    });
  });
}
