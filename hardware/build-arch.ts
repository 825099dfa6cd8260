/**
 * From a compact description (PE array, technology node, storage levels) to an ArchSpec whose
 * per-access energies and areas come from the technology model (tech/components.ts) unless a level
 * gives them, e.g. from a published energy reference table of that design.
 */
import { HardwareError } from '../core/errors.ts';
import type { LevelConstraints, LoopConstraint, SpatialConstraint } from './mapspace/constraints.ts';
import { addEnergyPj, defaultCell, macAreaUm2, macEnergyPj, storageAccessPj, storageAreaUm2, type CellKind } from './tech/components.ts';
import { checkNode } from './tech/scaling.ts';
import { validateArch, type ArchSpec, type StorageLevel } from './spec.ts';
import { parseFactorList, parsePermutationList } from './timeloop/directives.ts';
import { CONV_DIMS } from './workload.ts';

export interface LevelSpec {
  readonly name: string;
  /** Capacity in words of `wordBits` per instance (Infinity for DRAM). */
  readonly words: number;
  /**
   * Words of the physical array when part of it is reserved outside the mapspace (Eyeriss: 8 KB of
   * the 108 KB global buffer only prefetch filters); sets the area and default access energy.
   */
  readonly arrayWords?: number;
  readonly wordBits: number;
  /** true: one instance per PE (MAC); false: one shared instance, unless `mesh` is given. */
  readonly perPe: boolean;
  /** Instances laid out meshX × meshY (e.g. Simba's 4×4 PEs of 64 MACs each); overrides perPe. */
  readonly mesh?: readonly [number, number];
  /** Flip-flop register file or SRAM (default: register file up to 1 Kbit). */
  readonly cell?: CellKind;
  /** Physical arrays the capacity is split into, each costed on its own (e.g. DianNao's NBin + NBout). */
  readonly arrays?: number;
  /** pJ per word; default from the technology model at the preset's node (required for DRAM). */
  readonly readPj?: number;
  readonly writePj?: number;
  readonly blockSize?: number;
  /** Capacity allocated in banks of this many words, one data space per bank (StorageLevel.bankWords). */
  readonly bankWords?: number;
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
  /** Feature maps to and from this level are run-length coded (Eyeriss's DRAM interface). */
  readonly compression?: 'rlc';
  /** Area per instance, µm²; default from the technology model. */
  readonly areaUm2?: number;
}

export interface PresetSpec {
  readonly name: string;
  readonly description: string;
  /** The published design the preset follows (paper, node, figures used). */
  readonly source: string;
  /** MAC array: rows × cols. */
  readonly rows: number;
  readonly cols: number;
  readonly macBits: number;
  /** Accumulator width of each MAC's adder (default 2 × macBits + 8, capped at 32). */
  readonly accBits?: number;
  /** pJ per MAC; default from the technology model. */
  readonly macPj?: number;
  readonly clockGHz: number;
  readonly technologyNm: number;
  /** Innermost first. */
  readonly levels: readonly LevelSpec[];
  readonly precision?: ArchSpec['precision'];
  readonly areaOverhead?: number;
  /** SRAMs outside the data path, KiB each (an instruction buffer): costed as area, never mapped. */
  readonly auxSramKiB?: readonly number[];
  readonly epilogue?: ArchSpec['epilogue'];
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

function level(s: PresetSpec, l: LevelSpec): StorageLevel {
  const [meshX, meshY] = l.mesh ?? (l.perPe ? [s.cols, s.rows] : [1, 1]);
  const blockSize = l.blockSize ?? 1;
  const dram = l.words === Infinity;
  if (dram && (l.readPj === undefined || l.writePj === undefined)) {
    throw new HardwareError(`preset ${s.name}: ${l.name} (backing store) needs readPj and writePj`, { field: `${l.name}.readPj`, value: l.readPj });
  }
  const arrays = l.arrays ?? 1;
  const arrayBits = ((l.arrayWords ?? l.words) * l.wordBits) / arrays;
  const cell = l.cell ?? defaultCell(arrayBits);
  const accessBits = l.wordBits * blockSize;
  const perWord = (op: 'read' | 'write'): number => storageAccessPj(arrayBits, accessBits, cell, s.technologyNm, op) / blockSize;
  const read = l.readPj ?? perWord('read');
  const write = l.writePj ?? perWord('write');
  const constraints = levelConstraints(l);
  return {
    name: l.name, sizeWords: l.words, wordBits: l.wordBits, blockSize,
    instances: meshX * meshY, meshX, meshY,
    readBandwidth: l.bandwidth ?? Infinity, writeBandwidth: l.bandwidth ?? Infinity,
    energy: { read, write, update: write }, leakPj: 0,
    areaUm2: l.areaUm2 ?? (dram ? 0 : arrays * storageAreaUm2(arrayBits, cell, s.technologyNm)),
    ...(constraints ? { constraints } : {}),
    ...(l.compression ? { compression: l.compression } : {}),
    ...(l.bankWords ? { bankWords: l.bankWords } : {}),
    // an off-chip bus carries reads and writes alike
    ...(dram && l.bandwidth !== undefined ? { sharedBandwidth: true } : {}),
  };
}

export function buildArch(s: PresetSpec): ArchSpec {
  checkNode(s.technologyNm, `${s.name}.technologyNm`);
  const pes = s.rows * s.cols;
  const acc = s.accBits ?? Math.min(32, 2 * s.macBits + 8);
  const a: ArchSpec = {
    name: s.name, levels: s.levels.map((l) => level(s, l)), clockGHz: s.clockGHz, precision: s.precision ?? 'scaled',
    technologyNm: s.technologyNm, ...(s.areaOverhead !== undefined ? { areaOverhead: s.areaOverhead } : {}),
    ...(s.auxSramKiB?.length ? { auxStorageUm2: s.auxSramKiB.reduce((t, kib) => t + storageAreaUm2(kib * 8192, 'sram', s.technologyNm), 0) } : {}),
    ...(s.epilogue ? { epilogue: s.epilogue } : {}),
    mac: {
      name: 'mac', instances: pes, meshX: s.cols, meshY: s.rows, leakPj: 0, bits: s.macBits, accBits: acc,
      energyPj: s.macPj ?? macEnergyPj(s.macBits, s.macBits, acc, s.technologyNm),
      areaUm2: macAreaUm2(s.macBits, s.macBits, acc, s.technologyNm),
      addPj: addEnergyPj(acc, s.technologyNm),
    },
  };
  validateArch(a);
  return a;
}
