/**
 * Space-filling choices of the surrogate loop: the initial networks (largest, smallest, other corners, then
 * greedy maximin over the genes that count — each new point the farthest, in differing choices,
 * from all chosen so far, out of a random sample), and the maximin rule the accelerator pool's
 * screening (hw-pool.ts) spreads its candidates with.
 */
import type { Rng } from '../../core/rng.ts';

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

/**
 * The initial networks: the corners — largest, smallest, then the port's other corners (e.g. the
 * largest network at the lowest precision), as many as `count` allows — then maximin picks out of
 * 40 random genomes per pick.
 */
export function initialNetworks(space: GeneSpace, corners: readonly (readonly number[])[], count: number, rng: Rng): number[][] {
  const withOn = (g: readonly number[]) => ({ g: [...g], on: space.active(g) });
  const distance = (a: { g: number[]; on: readonly boolean[] }, b: { g: number[]; on: readonly boolean[] }) => geneDistance(a.g, a.on, b.g, b.on);
  const fixed: { g: number[]; on: readonly boolean[] }[] = [];
  for (const c of corners) {
    const p = withOn(c);
    if (fixed.length < count && fixed.every((q) => distance(p, q) > 0)) fixed.push(p);
  }
  const sample = Array.from({ length: Math.max(0, count - fixed.length) * 40 }, () => withOn(space.arity.map((a) => rng.int(a))));
  return maximin(fixed, sample, count, distance).map((p) => p.g);
}

/** `count` more maximin networks, away from the `designed` ones (a design grown for a large first batch). */
export function growDesign(space: GeneSpace, designed: readonly (readonly number[])[], count: number, rng: Rng): number[][] {
  const withOn = (g: readonly number[]) => ({ g: [...g], on: space.active(g) });
  const sample = Array.from({ length: count * 40 }, () => withOn(space.arity.map((a) => rng.int(a))));
  const fixed = designed.map(withOn);
  return maximin(fixed, sample, fixed.length + count, (a, b) => geneDistance(a.g, a.on, b.g, b.on)).slice(fixed.length).map((p) => p.g);
}
