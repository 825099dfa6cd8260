/**
 * Accelerator presets as storage hierarchies for the Timeloop-semantics model. Energies per word
 * access (pJ) and areas come from the tables in HARDWARE.md: Eyeriss uses the Accelergy 65 nm ERT of
 * the Timeloop eyeriss_like reference (DRAM 512 pJ / 64 b, GLB 18.18 / 14.14 pJ / 64 b, spads 1.98 /
 * 0.20 / 0.25 pJ, 8-b MAC 0.208 pJ, GLB 0.217 mm² per 128 KiB); the others use Horowitz 45 nm
 * (8-b mult 0.2 + add 0.03 pJ, SRAM 10 pJ / 64 b at 8 KB, 20 at 32 KB, 100 at 1 MB, DRAM 1.3 nJ /
 * 64 b). Multiplier areas by width are Bit Fusion's conf.ini figures (µm²-scale units).
 */
import { HardwareError } from '../core/errors.ts';
import type { LevelConstraints, LoopConstraint, SpatialConstraint } from './mapspace/constraints.ts';
import { validateArch, type ArchSpec, type StorageLevel } from './spec.ts';
import { parseFactorList, parsePermutationList } from './timeloop/directives.ts';
import { CONV_DIMS } from './workload.ts';

export interface LevelSpec {
  readonly name: string;
  /** Capacity in words of `wordBits` per instance (Infinity for DRAM). */
  readonly words: number;
  readonly wordBits: number;
  /** true: one instance per PE; false: one shared instance. */
  readonly perPe: boolean;
  readonly readPj: number;
  readonly writePj: number;
  readonly blockSize?: number;
  readonly bandwidth?: number;
  /** Data spaces this level holds; every other one bypasses it. */
  readonly keep?: readonly string[];
  readonly bypass?: readonly string[];
  /** Shorthand spatial constraints: only these dimensions may fan out along X / Y below this level. */
  readonly spatialX?: readonly string[];
  readonly spatialY?: readonly string[];
  /** Mapspace constraints in Timeloop's terms (mapspace/constraints.ts). */
  readonly temporal?: LoopConstraint;
  readonly spatial?: readonly SpatialConstraint[];
  readonly areaUm2?: number;
}

/** A loop constraint from Timeloop's strings: `tl('N=1 M=1', 'NMCR')`. */
export function tl(factors: string, permutation = ''): LoopConstraint {
  return { factors: parseFactorList(factors, 'preset factors'), permutation: parsePermutationList(permutation, 'preset permutation') };
}

/** LevelSpec's constraint fields as the level's LevelConstraints (absent when it has none). */
function levelConstraints(l: LevelSpec): LevelConstraints | undefined {
  const only = (axis: 'X' | 'Y', dims: readonly string[]): SpatialConstraint => ({
    axis, source: `${l.name} ${axis}`, factors: CONV_DIMS.filter((d) => !dims.includes(d)).map((dim) => ({ dim, op: '=' as const, value: 1 })),
  });
  const spatial = [...(l.spatial ?? []), ...(l.spatialX ? [only('X', l.spatialX)] : []), ...(l.spatialY ? [only('Y', l.spatialY)] : [])];
  const c: LevelConstraints = {
    ...(l.temporal ? { temporal: l.temporal } : {}), ...(spatial.length ? { spatial } : {}),
    ...(l.keep ? { keep: l.keep, keepOnly: true } : {}), ...(l.bypass ? { bypass: l.bypass } : {}),
  };
  return Object.keys(c).length ? c : undefined;
}

export interface PresetSpec {
  readonly name: string;
  readonly description: string;
  readonly rows: number;
  readonly cols: number;
  readonly macBits: number;
  readonly macPj: number;
  readonly clockGHz: number;
  /** Innermost first. */
  readonly levels: readonly LevelSpec[];
  readonly precision?: ArchSpec['precision'];
}

/** Multiplier area by operand width (Bit Fusion conf.ini), interpolated ∝ bits² between entries. */
export function multiplierArea(bits: number): number {
  const table: [number, number][] = [[2, 2.117], [4, 17.297], [8, 73.362], [16, 266.293]];
  for (const [b, a] of table) if (bits <= b) return a * (bits / b) ** 2;
  return 266.293 * (bits / 16) ** 2;
}

/** SRAM area estimate: 0.217 mm² per 128 KiB at 65 nm (Accelergy ERT of eyeriss_like), linear in bits. */
export function sramAreaUm2(bits: number): number {
  return (bits / (128 * 1024 * 8)) * 217_363;
}

export function buildArch(s: PresetSpec): ArchSpec {
  const pes = s.rows * s.cols;
  const levels: StorageLevel[] = s.levels.map((l) => ({
    name: l.name, sizeWords: l.words, wordBits: l.wordBits, blockSize: l.blockSize ?? 1,
    instances: l.perPe ? pes : 1, meshX: l.perPe ? s.cols : 1, meshY: l.perPe ? s.rows : 1,
    readBandwidth: l.bandwidth ?? Infinity, writeBandwidth: l.bandwidth ?? Infinity,
    energy: { read: l.readPj, write: l.writePj, update: l.writePj }, leakPj: 0,
    areaUm2: l.areaUm2 ?? (l.words === Infinity ? 0 : sramAreaUm2(l.words * l.wordBits)),
  }));
  s.levels.forEach((l, i) => {
    const c = levelConstraints(l);
    if (c) levels[i] = { ...(levels[i] as StorageLevel), constraints: c };
  });
  const a: ArchSpec = {
    name: s.name, levels, clockGHz: s.clockGHz, precision: s.precision ?? 'scaled',
    mac: { name: 'mac', instances: pes, meshX: s.cols, meshY: s.rows, energyPj: s.macPj, leakPj: 0, areaUm2: multiplierArea(s.macBits) * 1.3, bits: s.macBits },
  };
  validateArch(a);
  return a;
}

const H_SRAM = (kb: number): number => (kb <= 8 ? 10 : kb <= 32 ? 20 : kb <= 1024 ? 20 + (80 * (kb - 32)) / 992 : 100) / 8; // pJ per byte
const H_DRAM = 1300 / 8; // pJ per byte
const H_MAC8 = 0.23;
const REG = (name: string, keep: string, bits: number): LevelSpec => ({ name, words: bits <= 8 ? 2 : 1, wordBits: bits, perPe: true, readPj: 0.03 * bits / 8, writePj: 0.03 * bits / 8, keep: [keep] });
const DRAM = (bits: number, bandwidth?: number): LevelSpec => ({ name: 'DRAM', words: Infinity, wordBits: bits, perPe: false, readPj: H_DRAM * bits / 8, writePj: H_DRAM * bits / 8, ...(bandwidth ? { bandwidth } : {}) });
const GLB = (kb: number, bits: number, extra: Partial<LevelSpec> = {}): LevelSpec => ({
  name: 'GLB', words: (kb * 1024 * 8) / bits, wordBits: bits, perPe: false, readPj: H_SRAM(kb) * bits / 8, writePj: H_SRAM(kb) * bits / 8, ...extra,
});

export const PRESETS: Readonly<Record<string, PresetSpec>> = Object.freeze({
  eyeriss: {
    name: 'eyeriss', description: 'Eyeriss-like: 12×14 PEs, row-stationary, 16-b, 108 kB GLB bypassing weights, 200 MHz',
    rows: 12, cols: 14, macBits: 16, macPj: 0.208 * 4, clockGHz: 0.2,
    // Row-stationary mapspace of Timeloop's eyeriss_like arch: each PE column (X) works on output
    // rows Q (and M), each PE of a column (Y) on a filter row S (and C, M); inside a PE the weight
    // scratchpad iterates C and R, the psum scratchpad M, the ifmap scratchpad nothing.
    levels: [
      { name: 'psum_spad', words: 16, wordBits: 16, perPe: true, readPj: 0.25, writePj: 0.25, keep: ['Outputs'], temporal: tl('N=1 C=1 R=1 S=1 P=1 Q=1', 'N C P Q R S M') },
      { name: 'weights_spad', words: 192, wordBits: 16, perPe: true, readPj: 1.98, writePj: 1.98, keep: ['Weights'], temporal: tl('N=1 M=1 P=1 Q=1 S=1', 'N M P Q S C R') },
      { name: 'ifmap_spad', words: 12, wordBits: 16, perPe: true, readPj: 0.2, writePj: 0.18, keep: ['Inputs'], temporal: tl('N=1 M=1 C=1 P=1 Q=1 R=1 S=1', 'N M C P Q R S') },
      {
        name: 'shared_glb', words: 55296, wordBits: 16, perPe: false, readPj: 18.18 / 4, writePj: 14.14 / 4, keep: ['Inputs', 'Outputs'], bypass: ['Weights'], areaUm2: 217363 * 108 / 128,
        spatial: [
          { ...tl('N=1 C=1 P=1 R=1 S=1', 'N C P R S Q M'), axis: 'X', split: 999, source: 'PE_column' },
          { ...tl('N=1 P=1 Q=1 R=1', 'N P Q R S C M'), axis: 'Y', split: 0, source: 'PE' },
        ],
      },
      { name: 'DRAM', words: Infinity, wordBits: 16, perPe: false, readPj: 512 / 4, writePj: 512 / 4 },
    ],
  },
  'tpu-v1': {
    name: 'tpu-v1', description: 'TPU-v1-like: 256×256 8-b weight-stationary systolic array, 24 MiB unified buffer, 4 MiB accumulators, 700 MHz, 34 GB/s',
    rows: 256, cols: 256, macBits: 8, macPj: H_MAC8, clockGHz: 0.7,
    levels: [
      REG('weight_reg', 'Weights', 8),
      { name: 'accumulators', words: (4 * 1024 * 1024) / 4, wordBits: 32, perPe: false, readPj: H_SRAM(4096) * 4, writePj: H_SRAM(4096) * 4, keep: ['Outputs'], bypass: ['Inputs', 'Weights'] },
      GLB(24 * 1024, 8, { name: 'unified_buffer', keep: ['Inputs'], bypass: ['Weights'], spatialX: ['M'], spatialY: ['C', 'R', 'S'] }),
      DRAM(8, 34 / 0.7),
    ],
  },
  nvdla: {
    name: 'nvdla', description: 'NVDLA-like: 16 (K) × 64 (C) MAC cube, 512 KiB convolution buffer, 1 GHz',
    rows: 64, cols: 16, macBits: 8, macPj: H_MAC8,
    clockGHz: 1,
    levels: [REG('acc_reg', 'Outputs', 32), GLB(512, 8, { name: 'cbuf', spatialX: ['M'], spatialY: ['C'] }), DRAM(8, 32)],
  },
  simba: {
    name: 'simba', description: 'Simba-like: 4×4 PEs × 8×8 vector MACs, per-PE input/weight/accumulation buffers, 64 KiB GLB',
    rows: 32, cols: 32, macBits: 8, macPj: H_MAC8, clockGHz: 1,
    levels: [
      REG('weight_reg', 'Weights', 8),
      { name: 'accu_buffer', words: 384, wordBits: 24, perPe: true, readPj: 0.4, writePj: 0.4, keep: ['Outputs'] },
      { name: 'weight_buffer', words: 4096, wordBits: 8, perPe: true, readPj: 1.2, writePj: 1.2, keep: ['Weights'] },
      { name: 'input_buffer', words: 8192, wordBits: 8, perPe: true, readPj: 1.5, writePj: 1.5, keep: ['Inputs'] },
      GLB(64, 8, { bypass: ['Weights'] }), DRAM(8),
    ],
  },
  'simple-ws': {
    name: 'simple-ws', description: 'simple weight-stationary 16×16 array: per-PE weight register, 64 KiB GLB',
    rows: 16, cols: 16, macBits: 8, macPj: H_MAC8, clockGHz: 1,
    levels: [REG('weight_reg', 'Weights', 8), GLB(64, 8, { spatialX: ['M'], spatialY: ['C', 'R', 'S'] }), DRAM(8, 16)],
  },
  'simple-os': {
    name: 'simple-os', description: 'simple output-stationary 16×16 array: per-PE accumulator, 64 KiB GLB',
    rows: 16, cols: 16, macBits: 8, macPj: H_MAC8, clockGHz: 1,
    levels: [REG('acc_reg', 'Outputs', 24), GLB(64, 8, { spatialX: ['Q', 'P', 'N'], spatialY: ['M'] }), DRAM(8, 16)],
  },
  bitfusion: {
    name: 'bitfusion', description: 'Bit Fusion: 16×32 fusion units of 16 2-b BitBricks (8×8 → 1, 4×4 → 4, 2×2 → 16 products/cycle), 500 MHz',
    rows: 16, cols: 32, macBits: 8, macPj: H_MAC8, clockGHz: 0.5, precision: 'bitfusion',
    levels: [
      REG('acc_reg', 'Outputs', 32),
      { name: 'wbuf', words: 2048 * 8, wordBits: 8, perPe: false, readPj: H_SRAM(16), writePj: H_SRAM(16), keep: ['Weights'], bypass: ['Inputs', 'Outputs'] },
      GLB(112, 8, { name: 'ibuf_obuf', keep: ['Inputs'], bypass: ['Weights'], spatialX: ['M'], spatialY: ['C', 'R', 'S'] }),
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
