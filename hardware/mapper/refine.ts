/**
 * Local search after the random phase. Random sampling finds good regions of the mapspace but
 * rarely the exact tiling and loop order that, say, keep every weight stationary for a whole batch
 * (what the Eyeriss chip does to reach its published DRAM traffic), and a greedy descent from one
 * start stops in whichever basin it starts in: on AlexNet CONV4 single mapper runs ended 6 % apart
 * in EDP with 2.05–3.6 MB of DRAM traffic. So the search anneals from several starts (the best
 * mappings of distinct spatial layouts the random phase found) and ends with a descent over the
 * whole single-move neighbourhood (neighbours.ts) of the best mapping seen. Moves: reorder a
 * temporal loop, move a prime factor between levels or between temporal and spatial loops, and
 * respread (trade a prime factor of one spatial dimension for the same factor of another at the same
 * fan-out, so the array stays as busy while what each PE row or column holds changes). Keep/bypass
 * choices stay as the random phase set them; products per dimension never change.
 */
import type { Rng } from '../../core/rng.ts';
import type { Evaluation } from '../model/analysis.ts';
import type { LevelMapping, Loop, Mapping } from '../model/mapping.ts';
import { neighbours, randomNeighbour, type Spreadable } from './neighbours.ts';

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

/** Budget and stopping state shared by the phases of one refine call. */
interface Tally { evaluations: number; valid: number; stale: number }

/**
 * First-improvement descent: scan the whole neighbourhood (neighbours.ts) in random order, move to
 * the first better mapping and rescan; stops at a local optimum (a full scan without improvement)
 * or when the budget is spent.
 */
function descend(from: Scored, judge: Judge, rng: Rng, spreadable: Spreadable, budget: number, n: Tally): Scored {
  let cur = from;
  for (;;) {
    let moved = false;
    for (const m of rng.shuffle(neighbours(cur.mapping, spreadable))) {
      if (n.evaluations >= budget) return cur;
      n.evaluations++;
      const r = judge(m);
      if (!r) continue;
      n.valid++;
      if (r.s < cur.s) { cur = r; moved = true; break; }
    }
    if (!moved) return cur;
  }
}

/** Annealing temperature (relative score change accepted with probability 1/e) at the start and end of a run. */
const T_START = 0.05;
const T_END = 0.0005;
/** Share of the budget the annealing runs take; the final descent gets the rest. */
const ANNEAL_SHARE = 0.8;

/** One annealing run of `steps` candidates from `from` (one random move at a time); the best mapping it saw. */
function anneal(from: Scored, judge: Judge, rng: Rng, spreadable: Spreadable, steps: number, patience: number, n: Tally): Scored {
  let cur = from;
  let best = from;
  n.stale = 0;
  for (let e = 0; e < steps && n.stale < patience; e++) {
    const T = T_START * (T_END / T_START) ** (e / steps);
    const m = rng.next() < 0.1 ? respread(cur.mapping, rng) : randomNeighbour(cur.mapping, spreadable, rng);
    n.evaluations++;
    n.stale++;
    if (!m) continue;
    const r = judge(m);
    if (!r) continue;
    n.valid++;
    const d = Math.log(r.s / cur.s);
    if (d < 0 || rng.next() < Math.exp(-d / T)) cur = r;
    if (r.s < best.s) { best = r; n.stale = 0; }
  }
  return best;
}

/**
 * Successive halving over the starts: every surviving start anneals from the best mapping it has
 * reached on an equal share of a round's budget, then the worse half drops out, until one is left;
 * a descent from the best mapping seen ends the search. Annealing (a worse mapping accepted with
 * probability exp(−Δ/T), Δ the log-ratio of scores, T cooling geometrically) crosses the capacity
 * walls a greedy descent stops at; halving spends most of the budget on the most promising layouts.
 * A run ends early after `patience` candidates in a row that did not improve on it.
 */
export function refine(starts: readonly Scored[], judge: Judge, rng: Rng, budget: number, patience: number, spreadable: Spreadable = () => true): { best: Scored; evaluations: number; valid: number } {
  const n: Tally = { evaluations: 0, valid: 0, stale: 0 };
  let pool = starts.slice().sort((x, y) => x.s - y.s);
  const rounds = Math.ceil(Math.log2(pool.length)) + 1;
  const perRound = Math.floor((budget * ANNEAL_SHARE) / rounds);
  for (let round = 0; round < rounds && pool.length > 0; round++) {
    const share = Math.floor(perRound / pool.length);
    pool = pool.map((s) => anneal(s, judge, rng, spreadable, share, patience, n)).sort((x, y) => x.s - y.s);
    pool = pool.slice(0, Math.max(1, Math.ceil(pool.length / 2)));
  }
  const best = descend(pool[0] ?? starts[0] as Scored, judge, rng, spreadable, budget, n);
  return { best, evaluations: n.evaluations, valid: n.valid };
}
