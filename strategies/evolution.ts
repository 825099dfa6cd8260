/**
 * Regularized (aging) evolution — Real et al., "Regularized Evolution for Image Classifier
 * Architecture Search", AAAI 2019: a FIFO population; each child comes from the winner of a random
 * tournament, by mutation (optionally after crossover with a second winner); the oldest member dies.
 * Tournament order: feasible before infeasible, then lower violation, then the fitness objective.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import { BaseStrategy } from './base.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, StrategyContext } from './strategy.ts';
import { okResults } from './strategy.ts';

export const evolutionOptions = z.object({
  population: z.number().int().min(2).max(100_000).default(50),
  sampleSize: z.number().int().min(1).max(100_000).default(10),
  /** Per-choice resampling probability (the space always changes at least one choice). */
  mutationProb: z.number().min(0).max(1).default(0.1),
  crossoverProb: z.number().min(0).max(1).default(0),
  /** Objective ranking the tournament (default: the first objective). */
  fitness: z.string().optional(),
}).strict();
export type EvolutionOptions = z.infer<typeof evolutionOptions>;

interface Member<T> {
  readonly x: T;
  readonly key: string;
  /** Fitness to minimise (already sign-flipped for max objectives). */
  readonly fitness: number;
  readonly violation: number;
}

export class RegularizedEvolution<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'evolution';
  private population: Member<T>[] = [];
  private asked = 0;
  private readonly fitnessIndex: number;

  constructor(ctx: StrategyContext<T>, private readonly options: EvolutionOptions = evolutionOptions.parse({})) {
    super(ctx);
    if (options.sampleSize > options.population) {
      throw new ConfigError('evolution.options.sampleSize', options.sampleSize, `must not exceed population (${options.population})`);
    }
    const name = options.fitness ?? ctx.objectives[0]?.name;
    this.fitnessIndex = ctx.objectives.findIndex((o) => o.name === name);
    if (this.fitnessIndex < 0) throw new ConfigError('evolution.options.fitness', name, 'is not one of the objectives');
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    const out: Candidate<T>[] = [];
    for (let i = 0; i < n; i++) {
      // Until the population has been seeded (or while every seed failed) children are random.
      const random = this.asked < this.options.population || this.population.length === 0;
      out.push(this.candidate(random ? this.space.sample(this.rng) : this.child()));
      this.asked++;
    }
    return out;
  }

  tell(results: readonly EvalResult<T>[]): void {
    for (const r of okResults(results)) {
      this.population.push({ x: r.candidate.x, key: r.candidate.key, fitness: r.values[this.fitnessIndex] as number, violation: r.violation });
      if (this.population.length > this.options.population) this.population.shift();
    }
  }

  private child(): T {
    const parent = this.tournament();
    let base = parent.x;
    if (this.options.crossoverProb > 0 && this.rng.bool(this.options.crossoverProb)) {
      base = this.space.crossover(parent.x, this.tournament().x, this.rng);
    }
    return this.space.mutate(base, this.rng, this.options.mutationProb);
  }

  private tournament(): Member<T> {
    const k = Math.min(this.options.sampleSize, this.population.length);
    let best: Member<T> | undefined;
    for (const i of this.rng.sampleIndices(this.population.length, k)) {
      const m = this.population[i] as Member<T>;
      if (!best || beats(m, best)) best = m;
    }
    return best as Member<T>;
  }

  protected saveOwn(): Json {
    return { asked: this.asked, population: this.population as unknown as Json };
  }

  protected loadOwn(own: Json): void {
    const o = own as unknown as { asked: number; population: Member<T>[] };
    this.asked = o.asked;
    this.population = o.population.map((m) => ({ ...m }));
  }
}

function beats<T>(a: Member<T>, b: Member<T>): boolean {
  if (a.violation !== b.violation) return a.violation < b.violation;
  return a.fitness < b.fitness;
}

export const evolutionEntry: StrategyEntry<EvolutionOptions> = {
  name: 'evolution',
  description: 'regularized (aging) evolution with tournament selection, mutation and crossover',
  schema: evolutionOptions as unknown as z.ZodType<EvolutionOptions>,
  create: (ctx, options) => new RegularizedEvolution(ctx, options),
};
