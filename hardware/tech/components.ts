/**
 * Area and energy of the components of an accelerator by capacity, access width, bits and node.
 * Every table is at 45 nm (or converted to it) and moves to other nodes with Stillmaker & Baas
 * (scaling.ts).
 *
 * - SRAM area and access energy: CACTI 6.5 at 45 nm (ITRS-HP cells, one 32-bit port), the sweep
 *   published with the Bit Fusion simulator (github.com/hsharma35/bitfusion,
 *   bitfusion/sram/cacti_sweep.csv): 128 B … 16 KB. Larger arrays: area extends the 8→16 KB slope
 *   (density still rises slowly with size); read energy follows Horowitz, "Computing's energy
 *   problem", ISSCC 2014 (45 nm: 64-bit read 20 pJ at 32 KB, 100 pJ at 1 MB). A word of b bits
 *   costs b/32 of a 32-bit access. (Accelergy's CACTI figure for the eyeriss_like 128 KiB buffer,
 *   0.217 mm² at 65 nm = 0.21 µm²/bit, is below the 65 nm 6T bit-cell of ≈0.5 µm², so it is not used.)
 * - Register files (flip-flop arrays, the default up to 1 Kbit as in Eyeriss's ifmap/psum spads):
 *   Aladdin's 40 nm register, 5.98 µm² and 0.009 pJ per bit access (Shao et al., ISCA 2014, as
 *   tabulated in Accelergy's library plug-in).
 * - MAC: area of Aladdin's 40 nm 32×32 multiplier (6350 µm², ∝ product of operand widths) and 32-bit
 *   adder (278 µm², ∝ width); energy of Horowitz's 45 nm integer ops (8-b multiply 0.2 pJ ∝ product
 *   of widths; add 0.03 pJ at 8 b, 0.1 pJ at 32 b).
 */
import { logLogInterp, type Points } from './interp.ts';
import { areaFactor, energyFactor } from './scaling.ts';

export type CellKind = 'sram' | 'reg';

/** Arrays up to this size default to flip-flop register files. */
export const REGFILE_MAX_BITS = 1024;

// CACTI 6.5, 45 nm, 32-bit port (Bit Fusion sweep): capacity in bits → area µm², read pJ, write pJ.
const CACTI_AREA: Points = [[1024, 1499], [8192, 8824], [16384, 15132], [32768, 30061], [65536, 57506], [131072, 108577]];
const CACTI_READ: Points = [[1024, 0.684], [8192, 1.133], [16384, 1.903], [32768, 3.430], [65536, 6.392], [131072, 9.982]];
const CACTI_WRITE: Points = [[1024, 0.925], [8192, 3.296], [16384, 3.639], [32768, 4.310], [65536, 5.563], [131072, 8.421]];
// Horowitz 45 nm beyond CACTI's range: per 32-bit access (half a 64-bit read).
const HOROWITZ_READ: Points = [[131072, 9.982], [262144, 10], [8388608, 50]];
const CACTI_MAX_BITS = 131072;
const WRITE_OVER_READ = 8.421 / 9.982;

// Aladdin (40 nm) converted to 45 nm.
const AL = 1 / areaFactor(40);
const ALE = 1 / energyFactor(40);
const REG_UM2_PER_BIT = 5.98 * AL;
const REG_PJ_PER_BIT = 0.009 * ALE;
const MULT32_UM2 = 6350 * AL;
const ADD32_UM2 = 278 * AL;

export function defaultCell(bits: number): CellKind {
  return bits <= REGFILE_MAX_BITS ? 'reg' : 'sram';
}

/** Area (µm²) of one storage array of `bits` bits at node `nm`. */
export function storageAreaUm2(bits: number, cell: CellKind, nm: number): number {
  if (!(bits > 0) || bits === Infinity) return 0;
  const at45 = cell === 'reg' ? bits * REG_UM2_PER_BIT : logLogInterp(CACTI_AREA, bits);
  return at45 * areaFactor(nm);
}

/** Energy (pJ) of one access moving `accessBits` bits to or from an array of `bits` bits. */
export function storageAccessPj(bits: number, accessBits: number, cell: CellKind, nm: number, op: 'read' | 'write'): number {
  let at45: number;
  if (cell === 'reg') at45 = accessBits * REG_PJ_PER_BIT;
  else {
    const big = bits > CACTI_MAX_BITS;
    const read = logLogInterp(big ? HOROWITZ_READ : CACTI_READ, bits);
    // Beyond CACTI's range writes keep CACTI's write/read ratio at its largest size.
    const per32 = op === 'read' ? read : big ? read * WRITE_OVER_READ : logLogInterp(CACTI_WRITE, bits);
    at45 = (per32 * accessBits) / 32;
  }
  return at45 * energyFactor(nm);
}

/** Area (µm²) of one MAC: a bitsA × bitsW multiplier and an accBits-wide accumulate adder. */
export function macAreaUm2(bitsA: number, bitsW: number, accBits: number, nm: number): number {
  return (MULT32_UM2 * (bitsA * bitsW) / 1024 + ADD32_UM2 * accBits / 32) * areaFactor(nm);
}

/** Energy (pJ) of one integer add of `bits` bits (Horowitz: 0.03 pJ at 8 b, 0.1 pJ at 32 b, 45 nm). */
export function addEnergyPj(bits: number, nm: number): number {
  return (bits <= 8 ? 0.03 * bits / 8 : 0.03 + (0.07 * (bits - 8)) / 24) * energyFactor(nm);
}

/** Energy (pJ) of one multiply-accumulate. */
export function macEnergyPj(bitsA: number, bitsW: number, accBits: number, nm: number): number {
  return 0.2 * (bitsA * bitsW) / 64 * energyFactor(nm) + addEnergyPj(accBits, nm);
}
