/**
 * Constraints of an arch resolved against one problem: per level and dimension the allowed factor
 * (fixed, min, max), the innermost loop order, which dimensions may fan out along X and along Y,
 * and what the level must keep. The mapper draws from this; the validator checks against it.
 */
import { HardwareError } from '../../core/errors.ts';
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import type { FactorRule, LoopConstraint, SpatialConstraint } from './constraints.ts';

export interface DimRule {
  /** Fixed factor (0 = free). */
  readonly eq: number;
  readonly min: number;
  readonly max: number;
}

export interface CompiledSpatial {
  readonly where: string;
  readonly governsX: boolean;
  readonly governsY: boolean;
  /** Per dimension: the product of its loops on the governed axes. */
  readonly rules: readonly DimRule[];
  readonly allowX: readonly boolean[];
  readonly allowY: readonly boolean[];
  /** Listed dimensions, innermost first. */
  readonly order: readonly number[];
  /** When the split falls among the unlisted dimensions: how many of them may fan out along X. */
  readonly freeX?: number;
  readonly free: readonly boolean[];
}

export interface CompiledLevel {
  readonly name: string;
  readonly temporal: readonly DimRule[];
  readonly temporalOrder: readonly number[];
  readonly spatial: readonly CompiledSpatial[];
  /** Conjunction over the spatial constraints: may dimension d fan out along X / Y here. */
  readonly allowX: readonly boolean[];
  readonly allowY: readonly boolean[];
  /** Per data space: must keep (true), must bypass (false), free (undefined). */
  readonly keep: readonly (boolean | undefined)[];
  /** False when nothing constrains this level (the validator skips it). */
  readonly constrained: boolean;
}

export interface CompiledMapspace {
  readonly levels: readonly CompiledLevel[];
  readonly minUtilization: number;
  /** Per dimension: the outermost level whose temporal factor is free (it takes the remainder), or -1. */
  readonly topFree: readonly number[];
}

const free = (): { eq: number; min: number; max: number } => ({ eq: 0, min: 1, max: Infinity });

function rulesFor(p: Problem, factors: readonly FactorRule[] | undefined, where: string): DimRule[] {
  const rules = p.dims.map(free);
  for (const f of factors ?? []) {
    const d = p.dims.indexOf(f.dim);
    if (d < 0) {
      // A rule on a dimension the problem lacks holds trivially unless it demands a real loop.
      if ((f.op === '=' || f.op === '>=') && f.value > 1) {
        throw new HardwareError(`${where}.factors: ${f.dim}${f.op}${f.value} names no dimension of problem ${p.name} (${p.dims.join(', ')})`, { field: `${where}.factors`, value: f.dim });
      }
      continue;
    }
    const bound = p.bounds[d] ?? 1;
    const r = rules[d] as { eq: number; min: number; max: number };
    // Timeloop: 0 means the whole dimension and a factor above the bound is clamped to it.
    if (f.op === '=') r.eq = f.value === 0 ? bound : Math.min(f.value, bound);
    else if (f.op === '<=') r.max = Math.min(r.max, f.value);
    else r.min = Math.max(r.min, Math.min(f.value, bound));
  }
  return rules;
}

function orderOf(p: Problem, lc: LoopConstraint | undefined): number[] {
  return (lc?.permutation ?? []).map((n) => p.dims.indexOf(n)).filter((d) => d >= 0);
}

const isUnit = (r: DimRule): boolean => r.eq === 1 || r.max <= 1;

function compileSpatial(p: Problem, sc: SpatialConstraint, where: string): CompiledSpatial {
  const rules = rulesFor(p, sc.factors, where);
  const order = orderOf(p, sc);
  const governsX = sc.axis !== 'Y';
  const governsY = sc.axis !== 'X';
  const nD = p.dims.length;
  // timeloopfe puts the dimensions this constraint fixes to 1 and those of bound 1 in front of the
  // permutation, so the split counts them. (G is our IR's groups dimension; Timeloop's conv has
  // none, so a G of 1 is not counted.)
  const named = new Set((sc.factors ?? []).filter((f) => f.value === 1).map((f) => f.dim));
  const prefix = p.dims.map((_n, d) => d).filter((d) => !order.includes(d)
    && (named.has(p.dims[d] as string) || ((p.bounds[d] ?? 1) === 1 && p.dims[d] !== 'G')));
  const full = [...prefix, ...order];
  const isFree = p.dims.map((_n, d) => !full.includes(d));
  const nFree = isFree.filter(Boolean).length;
  const allowX: boolean[] = [];
  const allowY: boolean[] = [];
  let freeX: number | undefined;
  for (let d = 0; d < nD; d++) {
    let x = governsX;
    let y = governsY;
    if (sc.split !== undefined) {
      const pos = full.indexOf(d);
      if (pos >= 0) { x = x && pos < sc.split; y = y && pos >= sc.split; }
      else if (sc.split <= full.length) x = false;
      else if (sc.split >= full.length + nFree) y = false;
      else freeX = sc.split - full.length;
    }
    const unit = isUnit(rules[d] as DimRule);
    allowX.push(x && !unit);
    allowY.push(y && !unit);
  }
  return { where, governsX, governsY, rules, allowX, allowY, order, free: isFree, ...(freeX !== undefined ? { freeX } : {}) };
}

/** Resolves the arch's constraints for problem p; unknown data spaces and impossible rules are errors. */
export function compileMapspace(p: Problem, a: ArchSpec): CompiledMapspace {
  const nL = a.levels.length;
  const levels = a.levels.map((lv, l): CompiledLevel => {
    const c = lv.constraints;
    const spatial = (c?.spatial ?? []).map((sc, i) => compileSpatial(p, sc, `${lv.name}.spatial${sc.source ? `(${sc.source})` : c?.spatial?.length === 1 ? '' : `[${i}]`}`));
    const allow = (axis: 'allowX' | 'allowY'): boolean[] => p.dims.map((_n, d) => spatial.every((s) => s[axis][d] === true || !(axis === 'allowX' ? s.governsX : s.governsY)));
    const names = [...(c?.keep ?? []), ...(c?.bypass ?? [])];
    const unknown = names.find((n) => !p.dataSpaces.some((ds) => ds.name === n));
    if (unknown !== undefined) {
      throw new HardwareError(`${lv.name}.dataspace: "${unknown}" is not a data space of problem ${p.name} (${p.dataSpaces.map((d) => d.name).join(', ')})`, { field: `${lv.name}.dataspace`, value: unknown });
    }
    const keep = p.dataSpaces.map((ds): boolean | undefined => {
      if (c?.keep?.includes(ds.name)) return true;
      if (c?.bypass?.includes(ds.name) || c?.keepOnly) return false;
      return l === nL - 1 ? true : undefined;
    });
    if (l === nL - 1 && keep.some((k) => k === false)) {
      throw new HardwareError(`${lv.name}.dataspace: the backing store must keep every data space`, { field: `${lv.name}.dataspace`, value: c?.bypass });
    }
    const temporal = rulesFor(p, c?.temporal?.factors, `${lv.name}.temporal`);
    const temporalOrder = orderOf(p, c?.temporal);
    const constrained = spatial.length > 0 || temporalOrder.length > 0 || keep.some((k) => k !== undefined)
      || temporal.some((r) => r.eq > 0 || r.min > 1 || r.max < Infinity);
    return { name: lv.name, temporal, temporalOrder, spatial, allowX: allow('allowX'), allowY: allow('allowY'), keep, constrained };
  });
  const topFree = p.dims.map((_n, d) => {
    for (let l = nL - 1; l >= 0; l--) if (!((levels[l]?.temporal[d]?.eq ?? 0) > 0)) return l;
    return -1;
  });
  return { levels, minUtilization: a.minUtilization ?? 0, topFree };
}
