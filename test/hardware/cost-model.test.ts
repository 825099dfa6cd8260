/**
 * CostModel API, presets and variable precision: silicon sanity checks (Eyeriss on AlexNet
 * CONV1–5 within ±25 % of the published 103.5 ms; TPU-v1 peak 92 TOPS), cache behaviour, Bit Fusion
 * throughput scaling and bit-width dependent capacity/traffic.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../core/types.ts';
import { CostModel, layerKey } from '../../hardware/cost-model.ts';
import { analyze, bitFusionRate } from '../../hardware/model/analysis.ts';
import type { Mapping } from '../../hardware/model/mapping.ts';
import { peakMacsPerSecond, preset, presetNames } from '../../hardware/presets.ts';
import { fromLayer } from '../../hardware/workload.ts';

const conv = (name: string, c: number, m: number, h: number, r: number, stride: number, pad: number, bits = 16, n = 4): LayerSpec => {
  const p = Math.floor((h + 2 * pad - r) / stride) + 1;
  return { name, kind: 'conv', n, c, m, h, w: h, p, q: p, r, s: r, stride, groups: 1, padding: pad, bits: { weights: bits, inputs: bits, outputs: bits } };
};
// AlexNet CONV1–5 (conv2/4/5 per group of the original two-GPU split; same MACs).
const ALEXNET = [conv('conv1', 3, 96, 227, 11, 4, 0), conv('conv2', 48, 256, 27, 5, 1, 2), conv('conv3', 256, 384, 13, 3, 1, 1),
  conv('conv4', 192, 384, 13, 3, 1, 1), conv('conv5', 192, 256, 13, 3, 1, 1)];

describe('presets', () => {
  it('lists the presets and each maps a small layer', () => {
    expect(presetNames()).toEqual(['eyeriss', 'tpu-v1', 'nvdla', 'simba', 'diannao', 'shidiannao', 'simple-ws', 'simple-os', 'bitfusion']);
    const cm = new CostModel({ maxEvaluations: 150, patience: 60 });
    for (const n of presetNames()) {
      const r = cm.evaluate([conv('x', 16, 32, 14, 3, 1, 1, 8, 1)], n);
      expect(r.latencyCycles, n).toBeGreaterThan(0);
      expect(r.perLayer[0]?.evaluation.violations, n).toEqual([]);
      expect(r.areaMm2, n).toBeGreaterThan(0);
    }
  });

  it('TPU-v1 peak is 92 TOPS (65 536 MACs × 2 ops × 700 MHz)', () => {
    expect(Math.round((2 * peakMacsPerSecond(preset('tpu-v1'))) / 1e12)).toBe(92);
  });

  it('Eyeriss on AlexNet CONV1–5, batch 4, 16 b, 200 MHz: within ±25 % of the chip\'s 103.5 ms', () => {
    const r = new CostModel({ maxEvaluations: 400, patience: 150, seed: 1 }).evaluate(ALEXNET, 'eyeriss');
    expect(r.latencyMs).toBeGreaterThan(103.5 * 0.75);
    expect(r.latencyMs).toBeLessThan(103.5 * 1.25);
  });
});

describe('CostModel', () => {
  it('sums per-layer results and serves repeated layers from the cache', () => {
    const cm = new CostModel({ maxEvaluations: 150, patience: 60 });
    const a = conv('a', 16, 32, 14, 3, 1, 1, 8, 1);
    const r = cm.evaluate([a, { ...a, name: 'b' }], 'simple-ws');
    expect(r.perLayer.map((l) => l.cached)).toEqual([false, true]);
    expect(r.latencyCycles).toBe(2 * (r.perLayer[0]?.cycles ?? 0));
    expect(r.energyPj).toBeCloseTo(2 * (r.perLayer[0]?.energyPj ?? 0), 6);
    expect(r.latencyMs).toBeCloseTo(r.latencyCycles / 1e6, 9);
    expect(r.perLayer[0]?.mappingText).toContain('<< Compute >>');
    expect(cm.cacheStats()).toEqual({ size: 1, hits: 1, misses: 1 });
    expect(layerKey(a)).not.toBe(layerKey({ ...a, bits: { weights: 4, inputs: 8, outputs: 8 } }));
  });
});

describe('variable precision', () => {
  it('Bit Fusion: 1 product/cycle at 8×8, 4 at 4×4, 16 at 2×2 (Sharma et al.)', () => {
    expect([bitFusionRate(8, 8), bitFusionRate(4, 4), bitFusionRate(2, 2), bitFusionRate(8, 2)]).toEqual([1, 4, 16, 4]);
    expect([bitFusionRate(5, 8), bitFusionRate(3, 3)]).toEqual([1, 4]); // operands round up to a fusion mode
    const a = preset('bitfusion');
    // all loops at DRAM; `inner` is the innermost loop, whose iterations a unit's lanes take together
    const cycles = (b: number, inner: string): number => {
      const p = fromLayer(conv('x', 16, 16, 8, 3, 1, 1, b, 1));
      const at = p.dims.indexOf(inner);
      const loops = p.dims.map((_d, dim) => ({ dim, bound: p.bounds[dim] ?? 1 })).filter((l) => l.dim !== at);
      loops.push({ dim: at, bound: p.bounds[at] ?? 1 });
      const m: Mapping = { levels: a.levels.map((_l, i) => ({ loops: i === a.levels.length - 1 ? loops : [], keep: p.dataSpaces.map(() => i === a.levels.length - 1) })) };
      return analyze(p, a, m).computeCycles;
    };
    // input channels (16) innermost: a reduction loop the lanes split exactly
    expect(cycles(8, 'C')).toBe(4 * cycles(4, 'C'));
    expect(cycles(8, 'C')).toBe(16 * cycles(2, 'C'));
    // the filter width (3) innermost: 4 or 16 lanes take its 3 iterations, the rest idle
    expect(cycles(8, 'S')).toBe(3 * cycles(4, 'S'));
    expect(cycles(4, 'S')).toBe(cycles(2, 'S'));
    // output channels innermost: not a reduction, so one product per cycle at any width
    expect(cycles(2, 'M')).toBe(cycles(8, 'M'));
  });

  it('words per buffer and bytes moved follow the bit-width', () => {
    const a = preset('simple-os');
    const glb = a.levels[1];
    const energyAt = (bits: number): number => {
      const p = fromLayer(conv('x', 8, 8, 8, 1, 1, 0, bits, 1));
      const loops = p.dims.map((_d, dim) => ({ dim, bound: p.bounds[dim] ?? 1 }));
      const m: Mapping = { levels: [{ loops, keep: [false, false, true] }, { loops: [], keep: [true, true, true] }, { loops: [], keep: [true, true, true] }] };
      const e = analyze(p, a, m);
      return (e.levels[2]?.energyPj ?? 0);
    };
    expect(energyAt(16)).toBeCloseTo(2 * energyAt(8), 6);
    expect(glb?.sizeWords).toBe(65536);
  });
});
