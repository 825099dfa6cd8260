import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { spaceUnits } from '../../estimators/lut/coverage.ts';
import { lutBreakdown, type LatencyTable } from '../../estimators/lut/lut-estimator.ts';
import { fitLatencyModel, latencyPredictorEstimator, parseLatencyModel, latencyModelJson } from '../../estimators/lut/latency-predictor.ts';
import { fidelity } from '../../estimators/fidelity.ts';
import type { LutEntryRecord } from '../../storage/types.ts';
import { countLayers } from '../../estimators/counters.ts';
import { compileMbconvLatency } from '../../estimators/lut/mbconv-fast.ts';

const space = new MbconvSpace({ stages: [{ channels: 8, stride: 1 }, { channels: 16, stride: 2 }], stemChannels: 8, headChannels: 32 });
const provenance = { backend: 'wasm', tfjsVersion: 'x', cpuModel: 'test', threads: 1, batchSize: 1 };
// A synthetic table: each unit's latency proportional to its MACs plus a fixed dispatch cost.
const table: LatencyTable = {
  provenance,
  entries: new Map(
    spaceUnits(space, 1).map((u): [string, LutEntryRecord] => {
      const ms = 0.05 + countLayers(u.layers).macs * 2e-7;
      return [u.key, { ...provenance, key: u.key, medianMs: ms, meanMs: ms, stdMs: 0, spreadMs: 0, count: 1, measuredAt: '2026-01-01T00:00:00Z' }];
    }),
  ),
};
const lutSum = (arch: ReturnType<MbconvSpace['sample']>) => lutBreakdown(space, table, arch).reduce((a, p) => a + p.ms, 0);
// "Measured" truth with effects the LUT sum misses: a sub-linear overlap and a per-unit overhead.
const truth = (arch: ReturnType<MbconvSpace['sample']>) => 1.4 * lutSum(arch) ** 0.85 * Math.exp(0.03 * lutBreakdown(space, table, arch).length);

describe('learned latency predictor', () => {
  const rng = new Rng(11);
  const train = Array.from({ length: 80 }, () => space.sample(rng)).map((arch) => ({ arch, measuredMs: truth(arch) }));
  const test = Array.from({ length: 40 }, () => space.sample(rng));

  it('corrects the LUT sum on held-out subnets', async () => {
    const model = fitLatencyModel(space, table, train, 1e-6);
    expect(model.trainSize).toBe(80);
    expect(model.trainRmseLog).toBeLessThan(1e-3);
    const est = latencyPredictorEstimator(model, space, table);
    const predicted = await Promise.all(test.map(async (a) => (await est.estimate(a)).values.latency_ms as number));
    const actual = test.map(truth);
    const p = fidelity(predicted, actual);
    const l = fidelity(test.map(lutSum), actual);
    expect(p.within5).toBe(1);
    expect(l.within10).toBeLessThan(0.5);
    expect(p.kendallTau).toBeGreaterThan(0.95);
  });

  it('round-trips through JSON and refuses foreign models', () => {
    const model = fitLatencyModel(space, table, train);
    expect(parseLatencyModel(JSON.parse(JSON.stringify(latencyModelJson(model))))).toEqual(model);
    expect(() => parseLatencyModel({ weights: [1], features: ['x'] })).toThrow(/retrain/);
    expect(() => fitLatencyModel(space, table, train.slice(0, 3))).toThrow(/samples/);
  });
});

describe('fidelity', () => {
  it('reports shares, RMSE, bias and tau', () => {
    const f = fidelity([1.04, 2.19, 2.71, 4], [1, 2, 3, 4]);
    expect(f).toMatchObject({ n: 4, within5: 0.5, within10: 1 });
    expect(f.biasPct).toBeCloseTo((4 + 9.5 - 29 / 3) / 4, 9);
    expect(f.rmsePct).toBeCloseTo(Math.sqrt((16 + 90.25 + (29 / 3) ** 2) / 4), 9);
    expect(f.kendallTau).toBe(1);
  });
});

describe('compiled mbconv latency', () => {
  it('equals the LUT sum over layers for every sampled arch', () => {
    const fast = compileMbconvLatency(space, table);
    const rng = new Rng(21);
    for (let i = 0; i < 300; i++) {
      const a = space.sample(rng);
      expect(fast(a)).toBeCloseTo(lutSum(a), 9);
    }
    expect(fast(space.largest())).toBeCloseTo(lutSum(space.largest()), 9);
    expect(fast(space.smallest())).toBeCloseTo(lutSum(space.smallest()), 9);
  });

  it('refuses values outside the space instead of reading a neighbouring entry', () => {
    const fast = compileMbconvLatency(space, table);
    const a = space.largest();
    const bad = [
      { ...a, resolution: 30 },
      { ...a, stages: a.stages.map((st, i) => (i === 1 ? { ...st, width: 0.6 } : st)) },
      { ...a, stages: a.stages.map((st, i) => (i === 0 ? { ...st, blocks: st.blocks.map((b) => ({ ...b, kernel: 9 })) } : st)) },
      { ...a, stages: a.stages.map((st, i) => (i === 1 ? { ...st, blocks: st.blocks.map((b) => ({ ...b, expand: 5 })) } : st)) },
      { ...a, stages: a.stages.slice(1) },
    ];
    for (const x of bad) expect(() => fast(x)).toThrow(/compiled latency entry/);
  });

  it('names a missing entry', () => {
    const partial: LatencyTable = { provenance, entries: new Map([...table.entries].slice(1)) };
    expect(() => compileMbconvLatency(space, partial)).toThrow(/latency LUT entry/);
  });
});
