/**
 * Nested co-search (as in NAAS, Lin et al. 2021): an outer strategy proposes accelerator configs;
 * for each, a fresh inner strategy searches networks for `innerBudget` trials; the outer strategy
 * is then told the best inner result (feasible first, then the first objective). As a whole it is
 * one Strategy over joint (arch, hw) values, so the runner, storage and resume are unchanged.
 */
import { z } from 'zod';
import { ConfigError, UsageError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import type { TensorPolicies } from '../core/policy.ts';
import { BaseStrategy } from './base.ts';
import type { Joint } from '../core/space/joint.ts';
import { ProductSpace } from '../core/space/joint.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, Strategy, StrategyContext } from './strategy.ts';

export const nestedOptions = z.object({
  outer: z.string().default('evolution'),
  outerOptions: z.record(z.string(), z.unknown()).default({}),
  inner: z.string().default('evolution'),
  innerOptions: z.record(z.string(), z.unknown()).default({}),
  innerBudget: z.number().int().min(1).default(20),
}).strict();
export type NestedOptions = z.infer<typeof nestedOptions>;

type Ok<T extends JsonObject> = Extract<EvalResult<T>, { ok: true }>;

/** Builds a strategy by name; injected to avoid a runtime import cycle with the registry. */
export type StrategyMaker = <T extends JsonObject>(name: string, ctx: StrategyContext<T>, options: unknown) => Strategy<T>;

interface OwnState<A extends JsonObject, H extends JsonObject> {
  readonly outer: Json;
  readonly inner: Json | null;
  readonly hw: Candidate<H> | null;
  readonly innerAsked: number;
  readonly innerTold: number;
  readonly best: Ok<A> | null;
  readonly pending: [number, Candidate<A>][];
}

export class NestedStrategy<A extends JsonObject, H extends JsonObject> extends BaseStrategy<Joint<A, H>> {
  readonly name = 'nested';
  private readonly space2: ProductSpace<A, H>;
  private readonly outer: Strategy<H>;
  private inner: Strategy<A> | null = null;
  private hw: Candidate<H> | null = null;
  private innerAsked = 0;
  private innerTold = 0;
  private best: Ok<A> | null = null;
  private pending = new Map<number, Candidate<A>>();

  constructor(ctx: StrategyContext<Joint<A, H>>, private readonly options: NestedOptions, private readonly make: StrategyMaker) {
    super(ctx);
    if (!(ctx.space instanceof ProductSpace)) throw new ConfigError('space', ctx.space.name, "the 'nested' strategy needs a joint (arch × hw) space");
    this.space2 = ctx.space as ProductSpace<A, H>;
    const { objectives, constraints } = ctx;
    this.outer = make(options.outer, { space: this.space2.hwSpace, objectives, constraints, rng: ctx.rng.fork('outer'), ...this.injected() }, options.outerOptions);
  }

  private innerFor(hw: Candidate<H>): Strategy<A> {
    const { objectives, constraints } = this.ctx;
    return this.make(this.options.inner, { space: this.space2.archSpace, objectives, constraints, rng: this.rng.fork(`inner-${hw.id}`), ...this.injected() }, this.options.innerOptions);
  }

  /** The tensor policies the nested strategy was given, passed on to its outer and inner strategies. */
  private injected(): { policies?: TensorPolicies } {
    return this.ctx.policies ? { policies: this.ctx.policies } : {};
  }

  ask(n: number): Candidate<Joint<A, H>>[] {
    this.checkCount(n);
    if (!this.hw || this.innerAsked >= this.options.innerBudget) {
      if (this.innerTold < this.innerAsked) throw new UsageError('nested strategy: tell the results of the current hardware round before asking for more');
      [this.hw] = this.outer.ask(1) as [Candidate<H>];
      release(this.inner);
      this.inner = this.innerFor(this.hw);
      this.innerAsked = 0;
      this.innerTold = 0;
      this.best = null;
    }
    const hw = this.hw;
    const k = Math.min(n, this.options.innerBudget - this.innerAsked);
    this.innerAsked += k;
    return (this.inner as Strategy<A>).ask(k).map((a) => {
      const c = this.candidate({ arch: a.x, hw: hw.x } as Joint<A, H>);
      this.pending.set(c.id, a);
      return c;
    });
  }

  tell(results: readonly EvalResult<Joint<A, H>>[]): void {
    const innerResults: EvalResult<A>[] = [];
    for (const r of results) {
      const a = this.pending.get(r.candidate.id);
      if (!a) continue;
      this.pending.delete(r.candidate.id);
      this.innerTold++;
      if (!r.ok) {
        innerResults.push({ candidate: a, ok: false, error: r.error });
        continue;
      }
      const ok: Ok<A> = { candidate: a, ok: true, metrics: r.metrics, values: r.values, violation: r.violation };
      innerResults.push(ok);
      if (!this.best || ok.violation < this.best.violation || (ok.violation === this.best.violation && (ok.values[0] as number) < (this.best.values[0] as number))) this.best = ok;
    }
    (this.inner as Strategy<A>).tell(innerResults);
    if (this.hw && this.innerTold >= this.options.innerBudget) {
      const hw = this.hw;
      const b = this.best;
      this.outer.tell([b ? { candidate: hw, ok: true, metrics: b.metrics, values: b.values, violation: b.violation } : { candidate: hw, ok: false, error: 'every network evaluated on this hardware failed' }]);
    }
  }

  protected saveOwn(): Json {
    const own: OwnState<A, H> = {
      outer: this.outer.snapshot(),
      inner: this.inner ? this.inner.snapshot() : null,
      hw: this.hw,
      innerAsked: this.innerAsked,
      innerTold: this.innerTold,
      best: this.best,
      pending: [...this.pending],
    };
    return JSON.parse(JSON.stringify(own)) as Json;
  }

  protected loadOwn(own: Json): void {
    const o = own as unknown as OwnState<A, H>;
    this.outer.restore(o.outer);
    this.hw = o.hw;
    release(this.inner);
    this.inner = o.hw ? this.innerFor(o.hw) : null;
    if (this.inner && o.inner !== null) this.inner.restore(o.inner);
    this.innerAsked = o.innerAsked;
    this.innerTold = o.innerTold;
    this.best = o.best;
    this.pending = new Map(o.pending);
  }

  override dispose(): void {
    release(this.inner);
    this.inner = null;
    this.outer.dispose();
  }
}

/** Inner strategies holding tensors (REINFORCE) free them when their round ends. */
function release<X extends JsonObject>(s: Strategy<X> | null): void {
  s?.dispose();
}

export function nestedEntry(make: StrategyMaker): StrategyEntry<NestedOptions> {
  return {
    name: 'nested',
    description: 'outer hardware search, inner network search per hardware config (NAAS-style)',
    schema: nestedOptions as unknown as z.ZodType<NestedOptions>,
    create: <T extends JsonObject>(ctx: StrategyContext<T>, options: NestedOptions) =>
      new NestedStrategy(ctx as unknown as StrategyContext<Joint<JsonObject, JsonObject>>, options, make) as unknown as Strategy<T>,
  };
}
