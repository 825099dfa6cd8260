/** Conformance cases for snapshots, events, the latency LUT, predictors and checkpoints. */
import { describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Storage } from '../../storage/storage.ts';
import { checkpoint, deeplyFrozen, experiment, isIso, lut, PROV, rejects } from './storage-helpers.ts';

export function artifactCases(get: () => Storage): void {
  describe('snapshots', () => {
    it('saveSnapshot replaces the latest; loadSnapshot returns it or null; unknown experiment → NotFoundError', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      expect(await s.loadSnapshot(a.id)).toBeNull();
      const state = { pop: [{ arch: { d: 1 } }], rng: 'abc' };
      const one = await s.saveSnapshot(a.id, state);
      state.rng = 'mutated';
      expect(one).toMatchObject({ experimentId: a.id, trialCount: 0, state: { rng: 'abc' } });
      expect(isIso(one.savedAt)).toBe(true);
      expect(deeplyFrozen(one)).toBe(true);
      const two = await s.saveSnapshot(a.id, [1, 'two', null, true]);
      expect(await s.loadSnapshot(a.id)).toEqual(two);
      await rejects(() => s.saveSnapshot(999, {}), NotFoundError);
      await rejects(() => s.loadSnapshot(999), NotFoundError);
      await rejects(() => s.saveSnapshot(a.id, { x: undefined } as never), ConfigError, { field: 'snapshot.x' });
      expect(await s.loadSnapshot(a.id)).toEqual(two);
    });
  });

  describe('events', () => {
    it('ids strictly increase in append order; eventsSince filters by id, experiment and limit', async () => {
      const s = get();
      const a = await s.createExperiment(experiment('a'));
      const b = await s.createExperiment(experiment('b'));
      const out = [];
      for (let i = 0; i < 12; i++) out.push(await s.appendEvent({ experimentId: i % 3 === 0 ? null : i % 2 ? a.id : b.id, type: 'progress', payload: { i } }));
      const ids = out.map((e) => e.id);
      for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
      expect(deeplyFrozen(out[0])).toBe(true);
      expect(isIso(out[0]!.createdAt)).toBe(true);
      expect(await s.eventsSince(0)).toEqual(out);
      expect(await s.eventsSince(ids[4]!)).toEqual(out.slice(5));
      expect(await s.eventsSince(ids[4]!, { limit: 3 })).toEqual(out.slice(5, 8));
      expect(await s.eventsSince(0, { experimentId: a.id })).toEqual(out.filter((e) => e.experimentId === a.id));
      expect(await s.eventsSince(ids.at(-1)!)).toEqual([]);
      await rejects(() => s.appendEvent({ experimentId: 999, type: 'x', payload: 1 }), NotFoundError);
      await rejects(() => s.appendEvent({ type: 'x'.repeat(65), payload: 1 }), ConfigError, { field: 'event.type' });
      await rejects(() => s.appendEvent({ type: 'x', payload: { n: Number.NaN } }), ConfigError, { field: 'event.payload.n' });
      await rejects(() => s.eventsSince(-1), ConfigError, { field: 'afterId' });
      await rejects(() => s.eventsSince(0, { limit: 0 }), ConfigError, { field: 'limit' });
      const next = await s.appendEvent({ type: 'status', payload: 'done' });
      expect(next.id).toBeGreaterThan(ids.at(-1)!);
    });
  });

  describe('latency LUT', () => {
    it('upsert inserts or replaces per provenance + key; list filters and orders by key; missingLutKeys', async () => {
      const s = get();
      const first = await s.upsertLutEntries([lut('b', 2), lut('a', 1), lut('a', 5, { backend: 'cpu' })]);
      expect(first).toHaveLength(3);
      expect(isIso(first[0]!.measuredAt)).toBe(true);
      expect(deeplyFrozen(first)).toBe(true);
      await s.upsertLutEntries([lut('b', 3, { measuredAt: '2026-01-02T03:04:05.000Z' })]);
      const wasm = await s.listLutEntries({ backend: 'wasm' });
      expect(wasm.map((e) => [e.key, e.medianMs])).toEqual([['a', 1], ['b', 3]]);
      expect(wasm[1]!.measuredAt).toBe('2026-01-02T03:04:05.000Z');
      expect((await s.listLutEntries()).map((e) => `${e.key}/${e.backend}`)).toEqual(['a/cpu', 'a/wasm', 'b/wasm']);
      expect(await s.listLutEntries({ ...PROV, threads: 4 })).toEqual([]);
      expect(await s.missingLutKeys(PROV, ['c', 'a', 'c', 'b', 'd'])).toEqual(['c', 'd']);
      expect(await s.missingLutKeys({ ...PROV, backend: 'cpu' }, ['a', 'b'])).toEqual(['b']);
      await rejects(() => s.upsertLutEntries([lut('ok', 1), lut('bad', -1)]), ConfigError, { field: 'entries[1].medianMs', value: -1 });
      await rejects(() => s.upsertLutEntries([lut('bad', 1, { count: 0 })]), ConfigError);
      await rejects(() => s.listLutEntries({ threads: 0 }), ConfigError, { field: 'filter.threads' });
      await rejects(() => s.missingLutKeys({ ...PROV, backend: '' }, ['a']), ConfigError, { field: 'provenance.backend' });
      expect(await s.listLutEntries()).toHaveLength(3);
    });
  });

  describe('predictors', () => {
    it('save/load/list, newest first; blobs are fresh copies; exactly one of blob and path', async () => {
      const s = get();
      const blob = Uint8Array.from([1, 2, 3, 250]);
      const p1 = await s.savePredictor({ kind: 'latency', metadata: { features: 12 }, blob });
      blob[0] = 99;
      expect(Array.from(p1.blob!)).toEqual([1, 2, 3, 250]);
      p1.blob![1] = 77;
      const p2 = await s.savePredictor({ kind: 'latency', metadata: { v: 2 }, path: 'models/lat.bin', sha256: 'b'.repeat(64) });
      const p3 = await s.savePredictor({ kind: 'accuracy', metadata: null, blob: new Uint8Array(0) });
      expect(p2.id).toBeGreaterThan(p1.id);
      expect(isIso(p1.createdAt)).toBe(true);
      expect(Object.isFrozen(p1) && deeplyFrozen(p1.metadata)).toBe(true);
      expect(await s.loadPredictor('latency')).toEqual(p2);
      expect(await s.loadPredictor('nothing')).toBeNull();
      const list = await s.listPredictors();
      expect(list.map((p) => p.id)).toEqual([p3.id, p2.id, p1.id]);
      expect(Array.from(list[2]!.blob!)).toEqual([1, 2, 3, 250]);
      list[2]!.blob![0] = 0;
      expect(Array.from((await s.listPredictors('latency'))[1]!.blob!)).toEqual([1, 2, 3, 250]);
      expect(Array.from((await s.loadPredictor('accuracy'))!.blob!)).toEqual([]);
      await rejects(() => s.savePredictor({ kind: 'latency', metadata: {} }), ConfigError, { field: 'predictor.blob' });
      await rejects(() => s.savePredictor({ kind: 'latency', metadata: {}, blob, path: 'x' }), ConfigError, { field: 'predictor.blob' });
      await rejects(() => s.savePredictor({ kind: '9bad', metadata: {}, blob }), ConfigError, { field: 'predictor.kind' });
      await rejects(() => s.savePredictor({ kind: 'x', metadata: {}, path: 'p', sha256: 'XYZ' }), ConfigError, { field: 'predictor.sha256' });
      expect(await s.listPredictors()).toHaveLength(3);
    });
  });

  describe('checkpoints', () => {
    it('save/list newest first, filtered by dataset; validated', async () => {
      const s = get();
      const c1 = await s.saveCheckpoint(checkpoint('fashion-mnist'));
      const c2 = await s.saveCheckpoint(checkpoint('mnist', { metadata: undefined }));
      const c3 = await s.saveCheckpoint(checkpoint('fashion-mnist', { epochs: 10, accuracyLargest: 1 }));
      expect(c1).toMatchObject({ ...checkpoint('fashion-mnist') });
      expect(c2.metadata).toBeNull();
      expect(isIso(c3.createdAt)).toBe(true);
      expect(deeplyFrozen(c1)).toBe(true);
      expect((await s.listCheckpoints()).map((c) => c.id)).toEqual([c3.id, c2.id, c1.id]);
      expect(await s.listCheckpoints('fashion-mnist')).toEqual([c3, c1]);
      expect(await s.listCheckpoints('cifar10')).toEqual([]);
      await rejects(() => s.saveCheckpoint(checkpoint('x', { sha256: 'abc' })), ConfigError, { field: 'checkpoint.sha256', value: 'abc' });
      await rejects(() => s.saveCheckpoint(checkpoint('x', { accuracyLargest: 1.5 })), ConfigError, { field: 'checkpoint.accuracyLargest', value: 1.5 });
      await rejects(() => s.saveCheckpoint(checkpoint('x', { path: '' })), ConfigError, { field: 'checkpoint.path' });
      expect(await s.listCheckpoints()).toHaveLength(3);
    });
  });
}
