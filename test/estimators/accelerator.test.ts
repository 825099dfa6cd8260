import { describe, expect, it } from 'vitest';
import { CostModel, presetNames } from '../../hardware/index.ts';
import { acceleratorEstimator } from '../../estimators/accelerator.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';

// A reduced space keeps the mapper's work small; the estimator does not depend on the size.
const space = new MbconvSpace({ resolutions: [12], stages: [{ channels: 8, stride: 1 }, { channels: 16, stride: 2 }], stemChannels: 8, headChannels: 32 });

describe('acceleratorEstimator', () => {
  const presetName = presetNames()[0] as string;
  const model = new CostModel();
  const est = acceleratorEstimator(space, model, (hw) => (hw && typeof hw.preset === 'string' ? hw.preset : presetName));

  it('reports the cost model totals in user units with a per-layer breakdown', async () => {
    const arch = space.largest();
    const e = await est.estimate(arch, null);
    const direct = new CostModel().evaluate(space.layers(arch), presetName);
    expect(e.values.hw_latency_ms).toBeCloseTo(direct.latencyMs, 9);
    expect(e.values.energy_uj).toBeCloseTo(direct.energyPj / 1e6, 9);
    expect(e.values.edp_uj_ms).toBeCloseTo((direct.energyPj / 1e6) * direct.latencyMs, 9);
    expect(e.values.area_mm2).toBeCloseTo(direct.areaMm2, 9);
    expect(e.perLayer).toHaveLength(space.layers(arch).length);
    expect(e.provenance).toContain(presetName);
  });

  it('costs a larger subnet more energy than a smaller one, and reuses mapped layers', async () => {
    const big = await est.estimate(space.largest(), null);
    const small = await est.estimate(space.smallest(), null);
    expect(big.values.energy_uj).toBeGreaterThan(small.values.energy_uj as number);
    const before = model.cacheStats().hits;
    await est.estimate(space.largest(), null);
    expect(model.cacheStats().hits - before).toBe(space.layers(space.largest()).length);
  });

  it('rejects an unknown preset', async () => {
    await expect(est.estimate(space.smallest(), { preset: 'no-such-chip' })).rejects.toThrow(/no-such-chip/);
    await expect(est.estimate({ bad: 1 }, null)).rejects.toThrow();
  });
});
