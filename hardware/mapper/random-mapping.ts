/**
 * One random mapping drawn from the constrained mapspace: fixed factors first (Timeloop's baked-in
 * factors), then spatial fan-outs from the outermost level (big arrays get the large dimensions),
 * then temporal tiles from the innermost level outward, each the largest of a random candidate and
 * its smaller alternatives that keeps the tiles within capacity; the outermost free level of each
 * dimension takes what remains. Tiles need not divide the bounds unless paddingRate is 0 (ceil
 * splits; the padding runs as idle MACs). Loop orders honour the permutations, keep/bypass the
 * dataspace constraints. The caller checks the result (capacity, fan-out, constraint validator).
 */
import type { Rng } from '../../core/rng.ts';
import { compileMapspace, type CompiledLevel, type CompiledMapspace } from '../mapspace/compile.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';
import { fanout, occupiedWords, type ArchSpec, type StorageLevel } from '../spec.ts';
import type { DataSpace, Problem } from '../workload.ts';

const DIVISORS = new Map<number, number[]>();

export function divisors(n: number): number[] {
  const hit = DIVISORS.get(n);
  if (hit) return hit;
  const out: number[] = [];
  for (let d = 1; d * d <= n; d++) if (n % d === 0) { out.push(d); if (d * d !== n) out.push(n / d); }
  out.sort((x, y) => x - y);
  if (DIVISORS.size < 100_000) DIVISORS.set(n, out);
  return out;
}

/** One random factor ≤ limit of `rem`: usually a divisor, sometimes a padded split. */
function pickFactor(rem: number, limit: number, rng: Rng, paddingRate: number): number {
  const cap = Math.min(rem, limit);
  if (cap <= 1) return 1;
  if (rng.next() < paddingRate) return rng.intBetween(1, cap);
  const ds = divisors(rem);
  let k = ds.length;
  while (k > 1 && (ds[k - 1] as number) > cap) k--;
  return ds[rng.int(k)] as number;
}

/** Largest divisor of n strictly below `below` (1 when none), by bisection of n's divisors. */
function largestDivisorBelow(n: number, below: number): number {
  const ds = divisors(n);
  let lo = 0;
  let hi = ds.length - 1;
  let best = 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = ds[mid] as number;
    if (d < below) { best = d; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

/** Do the tiles of levels ≥ l (a factor chosen at l enlarges every tile above it) fit? */
function fits(p: Problem, a: ArchSpec, keeps: readonly (readonly boolean[])[], ext: readonly number[], l: number, scaled: boolean): boolean {
  for (let k = l; k < a.levels.length; k++) {
    const lv = a.levels[k] as StorageLevel;
    if (lv.sizeWords === Infinity) continue;
    let words = 0;
    for (let t = 0; t < p.dataSpaces.length; t++) {
      if (!keeps[k]?.[t]) continue;
      const ds = p.dataSpaces[t] as DataSpace;
      let v = 1;
      for (const coord of ds.projection) {
        let e = 1;
        for (const term of coord) e += term.coef * ((ext[term.dim] ?? 1) - 1);
        v *= e;
      }
      // partial sums of the read-write tensor are accumulator-wide on chip (model/level-traffic.ts)
      const bits = ds.readWrite ? Math.max(ds.bits, a.mac.accBits ?? 0) : ds.bits;
      words += occupiedWords(lv, scaled ? (v * bits) / lv.wordBits : v);
    }
    if (words > lv.sizeWords) return false;
  }
  return true;
}

/** Spatial loops of level l: fixed factors, then up to two (sometimes three) free dimensions per axis. */
function spatialLoops(p: Problem, a: ArchSpec, l: number, cl: CompiledLevel, rem: number[], rng: Rng, paddingRate: number): Loop[] {
  const f = fanout(a, l);
  const left = { X: f.x, Y: f.y };
  const loops: Loop[] = [];
  if (f.total <= 1) return loops;
  const nD = p.dims.length;
  const fixed = new Array<boolean>(nD).fill(false);
  const used = new Array<number>(nD).fill(1);
  const put = (dim: number, bound: number, axis: 'X' | 'Y'): void => {
    loops.push({ dim, bound, spatial: axis });
    used[dim] = (used[dim] ?? 1) * bound;
    rem[dim] = Math.ceil((rem[dim] ?? 1) / bound);
    left[axis] = Math.floor(left[axis] / bound);
  };
  for (const sc of cl.spatial) {
    for (let d = 0; d < nD; d++) {
      const eq = sc.rules[d]?.eq ?? 0;
      if (eq <= 1 || fixed[d]) continue;
      fixed[d] = true;
      const axes = (['X', 'Y'] as const).filter((ax) => (ax === 'X' ? sc.allowX : sc.allowY)[d]);
      const fitting = axes.filter((ax) => left[ax] >= eq);
      const pool = fitting.length ? fitting : axes;
      if (pool.length) put(d, eq, rng.choice(pool));
    }
  }
  for (const axis of ['X', 'Y'] as const) {
    if (left[axis] <= 1) continue;
    const allow = axis === 'X' ? cl.allowX : cl.allowY;
    const dims: number[] = [];
    for (let d = 0; d < nD; d++) if (allow[d] && !fixed[d] && (rem[d] ?? 1) > 1) dims.push(d);
    const k = rng.next() < 0.25 ? 3 : 2;
    for (const d of rng.shuffle(dims).slice(0, k)) {
      if (left[axis] <= 1) break;
      const r = rem[d] ?? 1;
      let max = Infinity;
      for (const sc of cl.spatial) if (axis === 'X' ? sc.governsX : sc.governsY) max = Math.min(max, sc.rules[d]?.max ?? Infinity);
      // A <= rule bounds the product over the axes it governs (counted over both, conservatively).
      const cap = Math.min(left[axis], Math.floor(max / (used[d] ?? 1)));
      const fac = rng.next() < 0.6 ? (paddingRate > 0 ? Math.min(cap, r) : pickFactor(r, cap, rng, 0)) : pickFactor(r, cap, rng, paddingRate);
      if (fac > 1) put(d, fac, axis);
    }
  }
  return loops;
}

/** Rank of a dimension in the level's permutations (innermost = 0); unlisted dimensions go outermost. */
function ordered(loops: readonly Loop[], order: (d: number, l: Loop) => number, rng: Rng): Loop[] {
  const listed = loops.filter((l) => order(l.dim, l) >= 0).sort((x, y) => order(y.dim, y) - order(x.dim, x));
  return [...rng.shuffle(loops.filter((l) => order(l.dim, l) < 0)), ...listed];
}

/** A random complete mapping of `p` onto `a` within the arch's mapspace constraints. */
export function randomMapping(p: Problem, a: ArchSpec, rng: Rng, paddingRate = 0.1, cm: CompiledMapspace = compileMapspace(p, a)): Mapping {
  const nL = a.levels.length;
  const nD = p.dims.length;
  const rem = p.bounds.slice();
  const temporal: number[][] = a.levels.map(() => new Array<number>(nD).fill(1));
  cm.levels.forEach((cl, l) => cl.temporal.forEach((r, d) => {
    if (r.eq > 0) { (temporal[l] as number[])[d] = r.eq; rem[d] = Math.ceil((rem[d] ?? 1) / r.eq); }
  }));
  const spatial: Loop[][] = a.levels.map(() => []);
  for (let l = nL - 1; l >= 0; l--) spatial[l] = spatialLoops(p, a, l, cm.levels[l] as CompiledLevel, rem, rng, paddingRate);
  const keeps = cm.levels.map((cl) => cl.keep.map((k) => k ?? rng.next() < 0.8));
  const scaled = a.precision === 'scaled' || a.precision === 'bitfusion';
  // The outermost level whose factor of d is free takes d's remainder.
  const top = cm.topFree;
  const ext = new Array<number>(nD).fill(1);
  for (let l = 0; l < nL; l++) {
    const rules = (cm.levels[l] as CompiledLevel).temporal;
    for (const sp of spatial[l] ?? []) ext[sp.dim] = (ext[sp.dim] ?? 1) * sp.bound;
    for (let d = 0; d < nD; d++) if ((rules[d]?.eq ?? 0) > 0) ext[d] = (ext[d] ?? 1) * ((temporal[l] as number[])[d] ?? 1);
    for (const d of rng.shuffle(p.dims.map((_x, i) => i))) {
      const r = rem[d] ?? 1;
      if (r <= 1 || (rules[d]?.eq ?? 0) > 0) continue;
      const base = ext[d] ?? 1;
      let fac: number;
      if (l === top[d]) fac = r;
      else {
        const rule = rules[d];
        fac = pickFactor(r, rule?.max ?? Infinity, rng, paddingRate);
        if (rule && rule.min > fac) fac = Math.min(rule.min, r, rule.max);
        while (fac > 1) {
          ext[d] = base * fac;
          if (fits(p, a, keeps, ext, l, scaled)) break;
          fac = largestDivisorBelow(r, fac);
        }
      }
      ext[d] = base * fac;
      (temporal[l] as number[])[d] = fac;
      rem[d] = Math.ceil(r / fac);
    }
  }
  const levels: LevelMapping[] = cm.levels.map((cl, l) => {
    const t: Loop[] = p.dims.map((_n, dim) => ({ dim, bound: temporal[l]?.[dim] ?? 1 })).filter((x) => x.bound > 1);
    const rank = (d: number, lp: Loop): number => {
      for (const sc of cl.spatial) if (lp.spatial === 'X' ? sc.governsX : sc.governsY) { const k = sc.order.indexOf(d); if (k >= 0) return k; }
      return -1;
    };
    return { loops: [...ordered(t, (d) => cl.temporalOrder.indexOf(d), rng), ...ordered(spatial[l] ?? [], rank, rng)], keep: keeps[l] ?? [] };
  });
  return { levels };
}
