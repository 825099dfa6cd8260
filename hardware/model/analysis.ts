/**
 * Access counting with Timeloop v0.4 semantics, per instance of each storage level:
 * - a level's tile of tensor t is the projection of every loop at and below it;
 * - fills walk the temporal loops above it, innermost first: a step that moves no coordinate of t
 *   costs nothing (stationarity), the innermost non-trivial loop may reuse a sliding-window overlap,
 *   any other step refetches the whole tile (Timeloop does not merge halos across outer loops —
 *   checked against the eyeriss_like reference, GLB input fills = 16 × 9831);
 * - a parent's reads are its child keeper's fills times the spatial fan-out over dimensions relevant
 *   to t (irrelevant dimensions multicast; no halo sharing between spatial instances);
 * - outputs: updates = child's transfers (spatial reduction over irrelevant dims), reads and fills
 *   exclude each element's first touch (D = distinct outputs seen by the instance).
 * Energies: each action is charged per vector access, ceil(count / blockSize), as Timeloop does.
 */
import type { ArchSpec, StorageLevel } from '../spec.ts';
import { fanout, macEnergyAt, occupiedWords } from '../spec.ts';
import { problemOps, relevance, type DataSpace, type Problem } from '../workload.ts';
import { movedCounts } from './compression.ts';
import type { Mapping } from './mapping.ts';

export interface TensorAccess {
  readonly reads: number;
  readonly fills: number;
  readonly updates: number;
  /** Words of this tensor resident per instance. */
  readonly tile: number;
}

export interface LevelStats {
  readonly name: string;
  readonly utilizedInstances: number;
  readonly utilizedCapacity: number;
  /** Per data space (null when bypassed); counts are per instance. */
  readonly tensors: readonly (TensorAccess | null)[];
  readonly energyPj: number;
  readonly leakPj: number;
  /** Cycles this level needs at its bandwidth. */
  readonly bandwidthCycles: number;
}

export interface Evaluation {
  /** MAC operations issued, including padding from non-divisor tiles. */
  readonly computes: number;
  readonly usefulOps: number;
  readonly computeCycles: number;
  readonly cycles: number;
  readonly macEnergyPj: number;
  readonly energyPj: number;
  readonly utilization: number;
  readonly levels: readonly LevelStats[];
  /** Capacity, instance and fan-out violations, every one (empty when the mapping fits). */
  readonly violations: readonly string[];
  /** Traffic of the backing store (the last level): bytes moved, and the same data uncoded. */
  readonly offChip: OffChipTraffic;
  /** What sets `cycles`: 'compute' or the name of the level whose bandwidth stalls the layer. */
  readonly boundBy: string;
}

export interface OffChipTraffic {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly denseReadBytes: number;
  readonly denseWriteBytes: number;
}

interface FlatLoop { dim: number; bound: number; level: number; spatial: boolean; axis: 'X' | 'Y' | undefined; step: number }

function flatten(p: Problem, m: Mapping): FlatLoop[] {
  const flat: FlatLoop[] = [];
  for (let l = m.levels.length - 1; l >= 0; l--) {
    for (const lp of m.levels[l]?.loops ?? []) {
      if (lp.bound > 1) flat.push({ dim: lp.dim, bound: lp.bound, level: l, spatial: lp.spatial !== undefined, axis: lp.spatial, step: 1 });
    }
  }
  const prod = new Array<number>(p.dims.length).fill(1);
  for (let i = flat.length - 1; i >= 0; i--) {
    const f = flat[i] as FlatLoop;
    f.step = prod[f.dim] ?? 1;
    prod[f.dim] = f.step * f.bound;
  }
  return flat;
}

function extentsOf(p: Problem, t: number, ext: readonly number[]): number[] {
  const ds = p.dataSpaces[t];
  if (!ds) return [];
  return ds.projection.map((coord) => {
    let e = 1;
    for (const term of coord) e += term.coef * ((ext[term.dim] ?? 1) - 1);
    return e;
  });
}

function product(xs: readonly number[]): number {
  let v = 1;
  for (const x of xs) v *= x;
  return v;
}

/** Σ over the temporal sequence of words entering a tile of extents `ext`; `above` innermost first. */
function deltaSum(p: Problem, t: number, ext: readonly number[], above: readonly FlatLoop[]): number {
  const coords = extentsOf(p, t, ext);
  const vol = product(coords);
  const proj = p.dataSpaces[t]?.projection ?? [];
  let total = vol;
  let outer = 1;
  for (const l of above) outer *= l.bound;
  const shift = new Array<number>(p.dims.length).fill(0);
  let firstMoving = true;
  for (let j = 0; j < above.length; j++) {
    const lj = above[j] as FlatLoop;
    outer /= lj.bound;
    const steps = (lj.bound - 1) * outer;
    let moved = false;
    let overlap = 1;
    for (let c = 0; c < proj.length; c++) {
      let sh = 0;
      for (const term of proj[c] ?? []) sh += term.coef * ((shift[term.dim] ?? 0) + (term.dim === lj.dim ? lj.step : 0));
      if (sh !== 0) moved = true;
      overlap *= Math.max(0, (coords[c] ?? 1) - Math.abs(sh));
    }
    if (moved) {
      total += steps * (firstMoving && j === 0 ? vol - overlap : vol);
      firstMoving = false;
    }
    // When loop j advances, every loop inside it rewinds.
    shift[lj.dim] = (shift[lj.dim] ?? 0) - (lj.bound - 1) * lj.step;
  }
  return total;
}

/** Energy of `count` values of `bits` each: charged per vector access of the level's width. */
function vectorEnergy(count: number, lv: StorageLevel, perWord: number, bits: number, scaled: boolean): number {
  if (!scaled) return Math.ceil(count / lv.blockSize) * lv.blockSize * perWord;
  return Math.ceil((count * bits) / (lv.blockSize * lv.wordBits)) * lv.blockSize * perWord;
}

/** Products per MAC per cycle for Bit Fusion (16 2-bit bricks; 8×8 → 1, 4×4 → 4, 2×2 → 16). */
export function bitFusionRate(bitsA: number, bitsW: number): number {
  return 16 / (Math.ceil(bitsA / 2) * Math.ceil(bitsW / 2));
}

/** Spatial loops of a level beyond its fan-out along X or Y (the instance counts alone miss a 20×1 on a 14×12 mesh). */
function fanoutViolations(a: ArchSpec, flat: readonly FlatLoop[]): string[] {
  const out: string[] = [];
  for (let l = 0; l < a.levels.length; l++) {
    let x = 1;
    let y = 1;
    for (const f of flat) if (f.level === l && f.axis) { if (f.axis === 'X') x *= f.bound; else y *= f.bound; }
    if (x === 1 && y === 1) continue;
    const fo = fanout(a, l);
    const name = a.levels[l]?.name ?? `L${l}`;
    if (x > fo.x) out.push(`${name}: spatial X loops span ${x} > fan-out ${fo.x} along X`);
    if (y > fo.y) out.push(`${name}: spatial Y loops span ${y} > fan-out ${fo.y} along Y`);
  }
  return out;
}

export function analyze(p: Problem, a: ArchSpec, m: Mapping): Evaluation {
  const flat = flatten(p, m);
  const rel = relevance(p);
  const nL = a.levels.length;
  const nT = p.dataSpaces.length;
  const scaled = a.precision === 'scaled' || a.precision === 'bitfusion';
  const bitsOf = (t: number): number => p.dataSpaces[t]?.bits ?? 8;
  const wBits = p.dataSpaces.find((d) => d.name === 'Weights')?.bits ?? a.mac.bits;
  const iBits = p.dataSpaces.find((d) => d.name === 'Inputs')?.bits ?? a.mac.bits;
  let temporalOps = 1;
  let macInstances = 1;
  for (const f of flat) if (f.spatial) macInstances *= f.bound; else temporalOps *= f.bound;
  const computeCycles = a.precision === 'bitfusion' ? Math.ceil(temporalOps / bitFusionRate(iBits, wBits)) : temporalOps;
  const computes = temporalOps * macInstances;
  const tileExt: number[][] = [];
  const distinctExt: number[][] = [];
  const above: FlatLoop[][] = [];
  for (let l = 0; l < nL; l++) {
    const te = new Array<number>(p.dims.length).fill(1);
    const de = te.slice();
    for (const f of flat) {
      if (f.level <= l) { te[f.dim] = (te[f.dim] ?? 1) * f.bound; de[f.dim] = (de[f.dim] ?? 1) * f.bound; }
      else if (!f.spatial) de[f.dim] = (de[f.dim] ?? 1) * f.bound;
    }
    tileExt.push(te);
    distinctExt.push(de);
    above.push(flat.filter((f) => f.level > l && !f.spatial).reverse());
  }
  const relSpatial = (t: number, lo: number, hi: number): number => {
    let v = 1;
    for (const f of flat) if (f.spatial && f.level >= lo && f.level <= hi && rel[t]?.[f.dim]) v *= f.bound;
    return v;
  };

  const stats: (TensorAccess | null)[][] = a.levels.map(() => new Array<TensorAccess | null>(nT).fill(null));
  for (let t = 0; t < nT; t++) {
    const rw = p.dataSpaces[t]?.readWrite === true;
    let child = -1;
    let childX = temporalOps;
    for (let l = 0; l < nL; l++) {
      if (!m.levels[l]?.keep[t]) continue;
      const top = l === nL - 1;
      const tile = product(extentsOf(p, t, tileExt[l] as number[]));
      const x = deltaSum(p, t, tileExt[l] as number[], above[l] as FlatLoop[]);
      const incoming = childX * relSpatial(t, child + 1, l);
      if (rw) {
        const d = product(extentsOf(p, t, distinctExt[l] as number[]));
        stats[l]![t] = { reads: incoming - d, fills: top ? 0 : x - d, updates: incoming, tile };
      } else {
        stats[l]![t] = { reads: incoming, fills: top ? 0 : x, updates: 0, tile };
      }
      child = l;
      childX = x;
    }
  }

  const violations: string[] = [];
  const offChip = { readBytes: 0, writeBytes: 0, denseReadBytes: 0, denseWriteBytes: 0 };
  const levels: LevelStats[] = a.levels.map((lv, l) => {
    let inst = 1;
    for (const f of flat) if (f.spatial && f.level > l) inst *= f.bound;
    const ts = stats[l] as (TensorAccess | null)[];
    let cap = 0;
    let perInst = 0;
    let rd = 0;
    let wr = 0;
    ts.forEach((raw, t) => {
      if (!raw) return;
      const s = movedCounts(lv, p.dataSpaces[t] as DataSpace, raw);
      const b = bitsOf(t);
      const words = scaled ? b / lv.wordBits : 1;
      cap += occupiedWords(lv, s.tile * words);
      rd += s.reads * words;
      wr += (s.fills + s.updates) * words;
      if (l === nL - 1) {
        // the backing store's traffic in bytes, as moved and uncoded
        const bytes = (words * lv.wordBits) / 8;
        offChip.readBytes += s.reads * bytes;
        offChip.writeBytes += (s.fills + s.updates) * bytes;
        offChip.denseReadBytes += raw.reads * bytes;
        offChip.denseWriteBytes += (raw.fills + raw.updates) * bytes;
      }
      perInst += vectorEnergy(s.reads, lv, lv.energy.read, b, scaled) + vectorEnergy(s.fills, lv, lv.energy.write, b, scaled)
        + vectorEnergy(s.updates, lv, lv.energy.update, b, scaled);
    });
    if (cap > lv.sizeWords) violations.push(`${lv.name}: tiles need ${cap} words > capacity ${lv.sizeWords}`);
    if (inst > lv.instances) violations.push(`${lv.name}: mapping uses ${inst} instances > ${lv.instances}`);
    const bandwidthCycles = lv.sharedBandwidth ? (rd + wr) / lv.readBandwidth : Math.max(rd / lv.readBandwidth, wr / lv.writeBandwidth);
    return { name: lv.name, utilizedInstances: inst, utilizedCapacity: cap, tensors: ts, energyPj: perInst * inst, leakPj: 0, bandwidthCycles };
  });
  if (macInstances > a.mac.instances) violations.push(`${a.mac.name}: mapping uses ${macInstances} MACs > ${a.mac.instances}`);
  violations.push(...fanoutViolations(a, flat));
  const cycles = Math.max(computeCycles, ...levels.map((l) => Math.ceil(l.bandwidthCycles)));
  const stall = levels.find((l) => Math.ceil(l.bandwidthCycles) === cycles && cycles > computeCycles);
  const macEnergyPj = computes * (scaled ? macEnergyAt(a.mac, iBits, wBits) : a.mac.energyPj);
  let energyPj = macEnergyPj;
  const withLeak = levels.map((l, k) => {
    const leakPj = cycles * (a.levels[k]?.leakPj ?? 0) * l.utilizedInstances;
    energyPj += l.energyPj + leakPj;
    return { ...l, leakPj };
  });
  // Timeloop charges no MAC leakage; an arch opts in with macLeakage.
  if (a.macLeakage) energyPj += cycles * a.mac.leakPj * macInstances;
  const usefulOps = problemOps(p);
  return {
    computes, usefulOps, computeCycles, cycles, macEnergyPj, energyPj,
    utilization: usefulOps / (cycles * a.mac.instances),
    levels: withLeak, violations, offChip, boundBy: stall?.name ?? 'compute',
  };
}

