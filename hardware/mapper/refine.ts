/**
 * Local search around the random mapper's best mapping: random sampling finds the right region of
 * the mapspace but rarely the exact loop order and tiling that, say, keeps every weight stationary
 * for a whole batch (what the Eyeriss chip does to reach its published DRAM traffic). Each step
 * applies one move and keeps it if the mapping stays valid and scores better:
 * - reorder: move one temporal loop of a level to another position in that level;
 * - retile: move one prime factor of a dimension's temporal loop to another level (exact tilings,
 *   so bounds keep dividing the problem as the random phase left them);
 * - respread: trade a prime factor of one spatial dimension for the same factor of another at the
 *   same fan-out (the first goes temporal, the second comes from a temporal loop), so the array
 *   stays as busy while what each PE row or column holds changes (e.g. filters instead of channels).
 * Keep/bypass choices stay as the random phase set them.
 */
import type { Rng } from '../../core/rng.ts';
import type { Evaluation } from '../model/analysis.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';

export interface Scored {
  readonly mapping: Mapping;
  readonly evaluation: Evaluation;
  readonly s: number;
}

/** Evaluates a candidate: its score and evaluation, or null when it breaks a constraint or the hardware. */
export type Judge = (m: Mapping) => Scored | null;

function smallestPrime(n: number): number {
  for (let f = 2; f * f <= n; f++) if (n % f === 0) return f;
  return n;
}

function temporalOf(lv: LevelMapping): Loop[] {
  return lv.loops.filter((l) => l.spatial === undefined);
}

function withTemporal(lv: LevelMapping, temporal: readonly Loop[]): LevelMapping {
  return { ...lv, loops: [...temporal.filter((l) => l.bound > 1), ...lv.loops.filter((l) => l.spatial !== undefined)] };
}

function reorder(m: Mapping, rng: Rng): Mapping | null {
  const candidates = m.levels.map((lv, i) => [i, temporalOf(lv).filter((l) => l.bound > 1).length] as const).filter(([, n]) => n >= 2);
  if (candidates.length === 0) return null;
  const [li] = candidates[rng.int(candidates.length)] as readonly [number, number];
  const lv = m.levels[li] as LevelMapping;
  const t = temporalOf(lv).filter((l) => l.bound > 1);
  const from = rng.int(t.length);
  let to = rng.int(t.length - 1);
  if (to >= from) to++;
  const [moved] = t.splice(from, 1);
  t.splice(to, 0, moved as Loop);
  return { levels: m.levels.map((x, i) => (i === li ? withTemporal(x, t) : x)) };
}

function retile(m: Mapping, rng: Rng): Mapping | null {
  const sources: [number, number][] = [];
  m.levels.forEach((lv, li) => temporalOf(lv).forEach((l, k) => { if (l.bound > 1) sources.push([li, k]); }));
  if (sources.length === 0 || m.levels.length < 2) return null;
  const [li, k] = sources[rng.int(sources.length)] as [number, number];
  let lj = rng.int(m.levels.length - 1);
  if (lj >= li) lj++;
  const src = temporalOf(m.levels[li] as LevelMapping);
  const loop = src[k] as Loop;
  const f = smallestPrime(loop.bound);
  src[k] = { dim: loop.dim, bound: loop.bound / f };
  const dst = temporalOf(m.levels[lj] as LevelMapping);
  const at = dst.findIndex((l) => l.dim === loop.dim);
  if (at >= 0) dst[at] = { dim: loop.dim, bound: (dst[at] as Loop).bound * f };
  else dst.splice(rng.int(dst.length + 1), 0, { dim: loop.dim, bound: f });
  return { levels: m.levels.map((x, i) => (i === li ? withTemporal(x, src) : i === lj ? withTemporal(x, dst) : x)) };
}

function respread(m: Mapping, rng: Rng): Mapping | null {
  const spots: [number, number][] = [];
  m.levels.forEach((lv, li) => lv.loops.forEach((l, k) => { if (l.spatial !== undefined && l.bound > 1) spots.push([li, k]); }));
  if (spots.length === 0) return null;
  const [li, k] = spots[rng.int(spots.length)] as [number, number];
  const sp = (m.levels[li] as LevelMapping).loops[k] as Loop;
  const f = smallestPrime(sp.bound);
  // A temporal loop of another dimension that f divides gives up f to the fan-out.
  const donors: [number, number][] = [];
  m.levels.forEach((lv, lj) => lv.loops.forEach((l, q) => { if (l.spatial === undefined && l.dim !== sp.dim && l.bound % f === 0) donors.push([lj, q]); }));
  if (donors.length === 0) return null;
  const [lj, q] = donors[rng.int(donors.length)] as [number, number];
  const donor = (m.levels[lj] as LevelMapping).loops[q] as Loop;
  const levels: { loops: Loop[]; keep: readonly boolean[] }[] = m.levels.map((lv) => ({ ...lv, loops: lv.loops.slice() }));
  const at = (l: number): Loop[] => (levels[l] as { loops: Loop[] }).loops;
  at(lj)[q] = { dim: donor.dim, bound: donor.bound / f };
  const own = at(li);
  own[k] = { dim: sp.dim, bound: sp.bound / f, spatial: sp.spatial };
  const same = own.findIndex((l) => l.spatial === sp.spatial && l.dim === donor.dim);
  if (same >= 0) own[same] = { ...(own[same] as Loop), bound: (own[same] as Loop).bound * f };
  else own.push({ dim: donor.dim, bound: f, spatial: sp.spatial });
  // The displaced factor of the spatial dimension runs temporally at the same level or above.
  const lt = li + rng.int(levels.length - li);
  const t = temporalOf(levels[lt] as LevelMapping);
  const ti = t.findIndex((l) => l.dim === sp.dim);
  if (ti >= 0) t[ti] = { dim: sp.dim, bound: (t[ti] as Loop).bound * f };
  else t.splice(rng.int(t.length + 1), 0, { dim: sp.dim, bound: f });
  levels[lt] = { ...(levels[lt] as LevelMapping), loops: [...withTemporal(levels[lt] as LevelMapping, t).loops] };
  return { levels: levels.map((lv) => ({ ...lv, loops: lv.loops.filter((l) => l.bound > 1) })) };
}

/** Greedy local search from `start` for at most `budget` candidates; stops after `patience` misses in a row. */
export function refine(start: Scored, judge: Judge, rng: Rng, budget: number, patience: number): { best: Scored; evaluations: number; valid: number } {
  let best = start;
  let evaluations = 0;
  let valid = 0;
  let stale = 0;
  while (evaluations < budget && stale < patience) {
    const u = rng.next();
    const m = u < 0.4 ? reorder(best.mapping, rng) : u < 0.8 ? retile(best.mapping, rng) : respread(best.mapping, rng);
    if (!m) { stale++; evaluations++; continue; }
    evaluations++;
    const r = judge(m);
    if (!r) { stale++; continue; }
    valid++;
    if (r.s < best.s) { best = r; stale = 0; } else stale++;
  }
  return { best, evaluations, valid };
}
