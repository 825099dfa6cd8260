/**
 * One tensor's footprint and traffic at one storage level, in the level's words, bytes and pJ:
 * - 'scaled' precision: a value of b bits takes b ÷ wordBits words; partial sums of the read-write
 *   tensor (outputs) are accumulator-wide, so on chip they take max(b, accBits) bits — a 4-b output
 *   is accumulated in a 32-b register and a spilled partial sum moves 32 b, not 4 — and only the
 *   final outputs written to the backing store move at b bits (run-length coded where the level
 *   codes them, compression.ts);
 * - 'fixed' precision (Timeloop): every value is one word;
 * - energy is charged per vector access of the level's width, as Timeloop does.
 */
import type { StorageLevel } from '../spec.ts';
import type { DataSpace } from '../workload.ts';
import type { TensorAccess } from './analysis.ts';
import { movedCounts } from './compression.ts';

export interface TensorTraffic {
  /** Words the tile occupies (before bank rounding). */
  readonly tileWords: number;
  readonly readWords: number;
  readonly writeWords: number;
  /** pJ per instance. */
  readonly energyPj: number;
  /** At the backing store: bytes as moved and uncoded. */
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly denseReadBytes: number;
  readonly denseWriteBytes: number;
}

/** Energy of `count` values of `bits` each: charged per vector access of the level's width. */
function vectorEnergy(count: number, lv: StorageLevel, perWord: number, bits: number, scaled: boolean): number {
  if (!scaled) return Math.ceil(count / lv.blockSize) * lv.blockSize * perWord;
  return Math.ceil((count * bits) / (lv.blockSize * lv.wordBits)) * lv.blockSize * perWord;
}

/** Traffic of tensor `ds` (access counts `raw`) at level `lv`; `top`: lv is the backing store. */
export function tensorTraffic(lv: StorageLevel, ds: DataSpace, raw: TensorAccess, scaled: boolean, accBits: number, top: boolean): TensorTraffic {
  const b = ds.bits;
  const pb = scaled && ds.readWrite ? Math.max(b, accBits) : b;
  const words = (bits: number): number => (scaled ? bits / lv.wordBits : 1);
  const bytes = (bits: number): number => (words(bits) * lv.wordBits) / 8;
  const s = movedCounts(lv, ds, raw);
  if (!ds.readWrite || !top || pb === b) {
    // on chip everything of the read-write tensor is a partial sum (accumulator-wide)
    const w = words(top ? b : pb);
    const e = vectorEnergy(s.reads, lv, lv.energy.read, top ? b : pb, scaled) + vectorEnergy(s.fills, lv, lv.energy.write, top ? b : pb, scaled)
      + vectorEnergy(s.updates, lv, lv.energy.update, top ? b : pb, scaled);
    const by = bytes(top ? b : pb);
    return {
      tileWords: raw.tile * words(pb), readWords: s.reads * w, writeWords: (s.fills + s.updates) * w, energyPj: e,
      readBytes: s.reads * by, writeBytes: (s.fills + s.updates) * by, denseReadBytes: raw.reads * by, denseWriteBytes: (raw.fills + raw.updates) * by,
    };
  }
  // backing store of a read-write tensor with wide partial sums: every partial sum spilled is read
  // back once (reads), so reads and as many updates move at pb; the rest of the updates are finals
  const partial = raw.reads;
  const finals = s.updates - partial;
  const rawFinals = raw.updates - partial;
  const e = vectorEnergy(partial, lv, lv.energy.read, pb, scaled) + vectorEnergy(partial, lv, lv.energy.update, pb, scaled)
    + vectorEnergy(finals, lv, lv.energy.update, b, scaled);
  return {
    tileWords: raw.tile * words(pb), readWords: partial * words(pb), writeWords: partial * words(pb) + finals * words(b), energyPj: e,
    readBytes: partial * bytes(pb), writeBytes: partial * bytes(pb) + finals * bytes(b),
    denseReadBytes: partial * bytes(pb), denseWriteBytes: partial * bytes(pb) + rawFinals * bytes(b),
  };
}
