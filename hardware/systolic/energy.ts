/**
 * Per-access energy for the systolic mode: Horowitz, "Computing's energy problem", ISSCC 2014
 * (45 nm, 0.9 V), as collected in HARDWARE.md. One table, recorded by name in every preset.
 *
 * - MAC at b bits: multiply 0.2 pJ at 8 b scaled by (b/8)² (gives 3.2 pJ at 32 b against the
 *   quoted 3.1) plus an accumulate add of 0.03 pJ at 8 b scaled linearly (0.12 at 32 b vs 0.1).
 * - SRAM: 64-bit read 10 pJ at 8 KB, 20 pJ at 32 KB, 100 pJ at 1 MB; log-log interpolation between
 *   those points, clamped outside them; a word of b bits costs b/64 of a 64-bit access. Writes are
 *   charged as reads (the table has reads only).
 * - DRAM: 1.3–2.6 nJ per 64 bits; the mid-range 1.95 nJ is used, scaled by b/64 per word.
 */
import type { SramCounts, DramCounts, SystolicEnergy } from './types.ts';

export interface EnergyTable {
  readonly name: string;
  /** pJ per MAC at the given operand width. */
  macPj(bits: number): number;
  /** pJ per access of one word of `bits` bits to an SRAM of `kb` kilobytes. */
  sramPj(kb: number, bits: number): number;
  /** pJ per word of `bits` bits moved over the DRAM interface. */
  dramPj(bits: number): number;
}

const SRAM_POINTS: readonly (readonly [number, number])[] = [
  [8, 10],
  [32, 20],
  [1024, 100],
];

function sram64Pj(kb: number): number {
  const first = SRAM_POINTS[0] as readonly [number, number];
  const last = SRAM_POINTS[SRAM_POINTS.length - 1] as readonly [number, number];
  if (kb <= first[0]) return first[1];
  if (kb >= last[0]) return last[1];
  for (let i = 1; i < SRAM_POINTS.length; i++) {
    const [k1, e1] = SRAM_POINTS[i] as readonly [number, number];
    const [k0, e0] = SRAM_POINTS[i - 1] as readonly [number, number];
    if (kb <= k1) {
      const f = Math.log(kb / k0) / Math.log(k1 / k0);
      return e0 * Math.pow(e1 / e0, f);
    }
  }
  return last[1];
}

export const HOROWITZ_45NM: EnergyTable = {
  name: 'horowitz-45nm',
  macPj: (bits) => 0.2 * (bits / 8) ** 2 + 0.03 * (bits / 8),
  sramPj: (kb, bits) => (sram64Pj(kb) * bits) / 64,
  dramPj: (bits) => (1950 * bits) / 64,
};

export interface EnergyInputs {
  readonly macs: number;
  readonly bits: number;
  readonly sram: SramCounts;
  readonly dram: DramCounts;
  readonly ifmapSramKb: number;
  readonly filterSramKb: number;
  readonly ofmapSramKb: number;
}

export function systolicEnergy(x: EnergyInputs, table: EnergyTable = HOROWITZ_45NM): SystolicEnergy {
  const macPj = x.macs * table.macPj(x.bits);
  const sramPj =
    x.sram.ifmapReads * table.sramPj(x.ifmapSramKb, x.bits) +
    x.sram.filterReads * table.sramPj(x.filterSramKb, x.bits) +
    x.sram.ofmapWrites * table.sramPj(x.ofmapSramKb, x.bits);
  const dramPj = (x.dram.ifmapReads + x.dram.filterReads + x.dram.ofmapWrites) * table.dramPj(x.bits);
  return { macPj, sramPj, dramPj, totalPj: macPj + sramPj + dramPj };
}
