/**
 * The Storage conformance suite: every invariant of storage/storage.ts's header comment and every
 * method, run against each implementation (test/storage/memory.test.ts, test/storage/sqlite.test.ts).
 * Call `storageConformance(label, factory)` inside a test file; each test gets a fresh store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, StorageError } from '../../core/errors.ts';
import { SCHEMA_VERSION } from '../../storage/storage.ts';
import type { Storage } from '../../storage/storage.ts';
import { artifactCases } from './storage-artifacts.case.ts';
import { checkpoint, deeplyFrozen, experiment, isIso, lut, PROV, rejects, trial, type StorageFactory } from './storage-helpers.ts';
import { trialCases } from './storage-trials.case.ts';
import { runCases } from './storage-runs.case.ts';

export type { StorageFactory } from './storage-helpers.ts';

export function storageConformance(label: string, factory: StorageFactory): void {
  describe(`Storage conformance: ${label}`, () => {
    let s: Storage;
    let cleanup: (() => Promise<void>) | undefined;
    const get = () => s;
    beforeEach(async () => {
      ({ storage: s, cleanup } = await factory());
    });
    afterEach(async () => {
      await s.close();
      await cleanup?.();
    });

    it('reports the current schema version and a location', async () => {
      expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
      expect(typeof s.location).toBe('string');
    });

    describe('experiments', () => {
      it('create/get/find: storage assigns id, status and timestamps; extra input fields are ignored', async () => {
        const input = { ...experiment('exp-a'), id: 999, status: 'finished', createdAt: '1999-01-01T00:00:00.000Z' } as never;
        const a = await s.createExperiment(input);
        const b = await s.createExperiment(experiment('exp-b', { seed: 0 }));
        expect(a.id).toBeGreaterThan(0);
        expect(b.id).toBeGreaterThan(a.id);
        expect(a.id).not.toBe(999);
        expect(a.status).toBe('created');
        expect(isIso(a.createdAt) && isIso(a.updatedAt)).toBe(true);
        expect(a.createdAt).not.toBe('1999-01-01T00:00:00.000Z');
        expect(a).toMatchObject({ name: 'exp-a', seed: 7, space: 'mbconv', config: experiment('x').config, objectives: experiment('x').objectives });
        expect(await s.getExperiment(a.id)).toEqual(a);
        expect(await s.findExperiment('exp-b')).toEqual(b);
        expect(await s.findExperiment('nope')).toBeNull();
      });

      it('records are deeply frozen snapshots, independent of the input object', async () => {
        const input = experiment('frozen') as { config: { nested: { deep: { x: number } } } } & ReturnType<typeof experiment>;
        const rec = await s.createExperiment(input);
        expect(deeplyFrozen(rec)).toBe(true);
        expect(() => {
          (rec.config as { nested: { deep: { x: number } } }).nested.deep.x = 2;
        }).toThrow(TypeError);
        input.config.nested.deep.x = 42; // mutating the input afterwards must not leak into storage
        expect((await s.getExperiment(rec.id)).config).toEqual(experiment('x').config);
        const list = await s.listExperiments();
        expect(deeplyFrozen(list)).toBe(true);
      });

      it('names are unique: a duplicate is a ConfigError naming the field and value', async () => {
        await s.createExperiment(experiment('dup'));
        const e = await rejects(() => s.createExperiment(experiment('dup')), ConfigError);
        expect(e.field).toMatch(/name$/);
        expect(e.value).toBe('dup');
        expect(await s.listExperiments()).toHaveLength(1);
      });

      it('listExperiments: newest first with trial counts per state', async () => {
        const a = await s.createExperiment(experiment('a'));
        const b = await s.createExperiment(experiment('b'));
        const t1 = await s.startTrial(trial(a.id, 1));
        const t2 = await s.startTrial(trial(a.id, 2));
        await s.startTrial(trial(a.id, 3));
        await s.finishTrial(t1.id, { metrics: { accuracy: 0.5 } });
        await s.failTrial(t2.id, { error: 'boom' });
        const list = await s.listExperiments();
        expect(list.map((e) => e.name)).toEqual(['b', 'a']);
        expect(list[0]!.trials).toEqual({ total: 0, running: 0, finished: 0, failed: 0, interrupted: 0 });
        expect(list[1]!.trials).toEqual({ total: 3, running: 1, finished: 1, failed: 1, interrupted: 0 });
        expect(list[0]).toMatchObject({ ...b, trials: list[0]!.trials });
      });

      it('setExperimentStatus updates status and updatedAt; bad status → ConfigError; unknown id → NotFoundError', async () => {
        const a = await s.createExperiment(experiment('st'));
        await new Promise((r) => setTimeout(r, 3));
        const r = await s.setExperimentStatus(a.id, 'running');
        expect(r.status).toBe('running');
        expect(r.updatedAt >= a.updatedAt).toBe(true);
        expect(r.createdAt).toBe(a.createdAt);
        expect((await s.getExperiment(a.id)).status).toBe('running');
        await rejects(() => s.setExperimentStatus(a.id, 'weird' as never), ConfigError, { value: 'weird' });
        await rejects(() => s.setExperimentStatus(9999, 'paused'), NotFoundError);
        expect((await s.getExperiment(a.id)).status).toBe('running');
      });

      it.each([
        ['name', { name: 'has space' }, 'has space'],
        ['name', { name: '' }, ''],
        ['seed', { seed: -1 }, -1],
        ['seed', { seed: 1.5 }, 1.5],
        ['space', { space: '' }, ''],
        ['objectives', { objectives: [] }, []],
        ['direction', { objectives: [{ name: 'acc', unit: '', direction: 'up' }] }, 'up'],
        ['config', { config: { x: Number.NaN } }, Number.NaN],
        ['config', { config: { when: new Date(0) } }, '[object Date]'],
      ])('createExperiment rejects a bad %s with ConfigError naming it', async (field, over, value) => {
        const e = await rejects(() => s.createExperiment(experiment('bad', over as never)), ConfigError);
        expect(e.field).toContain(field === 'direction' ? 'objectives' : field);
        expect(e.value).toEqual(value);
        expect(await s.listExperiments()).toHaveLength(0);
      });

      it('getExperiment: unknown id → NotFoundError, non-id → ConfigError', async () => {
        await rejects(() => s.getExperiment(12345), NotFoundError, { what: 'experiment', id: 12345 });
        await rejects(() => s.getExperiment(0), ConfigError);
        await rejects(() => s.getExperiment('1' as never), ConfigError);
      });
    });

    trialCases(get);
    artifactCases(get);
    runCases(get);

    describe('close', () => {
      it('is idempotent (also when called concurrently) and every call afterwards rejects with StorageError', async () => {
        const a = await s.createExperiment(experiment('c'));
        const t = await s.startTrial(trial(a.id));
        await Promise.all([s.close(), s.close()]);
        await s.close();
        const calls: [string, () => Promise<unknown>][] = [
          ['schemaVersion', () => s.schemaVersion()],
          ['createExperiment', () => s.createExperiment(experiment('d'))],
          ['createExperiment(bad input)', () => s.createExperiment(experiment('bad name'))],
          ['getExperiment', () => s.getExperiment(a.id)],
          ['findExperiment', () => s.findExperiment('c')],
          ['listExperiments', () => s.listExperiments()],
          ['setExperimentStatus', () => s.setExperimentStatus(a.id, 'paused')],
          ['startTrial', () => s.startTrial(trial(a.id))],
          ['finishTrial', () => s.finishTrial(t.id, { metrics: { accuracy: 1 } })],
          ['failTrial', () => s.failTrial(t.id, { error: 'x' })],
          ['getTrial', () => s.getTrial(t.id)],
          ['listTrials', () => s.listTrials()],
          ['countTrials', () => s.countTrials()],
          ['commitStep', () => s.commitStep({ experimentId: a.id, trials: [], snapshot: {} })],
          ['saveSnapshot', () => s.saveSnapshot(a.id, {})],
          ['loadSnapshot', () => s.loadSnapshot(a.id)],
          ['appendEvent', () => s.appendEvent({ type: 'x', payload: null })],
          ['eventsSince', () => s.eventsSince(0)],
          ['upsertLutEntries', () => s.upsertLutEntries([lut('k', 1)])],
          ['listLutEntries', () => s.listLutEntries()],
          ['missingLutKeys', () => s.missingLutKeys(PROV, ['k'])],
          ['savePredictor', () => s.savePredictor({ kind: 'latency', metadata: {}, blob: new Uint8Array(1) })],
          ['loadPredictor', () => s.loadPredictor('latency')],
          ['listPredictors', () => s.listPredictors()],
          ['saveCheckpoint', () => s.saveCheckpoint(checkpoint('d'))],
          ['listCheckpoints', () => s.listCheckpoints()],
        ];
        for (const [name, call] of calls) {
          const e = await rejects(call, StorageError).catch((err: unknown) => {
            throw new Error(`${name}: ${String(err)}`);
          });
          expect(e.message, name).toMatch(/closed/);
        }
      });
    });
  });
}
