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
import type { ArchSpec } from '../spec.ts';
import { fanout, macEnergyAt, occupiedWords } from '../spec.ts';
import { problemOps, relevance, type DataSpace, type Problem } from '../workload.ts';
import { tensorTraffic } from './level-traffic.ts';
import type { Loop, Mapping } from './mapping.ts';

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

/** BitBricks an operand of `bits` occupies: bricks fuse in powers of two (2-, 4-, 8-bit modes; 16 b takes 8). */
function bricks(bits: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(bits / 2))));
}

/**
 * Products per fusion unit per cycle (Sharma et al., ISCA 2018: 16 2-bit BitBricks; 8×8 → 1,
 * 4×4 → 4, 2×2 → 16, 8×4 → 2). Operands round up to a fusion mode, as the Bit Fusion simulator's
 * floor(8 / bits) does (a 5-bit operand runs in 8-bit mode).
 */
export function bitFusionRate(bitsA: number, bitsW: number): number {
  return 16 / (bricks(bitsA) * bricks(bitsW));
}

/**
 * Cycles of a Bit Fusion array: a fusion unit's parallel products add into one accumulator, so its
 * lanes take consecutive iterations of the innermost temporal loop, which must be a reduction loop
 * (over a dimension the read-write data space does not index) — as the simulator unrolls input
 * channels, ⌈ic ÷ (rows × rate)⌉; a loop bound that is not a multiple of the rate leaves lanes idle,
 * and without an innermost reduction loop a unit makes one product per cycle.
 */
function bitFusionCycles(p: Problem, m: Mapping, temporalOps: number, rate: number): number {
  const out = p.dataSpaces.find((d) => d.readWrite);
  if (!out) return Math.ceil(temporalOps / rate);
  const used = new Set(out.projection.flatMap((c) => c.map((t) => t.dim)));
  let inner: Loop | undefined;
  for (const lv of m.levels) {
    const t = lv.loops.filter((l) => l.spatial === undefined && l.bound > 1);
    inner = t[t.length - 1];
    if (inner) break;
  }
  const red = inner && !used.has(inner.dim) ? inner.bound : 1;
  // with no reduction loop to spread, a wide operand still takes 1 ÷ rate cycles, a narrow one 1
  const lanes = red === 1 ? Math.min(rate, 1) : rate;
  return (temporalOps / red) * Math.ceil(red / lanes);
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
  const wBits = p.dataSpaces.find((d) => d.name === 'Weights')?.bits ?? a.mac.bits;
  const iBits = p.dataSpaces.find((d) => d.name === 'Inputs')?.bits ?? a.mac.bits;
  let temporalOps = 1;
  let macInstances = 1;
  for (const f of flat) if (f.spatial) macInstances *= f.bound; else temporalOps *= f.bound;
  const computeCycles = a.precision === 'bitfusion' ? bitFusionCycles(p, m, temporalOps, bitFusionRate(iBits, wBits)) : temporalOps;
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
      const top = l === nL - 1;
      const x = tensorTraffic(lv, p.dataSpaces[t] as DataSpace, raw, scaled, a.mac.accBits ?? 0, top);
      cap += occupiedWords(lv, x.tileWords);
      rd += x.readWords;
      wr += x.writeWords;
      perInst += x.energyPj;
      if (top) {
        // the backing store's traffic in bytes, as moved and uncoded
        offChip.readBytes += x.readBytes;
        offChip.writeBytes += x.writeBytes;
        offChip.denseReadBytes += x.denseReadBytes;
        offChip.denseWriteBytes += x.denseWriteBytes;
      }
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

