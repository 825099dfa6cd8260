/**
 * The accelerators the inner search may pair networks with. A table of exact costs is compiled
 * for each member (~15 s of mapping), so the pool is small and chosen with care:
 * - initially, `hwCandidates` configs spread over the accelerator space (maximin on their one-hot
 *   codes) are screened — each network's exact cost mapped layer by layer, no table — on the
 *   corner networks (largest, smallest, and e.g. the largest at the lowest bits), and the pool is
 *   the greedy facility-location choice: up to
 *   `hwPool` accelerators, each lowering Σ over networks of the best member's score for it (a score
 *   is Σ log(cost objective) plus a penalty per unit of constraint violation); an accelerator that
 *   is best for no network is not compiled;
 * - after every round, `hwChildren` children of the most used members (crossover + mutation) are
 *   screened on the predicted front's networks; up to `hwRefresh` of them join — added while the
 *   pool has room, else swapped for a member — when that lowers the same sum (one table each).
 * The children are bred in `ask` (they need the round's front) and screened by the next `prepare`
 * (asynchronous, on worker threads): both steps are functions of the strategy's state. The screening
 * and the decision it leads to (`decideRefresh`) are pure, so they may start right after `ask`, in
 * the background while the batch is verified; `applyRefresh` then changes the pool in `prepare`.
 */
import type { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import { maximin } from './design.ts';
import type { SurrogatePort } from './port.ts';
import { violationOf, type MetricPlan } from './problem.ts';

export interface PoolState {
  members: JsonObject[];
  /** Round each member joined. */
  since: number[];
  /** Keys of every config ever screened (not bred again). */
  tried: string[];
  /** Children bred by the last round and the networks to screen them on; null when none wait. */
  pending: { children: JsonObject[]; nets: number[][] } | null;
}

/** Score of each network on one accelerator from its cost columns: lower is better. */
export function hwScores(plan: MetricPlan, columns: readonly Float64Array[], nets: number): number[] {
  return Array.from({ length: nets }, (_, n) => {
    const value = (s: number) => (s < 0 ? Number.NaN : ((columns[s] as Float64Array)[n] as number));
    let score = 0;
    for (const o of plan.objectives) if (o.source >= 0) score += o.sign * Math.log(Math.max(Math.abs(value(o.source)), 1e-300));
    const v = violationOf({ ...plan, constraints: plan.constraints.filter((c) => c.source >= 0) }, value);
    return score + 1e3 * v;
  });
}

const total = (scores: readonly (readonly number[])[], chosen: readonly number[]): number =>
  (scores[0] ?? []).reduce((s, _v, n) => s + Math.min(...chosen.map((h) => (scores[h] as number[])[n] as number)), 0);

/** Greedy facility location over `scores[h][n]`: up to k members, each lowering the sum (at least one). */
export function chooseMembers(scores: readonly (readonly number[])[], k: number): number[] {
  const chosen: number[] = [];
  while (chosen.length < Math.min(k, scores.length)) {
    let best = -1;
    let bestTotal = chosen.length > 0 ? total(scores, chosen) : Infinity;
    for (let h = 0; h < scores.length; h++) {
      if (chosen.includes(h)) continue;
      const t = total(scores, [...chosen, h]);
      if (t < bestTotal - 1e-12) {
        best = h;
        bestTotal = t;
      }
    }
    if (best < 0) break;
    chosen.push(best);
  }
  return chosen;
}

/** Screens `count` spread configs on the corner networks (largest, smallest, the port's other corners) and picks the initial pool. */
export async function initialPool(port: SurrogatePort, plan: MetricPlan, space: SearchSpace<JsonObject>, size: number, count: number, rng: Rng): Promise<{ members: JsonObject[]; tried: string[] }> {
  if (space.enumerate && space.size() <= BigInt(size)) {
    const all = [...space.enumerate()];
    return { members: all, tried: all.map((x) => space.key(x)) };
  }
  const seen = new Set<string>();
  const sample = Array.from({ length: 20 * count }, () => space.sample(rng)).filter((x) => !seen.has(space.key(x)) && seen.add(space.key(x)) !== undefined);
  const codes = sample.map((x) => space.encode(x));
  const hamming = (a: number, b: number) => (codes[a] as number[]).reduce((s, v, i) => s + (v !== (codes[b] as number[])[i] ? 1 : 0), 0);
  const picked = maximin([0], sample.map((_, i) => i).slice(1), Math.max(size, count), hamming);
  const candidates = picked.map((i) => sample[i] as JsonObject);
  // the corners of the space: an accelerator good for the largest network at 8 bits (a big buffer)
  // is not the one for the same network at 4 bits, which the search may well converge on
  const nets = [port.genes.largest, port.genes.smallest, ...(port.genes.corners ?? [])];
  const columns = await port.screen(candidates, nets);
  const scores = columns.map((c) => hwScores(plan, c, nets.length));
  const chosen = chooseMembers(scores, size);
  return { members: chosen.map((i) => candidates[i] as JsonObject), tried: candidates.map((x) => space.key(x)) };
}

/** Children of the most used members (uniform crossover of the two most used half the time, then mutation), never screened before. */
export function breed(space: SearchSpace<JsonObject>, state: PoolState, usage: readonly number[], count: number, rng: Rng): JsonObject[] {
  const n = state.members.length;
  if (n === 0 || count < 1) return [];
  const byUse = state.members.map((_, i) => i).sort((a, b) => (usage[b] as number) - (usage[a] as number) || a - b);
  const [first, second] = [byUse[0] as number, byUse[Math.min(1, n - 1)] as number];
  const tried = new Set(state.tried);
  const out: JsonObject[] = [];
  for (let attempt = 0; out.length < count && attempt < 50 * count; attempt++) {
    const parent = attempt % 2 === 0 ? first : second;
    const mix = rng.bool(0.5) && first !== second ? space.crossover(state.members[first] as JsonObject, state.members[second] as JsonObject, rng) : (state.members[parent] as JsonObject);
    const child = space.mutate(mix, rng, 0.2);
    const key = space.key(child);
    if (tried.has(key)) continue;
    tried.add(key);
    state.tried.push(key);
    out.push(child);
  }
  return out;
}

/**
 * One step of a pool refresh: `child` (an index into the pending children) joins the pool, in place
 * of member `out`, or appended when `out` is -1.
 */
export interface RefreshMove {
  readonly child: number;
  readonly out: number;
}

/** What a refresh does: the children it screened and the moves, in order (empty: the pool stays). */
export interface RefreshDecision {
  readonly children: readonly JsonObject[];
  readonly moves: readonly RefreshMove[];
}

/**
 * Screens the pending children on the pending networks and decides which of them replace (or join)
 * members where that lowers the pool's sum, up to `replace` moves. Pure: reads the members' tables
 * (prepared first: a resumed process has none loaded yet) and the screening, changes nothing, so it may run in the background while the round's
 * batch is verified (surrogate.ts prefetch) and `applyRefresh` makes its result the pool later.
 */
export async function decideRefresh(
  port: SurrogatePort, plan: MetricPlan, members: readonly JsonObject[], pending: PoolState['pending'], replace: number, capacity: number,
): Promise<RefreshDecision> {
  if (!pending || pending.children.length === 0 || pending.nets.length === 0 || replace < 1) return { children: [], moves: [] };
  const nets = pending.nets.length;
  const genes = Int32Array.from(pending.nets.flat());
  // the members' tables: ready in the process that ran the round, loaded (or compiled) after a resume
  await port.prepare(members);
  const memberScores = members.map((m) => hwScores(plan, port.exactCost(genes, nets, m), nets));
  const childScores = (await port.screen(pending.children, pending.nets)).map((c) => hwScores(plan, c, nets));
  const moves: RefreshMove[] = [];
  for (let k = 0; k < replace; k++) {
    const base = total(memberScores, memberScores.map((_, i) => i));
    // out = -1: the child joins without an eviction (the pool has room)
    let best: { out: number; in: number; t: number } | null = null;
    const outs = memberScores.length < capacity ? [-1] : memberScores.map((_, i) => i);
    for (const o of outs) {
      for (let c = 0; c < childScores.length; c++) {
        if (moves.some((m) => m.child === c)) continue;
        const trial = o < 0 ? [...memberScores, childScores[c] as number[]] : memberScores.map((s, i) => (i === o ? (childScores[c] as number[]) : s));
        const t = total(trial, trial.map((_, i) => i));
        if (t < (best?.t ?? base) - 1e-9) best = { out: o, in: c, t };
      }
    }
    if (!best) break;
    moves.push({ child: best.in, out: best.out });
    if (best.out < 0) memberScores.push(childScores[best.in] as number[]);
    else memberScores[best.out] = childScores[best.in] as number[];
  }
  return { children: pending.children, moves };
}

/** The pool's members after `decision` (what `applyRefresh` will make them), e.g. to compile their tables ahead. */
export function membersAfter(members: readonly JsonObject[], decision: RefreshDecision): JsonObject[] {
  const out = [...members];
  for (const m of decision.moves) {
    const child = decision.children[m.child] as JsonObject;
    if (m.out < 0) out.push(child);
    else out[m.out] = child;
  }
  return out;
}

/** Makes `decision` the pool (members joined in `round`) and clears the pending children. */
export function applyRefresh(state: PoolState, decision: RefreshDecision, round: number): { added: JsonObject[]; removed: JsonObject[] } {
  state.pending = null;
  const added: JsonObject[] = [];
  const removed: JsonObject[] = [];
  for (const m of decision.moves) {
    const child = decision.children[m.child] as JsonObject;
    added.push(child);
    if (m.out < 0) {
      state.members.push(child);
      state.since.push(round);
    } else {
      removed.push(state.members[m.out] as JsonObject);
      state.members[m.out] = child;
      state.since[m.out] = round;
    }
  }
  return { added, removed };
}
