/**
 * NSGA-II (Deb et al., IEEE TEC 2002) in ask/tell form: offspring are bred a generation at a time
 * by binary tournaments on (constrained rank, crowding), crossover and mutation; once a
 * generation's worth of results is in, parents + offspring are cut back to `population` by
 * constraint-dominated non-dominated sorting and crowding distance.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import { BaseStrategy } from './base.ts';
import { constrainedDominates } from './constraints.ts';
import { crowdingDistance, nonDominatedSortBy } from '../core/pareto.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, StrategyContext } from './strategy.ts';
import { okResults } from './strategy.ts';

export const nsga2Options = z.object({
  population: z.number().int().min(2).max(100_000).default(40),
  crossoverProb: z.number().min(0).max(1).default(0.9),
  mutationProb: z.number().min(0).max(1).default(0.15),
}).strict();
export type Nsga2Options = z.infer<typeof nsga2Options>;

interface Individual<T> {
  readonly x: T;
  readonly key: string;
  readonly values: readonly number[];
  readonly violation: number;
  rank: number;
  crowding: number;
}

export class Nsga2<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'nsga2';
  private parents: Individual<T>[] = [];
  private pool: Individual<T>[] = [];
  private queue: T[] = [];

  constructor(ctx: StrategyContext<T>, private readonly options: Nsga2Options = nsga2Options.parse({})) {
    super(ctx);
    if (ctx.objectives.length > 4) throw new ConfigError('objectives', ctx.objectives.length, 'NSGA-II here handles 1–4 objectives');
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    const out: Candidate<T>[] = [];
    for (let i = 0; i < n; i++) {
      if (this.queue.length === 0) this.breed();
      out.push(this.candidate(this.queue.shift() as T));
    }
    return out;
  }

  tell(results: readonly EvalResult<T>[]): void {
    for (const r of okResults(results)) {
      this.pool.push({ x: r.candidate.x, key: r.candidate.key, values: r.values, violation: r.violation, rank: 0, crowding: 0 });
    }
    if (this.pool.length >= this.options.population) {
      this.parents = this.select([...this.parents, ...this.pool]);
      this.pool = [];
    }
  }

  /** One generation of offspring: random until there are parents. */
  private breed(): void {
    const N = this.options.population;
    if (this.parents.length === 0) {
      for (let i = 0; i < N; i++) this.queue.push(this.space.sample(this.rng));
      return;
    }
    for (let i = 0; i < N; i++) {
      const a = this.tournament();
      let x = a.x;
      if (this.rng.bool(this.options.crossoverProb)) x = this.space.crossover(a.x, this.tournament().x, this.rng);
      this.queue.push(this.space.mutate(x, this.rng, this.options.mutationProb));
    }
  }

  private tournament(): Individual<T> {
    const [i, j] = this.rng.sampleIndices(this.parents.length, Math.min(2, this.parents.length));
    const a = this.parents[i as number] as Individual<T>;
    const b = j === undefined ? a : (this.parents[j] as Individual<T>);
    if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
    return b.crowding > a.crowding ? b : a;
  }

  /** Environmental selection; duplicates by key are dropped first so the front is not clogged. */
  private select(all: Individual<T>[]): Individual<T>[] {
    const seen = new Set<string>();
    const unique = all.filter((m) => (seen.has(m.key) ? false : (seen.add(m.key), true)));
    const fronts = nonDominatedSortBy(unique.length, (i, j) => constrainedDominates(unique[i] as Individual<T>, unique[j] as Individual<T>));
    const points = unique.map((m) => m.values);
    const next: Individual<T>[] = [];
    fronts.forEach((front, rank) => {
      if (next.length >= this.options.population) return;
      const crowd = crowdingDistance(points, front);
      const members = front.map((idx, t) => ({ ...(unique[idx] as Individual<T>), rank, crowding: crowd[t] as number }));
      if (next.length + members.length > this.options.population) {
        // Stable sort: ties keep front order, so selection is deterministic.
        members.sort((a, b) => b.crowding - a.crowding);
      }
      next.push(...members.slice(0, this.options.population - next.length));
    });
    return next;
  }

  protected saveOwn(): Json {
    // Infinity is not JSON: crowding is stored as null for boundary points.
    const enc = (m: Individual<T>) => ({ ...m, crowding: Number.isFinite(m.crowding) ? m.crowding : null });
    return { parents: this.parents.map(enc), pool: this.pool.map(enc), queue: this.queue } as unknown as Json;
  }

  protected loadOwn(own: Json): void {
    type Stored = Omit<Individual<T>, 'crowding'> & { crowding: number | null };
    const o = own as unknown as { parents: Stored[]; pool: Stored[]; queue: T[] };
    const dec = (m: Stored): Individual<T> => ({ ...m, crowding: m.crowding === null ? Infinity : m.crowding });
    this.parents = o.parents.map(dec);
    this.pool = o.pool.map(dec);
    this.queue = [...o.queue];
  }
}

export const nsga2Entry: StrategyEntry<Nsga2Options> = {
  name: 'nsga2',
  description: 'NSGA-II: constrained non-dominated sorting, crowding distance, 1–4 objectives',
  schema: nsga2Options as unknown as z.ZodType<Nsga2Options>,
  create: (ctx, options) => new Nsga2(ctx, options),
};
