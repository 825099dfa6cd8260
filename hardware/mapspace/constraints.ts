/**
 * Mapspace constraints with Timeloop v0.4 semantics, attached to the storage level they constrain
 * (so they survive a change of sizes, instance counts or energies) and named by problem dimension:
 * - temporal: factors (`R=3` fixes the level's R loops to 3, `R=0` to the whole dimension, `R<=4`,
 *   `R>=2`) and a permutation (innermost first; the listed dimensions are the innermost loops, in
 *   that order; the others are free and outer);
 * - spatial (the fan-out from the level to its children): factors and permutation as above, plus
 *   `split`: dimensions at permutation positions < split fan out along X, the others along Y. As
 *   timeloopfe does, dimensions the constraint fixes to 1 (or of bound 1) and does not list are
 *   counted at the front of the permutation. `axis` restricts a constraint to one axis: a Timeloop
 *   container with only meshX (eyeriss_like's PE_column) fans out along X alone;
 * - dataspace keep / bypass (`keepOnly`: every data space not kept is bypassed — a branch of a
 *   Timeloop `!Parallel` node);
 * - minimum utilization of the MAC array (Timeloop's `utilization` / `parallelism`), on the arch.
 */
import { HardwareError } from '../../core/errors.ts';
import type { ArchSpec, StorageLevel } from '../spec.ts';

export type FactorOp = '=' | '<=' | '>=';

export interface FactorRule {
  readonly dim: string;
  readonly op: FactorOp;
  /** For '=': 0 means the whole problem dimension; values above the bound are clamped to it. */
  readonly value: number;
}

export interface LoopConstraint {
  readonly factors?: readonly FactorRule[];
  /** Dimension names innermost first. */
  readonly permutation?: readonly string[];
}

export interface SpatialConstraint extends LoopConstraint {
  readonly split?: number;
  readonly axis?: 'X' | 'Y';
  /** The container or level it was written for (messages only). */
  readonly source?: string;
}

export interface LevelConstraints {
  readonly temporal?: LoopConstraint;
  readonly spatial?: readonly SpatialConstraint[];
  readonly keep?: readonly string[];
  readonly bypass?: readonly string[];
  readonly keepOnly?: boolean;
}

function conflict(where: string, what: string, a: unknown, b: unknown): never {
  throw new HardwareError(`${where}: ${what} is specified twice, differently (${JSON.stringify(a)} and ${JSON.stringify(b)}) — the arch and the constraints disagree`, { field: where, value: [a, b] });
}

function mergeLoop<T extends LoopConstraint>(a: T | undefined, b: T | undefined, where: string): T | undefined {
  if (!a) return b;
  if (!b) return a;
  const factors = [...(a.factors ?? [])];
  for (const f of b.factors ?? []) {
    const same = factors.find((x) => x.dim === f.dim && x.op === f.op);
    if (same && same.value !== f.value) conflict(`${where}.factors`, `${f.dim}${f.op}`, same.value, f.value);
    if (!same) factors.push(f);
  }
  const pa = a.permutation ?? [];
  const pb = b.permutation ?? [];
  if (pa.length && pb.length && pa.join() !== pb.join()) conflict(`${where}.permutation`, 'the permutation', pa, pb);
  const merged: LoopConstraint = { factors, permutation: pa.length ? pa : pb };
  const sa = (a as SpatialConstraint).split;
  const sb = (b as SpatialConstraint).split;
  if (sa !== undefined && sb !== undefined && sa !== sb) conflict(`${where}.split`, 'the split', sa, sb);
  const split = sa ?? sb;
  return { ...a, ...b, ...merged, ...(split !== undefined ? { split } : {}) } as T;
}

/** Union of two constraint sets on one level; a re-specification that disagrees is an error. */
export function mergeLevelConstraints(a: LevelConstraints | undefined, b: LevelConstraints, where: string): LevelConstraints {
  if (!a) return b;
  const keep = [...new Set([...(a.keep ?? []), ...(b.keep ?? [])])];
  const bypass = [...new Set([...(a.bypass ?? []), ...(b.bypass ?? [])])];
  const both = keep.find((k) => bypass.includes(k));
  if (both !== undefined) conflict(`${where}.dataspace`, `${both} (keep and bypass)`, 'keep', 'bypass');
  const spatial = [...(a.spatial ?? [])];
  for (const s of b.spatial ?? []) {
    const i = spatial.findIndex((x) => x.axis === s.axis);
    if (i >= 0) spatial[i] = mergeLoop(spatial[i], s, `${where}.spatial`) as SpatialConstraint;
    else spatial.push(s);
  }
  const temporal = mergeLoop(a.temporal, b.temporal, `${where}.temporal`);
  return {
    ...(temporal ? { temporal } : {}), ...(spatial.length ? { spatial } : {}),
    ...(keep.length ? { keep } : {}), ...(bypass.length ? { bypass } : {}),
    ...(a.keepOnly || b.keepOnly ? { keepOnly: true } : {}),
  };
}

/** The arch with more constraints: per level index, and optionally a minimum utilization. */
export function withConstraints(a: ArchSpec, add: ReadonlyMap<number, LevelConstraints>, minUtilization?: number): ArchSpec {
  if (minUtilization !== undefined && a.minUtilization !== undefined && a.minUtilization !== minUtilization) {
    conflict('utilization.min', 'the minimum utilization', a.minUtilization, minUtilization);
  }
  const levels = a.levels.map((lv, i): StorageLevel => {
    const c = add.get(i);
    return c ? { ...lv, constraints: mergeLevelConstraints(lv.constraints, c, lv.name) } : lv;
  });
  return { ...a, levels, ...(minUtilization !== undefined ? { minUtilization } : {}) };
}

/** `--mapspace free`: the arch without loop constraints; what each buffer may hold (keep/bypass) stays. */
export function withoutLoopConstraints(a: ArchSpec): ArchSpec {
  const levels = a.levels.map((lv): StorageLevel => {
    const c = lv.constraints;
    if (!c) return lv;
    const { temporal: _t, spatial: _s, ...data } = c;
    const rest: StorageLevel = { ...lv };
    delete (rest as { constraints?: LevelConstraints }).constraints;
    return Object.keys(data).length ? { ...rest, constraints: data } : rest;
  });
  const out: ArchSpec = { ...a, levels };
  delete (out as { minUtilization?: number }).minUtilization;
  return out;
}

/** Does the arch constrain loops (factors, permutations, splits, utilization), beyond keep/bypass? */
export function hasLoopConstraints(a: ArchSpec): boolean {
  return a.minUtilization !== undefined || a.levels.some((lv) => lv.constraints?.temporal !== undefined || (lv.constraints?.spatial?.length ?? 0) > 0);
}
