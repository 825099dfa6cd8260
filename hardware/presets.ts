/**
 * Accelerator presets, each following a published design (its `source`), as storage hierarchies
 * for the Timeloop-semantics model. Areas and per-access energies come from the technology model
 * (tech/) at the design's node, except where a preset records a published energy table (Eyeriss:
 * the Accelergy 65 nm ERT of Timeloop's eyeriss_like — DRAM 512 pJ / 64 b, GLB 18.18 / 14.14 pJ /
 * 64 b, spads 1.98 / 0.20 / 0.25 pJ, 8-b MAC 0.208 pJ). DRAM: LPDDR at 8 pJ/bit (that ERT) or
 * DDR3 at 1.3 nJ per 64 b (Horowitz, ISSCC 2014).
 */
import { HardwareError } from '../core/errors.ts';
import { buildArch, tl, type LevelSpec, type PresetSpec } from './build-arch.ts';
import type { ArchSpec } from './spec.ts';

// Preset building lives in build-arch.ts; re-exported where presets have always offered it.
export { buildArch, tl, type LevelSpec, type PresetSpec } from './build-arch.ts';

const DDR3_PJ_PER_BYTE = 1300 / 8;
const REG = (name: string, keep: string, bits: number): LevelSpec => ({ name, words: bits <= 8 ? 2 : 1, wordBits: bits, perPe: true, keep: [keep] });
const DRAM = (bits: number, bandwidth?: number): LevelSpec => ({
  name: 'DRAM', words: Infinity, wordBits: bits, perPe: false, readPj: DDR3_PJ_PER_BYTE * bits / 8, writePj: DDR3_PJ_PER_BYTE * bits / 8, ...(bandwidth ? { bandwidth } : {}),
});
const GLB = (kib: number, bits: number, extra: Partial<LevelSpec> = {}): LevelSpec => ({ name: 'GLB', words: (kib * 1024 * 8) / bits, wordBits: bits, perPe: false, ...extra });

export const PRESETS: Readonly<Record<string, PresetSpec>> = Object.freeze({
  eyeriss: {
    name: 'eyeriss', description: 'Eyeriss chip: 12×14 PEs, row-stationary, 16 b, spads 12/224/24 words, 108 KB GLB (100 KB in 25 banks for ifmaps/psums, 8 KB filter prefetch), 65 nm, 200 MHz',
    source: 'Chen et al., "Eyeriss", JSSC 2017 (65 nm, 168 PEs, 108 KB GLB, 0.5 KB spads per PE, 200 MHz); energies: Accelergy 65 nm ERT of the Timeloop eyeriss_like reference',
    rows: 12, cols: 14, macBits: 16, accBits: 16, macPj: 0.208 * 4, clockGHz: 0.2, technologyNm: 65,
    // Row-stationary mapspace of Timeloop's eyeriss_like arch: each PE column (X) works on output
    // rows Q (and M), each PE of a column (Y) on a filter row S (and C, M); inside a PE the weight
    // scratchpad iterates C and R, the psum scratchpad M, the ifmap scratchpad nothing. As on the
    // chip (a PE set is R filter rows × E output rows), the whole filter height is spread over PE
    // rows (S=0 on Y): CONV1's 11 rows leave one PE row idle, 154 of 168 PEs busy as published;
    // and a PE runs 1-D convolutions of whole filter rows (R=0 in the weight scratchpad: its
    // p × q × S words of JSSC §IV-A, the ifmap scratchpad a q × S sliding window).
    levels: [
      { name: 'psum_spad', words: 24, wordBits: 16, perPe: true, readPj: 0.25, writePj: 0.25, keep: ['Outputs'], temporal: tl('N=1 C=1 R=1 S=1 P=1 Q=1', 'N C P Q R S M') },
      { name: 'weights_spad', words: 224, wordBits: 16, perPe: true, cell: 'sram', readPj: 1.98, writePj: 1.98, keep: ['Weights'], temporal: tl('N=1 M=1 P=1 Q=1 S=1 R=0', 'N M P Q S C R') },
      { name: 'ifmap_spad', words: 12, wordBits: 16, perPe: true, readPj: 0.2, writePj: 0.18, keep: ['Inputs'], temporal: tl('N=1 M=1 C=1 P=1 Q=1 R=1 S=1', 'N M C P Q R S') },
      // 108 KB of SRAM: 100 KB in 25 banks of 4 KB, each holding ifmaps or psums, and 8 KB that
      // only prefetches the next pass's filters (JSSC §V-A), so weights bypass it in the mapspace
      {
        name: 'shared_glb', words: 51200, arrayWords: 55296, bankWords: 2048, wordBits: 16, perPe: false, readPj: 18.18 / 4, writePj: 14.14 / 4,
        keep: ['Inputs', 'Outputs'], bypass: ['Weights'],
        spatial: [
          { ...tl('N=1 C=1 P=1 R=1 S=1', 'N C P R S Q M'), axis: 'X', split: 999, source: 'PE_column' },
          { ...tl('N=1 P=1 Q=1 R=1 S=0', 'N P Q R S C M'), axis: 'Y', split: 0, source: 'PE' },
        ],
      },
      // the chip run-length codes feature maps to and from DRAM (ifmaps in, ReLU'd ofmaps out)
      { name: 'DRAM', words: Infinity, wordBits: 16, perPe: false, readPj: 512 / 4, writePj: 512 / 4, compression: 'rlc' },
    ],
  },
  'tpu-v1': {
    name: 'tpu-v1', description: 'TPU v1: 256×256 8-b weight-stationary systolic array, 24 MiB unified buffer, 4 MiB accumulators, 28 nm, 700 MHz, 34 GB/s',
    source: 'Jouppi et al., "In-datacenter performance analysis of a tensor processing unit", ISCA 2017 (28 nm, 700 MHz, 92 TOPS)',
    rows: 256, cols: 256, macBits: 8, accBits: 32, clockGHz: 0.7, technologyNm: 28,
    levels: [
      REG('weight_reg', 'Weights', 8),
      { name: 'accumulators', words: (4 * 1024 * 1024) / 4, wordBits: 32, perPe: false, keep: ['Outputs'], bypass: ['Inputs', 'Weights'] },
      GLB(24 * 1024, 8, { name: 'unified_buffer', keep: ['Inputs'], bypass: ['Weights'], spatialX: ['M'], spatialY: ['C', 'R', 'S'] }),
      DRAM(8, 34 / 0.7),
    ],
  },
  nvdla: {
    name: 'nvdla', description: 'NVDLA nv_full-like: 16 (K) × 64 (C) 8-b MAC cube, 512 KiB convolution buffer, 16 nm, 1 GHz',
    source: 'NVDLA v1 hardware architecture, nv_full configuration (Atomic-C 64 × Atomic-K 16, 512 KiB CBUF); NVDLA is an IP, the 16 nm node is our choice',
    rows: 64, cols: 16, macBits: 8, clockGHz: 1, technologyNm: 16,
    levels: [REG('acc_reg', 'Outputs', 32), GLB(512, 8, { name: 'cbuf', spatialX: ['M'], spatialY: ['C'] }), DRAM(8, 32)],
  },
  simba: {
    name: 'simba', description: 'Simba chiplet: 4×4 PEs × 8 lanes × 8-wide 8-b vector MACs, per-PE 32 KB weight / 8 KB input / 3 KB accumulation buffers, 64 KB global buffer, 16 nm, 2 GHz',
    source: 'Shao et al., "Simba", MICRO 2019; Zimmer et al., VLSI 2019 (16 nm, 4.01 TOPS peak per chiplet)',
    rows: 32, cols: 32, macBits: 8, accBits: 24, clockGHz: 2, technologyNm: 16,
    levels: [
      REG('weight_reg', 'Weights', 8),
      { name: 'accu_buffer', words: 1024, wordBits: 24, perPe: false, mesh: [4, 4], cell: 'sram', keep: ['Outputs'], spatialX: ['C'], spatialY: ['M'] },
      { name: 'weight_buffer', words: 32768, wordBits: 8, perPe: false, mesh: [4, 4], keep: ['Weights'] },
      { name: 'input_buffer', words: 8192, wordBits: 8, perPe: false, mesh: [4, 4], keep: ['Inputs'] },
      GLB(64, 8, { name: 'global_buffer', bypass: ['Weights'] }), DRAM(8),
    ],
  },
  diannao: {
    name: 'diannao', description: 'DianNao: NFU of 16 × 16 16-b multipliers with adder trees, 32 KB SB, 2 + 2 KB NBin/NBout, 65 nm, 0.98 GHz',
    source: 'Chen et al., "DianNao", ASPLOS 2014 (65 nm layout: 3.02 mm², 485 mW, 452 GOP/s at 0.98 GHz)',
    rows: 16, cols: 16, macBits: 16, accBits: 16, clockGHz: 0.98, technologyNm: 65,
    levels: [
      { name: 'SB', words: 16384, wordBits: 16, perPe: false, blockSize: 256, keep: ['Weights'], bypass: ['Inputs', 'Outputs'], spatialX: ['M'], spatialY: ['C'] },
      { name: 'NB', words: 2048, wordBits: 16, perPe: false, arrays: 2, blockSize: 16, keep: ['Inputs', 'Outputs'], bypass: ['Weights'] },
      DRAM(16),
    ],
  },
  shidiannao: {
    name: 'shidiannao', description: 'ShiDianNao: 8×8 output-stationary 16-b PEs, 128 KB SB, 64 + 64 KB NBin/NBout, 65 nm, 1 GHz',
    source: 'Du et al., "ShiDianNao", ISCA 2015 (65 nm layout: 4.86 mm², 320 mW at 1 GHz; NBin, NBout 64 KB each, SB 128 KB; its 32 KB instruction buffer is costed as an SRAM outside the data path)',
    rows: 8, cols: 8, macBits: 16, accBits: 16, clockGHz: 1, technologyNm: 65, auxSramKiB: [32],
    levels: [
      REG('out_reg', 'Outputs', 16),
      { name: 'SB', words: 65536, wordBits: 16, perPe: false, keep: ['Weights'], bypass: ['Inputs', 'Outputs'], spatialX: ['Q'], spatialY: ['P'] },
      { name: 'NB', words: 65536, wordBits: 16, perPe: false, arrays: 2, keep: ['Inputs', 'Outputs'], bypass: ['Weights'] },
      DRAM(16),
    ],
  },
  'simple-ws': {
    name: 'simple-ws', description: 'simple weight-stationary 16×16 array: per-PE weight register, 64 KiB GLB, 45 nm',
    source: 'textbook weight-stationary array in the style of the Timeloop/Accelergy exercises (45 nm)',
    rows: 16, cols: 16, macBits: 8, clockGHz: 1, technologyNm: 45,
    levels: [REG('weight_reg', 'Weights', 8), GLB(64, 8, { spatialX: ['M'], spatialY: ['C', 'R', 'S'] }), DRAM(8, 16)],
  },
  'simple-os': {
    name: 'simple-os', description: 'simple output-stationary 16×16 array: per-PE accumulator, 64 KiB GLB, 45 nm',
    source: 'textbook output-stationary array in the style of the Timeloop/Accelergy exercises (45 nm)',
    rows: 16, cols: 16, macBits: 8, clockGHz: 1, technologyNm: 45,
    levels: [REG('acc_reg', 'Outputs', 24), GLB(64, 8, { spatialX: ['Q', 'P', 'N'], spatialY: ['M'] }), DRAM(8, 16)],
  },
  bitfusion: {
    name: 'bitfusion', description: 'Bit Fusion: 16×32 fusion units of 16 2-b BitBricks (8×8 → 1, 4×4 → 4, 2×2 → 16 products/cycle), 64 KB weight buffer banked per unit, 32 KB input buffer, 16 KB output buffer banked per column, 45 nm, 500 MHz, 192 b/cycle off chip',
    source: 'Sharma et al., "Bit Fusion", ISCA 2018 (45 nm, 500 MHz, 512 fusion units); buffers and interface of its simulator\'s evaluated configuration (github.com/hsharma35/bitfusion: WBUF 64 KB in one bank per unit, IBUF 32 KB per row, OBUF 16 KB of 32-b sums per column, double-buffered so half of each holds tiles; 32-b sums, its oprec; 192 b/cycle); a fusion unit is costed as an 8×8 MAC',
    rows: 16, cols: 32, macBits: 8, accBits: 32, clockGHz: 0.5, technologyNm: 45, precision: 'bitfusion',
    levels: [
      // a unit's lanes and the 16 rows unroll input channels, as the simulator does (⌈ic ÷ (16 × rate)⌉):
      // C is the innermost loop, and partial sums flow down each column into its output bank
      { name: 'wbuf', words: 64, arrayWords: 128, wordBits: 8, perPe: true, cell: 'sram', keep: ['Weights'], temporal: tl('', 'C') },
      { name: 'obuf', words: 64, arrayWords: 128, wordBits: 32, perPe: false, mesh: [32, 1], cell: 'sram', keep: ['Outputs'], spatialY: ['C'] },
      { name: 'ibuf', words: 16384, arrayWords: 32768, wordBits: 8, perPe: false, keep: ['Inputs'], spatialX: ['M'] },
      DRAM(8, 24),
    ],
  },
});

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function preset(name: string): ArchSpec {
  const s = PRESETS[name];
  if (!s) throw new HardwareError(`unknown preset "${name}" (known: ${presetNames().join(', ')})`, { field: 'preset', value: name });
  return buildArch(s);
}

/** Peak MAC operations per second (×2 for ops); Bit Fusion at 8×8. */
export function peakMacsPerSecond(a: ArchSpec): number {
  return a.mac.instances * a.clockGHz * 1e9;
}
