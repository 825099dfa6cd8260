/**
 * Space-filling choices of the surrogate loop: the initial networks (largest, smallest, then
 * greedy maximin over the genes that count — each new point the farthest, in differing choices,
 * from all chosen so far, out of a random sample) and the accelerators the inner search may pair
 * them with (maximin over their one-hot encodings), plus the pool's refresh between rounds.
 */
import type { Rng } from '../../core/rng.ts';
import type { JsonObject } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';

/** Choices that differ between two genomes; a gene active on one side only counts as different. */
export function geneDistance(a: readonly number[], aOn: readonly boolean[], b: readonly number[], bOn: readonly boolean[]): number {
  let d = 0;
  for (let g = 0; g < a.length; g++) {
    if (aOn[g] !== bOn[g]) d++;
    else if (aOn[g] && a[g] !== b[g]) d++;
  }
  return d;
}

/** Greedy maximin: `count` points from `pool`, starting from `fixed` (kept, first), each the farthest from all before it. */
export function maximin<P>(fixed: readonly P[], pool: readonly P[], count: number, distance: (a: P, b: P) => number): P[] {
  const chosen = [...fixed];
  const nearest = pool.map((p) => Math.min(Infinity, ...chosen.map((c) => distance(p, c))));
  const used = new Set<number>();
  while (chosen.length < count && used.size < pool.length) {
    let best = -1;
    for (let i = 0; i < pool.length; i++) if (!used.has(i) && (best < 0 || (nearest[i] as number) > (nearest[best] as number))) best = i;
    if (best < 0 || (nearest[best] as number) === 0) break;
    used.add(best);
    const p = pool[best] as P;
    chosen.push(p);
    pool.forEach((q, i) => {
      nearest[i] = Math.min(nearest[i] as number, distance(q, p));
    });
  }
  return chosen;
}

export interface GeneSpace {
  readonly arity: readonly number[];
  active(genes: ArrayLike<number>): readonly boolean[];
}

/** The initial networks: largest, smallest, then `count − 2` maximin picks out of 40 random genomes per pick. */
export function initialNetworks(space: GeneSpace, largest: readonly number[], smallest: readonly number[], count: number, rng: Rng): number[][] {
  const withOn = (g: readonly number[]) => ({ g: [...g], on: space.active(g) });
  const sample = Array.from({ length: Math.max(0, count - 2) * 40 }, () => withOn(space.arity.map((a) => rng.int(a))));
  const fixed = [withOn(largest), withOn(smallest)];
  return maximin(fixed, sample, count, (a, b) => geneDistance(a.g, a.on, b.g, b.on)).map((p) => p.g);
}

/** `count` more maximin networks, away from the `designed` ones (a design grown for a large first batch). */
export function growDesign(space: GeneSpace, designed: readonly (readonly number[])[], count: number, rng: Rng): number[][] {
  const withOn = (g: readonly number[]) => ({ g: [...g], on: space.active(g) });
  const sample = Array.from({ length: count * 40 }, () => withOn(space.arity.map((a) => rng.int(a))));
  const fixed = designed.map(withOn);
  return maximin(fixed, sample, fixed.length + count, (a, b) => geneDistance(a.g, a.on, b.g, b.on)).slice(fixed.length).map((p) => p.g);
}

const hamming = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + (v !== b[i] ? 1 : 0), 0);

/** `count` accelerators spread over the space (every config when the space holds no more). */
export function initialPool(space: SearchSpace<JsonObject>, count: number, rng: Rng): JsonObject[] {
  if (space.enumerate && space.size() <= BigInt(count)) return [...space.enumerate()];
  const seen = new Set<string>();
  const distinct = Array.from({ length: 40 * count }, () => space.sample(rng))
    .filter((x) => !seen.has(space.key(x)) && seen.add(space.key(x)) !== undefined)
    .map((x) => ({ x, e: space.encode(x) }));
  return maximin([distinct[0] as (typeof distinct)[number]], distinct.slice(1), count, (a, b) => hamming(a.e, b.e)).map((p) => p.x);
}

export interface PoolState {
  readonly members: JsonObject[];
  /** Round each member joined. */
  readonly since: number[];
  /** Keys of every config ever in the pool (evicted ones are not bred again). */
  readonly tried: string[];
}

/**
 * Replaces the `replace` least-used members (usage: how many predicted-front members chose it;
 * ties: the oldest) with children of the most-used ones — uniform crossover of the two most used,
 * then mutation — never a config the pool has held before. Returns the new members.
 */
export function refreshPool(space: SearchSpace<JsonObject>, state: PoolState, usage: readonly number[], replace: number, round: number, rng: Rng): JsonObject[] {
  const n = state.members.length;
  if (replace < 1 || n < 2) return [];
  const byUse = state.members.map((_, i) => i).sort((a, b) => (usage[b] as number) - (usage[a] as number) || (state.since[a] as number) - (state.since[b] as number) || a - b);
  const [first, second] = [byUse[0] as number, byUse[1] as number];
  const evict = [...byUse].reverse().filter((i) => i !== first).slice(0, Math.min(replace, n - 1));
  const tried = new Set(state.tried);
  const added: JsonObject[] = [];
  for (const slot of evict) {
    let child: JsonObject | null = null;
    for (let attempt = 0; attempt < 50 && child === null; attempt++) {
      const mix = rng.bool(0.5) ? space.crossover(state.members[first] as JsonObject, state.members[second] as JsonObject, rng) : (state.members[first] as JsonObject);
      const c = space.mutate(mix, rng, 0.2);
      if (!tried.has(space.key(c))) child = c;
    }
    if (child === null) continue;
    tried.add(space.key(child));
    state.tried.push(space.key(child));
    state.members[slot] = child;
    state.since[slot] = round;
    added.push(child);
  }
  return added;
}
