import { describe, expect, it } from 'vitest';
import type { Arch } from '../../core/types.ts';
import { cachedEstimator, estimateAll, type Estimator } from '../../estimators/estimator.ts';
import { counterEstimator } from '../../estimators/counter-estimator.ts';
import { countLayers } from '../../estimators/counters.ts';
import { createSpace } from '../../search-space/registry.ts';
import { Rng } from '../../core/rng.ts';

function counting(name: string, fail = false): Estimator & { calls: number } {
  const e = {
    name,
    calls: 0,
    objectives: [{ name, unit: 'x', direction: 'min' as const }],
    async estimate(arch: Arch) {
      e.calls++;
      if (fail) throw new Error('transient');
      return { values: { [name]: Number(arch.v) * 2 }, provenance: 'test' };
    },
  };
  return e;
}

describe('cachedEstimator', () => {
  it('estimates each key once, sharing concurrent calls', async () => {
    const inner = counting('a');
    const c = cachedEstimator(inner, (a) => String(a.v), 2);
    const [x, y] = await Promise.all([c.estimate({ v: 1 }), c.estimate({ v: 1 })]);
    expect(x.values.a).toBe(2);
    expect(y).toBe(x);
    await c.estimate({ v: 2 });
    await c.estimate({ v: 3 }); // evicts key 1 (capacity 2)
    await c.estimate({ v: 1 });
    expect(inner.calls).toBe(4);
    expect(c.stats()).toEqual({ hits: 1, misses: 4, size: 2 });
  });

  it('does not cache failures', async () => {
    const inner = counting('a', true);
    const c = cachedEstimator(inner, (a) => String(a.v));
    await expect(c.estimate({ v: 1 })).rejects.toThrow('transient');
    await expect(c.estimate({ v: 1 })).rejects.toThrow('transient');
    expect(inner.calls).toBe(2);
  });

  it('merges estimators and rejects colliding objective names', async () => {
    expect(await estimateAll([counting('a'), counting('b')], { v: 2 })).toEqual({ a: 4, b: 4 });
    await expect(estimateAll([counting('a'), counting('a')], { v: 2 })).rejects.toThrow(/objectives.*a/);
  });
});

describe('counterEstimator on the mbconv space', () => {
  const space = createSpace('mbconv');
  const est = counterEstimator(space);

  it('reports the counters of layers(arch) in user units, ordered largest > sampled > smallest', async () => {
    const big = await est.estimate(space.largest());
    const small = await est.estimate(space.smallest());
    const mid = await est.estimate(space.sample(new Rng(3)));
    const raw = countLayers(space.layers(space.largest()));
    expect(big.values.macs_m).toBeCloseTo(raw.macs / 1e6, 9);
    expect(big.values.params_k).toBeCloseTo(raw.params / 1e3, 9);
    for (const k of ['macs_m', 'params_k', 'model_kb', 'peak_act_kb']) {
      expect(big.values[k]).toBeGreaterThanOrEqual(mid.values[k] as number);
      expect(mid.values[k]).toBeGreaterThanOrEqual(small.values[k] as number);
    }
    expect(big.values.macs_m).toBeGreaterThan(small.values.macs_m as number);
    expect(big.perLayer?.length).toBe(space.layers(space.largest()).length);
  });

  it('rejects an invalid arch naming the field', async () => {
    await expect(est.estimate({ resolution: 13 })).rejects.toThrow(/resolution|stages/);
  });
});
