/** Shared pieces of the storage conformance suite: the factory type, sample inputs, error checks. */
import { expect } from 'vitest';
import type { Storage } from '../../storage/storage.ts';
import type { NewExperiment, NewTrial, LutEntryInput, NewCheckpoint } from '../../storage/types.ts';

/** Makes a fresh, empty store; `cleanup` removes whatever it created (files, temp dirs). */
export type StorageFactory = () => Promise<{ storage: Storage; cleanup?: () => Promise<void> }>;

export function experiment(name: string, over: Partial<NewExperiment> = {}): NewExperiment {
  return {
    name,
    config: { strategy: 'evolution', budget: { trials: 10 }, tags: ['a', 'b'], nested: { deep: { x: 1 } } },
    seed: 7,
    space: 'mbconv',
    objectives: [
      { name: 'accuracy', unit: '', direction: 'max' },
      { name: 'latency_ms', unit: 'ms', direction: 'min' },
    ],
    ...over,
  };
}

export function trial(experimentId: number, i = 0, over: Partial<NewTrial> = {}): NewTrial {
  return { experimentId, arch: { depth: [2, 3], width: i, ops: { k: 3 } }, hw: { pe: 16, buf: { kb: 64 } }, key: `k${i}`, ...over };
}

export const PROV = { backend: 'wasm', tfjsVersion: '4.22.0', cpuModel: 'test-cpu', threads: 2, batchSize: 1 } as const;

export function lut(key: string, medianMs: number, over: Partial<LutEntryInput> = {}): LutEntryInput {
  return { ...PROV, key, medianMs, meanMs: medianMs + 0.1, stdMs: 0.01, spreadMs: 0.02, count: 5, ...over };
}

export function checkpoint(dataset: string, over: Partial<NewCheckpoint> = {}): NewCheckpoint {
  return { path: `ckpt/${dataset}.bin`, sha256: 'a'.repeat(64), dataset, epochs: 3, accuracyLargest: 0.9, accuracySmallest: 0.8, metadata: { note: 'x' }, ...over };
}

/**
 * The call must return a promise that rejects with `cls` (a synchronous throw is a contract
 * violation: callers chain `.catch`). Returns the error for further checks.
 */
export async function rejects<E extends Error>(call: () => Promise<unknown>, cls: abstract new (...args: never[]) => E, props: Record<string, unknown> = {}): Promise<E> {
  let p: Promise<unknown>;
  try {
    p = call();
  } catch (e) {
    throw new Error(`threw synchronously instead of returning a rejected promise: ${String(e)}`);
  }
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a rejection').toBeInstanceOf(cls);
  if (Object.keys(props).length > 0) expect(err).toMatchObject(props);
  return err as E;
}

export function isIso(s: unknown): boolean {
  return typeof s === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s));
}

/** Every nested object/array of `v` is frozen. */
export function deeplyFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return true;
  return Object.isFrozen(v) && Object.values(v).every(deeplyFrozen);
}

/** Everything observable in a store, for "nothing changed" checks. */
export async function dump(s: Storage): Promise<unknown> {
  const exps = await s.listExperiments();
  const snaps = await Promise.all(exps.map((e) => s.loadSnapshot(e.id)));
  return {
    exps,
    snaps,
    trials: (await s.listTrials({ limit: 10_000 })).items,
    events: await s.eventsSince(0, { limit: 10_000 }),
    lut: await s.listLutEntries(),
    predictors: await s.listPredictors(),
    checkpoints: await s.listCheckpoints(),
  };
}
