/**
 * Random search: uniform samples from the space, skipping keys already proposed (up to a number of
 * retries, after which repeats are allowed — a small space may be exhausted).
 */
import { z } from 'zod';
import type { Json, JsonObject } from '../core/types.ts';
import { BaseStrategy } from './base.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, StrategyContext } from './strategy.ts';

export const randomOptions = z.object({
  /** Draws per candidate before a repeated key is accepted. */
  dedupeTries: z.number().int().min(1).max(10_000).default(50),
}).strict();
export type RandomOptions = z.infer<typeof randomOptions>;

export class RandomSearch<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'random';
  private seen = new Set<string>();

  constructor(ctx: StrategyContext<T>, private readonly options: RandomOptions = randomOptions.parse({})) {
    super(ctx);
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    const out: Candidate<T>[] = [];
    for (let i = 0; i < n; i++) {
      let x = this.space.sample(this.rng);
      for (let t = 1; t < this.options.dedupeTries && this.seen.has(this.space.key(x)); t++) x = this.space.sample(this.rng);
      this.seen.add(this.space.key(x));
      out.push(this.candidate(x));
    }
    return out;
  }

  tell(_results: readonly EvalResult<T>[]): void {
    // Random search does not learn.
  }

  protected saveOwn(): Json {
    return { seen: [...this.seen] };
  }

  protected loadOwn(own: Json): void {
    this.seen = new Set((own as { seen: string[] }).seen);
  }
}

export const randomEntry: StrategyEntry<RandomOptions> = {
  name: 'random',
  description: 'uniform random sampling without repeats',
  schema: randomOptions as unknown as z.ZodType<RandomOptions>,
  create: (ctx, options) => new RandomSearch(ctx, options),
};
