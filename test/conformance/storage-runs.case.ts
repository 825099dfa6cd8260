/**
 * Conformance cases for runs (storage/runs.ts): beginRun/endRun, the 'interrupted' trial state, and
 * what every read shows when the process holding an experiment's lease is gone (killed).
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, StorageError } from '../../core/errors.ts';
import { currentLease, type RunnerLease } from '../../storage/runs.ts';
import type { Storage } from '../../storage/storage.ts';
import { experiment, rejects, trial } from './storage-helpers.ts';

/** The lease of a process that has exited: what a killed search leaves behind. */
function deadLease(): RunnerLease {
  const r = spawnSync(process.execPath, ['-e', '']);
  return { host: hostname(), pid: r.pid as number, start: null };
}

export function runCases(get: () => Storage): void {
  describe('runs', () => {
    it('beginRun records this process; endRun stores the in-flight trials as interrupted and clears it', async () => {
      const s = get();
      const e = await s.createExperiment(experiment('run-a'));
      const begun = await s.beginRun(e.id);
      expect(begun.orphans).toEqual([]);
      expect(begun.experiment).toMatchObject({ status: 'running', runner: { ...currentLease(), alive: true } });
      const [t1, t2, t3] = await s.startTrials([trial(e.id, 1), trial(e.id, 2), trial(e.id, 3)]);
      await s.commitStep({ experimentId: e.id, trials: [{ trialId: t1!.id, outcome: { state: 'finished', metrics: { accuracy: 0.5 } } }], snapshot: { step: 1 } });
      const ended = await s.endRun(e.id, 'stopped');
      expect(ended.interrupted).toBe(2);
      expect(ended.experiment).toMatchObject({ status: 'stopped', runner: null });
      expect((await s.listExperiments())[0]!.trials).toEqual({ total: 3, running: 0, finished: 1, failed: 0, interrupted: 2 });
      expect((await s.listTrials({ experimentId: e.id, state: 'interrupted' })).items.map((t) => t.id)).toEqual([t2!.id, t3!.id]);
      expect(await s.countTrials({ experimentId: e.id, state: 'running' })).toBe(0);
      // interrupted trials are not completed: the snapshot counts finished + failed only
      expect((await s.saveSnapshot(e.id, { x: 1 })).trialCount).toBe(1);
      // an interrupted trial is completed only after a run takes it over
      await rejects(() => s.finishTrial(t2!.id, { metrics: { accuracy: 1 } }), StorageError, { message: expect.stringMatching(/interrupted/) });
      const again = await s.beginRun(e.id);
      expect(again.orphans.map((t) => [t.id, t.state])).toEqual([[t2!.id, 'running'], [t3!.id, 'running']]);
      expect((await s.finishTrial(t2!.id, { metrics: { accuracy: 1 } })).state).toBe('finished');
    });

    it("a gone runner's experiment and running trials read as interrupted everywhere, until a run takes them over", async () => {
      const s = get();
      const e = await s.createExperiment(experiment('run-killed'));
      const other = await s.createExperiment(experiment('run-other'));
      await s.beginRun(e.id, deadLease());
      const [t1, t2] = await s.startTrials([trial(e.id, 1), trial(e.id, 2)]);
      await s.finishTrial(t1!.id, { metrics: { accuracy: 0.5 } });
      const live = await s.startTrial(trial(other.id, 1));
      const exp = await s.getExperiment(e.id);
      expect(exp.status).toBe('interrupted');
      expect(exp.runner).toMatchObject({ alive: false });
      expect((await s.findExperiment('run-killed'))?.status).toBe('interrupted');
      const summary = (await s.listExperiments()).find((x) => x.id === e.id)!;
      expect(summary).toMatchObject({ status: 'interrupted', trials: { total: 2, running: 0, finished: 1, failed: 0, interrupted: 1 } });
      expect((await s.getTrial(t2!.id)).state).toBe('interrupted');
      expect((await s.getTrial(live.id)).state).toBe('running');
      expect((await s.listTrials({ state: 'interrupted' })).items.map((t) => t.id)).toEqual([t2!.id]);
      expect((await s.listTrials({ state: 'running' })).items.map((t) => t.id)).toEqual([live.id]);
      expect(await s.countTrials({ experimentId: e.id, state: ['interrupted', 'finished'] })).toBe(2);
      expect((await s.listTrials({ experimentId: e.id, sort: 'state' })).items.map((t) => t.state)).toEqual(['finished', 'interrupted']);

      const taken = await s.beginRun(e.id);
      expect(taken.orphans.map((t) => t.id)).toEqual([t2!.id]);
      expect(taken.experiment).toMatchObject({ status: 'running', runner: { alive: true, pid: process.pid } });
      expect((await s.getTrial(t2!.id)).state).toBe('running');
    });

    it('beginRun refuses while another live process holds the experiment; bad inputs name the field', async () => {
      const s = get();
      const e = await s.createExperiment(experiment('run-busy'));
      const parent: RunnerLease = { host: hostname(), pid: process.ppid, start: null };
      await s.beginRun(e.id, parent);
      await rejects(() => s.beginRun(e.id), ConfigError, { field: 'experiment', message: expect.stringMatching(new RegExp(`run by process ${process.ppid}`)) });
      expect((await s.beginRun(e.id, parent)).experiment.status).toBe('running');
      await rejects(() => s.beginRun(e.id, { host: '', pid: -1, start: null }), ConfigError, { field: 'lease' });
      await rejects(() => s.endRun(e.id, 'paused' as never), ConfigError, { field: 'status' });
      await rejects(() => s.beginRun(9999), NotFoundError);
      await rejects(() => s.endRun(9999, 'finished'), NotFoundError);
      expect((await s.endRun(e.id, 'finished')).experiment).toMatchObject({ status: 'finished', runner: null });
    });
  });
}
