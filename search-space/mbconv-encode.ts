/**
 * The mbconv one-hot encoding written straight into a Float32Array, for predictors that score
 * tens of thousands of candidates per second. `MbconvSpace.encode` (genome → one-hot groups) is
 * the reference and this must agree with it bit for bit (test/search-space/mbconv-encode.test.ts);
 * the difference is only cost: no genome array, no per-group JS arrays, one preallocated buffer
 * for a whole batch.
 *
 * Every value read is checked against its choice list (an unknown value would otherwise encode as
 * an all-zero group, silently). On any problem the full `validateMbconv` runs to throw the
 * InvalidArchError naming the field; fields the encoding never reads (unknown extra keys) are
 * validate()'s business, not this hot path's.
 */
import { InvalidArchError } from '../core/errors.ts';
import type { MbconvArch } from './mbconv-arch.ts';
import { validateMbconv } from './mbconv-arch.ts';
import type { MbconvConfig } from './mbconv-config.ts';

export interface MbconvEncoder {
  /** Floats per arch; equals `MbconvSpace.encodingLength`. */
  readonly length: number;
  /** Writes the encoding of `x` into `out[offset … offset + length)` (zeroing that range first). */
  encodeInto(x: MbconvArch, out: Float32Array, offset?: number): void;
  /** All archs in one row-major `[archs.length × length]` buffer. */
  encodeBatch(archs: readonly MbconvArch[], out?: Float32Array): Float32Array;
}

export function createMbconvEncoder(cfg: MbconvConfig): MbconvEncoder {
  const { resolutions, depths, widths, kernels, expands, weightBits, activationBits, maxDepth } = cfg;
  const stages = cfg.stages.length;
  // Offsets of each one-hot group, in the genome order of mbconv-arch.ts:
  // [resolution, per stage: depth, width, per block: kernel, expand, wbits, abits].
  const perBlock = kernels.length + expands.length + weightBits.length + activationBits.length;
  const perStage = depths.length + widths.length + maxDepth * perBlock;
  const length = resolutions.length + stages * perStage;
  const oExpand = kernels.length;
  const oWbits = oExpand + expands.length;
  const oAbits = oWbits + weightBits.length;

  /** Throws the validator's named error; reached only for invalid archs. */
  function invalid(x: unknown, what: string): never {
    validateMbconv(cfg, x);
    throw new InvalidArchError(what, x, 'could not be encoded');
  }

  const encodeInto = (x: MbconvArch, out: Float32Array, offset = 0): void => {
    if (offset < 0 || offset + length > out.length) throw new InvalidArchError('offset', offset, `leaves no room for ${length} floats in a buffer of ${out.length}`);
    out.fill(0, offset, offset + length);
    if (x === null || typeof x !== 'object') invalid(x, 'arch');
    const r = resolutions.indexOf(x.resolution);
    const st = x.stages;
    if (r < 0 || !Array.isArray(st) || st.length !== stages) invalid(x, 'arch');
    out[offset + r] = 1;
    let base = offset + resolutions.length;
    for (let s = 0; s < stages; s++) {
      const stage = st[s] as MbconvArch['stages'][number];
      const d = stage === null || typeof stage !== 'object' ? -1 : depths.indexOf(stage.depth);
      const w = d < 0 ? -1 : widths.indexOf(stage.width);
      const blocks = stage?.blocks;
      if (w < 0 || !Array.isArray(blocks) || blocks.length < stage.depth || blocks.length > maxDepth) invalid(x, `stages[${s}]`);
      out[base + d] = 1;
      out[base + depths.length + w] = 1;
      let at = base + depths.length + widths.length;
      // Blocks beyond the depth do not count: their groups stay all-zero.
      for (let b = 0; b < stage.depth; b++, at += perBlock) {
        const blk = blocks[b];
        const k = blk === null || typeof blk !== 'object' ? -1 : kernels.indexOf(blk.kernel);
        const e = k < 0 ? -1 : expands.indexOf(blk!.expand);
        const wb = e < 0 ? -1 : weightBits.indexOf(blk!.wbits);
        const ab = wb < 0 ? -1 : activationBits.indexOf(blk!.abits);
        if (ab < 0) invalid(x, `stages[${s}].blocks[${b}]`);
        out[at + k] = 1;
        out[at + oExpand + e] = 1;
        out[at + oWbits + wb] = 1;
        out[at + oAbits + ab] = 1;
      }
      base += perStage;
    }
  };

  return {
    length,
    encodeInto,
    encodeBatch(archs, out) {
      const buf = out ?? new Float32Array(archs.length * length);
      if (buf.length < archs.length * length) throw new InvalidArchError('out', buf.length, `needs at least ${archs.length * length} floats`);
      for (let i = 0; i < archs.length; i++) encodeInto(archs[i] as MbconvArch, buf, i * length);
      return buf;
    },
  };
}
