/**
 * Mapper: quality of the free-mapspace search against the Timeloop mapper's reference mappings (EDP
 * under the same arch and ERT, ours ≤ 1.1× theirs), capacity rejection, non-divisor tiles counted as
 * idle MACs, determinism.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../hardware/model/analysis.ts';
import { mapLayer } from '../../hardware/mapper/mapper.ts';
import { withoutLoopConstraints } from '../../hardware/mapspace/constraints.ts';
import { preset } from '../../hardware/presets.ts';
import { readTimeloopArch } from '../../hardware/timeloop/arch.ts';
import { readTimeloopMap } from '../../hardware/timeloop/map.ts';
import { fromLayer } from '../../hardware/workload.ts';
import type { LayerSpec } from '../../core/types.ts';
import { REF_ROOT, refConv } from './timeloop-stats.ts';

const layer = (over: Partial<LayerSpec>): LayerSpec => ({
  name: 'l', kind: 'conv', n: 1, c: 16, m: 16, h: 16, w: 16, p: 16, q: 16, r: 3, s: 3, stride: 1, groups: 1, padding: 1,
  bits: { weights: 8, inputs: 8, outputs: 8 }, ...over,
});

// The constrained mapper against the same references: timeloop-mapspace.test.ts.
describe.skipIf(!REF_ROOT)('free-mapspace mapper quality vs Timeloop reference mappings (needs ../shared/research/data)', () => {
  for (const d of ['eyeriss_like', 'simba_like', 'simple_weight_stationary', 'simple_output_stationary']) {
    it(`${d}: with the loop constraints dropped, best EDP ≤ 1.1 × reference mapping EDP`, () => {
      const root = REF_ROOT as string;
      const ta = readTimeloopArch(join(root, d, 'arch.yaml'));
      const p = refConv();
      const ref = analyze(p, ta.arch, readTimeloopMap(join(root, d, 'timeloop-mapper.map.txt'), p, ta));
      const r = mapLayer(p, withoutLoopConstraints(ta.arch), { objective: 'edp', maxEvaluations: 1500, patience: 500, seed: 3 });
      expect(r.evaluation.violations).toEqual([]);
      expect(r.evaluation.energyPj * r.evaluation.cycles).toBeLessThanOrEqual(1.1 * ref.energyPj * ref.cycles);
    });
  }
});

describe('mapper', () => {
  it('returns only mappings that fit, and the model flags ones that do not', () => {
    const a = preset('simple-ws');
    const p = fromLayer(layer({}));
    const r = mapLayer(p, a, { maxEvaluations: 300, patience: 100, seed: 1 });
    expect(r.evaluation.violations).toEqual([]);
    // Everything in the 2-word weight register: 16·16·9 weights cannot fit.
    const all = p.dims.map((_d, dim) => ({ dim, bound: p.bounds[dim] ?? 1 }));
    const bad = analyze(p, a, { levels: [{ loops: all, keep: [true, false, false] }, { loops: [], keep: [true, true, true] }, { loops: [], keep: [true, true, true] }] });
    expect(bad.violations.some((v) => v.startsWith('weight_reg'))).toBe(true);
  });

  it('maps prime dimensions with padded tiles counted as idle MACs', () => {
    const a = preset('simple-os');
    const p = fromLayer(layer({ m: 17, c: 5, p: 13, q: 13, h: 13, w: 13 }));
    const r = mapLayer(p, a, { objective: 'latency', maxEvaluations: 800, patience: 300, seed: 2, paddingRate: 0.5 });
    expect(r.evaluation.usefulOps).toBe(17 * 5 * 13 * 13 * 9);
    expect(r.evaluation.computes).toBeGreaterThanOrEqual(r.evaluation.usefulOps);
    // Without padding, 13×13 outputs on a 16×16 array cannot use more than 13 columns.
    expect(r.evaluation.cycles).toBeLessThan(p.bounds.reduce((x, y) => x * y, 1) / 13);
    expect(r.evaluation.utilization).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed and improves with a larger budget', () => {
    const a = preset('eyeriss');
    const p = fromLayer(layer({ c: 32, m: 64 }));
    const x = mapLayer(p, a, { maxEvaluations: 200, patience: 1000, seed: 7 });
    const y = mapLayer(p, a, { maxEvaluations: 200, patience: 1000, seed: 7 });
    expect(y.evaluation.energyPj).toBe(x.evaluation.energyPj);
    const z = mapLayer(p, a, { maxEvaluations: 1000, patience: 1000, seed: 7 });
    expect(z.evaluation.energyPj * z.evaluation.cycles).toBeLessThanOrEqual(x.evaluation.energyPj * x.evaluation.cycles);
  });

  it('stops after `patience` valid candidates without improvement', () => {
    const r = mapLayer(fromLayer(layer({})), preset('simple-os'), { maxEvaluations: 100000, patience: 20, seed: 1 });
    expect(r.evaluations).toBeLessThan(100000);
    expect(r.valid).toBeGreaterThanOrEqual(21);
  });
});
