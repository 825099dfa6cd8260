import { describe, expect, it } from 'vitest';
import { InvalidArchError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { MbconvSpace } from '../../search-space/mbconv.ts';
import { createMbconvEncoder } from '../../search-space/mbconv-encode.ts';

/** Archs from every operator, plus hand-written ones that omit inactive blocks. */
function drawArchs(space: MbconvSpace, n: number, seed: number): MbconvArch[] {
  const rng = new Rng(seed);
  const out: MbconvArch[] = [];
  for (let i = 0; i < n; i++) {
    const a = space.sample(rng);
    const pick = i % 4;
    if (pick === 0) out.push(a);
    else if (pick === 1) out.push(space.mutate(a, rng, 0.3));
    else if (pick === 2) out.push(space.crossover(a, space.sample(rng), rng));
    else out.push({ ...a, stages: a.stages.map((st) => ({ ...st, blocks: st.blocks.slice(0, st.depth) })) });
  }
  return out;
}

function expectSameAsReference(space: MbconvSpace, archs: readonly MbconvArch[]): void {
  const L = space.encodingLength;
  const buf = space.encodeBatch(archs);
  expect(buf.length).toBe(archs.length * L);
  archs.forEach((a, i) => {
    const row = Array.from(buf.subarray(i * L, (i + 1) * L));
    expect(row, space.key(a)).toEqual(space.encode(a));
  });
}

describe('fast mbconv encoder', () => {
  it('equals MbconvSpace.encode on 3,000 random archs of the default space', () => {
    const space = new MbconvSpace();
    expect(createMbconvEncoder(space.config).length).toBe(space.encodingLength);
    expectSameAsReference(space, drawArchs(space, 3000, 11));
    expectSameAsReference(space, [space.largest(), space.smallest()]);
  });

  it('equals the reference on other configurations (uneven choice counts, 5 stages, depth up to 4)', () => {
    const configs = [
      { resolutions: [20, 28], depths: [1, 2], widths: [0.5, 1], kernels: [3, 5], expands: [2], weightBits: [8], activationBits: [4, 8], stages: [{ channels: 8, stride: 1 }, { channels: 16, stride: 2 }] },
      { inputChannels: 3, depths: [2, 3, 4], kernels: [3, 5, 7, 9], expands: [3, 6], stages: [1, 2, 2, 2, 1].map((stride, i) => ({ channels: 16 + 8 * i, stride })) },
    ];
    configs.forEach((cfg, i) => {
      const space = new MbconvSpace(cfg);
      expectSameAsReference(space, drawArchs(space, 500, 20 + i));
    });
  });

  it('overwrites stale contents and writes only its own row', () => {
    const space = new MbconvSpace();
    const enc = createMbconvEncoder(space.config);
    const [a, b] = drawArchs(space, 2, 5) as [MbconvArch, MbconvArch];
    const buf = new Float32Array(enc.length * 3).fill(7);
    enc.encodeInto(a, buf, enc.length);
    expect(Array.from(buf.subarray(enc.length, 2 * enc.length))).toEqual(space.encode(a));
    expect(buf[0]).toBe(7);
    expect(buf[2 * enc.length]).toBe(7);
    space.encodeBatch([b, a], buf);
    expect(Array.from(buf.subarray(0, enc.length))).toEqual(space.encode(b));
    expect(() => enc.encodeInto(a, buf, 2 * enc.length + 1)).toThrow(InvalidArchError);
    expect(() => space.encodeBatch([a, b, a, b], buf)).toThrow(/out/);
  });

  it('rejects invalid values with the validator\'s field name instead of encoding zeros', () => {
    const space = new MbconvSpace();
    const small = space.smallest();
    const withStage = (s: number, patch: object) => ({ ...small, stages: small.stages.map((st, i) => (i === s ? { ...st, ...patch } : st)) }) as unknown as MbconvArch;
    const bad: [MbconvArch, string][] = [
      [{ ...small, resolution: 30 }, 'resolution'],
      [{ ...small, stages: small.stages.slice(1) }, 'stages'],
      [withStage(1, { depth: 4 }), 'stages[1].depth'],
      [withStage(3, { width: 0.6 }), 'stages[3].width'],
      [withStage(2, { blocks: small.stages[2]?.blocks.map((b, i) => (i === 0 ? { ...b, kernel: 4 } : b)) }), 'stages[2].blocks[0].kernel'],
      [withStage(0, { depth: 3, blocks: small.stages[0]?.blocks.slice(0, 2) }), 'stages[0].blocks'],
      [withStage(0, { blocks: [{ kernel: 3, expand: 2, wbits: 4 }] }), 'stages[0].blocks[0].abits'],
      [7 as unknown as MbconvArch, 'arch'],
    ];
    for (const [x, field] of bad) {
      try {
        space.encodeBatch([small, x]);
        expect.unreachable(`encoded ${field}`);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArchError);
        expect((e as InvalidArchError).field).toBe(field);
      }
    }
  });
});
