/**
 * Per-tensor traffic under 'scaled' precision (hardware/model/level-traffic.ts): partial sums are
 * accumulator-wide on chip and whenever they spill to DRAM; only the final outputs leave at their
 * own width. Fixed precision (Timeloop's convention) keeps one word per value.
 */
import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../../core/types.ts';
import { analyze } from '../../hardware/model/analysis.ts';
import type { Mapping } from '../../hardware/model/mapping.ts';
import { preset } from '../../hardware/presets.ts';
import type { ArchSpec } from '../../hardware/spec.ts';
import { fromLayer, type Problem } from '../../hardware/workload.ts';

const fc = (c: number, m: number, n: number, outBits: number): LayerSpec => ({
  name: 'fc', kind: 'fc', n, c, m, h: 1, w: 1, p: 1, q: 1, r: 1, s: 1, stride: 1, groups: 1, padding: 0, bits: { weights: 4, inputs: 4, outputs: outBits },
});

/**
 * On the bitfusion preset (wbuf, obuf, ibuf, DRAM): the output buffer holds one image's outputs and
 * the input channels are split `cTiles` ways at DRAM, so partial sums go to DRAM and come back.
 */
function spillNest(p: Problem, a: ArchSpec, cTiles: number): Mapping {
  expect(a.levels.map((l) => l.name)).toEqual(['wbuf', 'obuf', 'ibuf', 'DRAM']);
  const at = (d: string): number => p.dims.indexOf(d);
  const b = (d: string): number => p.bounds[at(d)] ?? 1;
  const keep = (name: string | null): boolean[] => p.dataSpaces.map((d) => name === null || d.name === name);
  return {
    levels: [
      { loops: [], keep: keep('Weights') },
      { loops: [{ dim: at('M'), bound: b('M') }, { dim: at('C'), bound: b('C') / cTiles }], keep: keep('Outputs') },
      { loops: [], keep: keep('Inputs') },
      // C outside N: the output tile changes under every channel tile, so each one's sums leave and return
      { loops: [{ dim: at('C'), bound: cTiles }, { dim: at('N'), bound: b('N') }], keep: keep(null) },
    ],
  };
}

describe('accumulator-wide partial sums (scaled precision)', () => {
  it('a 4-b output spilled as a partial sum moves 32 b each way; only the last pass writes 4 b', () => {
    const a = preset('bitfusion');
    expect(a.mac.accBits).toBe(32);
    const p = fromLayer(fc(64, 8, 2, 4));
    const outputs = 8 * 2;
    const one = analyze(p, a, spillNest(p, a, 1)).offChip;
    const four = analyze(p, a, spillNest(p, a, 4)).offChip;
    // no spill: outputs written once at 4 b
    expect(one.writeBytes).toBe(outputs * 0.5);
    // three spills: each written and read back at 32 b, then the finals at 4 b
    expect(four.writeBytes).toBe(3 * outputs * 4 + outputs * 0.5);
    expect(four.readBytes - one.readBytes).toBe(3 * outputs * 4);
    expect(four.denseWriteBytes).toBe(four.writeBytes);
  });

  it('outputs as wide as the accumulator move at their own width (no double counting)', () => {
    const a = preset('bitfusion');
    const p = fromLayer(fc(64, 8, 2, 32));
    const four = analyze(p, a, spillNest(p, a, 4)).offChip;
    expect(four.writeBytes).toBe(4 * 16 * 4);
  });

  it('fixed precision (Timeloop) counts one word per value whatever the bits', () => {
    const a = { ...preset('bitfusion'), precision: 'fixed' as const };
    const p = fromLayer(fc(64, 8, 2, 4));
    const four = analyze(p, a, spillNest(p, a, 4)).offChip;
    const wordBytes = (a.levels[a.levels.length - 1]?.wordBits ?? 8) / 8;
    expect(four.writeBytes).toBe(4 * 16 * wordBytes);
  });
});
