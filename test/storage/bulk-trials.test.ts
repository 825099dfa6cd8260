/** Bulk trial writes (startTrials, commitStep inserts) on both stores, and the fast validation paths. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Json } from '../../core/types.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { Storage } from '../../storage/storage.ts';
import type { TrialOutcome, TrialRecord } from '../../storage/types.ts';
import { checkOutcome, frozenJson } from '../../storage/validate.ts';
import { experiment, trial } from '../conformance/storage-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-bulk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const stores: [string, () => Promise<Storage>][] = [
  ['memory', async () => new MemoryStorage()],
  ['sqlite', async () => SqliteStorage.open(join(dir, `bulk-${++n}.db`))],
];

const comparable = (t: TrialRecord) => ({ number: t.number, state: t.state, arch: t.arch, hw: t.hw, key: t.key, metrics: t.metrics, feasible: t.feasible, timings: t.timings, error: t.error });

const outcomes: TrialOutcome[] = [
  { state: 'finished', metrics: { accuracy: 0.7, latency_ms: 3 }, feasible: true, timings: { evaluateMs: 1.5 } },
  { state: 'failed', error: 'Error: out of memory', timings: { evaluateMs: 0.5 } },
  { state: 'finished', metrics: { accuracy: 0.9, latency_ms: 5 }, feasible: false },
  { state: 'finished', metrics: { accuracy: 0.8, latency_ms: 1 } },
];

describe.each(stores)('bulk trial writes on %s', (_label, open) => {
  it('startTrials inserts running trials numbered in input order, after the existing ones', async () => {
    const s = await open();
    try {
      const a = await s.createExperiment(experiment('a'));
      await s.startTrial(trial(a.id, 0));
      const started = await s.startTrials([trial(a.id, 1), trial(a.id, 2, { hw: null, key: null }), trial(a.id, 3)]);
      expect(started.map((t) => [t.number, t.state, t.key])).toEqual([[2, 'running', 'k1'], [3, 'running', null], [4, 'running', 'k3']]);
      expect(Object.isFrozen(started[0]?.arch)).toBe(true);
      expect(await s.countTrials({ experimentId: a.id, state: 'running' })).toBe(4);
      expect(await s.startTrials([])).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('startTrials is all or nothing: a bad item names its index, nothing is inserted', async () => {
    const s = await open();
    try {
      const a = await s.createExperiment(experiment('a'));
      const bad = s.startTrials([trial(a.id, 1), trial(a.id, 2, { arch: { x: Number.NaN } })]);
      await expect(bad).rejects.toBeInstanceOf(ConfigError);
      await expect(bad).rejects.toMatchObject({ field: 'trials[1].arch.x' });
      await expect(s.startTrials([trial(a.id, 1), trial(9999, 2)])).rejects.toBeInstanceOf(NotFoundError);
      expect(await s.countTrials({ experimentId: a.id })).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('a step of inserted trials stores the same rows as started-then-completed trials', async () => {
    const s = await open();
    try {
      const a = await s.createExperiment(experiment('started'));
      const b = await s.createExperiment(experiment('inserted'));
      const started = await s.startTrials(outcomes.map((_, i) => trial(a.id, i)));
      const ra = await s.commitStep({ experimentId: a.id, trials: started.map((t, i) => ({ trialId: t.id, outcome: outcomes[i]! })), snapshot: { g: 1 } });
      const rb = await s.commitStep({ experimentId: b.id, trials: outcomes.map((outcome, i) => ({ ...trial(b.id, i), outcome })), snapshot: { g: 1 } });
      expect(rb.trials.map(comparable)).toEqual(ra.trials.map(comparable));
      const list = async (id: number) => (await s.listTrials({ experimentId: id, sort: 'metric:accuracy', order: 'desc' })).items.map(comparable);
      expect(await list(b.id)).toEqual(await list(a.id));
      expect((await list(b.id)).map((t) => t.number)).toEqual([3, 4, 1, 2]);
      expect((await s.loadSnapshot(b.id))?.trialCount).toBe(4);
      // A mixed step: completions and inserts in one call, numbers continue in item order.
      const run = await s.startTrials([trial(b.id, 9)]);
      const mixed = await s.commitStep({ experimentId: b.id, trials: [{ trialId: run[0]!.id, outcome: outcomes[0]! }, { ...trial(b.id, 10), outcome: outcomes[1]! }], snapshot: { g: 2 } });
      expect(mixed.trials.map((t) => [t.number, t.key, t.state])).toEqual([[5, 'k9', 'finished'], [6, 'k10', 'failed']]);
    } finally {
      await s.close();
    }
  });
});

describe('frozenJson', () => {
  it('equals a JSON round trip, deeply frozen', () => {
    const proto = JSON.parse('{"__proto__": {"x": 1}}') as Json;
    const values: Json[] = [
      { a: 1, b: [1, 'x', null, true, { c: -0 }], d: { e: {} } }, [], 'text', 3.25, null, false, proto,
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3] as Json,
    ];
    for (const v of values) {
      const copy = frozenJson(v, 'v');
      expect(copy).toStrictEqual(JSON.parse(JSON.stringify(v)));
      if (copy !== null && typeof copy === 'object') {
        expect(Object.isFrozen(copy)).toBe(true);
        expect(copy).not.toBe(v);
      }
    }
    expect(Object.getPrototypeOf(frozenJson(proto, 'v'))).toBe(Object.prototype);
  });

  it('rejects what JSON cannot hold, naming the field', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    expect(() => frozenJson({ a: [1, { b: Number.POSITIVE_INFINITY }] }, 'arch')).toThrow(expect.objectContaining({ field: 'arch.a[1].b' }));
    expect(() => frozenJson({ d: new Date(0) } as unknown as Json, 'arch')).toThrow(expect.objectContaining({ field: 'arch.d' }));
    expect(() => frozenJson(cyclic as Json, 'snap')).toThrow(/circular/);
  });
});

describe('checkOutcome fast path', () => {
  it('normalizes valid outcomes as the schema does, and leaves the errors to the schema', () => {
    expect(checkOutcome(outcomes[0]!)).toEqual({ state: 'finished', metrics: { accuracy: 0.7, latency_ms: 3 }, feasible: true, timings: { evaluateMs: 1.5 } });
    expect(checkOutcome(outcomes[3]!)).toEqual({ state: 'finished', metrics: { accuracy: 0.8, latency_ms: 1 }, feasible: true, timings: null });
    expect(checkOutcome(outcomes[1]!)).toEqual({ state: 'failed', error: 'Error: out of memory', timings: { evaluateMs: 0.5 } });
    const bad: [TrialOutcome, string][] = [
      [{ state: 'finished', metrics: { '1bad': 1 } }, 'o.metrics.1bad'],
      [{ state: 'finished', metrics: { acc: Number.NaN } }, 'o.metrics.acc'],
      [{ state: 'finished', metrics: { acc: 1 }, timings: { evaluateMs: -1 } }, 'o.timings.evaluateMs'],
      [{ state: 'finished', metrics: { acc: 1 }, feasible: 'yes' as unknown as boolean }, 'o.feasible'],
      [{ state: 'failed', error: '' }, 'o.error'],
    ];
    for (const [o, field] of bad) expect(() => checkOutcome(o, 'o')).toThrow(expect.objectContaining({ field }));
  });
});
