/**
 * Architecture spec: a chain of storage levels from the MAC up to DRAM, each with its own number
 * of instances (the spatial fan-out between two levels is the ratio of their instance counts, laid
 * out meshX × meshY), capacity, bandwidth and energy per access. Energies are per scalar word, so
 * ERT entries (per vector access of `blockSize` words) are divided by the block size on import.
 */
import { HardwareError } from '../core/errors.ts';
import type { LevelConstraints } from './mapspace/constraints.ts';
import { CORE_OVERHEAD } from './tech/calibration.ts';

export interface AccessEnergy {
  /** pJ per word read (to a child or to the MAC). */
  readonly read: number;
  /** pJ per word filled from the parent. */
  readonly write: number;
  /** pJ per partial-sum word written back by a child. */
  readonly update: number;
}

export interface StorageLevel {
  readonly name: string;
  /** Capacity in words per instance; Infinity for DRAM. */
  readonly sizeWords: number;
  readonly wordBits: number;
  /** Words per vector access (width / datawidth). */
  readonly blockSize: number;
  /**
   * Capacity is allocated in banks of this many words, each holding one data space (Eyeriss's
   * global buffer: 25 banks of 4 KB, each assigned to ifmaps or psums); absent = one shared pool.
   */
  readonly bankWords?: number;
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
  /** Words per cycle per instance; Infinity when unconstrained. */
  readonly readBandwidth: number;
  readonly writeBandwidth: number;
  readonly energy: AccessEnergy;
  /** Leakage pJ per utilized instance per cycle. */
  readonly leakPj: number;
  /** Area per instance, µm² (the array itself; control and wiring are in the core overhead). */
  readonly areaUm2: number;
  /** Mapspace constraints on this level's loops, its fan-out and what it keeps (absent = free). */
  readonly constraints?: LevelConstraints;
  /** Feature maps move to and from this level run-length coded (Eyeriss's DRAM interface). */
  readonly compression?: 'rlc';
  /** Reads and writes share one bandwidth (an off-chip bus): a layer needs ≥ (reads + writes) ÷ bandwidth cycles. */
  readonly sharedBandwidth?: boolean;
}

export interface MacUnit {
  readonly name: string;
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
  /** pJ per MAC at `bits` × `bits` operands. */
  readonly energyPj: number;
  readonly leakPj: number;
  readonly areaUm2: number;
  readonly bits: number;
  /** Accumulator width: partial sums are this wide on chip and when spilled (absent: the outputs' own width). */
  readonly accBits?: number;
  /** pJ of an add alone (residual adds, pooling sums); absent = a fraction of energyPj (model/non-mac.ts). */
  readonly addPj?: number;
}

export interface ArchSpec {
  readonly name: string;
  /** levels[0] is the innermost storage (next to the MAC); the last is the backing store. */
  readonly levels: readonly StorageLevel[];
  readonly mac: MacUnit;
  readonly clockGHz: number;
  /**
   * 'fixed' (Timeloop: every value is one word of the level), 'scaled' (words per buffer and
   * bytes moved follow each tensor's bit-width), 'bitfusion' (scaled, plus Bit Fusion throughput:
   * 16 2-bit bricks per MAC, 16 / (ceil(ba/2)·ceil(bw/2)) products per cycle). Absent = 'fixed'.
   */
  readonly precision?: 'fixed' | 'scaled' | 'bitfusion';
  /** Mapspace constraint: used MACs ÷ all MACs must reach this (Timeloop's `utilization` min). */
  readonly minUtilization?: number;
  /** Charge the MAC's leakage per utilized MAC per cycle. Timeloop charges none, so absent = false. */
  readonly macLeakage?: boolean;
  /** CMOS node (nm) the areas and energies are for; absent when unknown (e.g. a Timeloop file without it). */
  readonly technologyNm?: number;
  /**
   * Control, NoC, clock tree and placement overhead as a fraction of the storage + MAC area
   * (core = components × (1 + overhead)); absent = CORE_OVERHEAD (tech/calibration.ts).
   */
  readonly areaOverhead?: number;
  /** Area of SRAMs outside the data path (e.g. an instruction buffer), µm²: counted as storage, never mapped. */
  readonly auxStorageUm2?: number;
  /**
   * 'fused' (default): batch-norm and activation are applied on write-back at no cost; 'separate':
   * each is a pass over the layer's outputs through the backing store (model/non-mac.ts).
   */
  readonly epilogue?: 'fused' | 'separate';
}

function bad(arch: string, field: string, value: unknown, problem: string): never {
  throw new HardwareError(`arch ${arch}: ${field} ${problem}`, { field, value });
}

/** Instances of the level just below `l` (the MAC when l = 0). */
export function childInstances(a: ArchSpec, l: number): number {
  return l === 0 ? a.mac.instances : (a.levels[l - 1] as StorageLevel).instances;
}

/** Spatial fan-out from level l to its children, split along X and Y. */
export function fanout(a: ArchSpec, l: number): { x: number; y: number; total: number } {
  const lv = a.levels[l] as StorageLevel;
  const cx = l === 0 ? a.mac.meshX : (a.levels[l - 1] as StorageLevel).meshX;
  const cy = l === 0 ? a.mac.meshY : (a.levels[l - 1] as StorageLevel).meshY;
  const total = childInstances(a, l) / lv.instances;
  const x = cx / lv.meshX;
  const y = cy / lv.meshY;
  // Instance counts from an ERT may not follow the mesh (e.g. a container moved by the front end);
  // then trust the count and put the whole fan-out on X.
  if (x * y !== total || !Number.isInteger(x) || !Number.isInteger(y)) return { x: total, y: 1, total };
  return { x, y, total };
}

export function validateArch(a: ArchSpec): void {
  if (a.levels.length === 0) bad(a.name, 'levels', a.levels, 'must contain at least one storage level');
  if (!(a.clockGHz > 0)) bad(a.name, 'clockGHz', a.clockGHz, 'must be > 0');
  if (!(a.mac.energyPj >= 0)) bad(a.name, 'mac.energyPj', a.mac.energyPj, 'must be ≥ 0');
  if (a.minUtilization !== undefined && !(a.minUtilization >= 0 && a.minUtilization <= 1)) bad(a.name, 'utilization.min', a.minUtilization, 'must be in [0, 1]');
  if (a.areaOverhead !== undefined && !(a.areaOverhead >= 0)) bad(a.name, 'areaOverhead', a.areaOverhead, 'must be ≥ 0');
  if (a.auxStorageUm2 !== undefined && !(a.auxStorageUm2 >= 0)) bad(a.name, 'auxStorageUm2', a.auxStorageUm2, 'must be ≥ 0');
  a.levels.forEach((lv, i) => {
    const f = `levels[${i}] (${lv.name})`;
    if (!(lv.sizeWords > 0)) bad(a.name, `${f}.sizeWords`, lv.sizeWords, 'must be > 0');
    if (!Number.isInteger(lv.instances) || lv.instances < 1) bad(a.name, `${f}.instances`, lv.instances, 'must be a positive integer');
    const below = childInstances(a, i);
    if (below % lv.instances !== 0) bad(a.name, `${f}.instances`, lv.instances, `must divide the ${below} instances below it`);
    if (!(lv.readBandwidth > 0) || !(lv.writeBandwidth > 0)) bad(a.name, `${f}.bandwidth`, [lv.readBandwidth, lv.writeBandwidth], 'must be > 0');
    for (const k of ['read', 'write', 'update'] as const) {
      if (!(lv.energy[k] >= 0)) bad(a.name, `${f}.energy.${k}`, lv.energy[k], 'must be ≥ 0');
    }
  });
}

/** Words a tile of `words` occupies at level lv: whole banks when the level is banked. */
export function occupiedWords(lv: StorageLevel, words: number): number {
  return lv.bankWords ? Math.ceil(words / lv.bankWords) * lv.bankWords : words;
}

/** MAC energy at other operand widths: multiplier energy scales ~ with the product of widths. */
export function macEnergyAt(mac: MacUnit, bitsA: number, bitsW: number): number {
  return mac.energyPj * (bitsA * bitsW) / (mac.bits * mac.bits);
}

export interface AreaBreakdown {
  /** Every instance of every storage level (arrays only) and the SRAMs outside the data path, mm². */
  readonly storageMm2: number;
  /** Every MAC, mm². */
  readonly macMm2: number;
  /** Control, NoC, clock and placement: (storage + MACs) × overhead, mm². */
  readonly overheadMm2: number;
  readonly totalMm2: number;
}

/** Core area: storage arrays and MACs, plus the control/NoC overhead calibrated on silicon. */
export function archArea(a: ArchSpec): AreaBreakdown {
  const macMm2 = (a.mac.areaUm2 * a.mac.instances) / 1e6;
  let storageUm2 = a.auxStorageUm2 ?? 0;
  for (const lv of a.levels) storageUm2 += lv.areaUm2 * lv.instances;
  const storageMm2 = storageUm2 / 1e6;
  const overheadMm2 = (storageMm2 + macMm2) * (a.areaOverhead ?? CORE_OVERHEAD);
  return { storageMm2, macMm2, overheadMm2, totalMm2: storageMm2 + macMm2 + overheadMm2 };
}

/** Total core area in mm² (archArea(a).totalMm2). */
export function archAreaMm2(a: ArchSpec): number {
  return archArea(a).totalMm2;
}

/** Canonical key of an arch (cache key component). */
export function archKey(a: ArchSpec): string {
  return JSON.stringify(a, (_k, v: unknown) => (v === Infinity ? 'inf' : v));
}
