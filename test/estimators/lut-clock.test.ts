import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../runtime/tf.ts';
import { Rng } from '../../core/rng.ts';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { buildLut } from '../../estimators/lut/build.ts';
import { compileUnits } from '../../estimators/lut/executor.ts';
import { fitLatencyModel, latencyPredictorEstimator } from '../../estimators/lut/latency-predictor.ts';
import { provenanceLabel } from '../../estimators/lut/lut-estimator.ts';
import { loadLatencyTable, requireLatencyTable, validateLatency } from '../../platform/latency-tables.ts';
import { currentProvenance, parseStoredProvenance, storedProvenance } from '../../estimators/lut/provenance.ts';
import { checkTiming, DEFAULT_CLOCK, readClocks, sampleChain, timeChain } from '../../estimators/lut/timing.ts';
import { splitUnits } from '../../estimators/lut/units.ts';

const space = new MbconvSpace({
  resolutions: [8], depths: [1], widths: [0.5, 1], kernels: [3], expands: [2], weightBits: [8], activationBits: [8],
  stages: [{ channels: 8, stride: 1 }], stemChannels: 8, headChannels: 16,
});
const timing = { repeats: 2, warmup: 1, inner: 1 };

beforeAll(async () => {
  await initTf('wasm');
});

describe('latency clocks', () => {
  it('the CPU clock does not advance while the thread sleeps; the wall clock does', () => {
    const t0 = readClocks();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60);
    const t1 = readClocks();
    expect(t1.wall - t0.wall).toBeGreaterThanOrEqual(55);
    expect(t1.cpu - t0.cpu).toBeLessThan(30);
  });

  it('defaults to the CPU clock, keeps its minimum burst, and keeps the median on the wall clock', () => {
    expect(DEFAULT_CLOCK).toBe('cpu');
    expect(checkTiming({}).clock).toBe('cpu');
    expect(() => checkTiming({ clock: 'sundial' as never })).toThrow(ConfigError);
    const chain = compileUnits(splitUnits(space.layers(space.largest())), new Rng(1));
    try {
      const both = sampleChain(chain, new Rng(2), { repeats: 5, warmup: 1 });
      expect(both.cpu).toHaveLength(5);
      expect(both.wall).toHaveLength(5);
      const cpu = timeChain(chain, new Rng(2), { repeats: 5, warmup: 1 });
      expect(cpu.clock).toBe('cpu');
      expect(cpu.figure).toBe(cpu.min);
      const wall = timeChain(chain, new Rng(2), { repeats: 5, warmup: 1, clock: 'wall' });
      expect(wall.clock).toBe('wall');
      expect(wall.figure).toBe(wall.median);
    } finally {
      chain.dispose();
    }
  });
});

describe('clock in the LUT provenance', () => {
  it('folds the clock into the stored backend; a backend without one is a wall-clock LUT', () => {
    const p = { backend: 'wasm', tfjsVersion: '4.22.0', cpuModel: 'x', threads: 1, batchSize: 1 };
    expect(storedProvenance({ ...p, clock: 'cpu' }).backend).toBe('wasm+cpu');
    expect(storedProvenance({ ...p, clock: 'wall' }).backend).toBe('wasm');
    expect(storedProvenance(p).backend).toBe('wasm');
    expect(parseStoredProvenance({ ...p, backend: 'wasm+cpu' })).toEqual({ ...p, clock: 'cpu' });
    expect(parseStoredProvenance(p)).toEqual({ ...p, clock: 'wall' });
    expect(() => parseStoredProvenance({ ...p, backend: 'wasm+sundial' })).toThrow(/clock suffix/);
    expect(provenanceLabel({ ...p, clock: 'cpu' })).toContain('cpu-clock');
    expect(provenanceLabel(p)).toContain('wall-clock');
  });

  const storage = new MemoryStorage();
  afterAll(() => storage.close());

  it('a CPU-clock build does not reuse wall-clock entries, and each table loads only its own', async () => {
    const wall = await buildLut(storage, space, { ...timing, clock: 'wall' });
    const cpu = await buildLut(storage, space, { ...timing, clock: 'cpu' });
    expect(wall.provenance.clock).toBe('wall');
    expect(cpu.provenance.clock).toBe('cpu');
    expect(cpu.measured).toBe(wall.units);
    const backends = new Set((await storage.listLutEntries()).map((r) => r.backend));
    expect([...backends].sort()).toEqual(['wasm', 'wasm+cpu']);
    const t = await loadLatencyTable(storage, cpu.provenance);
    expect(t.entries.size).toBe(cpu.units);
    expect([...t.entries.values()].every((e) => e.backend === 'wasm+cpu')).toBe(true);
    expect((await buildLut(storage, space, { ...timing, clock: 'cpu' })).measured).toBe(0);
  });

  it('refuses to mix clocks: table lookup, validation and the predictor name both clocks', async () => {
    const other = new MemoryStorage();
    try {
      await buildLut(other, space, { ...timing, clock: 'wall' });
      await expect(requireLatencyTable(other, currentProvenance(1, 'cpu'), 'mem')).rejects.toThrow(/wall clock.*cpu clock/);
      await expect(requireLatencyTable(other, currentProvenance(2, 'cpu'), 'mem')).rejects.toThrow(NotFoundError);
      const wallTable = await requireLatencyTable(other, currentProvenance(1, 'wall'), 'mem');
      await expect(validateLatency(other, space, wallTable, { ...timing, clock: 'cpu', trainSamples: 10, testSamples: 2 })).rejects.toThrow(
        /wall clock; timings on the cpu clock/,
      );
      const cpuTable = await loadLatencyTable(storage, currentProvenance(1, 'cpu'));
      const train = Array.from({ length: 12 }, (_, i) => ({ arch: space.sample(new Rng(i)), measuredMs: 1 + i / 10 }));
      const model = fitLatencyModel(space, cpuTable, train);
      expect(model.provenance.clock).toBe('cpu');
      expect(() => latencyPredictorEstimator(model, space, wallTable)).toThrow(/cpu clock; timings on the wall clock/);
      expect(() => latencyPredictorEstimator(model, space, cpuTable)).not.toThrow();
    } finally {
      await other.close();
    }
  });
});

describe('latency validation on the CPU clock', () => {
  const wide = new MbconvSpace({
    resolutions: [8, 12], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2], weightBits: [8], activationBits: [8],
    stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16,
  });

  it('times every subnet once per round, round-robin, and records the clock with the stored predictor', async () => {
    const storage = new MemoryStorage();
    try {
      const built = await buildLut(storage, wide, timing);
      const table = await requireLatencyTable(storage, built.provenance, 'mem');
      const done: number[] = [];
      const r = await validateLatency(storage, wide, table, { ...timing, trainSamples: 10, testSamples: 3, rounds: 2, progress: (u) => done.push(u.total) });
      expect(done).toHaveLength(26);
      expect(new Set(done)).toEqual(new Set([26]));
      expect(r.clock).toBe('cpu');
      expect(r.measurements.filter((m) => m.split === 'train')).toHaveLength(10);
      expect(r.measurements.filter((m) => m.split === 'test')).toHaveLength(3);
      expect(r.measurements.every((m) => m.measuredMs > 0)).toBe(true);
      const saved = await storage.loadPredictor('latency');
      expect(saved?.id).toBe(r.predictorId);
      expect(saved?.metadata).toMatchObject({ provenance: { clock: 'cpu', backend: 'wasm' }, trainSize: 10, testSize: 3 });
      // two rounds: the held-out measurements are also scored against themselves (round 0 vs round 1)
      expect(r.repeatability?.within10).toBeGreaterThanOrEqual(0);
      expect(r.repeatability?.within10).toBeLessThanOrEqual(1);
      expect(r.repeatability?.rmsePct).toBeGreaterThanOrEqual(0);
      expect((saved?.metadata as { heldOut: { repeatability: unknown } }).heldOut.repeatability).toEqual(r.repeatability);
      const once = await validateLatency(storage, wide, table, { ...timing, trainSamples: 10, testSamples: 3 });
      expect(once.repeatability).toBeUndefined();
      await expect(validateLatency(storage, wide, table, { ...timing, rounds: 0 })).rejects.toThrow(/rounds/);
    } finally {
      await storage.close();
    }
  });
});
