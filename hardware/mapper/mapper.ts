/**
 * Per-layer mapper: random-pruned search over spatial assignments, tilings and loop orders, in the
 * spirit of Timeloop's random mapper with a victory condition. Tiles need not divide the bounds
 * (ceil splits; the padding runs as idle MACs and lowers utilization). Mappings that exceed a
 * level's capacity or fan-out are rejected. The search stops after `patience` consecutive valid
 * candidates without improvement or after `maxEvaluations` candidates.
 */
import { HardwareError } from '../../core/errors.ts';
import { Rng } from '../../core/rng.ts';
import { analyze, type Evaluation } from '../model/analysis.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';
import { fanout, type ArchSpec, type StorageLevel } from '../spec.ts';
import type { DataSpace, Problem } from '../workload.ts';

export type MapperObjective = 'edp' | 'energy' | 'latency';

export interface MapperOptions {
  readonly objective?: MapperObjective;
  readonly maxEvaluations?: number;
  readonly patience?: number;
  /** Probability of a non-divisor (padded) factor when splitting a dimension. */
  readonly paddingRate?: number;
  readonly seed?: number;
}

export interface MapperResult {
  readonly mapping: Mapping;
  readonly evaluation: Evaluation;
  readonly evaluations: number;
  readonly valid: number;
}

export function score(e: Evaluation, objective: MapperObjective): number {
  if (objective === 'energy') return e.energyPj * (1 + 1e-12 * e.cycles);
  if (objective === 'latency') return e.cycles * (1 + 1e-15 * e.energyPj);
  return e.energyPj * e.cycles;
}

const DIVISORS = new Map<number, number[]>();

function divisors(n: number): number[] {
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

/** Largest divisor of n strictly below `below` (1 when none). */
function largestDivisorBelow(n: number, below: number): number {
  for (let d = below - 1; d > 1; d--) if (n % d === 0) return d;
  return 1;
}

function allowedDims(p: Problem, names: readonly string[] | undefined, rem: readonly number[]): number[] {
  const dims: number[] = [];
  p.dims.forEach((d, i) => { if ((rem[i] ?? 1) > 1 && (!names || names.includes(d))) dims.push(i); });
  return dims;
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
      words += scaled ? (v * ds.bits) / lv.wordBits : v;
    }
    if (words > lv.sizeWords) return false;
  }
  return true;
}

/** A random complete mapping of `p` onto `a` (may violate capacity; the caller checks). */
export function randomMapping(p: Problem, a: ArchSpec, rng: Rng, paddingRate = 0.1): Mapping {
  const rem = p.bounds.slice();
  const nL = a.levels.length;
  const spatial: Loop[][] = a.levels.map(() => []);
  // Spatial fan-outs first, from the outermost, so big arrays get the large dimensions.
  for (let l = nL - 1; l >= 0; l--) {
    const f = fanout(a, l);
    const lv = a.levels[l];
    for (const [axis, size, names] of [['X', f.x, lv?.spatialX], ['Y', f.y, lv?.spatialY]] as const) {
      let left = size;
      const dims = rng.shuffle(allowedDims(p, names, rem));
      for (const d of dims.slice(0, 2)) {
        if (left <= 1) break;
        const r = rem[d] ?? 1;
        const fac = rng.next() < 0.6 ? Math.min(left, r) : pickFactor(r, left, rng, paddingRate);
        if (fac <= 1) continue;
        spatial[l]?.push({ dim: d, bound: fac, spatial: axis });
        rem[d] = Math.ceil(r / fac);
        left = Math.floor(left / fac);
      }
    }
  }
  const keeps = a.levels.map((lv, l) => p.dataSpaces.map((ds) => {
    if (l === nL - 1 || lv.keep?.includes(ds.name)) return true;
    if (lv.bypass?.includes(ds.name)) return false;
    return lv.keep ? false : rng.next() < 0.8;
  }));
  const scaled = a.precision === 'scaled' || a.precision === 'bitfusion';
  const ext = new Array<number>(p.dims.length).fill(1);
  // Tiles grow from the innermost level outward; each factor is the largest of a random
  // candidate and its smaller alternatives that keeps the level's tiles within capacity.
  const temporal: number[][] = a.levels.map(() => new Array<number>(p.dims.length).fill(1));
  for (let l = 0; l < nL; l++) {
    for (const sp of spatial[l] ?? []) ext[sp.dim] = (ext[sp.dim] ?? 1) * sp.bound;
    for (const d of rng.shuffle(p.dims.map((_x, i) => i))) {
      const r = rem[d] ?? 1;
      if (r <= 1) continue;
      if (l === nL - 1) { (temporal[l] as number[])[d] = r; ext[d] = (ext[d] ?? 1) * r; rem[d] = 1; continue; }
      const base = ext[d] ?? 1;
      let fac = pickFactor(r, Infinity, rng, paddingRate);
      while (fac > 1) {
        ext[d] = base * fac;
        if (fits(p, a, keeps, ext, l, scaled)) break;
        fac = Math.floor(fac / 2) >= 1 ? largestDivisorBelow(r, fac) : 1;
      }
      ext[d] = base * fac;
      (temporal[l] as number[])[d] = fac;
      rem[d] = Math.ceil(r / fac);
    }
  }
  const levels: LevelMapping[] = a.levels.map((_lv, l) => {
    const order = rng.shuffle(p.dims.map((_d, i) => i));
    const loops: Loop[] = order.map((dim) => ({ dim, bound: temporal[l]?.[dim] ?? 1 })).filter((x) => x.bound > 1);
    return { loops: [...loops, ...(spatial[l] ?? [])], keep: keeps[l] ?? [] };
  });
  return { levels };
}

export function mapLayer(p: Problem, a: ArchSpec, opts: MapperOptions = {}): MapperResult {
  const objective = opts.objective ?? 'edp';
  const maxEvaluations = opts.maxEvaluations ?? 2000;
  const patience = opts.patience ?? 300;
  const rng = new Rng(opts.seed ?? 1);
  let best: { mapping: Mapping; evaluation: Evaluation; s: number } | undefined;
  let evaluations = 0;
  let valid = 0;
  let stale = 0;
  while (evaluations < maxEvaluations && stale < patience) {
    const m = randomMapping(p, a, rng, opts.paddingRate ?? 0.1);
    evaluations++;
    const e = analyze(p, a, m);
    if (e.violations.length > 0) continue;
    valid++;
    const s = score(e, objective);
    if (!best || s < best.s) { best = { mapping: m, evaluation: e, s }; stale = 0; } else stale++;
  }
  if (!best) {
    throw new HardwareError(`mapper: no valid mapping of ${p.name} on ${a.name} in ${evaluations} candidates (buffers too small?)`, { field: 'arch', value: a.name });
  }
  return { mapping: best.mapping, evaluation: best.evaluation, evaluations, valid };
}
