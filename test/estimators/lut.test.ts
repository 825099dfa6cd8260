import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { buildLut } from '../../estimators/lut/build.ts';
import { spaceUnits } from '../../estimators/lut/coverage.ts';
import { compileUnits } from '../../estimators/lut/executor.ts';
import { lutEstimator } from '../../estimators/lut/lut-estimator.ts';
import { loadLatencyTable } from '../../platform/latency-tables.ts';
import { measureArch } from '../../estimators/lut/measure.ts';
import { splitUnits } from '../../estimators/lut/units.ts';
import { storedProvenance } from '../../estimators/lut/provenance.ts';
import { NotFoundError } from '../../core/errors.ts';

// A reduced space: 2 resolutions × 2 kernels, 2 stages, so the whole LUT builds in seconds.
const space = new MbconvSpace({
  resolutions: [8, 12], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2], weightBits: [8], activationBits: [8],
  stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16,
});

beforeAll(async () => {
  await initTf('wasm');
});

describe('latency units', () => {
  it('groups block layers, detects residuals and keys by shape', () => {
    const units = splitUnits(space.layers(space.largest()));
    expect(units.map((u) => u.layers.map((l) => l.name.split('.').pop()).join('+'))).toEqual([
      'stem', 'expand+depthwise+project', 'expand+depthwise+project', 'expand+depthwise+project', 'expand+depthwise+project', 'head', 'pool', 'fc',
    ]);
    // stage0.block0: 8→8 at stride 1 is residual; stage1.block0 changes width and stride: not.
    expect(units.map((u) => u.residual)).toEqual([false, true, true, false, true, false, false, false]);
    expect(units[2]?.key).toBe(units[1]?.key);
  });

  it('covers every unit any sampled arch contains', () => {
    const keys = new Set(spaceUnits(space, 1).map((u) => u.key));
    const rng = new Rng(5);
    for (let i = 0; i < 300; i++) for (const u of splitUnits(space.layers(space.sample(rng)))) expect(keys.has(u.key)).toBe(true);
  });

  it('executes a subnet to logits without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const chain = compileUnits(splitUnits(space.layers(space.smallest(), { batch: 2 })), new Rng(1));
    const x = tf.ones([2, 8, 8, 1]);
    const y = chain.run(x);
    expect(y.shape).toEqual([2, 10]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    chain.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LUT build and estimate', () => {
  const storage = new MemoryStorage();
  afterAll(() => storage.close());

  it('measures each unit once, stores provenance, and rebuilds only what is missing', async () => {
    const seen: number[] = [];
    const first = await buildLut(storage, space, { repeats: 2, warmup: 1, progress: (u) => seen.push(u.done) });
    expect(first.units).toBe(spaceUnits(space, 1).length);
    expect(first.measured).toBe(first.units);
    expect(seen.at(-1)).toBe(first.units);
    const rows = await storage.listLutEntries(storedProvenance(first.provenance));
    expect(rows).toHaveLength(first.units);
    // Default clock: CPU time, folded into the stored backend.
    expect(rows.every((r) => r.backend === 'wasm+cpu' && r.count === 2 && r.medianMs > 0 && r.batchSize === 1)).toBe(true);
    const again = await buildLut(storage, space, { repeats: 2, warmup: 1 });
    expect(again).toMatchObject({ measured: 0, alreadyStored: first.units });
  });

  it('sums unit medians, and names a missing unit', async () => {
    const prov = (await storage.listLutEntries())[0];
    expect(prov).toBeDefined();
    const table = await loadLatencyTable(storage, { backend: 'wasm', tfjsVersion: prov!.tfjsVersion, cpuModel: prov!.cpuModel, threads: prov!.threads, batchSize: 1, clock: 'cpu' });
    expect(table.entries.size).toBeGreaterThan(0);
    const est = lutEstimator(space, table);
    const arch = space.largest();
    const e = await est.estimate(arch);
    const expected = splitUnits(space.layers(arch)).reduce((s, u) => s + (table.entries.get(u.key)?.medianMs ?? NaN), 0);
    expect(e.values.latency_ms).toBeCloseTo(expected, 9);
    expect(e.perLayer).toHaveLength(8);
    const empty = lutEstimator(space, { provenance: table.provenance, entries: new Map() });
    await expect(empty.estimate(arch)).rejects.toThrow(NotFoundError);
    const m = measureArch(space, arch, 1, new Rng(2), { repeats: 3, warmup: 1 });
    expect(m.count).toBe(3);
    expect(m.median).toBeGreaterThan(0);
  });
});
