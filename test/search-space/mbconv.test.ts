import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { layerMacs } from '../../core/types.ts';
import { fromGenome, genomeArity } from '../../search-space/mbconv-arch.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { countDistinctKeys, searchSpaceConformance } from '../conformance/search-space.case.ts';

const space = new MbconvSpace();
const small = space.smallest();
const withStage = (s: number, patch: object): unknown => ({ ...small, stages: small.stages.map((st, i) => (i === s ? { ...st, ...patch } : st)) });

searchSpaceConformance('mbconv (default)', () => new MbconvSpace(), {
  size: 3n * 481_302n ** 4n,
  bad: [
    { label: 'a non-object', value: 7, field: 'arch' },
    { label: 'an unknown resolution', value: { ...small, resolution: 30 }, field: 'resolution' },
    { label: 'a missing stage', value: { ...small, stages: small.stages.slice(1) }, field: 'stages' },
    { label: 'a depth out of range', value: withStage(1, { depth: 4 }), field: 'stages[1].depth' },
    { label: 'an unknown width', value: withStage(3, { width: 0.6 }), field: 'stages[3].width' },
    {
      label: 'an even kernel',
      value: withStage(2, { blocks: small.stages[2]?.blocks.map((b, i) => (i === 1 ? { ...b, kernel: 4 } : b)) }),
      field: 'stages[2].blocks[1].kernel',
    },
    { label: 'fewer blocks than the depth', value: withStage(0, { depth: 3, blocks: small.stages[0]?.blocks.slice(0, 2) }), field: 'stages[0].blocks' },
    { label: 'an extra field', value: { ...small, colour: 'red' }, field: 'colour' },
    { label: 'a missing block field', value: withStage(0, { blocks: [{ kernel: 3, expand: 2, wbits: 4 }] }), field: 'stages[0].blocks[0].abits' },
  ],
});

// Reduced config small enough to enumerate every genome: 2 resolutions, depths {1,2}, 2 widths,
// 2 kernels, 1 expand, 1 wbits, 2 abits, 2 stages.
const REDUCED = {
  resolutions: [20, 28],
  depths: [1, 2],
  widths: [0.5, 1],
  kernels: [3, 5],
  expands: [2],
  weightBits: [8],
  activationBits: [4, 8],
  stages: [{ channels: 16, stride: 1 }, { channels: 24, stride: 2 }],
};

function* allGenomes(arity: readonly number[]): Generator<number[]> {
  const g = arity.map(() => 0);
  for (;;) {
    yield g.slice();
    let i = g.length - 1;
    while (i >= 0 && (g[i] as number) + 1 >= (arity[i] as number)) g[i--] = 0;
    if (i < 0) return;
    g[i] = (g[i] as number) + 1;
  }
}

describe('mbconv size() against brute force', () => {
  it('counts distinct keys over every genome of a reduced config', () => {
    const reduced = new MbconvSpace(REDUCED);
    const archs = [...allGenomes(genomeArity(reduced.config))].map((g) => fromGenome(reduced.config, g));
    expect(archs.length).toBe(2 * (2 * 2 * (2 * 2) ** 2) ** 2); // every genome
    const distinct = countDistinctKeys(reduced, archs);
    // B = 2·1·1·2 = 4 per block, a stage 2·(4 + 4²) = 40, total 2·40² = 3,200
    expect(distinct).toBe(3200);
    expect(reduced.size()).toBe(BigInt(distinct));
    // distinct keys ⇔ distinct encodings
    expect(new Set(archs.map((a) => reduced.encode(a).join(''))).size).toBe(distinct);
  });

  it('a three-depth reduced config also matches', () => {
    const reduced = new MbconvSpace({ ...REDUCED, depths: [1, 3], activationBits: [8], resolutions: [28], stages: [{ channels: 16, stride: 1 }] });
    const archs = [...allGenomes(genomeArity(reduced.config))].map((g) => fromGenome(reduced.config, g));
    // B = 2; a stage 2·(2 + 2³) = 20
    expect(countDistinctKeys(reduced, archs)).toBe(20);
    expect(reduced.size()).toBe(20n);
  });

  it('rejects a bad config naming the field', () => {
    expect(() => new MbconvSpace({ kernels: [3, 4] })).toThrow(ConfigError);
    expect(() => new MbconvSpace({ kernels: [3, 4] })).toThrow(/mbconv\.kernels/);
  });
});

describe('mbconv layers(arch)', () => {
  const row = (l: ReturnType<MbconvSpace['layers']>[number]) => [l.name, l.kind, l.c, l.m, l.h, l.p, l.r, l.stride, l.groups];

  it('lowers the smallest arch to hand-computed shapes', () => {
    const layers = space.layers(small);
    // widths ×0.5: stages 8, 12, 20, 32 channels (multiples of 4); hidden = cin·2
    expect(layers.map(row)).toEqual([
      ['stem', 'conv', 1, 16, 20, 10, 3, 2, 1],
      ['stage0.block0.expand', 'pointwise', 16, 32, 10, 10, 1, 1, 1],
      ['stage0.block0.depthwise', 'depthwise', 32, 32, 10, 10, 3, 1, 32],
      ['stage0.block0.project', 'pointwise', 32, 8, 10, 10, 1, 1, 1],
      ['stage1.block0.expand', 'pointwise', 8, 16, 10, 10, 1, 1, 1],
      ['stage1.block0.depthwise', 'depthwise', 16, 16, 10, 5, 3, 2, 16],
      ['stage1.block0.project', 'pointwise', 16, 12, 5, 5, 1, 1, 1],
      ['stage2.block0.expand', 'pointwise', 12, 24, 5, 5, 1, 1, 1],
      ['stage2.block0.depthwise', 'depthwise', 24, 24, 5, 3, 3, 2, 24],
      ['stage2.block0.project', 'pointwise', 24, 20, 3, 3, 1, 1, 1],
      ['stage3.block0.expand', 'pointwise', 20, 40, 3, 3, 1, 1, 1],
      ['stage3.block0.depthwise', 'depthwise', 40, 40, 3, 3, 3, 1, 40],
      ['stage3.block0.project', 'pointwise', 40, 32, 3, 3, 1, 1, 1],
      ['head', 'pointwise', 32, 256, 3, 3, 1, 1, 1],
      ['pool', 'pool', 256, 256, 3, 1, 3, 1, 256],
      ['fc', 'fc', 256, 10, 1, 1, 1, 1, 1],
    ]);
    expect(layers[0]?.bits).toEqual({ weights: 8, inputs: 8, outputs: 4 });
    expect(layers[1]?.bits).toEqual({ weights: 4, inputs: 4, outputs: 4 });
    expect(layers[12]?.bits).toEqual({ weights: 4, inputs: 4, outputs: 8 });
    expect(layers[15]?.bits).toEqual({ weights: 8, inputs: 8, outputs: 8 });
    expect(layers[2]?.padding).toBe(1);
    // stride-2 stem, 10×10 outputs: stem 16·9·100 + expand 16·32·100 + depthwise 32·9·100 = 14,400 + 51,200 + 28,800
    expect(layers.slice(0, 3).reduce((s, l) => s + layerMacs(l), 0)).toBe(94_400);
  });

  it('lists only active blocks and honours the batch option', () => {
    const big = space.largest();
    const layers = space.layers(big, { batch: 8 });
    expect(layers).toHaveLength(1 + 4 * 3 * 3 + 3);
    expect(layers.every((l) => l.n === 8)).toBe(true);
    const dw = layers.find((l) => l.name === 'stage2.block2.depthwise');
    // stage 2 at width 1.0: 40 channels, expand 6 → 240 hidden, 7×7 kernel; 28 → 14 (stem) → 7 → 4 (same padding)
    expect(dw && [dw.c, dw.r, dw.h, dw.p, dw.padding]).toEqual([240, 7, 4, 4, 3]);
  });

  it('layers() validates the arch', () => {
    expect(() => space.layers({ ...small, resolution: 13 } as MbconvArch)).toThrow(/resolution/);
  });
});
