/**
 * A compiled latency table for the mbconv space: the LUT sum without lowering the arch to layers.
 * A block's unit is fully determined by (resolution, stage, first-in-stage?, previous width, width,
 * kernel, expand) — see coverage.ts — so the coverage archs are lowered once, their units indexed
 * by that tuple, and an estimate becomes ~20 array reads. The tuple is turned into a dense index
 * over choice positions (a Float64Array, NaN where the space never goes): building string keys
 * per block capped the first version at ~200k archs/s, a third of the search path's time.
 * `lutBreakdown` stays the reference (a test checks they agree).
 */
import type { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { NotFoundError } from '../../core/errors.ts';
import { splitUnits } from './units.ts';
import type { LatencyTable } from './lut-estimator.ts';

export type FastLatency = (arch: MbconvArch) => number;

export function compileMbconvLatency(space: MbconvSpace, table: LatencyTable): FastLatency {
  const c = space.config;
  const lookup = (key: string): number => {
    const e = table.entries.get(key);
    if (!e) throw new NotFoundError(`latency LUT entry (run \`nas lut build\`)`, key);
    return e.medianMs;
  };
  const { resolutions, widths, kernels, expands } = c;
  const stages = c.stages.length;
  const [nR, nW, nK, nE] = [resolutions.length, widths.length, kernels.length, expands.length];
  // Block index: ((((r·S + s)·2 + first)·W + wPrev)·W + w)·K + k)·E + e; the first block of
  // stage 0 uses wPrev = 0 (the stem's width does not depend on a choice).
  const blockAt = (r: number, s: number, first: number, wp: number, w: number, k: number, e: number) => ((((((r * stages + s) * 2 + first) * nW + wp) * nW + w) * nK + k) * nE + e);
  const blocks = new Float64Array(nR * stages * 2 * nW * nW * nK * nE).fill(NaN);
  const stem = new Float64Array(nR).fill(NaN);
  const tail = new Float64Array(nR * nW).fill(NaN);
  resolutions.forEach((res, r) =>
    kernels.forEach((k, ki) =>
      expands.forEach((e, ei) =>
        widths.forEach((wPrev, wpi) =>
          widths.forEach((w, wi) => {
            // Stage s gets width w after a stage of width wPrev; other stages at w (irrelevant here).
            for (let s = 0; s < stages; s++) {
              const block = { kernel: k, expand: e, wbits: c.weightBits[0] as number, abits: c.activationBits[0] as number };
              const arch: MbconvArch = {
                resolution: res,
                stages: Array.from({ length: stages }, (_, i) => ({ depth: c.maxDepth, width: i === s - 1 ? wPrev : w, blocks: Array.from({ length: c.maxDepth }, () => block) })),
              };
              const units = splitUnits(space.layers(arch));
              // Units: stem, then maxDepth per stage, then head, pool, fc.
              const first = 1 + s * c.maxDepth;
              blocks[blockAt(r, s, 1, s === 0 ? 0 : wpi, wi, ki, ei)] = lookup((units[first] as { key: string }).key);
              if (c.maxDepth > 1) blocks[blockAt(r, s, 0, wi, wi, ki, ei)] = lookup((units[first + 1] as { key: string }).key);
              if (s === 0) stem[r] = lookup((units[0] as { key: string }).key);
              if (s === stages - 1) tail[r * nW + wi] = units.slice(1 + stages * c.maxDepth).reduce((a, u) => a + lookup(u.key), 0);
            }
          }),
        ),
      ),
    ),
  );
  return (arch) => {
    const r = resolutions.indexOf(arch.resolution);
    let total = r < 0 ? NaN : (stem[r] as number);
    let wp = 0;
    for (let s = 0; s < arch.stages.length; s++) {
      const st = arch.stages[s] as MbconvArch['stages'][number];
      const w = widths.indexOf(st.width);
      for (let b = 0; b < st.depth; b++) {
        const blk = st.blocks[b];
        const k = blk ? kernels.indexOf(blk.kernel) : -1;
        const e = blk ? expands.indexOf(blk.expand) : -1;
        // A -1 index lands outside its field (or on another entry), so check before reading.
        if (r < 0 || w < 0 || k < 0 || e < 0) total = NaN;
        else total += blocks[blockAt(r, s, b === 0 ? 1 : 0, b === 0 ? wp : w, w, k, e)] as number;
      }
      wp = w;
    }
    total += r < 0 || wp < 0 ? NaN : (tail[r * nW + wp] as number);
    if (arch.stages.length !== stages || Number.isNaN(total)) throw new NotFoundError('compiled latency entry for arch', space.key(arch));
    return total;
  };
}
