/**
 * A compiled latency table for the mbconv space: the LUT sum without lowering the arch to layers.
 * A block's unit is fully determined by (resolution, stage, first-in-stage?, previous width, width,
 * kernel, expand) — see coverage.ts — so the coverage archs are lowered once, their units indexed
 * by that tuple, and an estimate becomes ~20 map lookups. Used where the search calls the LUT
 * thousands of times per second; `lutBreakdown` stays the reference (a test checks they agree).
 */
import type { MbconvSpace } from '../../search-space/mbconv.ts';
import type { MbconvArch } from '../../search-space/mbconv-arch.ts';
import { NotFoundError } from '../../core/errors.ts';
import { splitUnits } from './units.ts';
import type { LatencyTable } from './lut-estimator.ts';

const blockKey = (res: number, s: number, first: boolean, wPrev: number, w: number, k: number, e: number) => `${res}|${s}|${first ? 1 : 0}|${wPrev}|${w}|${k}|${e}`;

export type FastLatency = (arch: MbconvArch) => number;

export function compileMbconvLatency(space: MbconvSpace, table: LatencyTable): FastLatency {
  const c = space.config;
  const ms = new Map<string, number>();
  const lookup = (key: string): number => {
    const e = table.entries.get(key);
    if (!e) throw new NotFoundError(`latency LUT entry (run \`nas lut build\`)`, key);
    return e.medianMs;
  };
  const widths = c.widths;
  const stages = c.stages.length;
  for (const res of c.resolutions)
    for (const k of c.kernels)
      for (const e of c.expands)
        for (const wPrev of widths)
          for (const w of widths) {
            // Stage s gets width w after a stage of width wPrev; other stages at w (irrelevant here).
            for (let s = 0; s < stages; s++) {
              const stageWidths = Array.from({ length: stages }, (_, i) => (i === s - 1 ? wPrev : w));
              const block = { kernel: k, expand: e, wbits: c.weightBits[0] as number, abits: c.activationBits[0] as number };
              const arch: MbconvArch = {
                resolution: res,
                stages: stageWidths.map((width) => ({ depth: c.maxDepth, width, blocks: Array.from({ length: c.maxDepth }, () => block) })),
              };
              const units = splitUnits(space.layers(arch));
              // Units: stem, then maxDepth per stage, then head, pool, fc.
              const first = 1 + s * c.maxDepth;
              ms.set(blockKey(res, s, true, s === 0 ? 0 : wPrev, w, k, e), lookup((units[first] as { key: string }).key));
              if (c.maxDepth > 1) ms.set(blockKey(res, s, false, w, w, k, e), lookup((units[first + 1] as { key: string }).key));
              if (s === 0) ms.set(`stem|${res}`, lookup((units[0] as { key: string }).key));
              if (s === stages - 1) {
                const tail = units.slice(1 + stages * c.maxDepth).reduce((a, u) => a + lookup(u.key), 0);
                ms.set(`tail|${res}|${w}`, tail);
              }
            }
          }
  return (arch) => {
    let total = ms.get(`stem|${arch.resolution}`) ?? NaN;
    let wPrev = 0;
    arch.stages.forEach((st, s) => {
      for (let b = 0; b < st.depth; b++) {
        const blk = st.blocks[b];
        if (!blk) break;
        total += ms.get(blockKey(arch.resolution, s, b === 0, b === 0 ? wPrev : st.width, st.width, blk.kernel, blk.expand)) ?? NaN;
      }
      wPrev = st.width;
    });
    total += ms.get(`tail|${arch.resolution}|${wPrev}`) ?? NaN;
    if (Number.isNaN(total)) throw new NotFoundError('compiled latency entry for arch', space.key(arch));
    return total;
  };
}
