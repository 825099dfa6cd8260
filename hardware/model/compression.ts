/**
 * Run-length coding of feature maps, as Eyeriss moves them to and from DRAM (Chen et al., JSSC
 * 2017): the zeros a ReLU leaves are sent as (5-bit run, level) pairs, three 16-bit pairs per 64-bit
 * word plus a flag bit. A run longer than 31 zeros needs an extra pair. With i.i.d. zeros of
 * probability z = 1 − density, a nonzero ends a geometric run, so pairs per value = d / (1 − z³²)
 * and bits per value = d / (1 − z³²) × 64 / pairsPerWord. A design codes a tensor only where that
 * is smaller than the raw word (the chip leaves CONV1's dense image uncoded), so coding never costs.
 *
 * Which values are coded at a level that codes: input activations it sends down, and final output
 * activations written into it. Partial sums (before ReLU) and weights move raw.
 */
import type { StorageLevel } from '../spec.ts';
import type { DataSpace } from '../workload.ts';
import type { TensorAccess } from './analysis.ts';

const RUN_BITS = 5;
const MAX_RUN = 2 ** RUN_BITS - 1;
const WORD_BITS = 64;

/** Bits per value of a run-length coded stream of `bits`-bit values at nonzero fraction `density`. */
export function rlcBitsPerValue(density: number, bits: number): number {
  const d = Math.min(1, Math.max(0, density));
  if (d === 0) return 0;
  const pairsPerWord = Math.max(1, Math.floor((WORD_BITS - 1) / (RUN_BITS + bits)));
  const pairsPerValue = d / (1 - (1 - d) ** (MAX_RUN + 1));
  return (pairsPerValue * WORD_BITS) / pairsPerWord;
}

/** Fraction of a tensor's raw bits the level actually moves for its coded values (≤ 1). */
export function codedRatio(lv: StorageLevel, ds: DataSpace): number {
  if (lv.compression !== 'rlc' || (ds.name !== 'Inputs' && ds.name !== 'Outputs')) return 1;
  return Math.min(1, rlcBitsPerValue(ds.density ?? 1, ds.bits) / ds.bits);
}

/**
 * Value counts as moved: coded input reads and fills, coded final output writes (updates minus
 * the partial sums, which are read back and so number `reads`); everything else raw.
 */
export function movedCounts(lv: StorageLevel, ds: DataSpace, s: TensorAccess): TensorAccess {
  const r = codedRatio(lv, ds);
  if (r === 1) return s;
  if (!ds.readWrite) return { ...s, reads: s.reads * r, fills: s.fills * r };
  const finals = s.updates - s.reads;
  return { ...s, updates: s.reads + finals * r };
}
