/**
 * Differentiable architecture search, ProxylessNAS/FBNet style (Cai et al. 2019, arXiv:1812.00332;
 * Wu et al. 2019, arXiv:1812.03443): architecture logits θ per decision, Gumbel-softmax weights
 * softmax((θ + G)/τ) with τ annealed, a loss of cross-entropy (through the injected relaxed
 * supernet) and an exact expected cost (through injected cost tables), minimised with Adam.
 * Decisions the network cannot mix (input resolution) are sampled from softmax(θ) per step and learn
 * through the score-function gradient with a moving-average baseline. Hardware, when the problem
 * offers an accelerator pool, is one more decision: it enters the loss only through the cost.
 *
 * ask(n) runs `stepsPerAsk` gradient steps, then proposes the derived network (argmax per decision)
 * and n−1 samples from the current distribution. A hard-constraint schedule multiplies the cost
 * weight by `constraintGrowth` after every ask whose derived network breaks a `<=` constraint on a
 * cost metric. Everything lives in plain numbers, so snapshot/restore resumes exactly.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import { BaseStrategy } from './base.ts';
import {
  adamStep, argmaxGroups, combineLoss, gumbel, softmaxBackward, softmaxGroups, temperature, type AdamState, type CostTerm, type LossKind,
} from './differentiable-math.ts';
import type { RelaxedProblem } from './relaxed-problem.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, StrategyContext } from './strategy.ts';
import { okResults } from './strategy.ts';

export const differentiableOptions = z.object({
  stepsPerAsk: z.number().int().min(0).max(100_000).default(10),
  batchSize: z.number().int().min(1).max(4096).default(32),
  learningRate: z.number().positive().max(10).default(0.01),
  temperature: z.strictObject({
    start: z.number().positive().default(5),
    end: z.number().positive().default(0.5),
    /** Steps over which τ decays exponentially from start to end. */
    steps: z.number().int().min(1).default(1000),
  }).default({ start: 5, end: 0.5, steps: 1000 }),
  loss: z.enum(['mul#log', 'add#linear']).default('mul#log'),
  /** Cost metric → target, e.g. { latency_ms: 5 }; empty: cross-entropy only. */
  costs: z.record(z.string(), z.number().positive()).default({}),
  /** mul#log exponent (FBNet β). */
  beta: z.number().min(0).default(0.6),
  /** add#linear weight. */
  lambda: z.number().min(0).default(1),
  constraintGrowth: z.number().min(1).default(2),
  baselineDecay: z.number().min(0).max(1).default(0.9),
  // Read by the platform when it builds the relaxed problem (platform/relaxed-source.ts):
  /** Joint hardware mode: accelerators sampled within the area budget as the relaxed hardware decision. */
  hwPool: z.number().int().min(1).max(64).default(4),
  /** Fake-quantise with the bits mixtures in the relaxed forward. */
  quantize: z.boolean().default(true),
  /** Also fine-tune the supernet weights with SGD at this rate (default frozen; resume is then not exact). */
  fineTune: z.number().positive().optional(),
}).strict();
export type DifferentiableOptions = z.infer<typeof differentiableOptions>;

/** Figures of the last gradient step (benchmarks, progress). */
export interface StepFigures {
  readonly step: number;
  readonly temperature: number;
  readonly crossEntropy: number;
  readonly loss: number;
  /** E[cost] per metric of `costs`. */
  readonly expected: Readonly<Record<string, number>>;
}

interface OwnState {
  readonly theta: number[];
  readonly adam: AdamState;
  readonly baseline: number | null;
  readonly scale: number;
  readonly best: { key: string; values: number[] } | null;
  readonly last: StepFigures | null;
}

export class Differentiable<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'differentiable';
  private readonly problem: RelaxedProblem<T>;
  private theta: number[];
  private adam: AdamState;
  private baseline: number | null = null;
  private scale = 1;
  private best: { key: string; values: number[] } | null = null;
  private last: StepFigures | null = null;
  private readonly limits: { metric: string; limit: number }[];

  constructor(ctx: StrategyContext<T>, private readonly options: DifferentiableOptions = differentiableOptions.parse({})) {
    super(ctx);
    if (!ctx.relaxed) throw new ConfigError('strategy', 'differentiable', 'needs a relaxed problem (an mbconv experiment with accuracy.source: supernet)');
    this.problem = ctx.relaxed;
    for (const m of Object.keys(options.costs)) {
      if (!this.problem.costMetrics.includes(m)) throw new ConfigError('differentiable.options.costs', m, `has no exact expectation; available: ${this.problem.costMetrics.join(', ')}`);
    }
    this.limits = (ctx.constraints ?? []).filter((c) => c.op === '<=' && this.problem.costMetrics.includes(c.metric)).map((c) => ({ metric: c.metric, limit: c.limit }));
    const n = this.problem.arity.reduce((s, a) => s + a, 0);
    this.theta = new Array<number>(n).fill(0);
    this.adam = { m: new Array<number>(n).fill(0), v: new Array<number>(n).fill(0), t: 0 };
  }

  /** Current choice probabilities per decision. */
  probabilities(): number[][] {
    return softmaxGroups(this.theta, this.problem.arity);
  }

  /** The derived architecture's choices: argmax per decision. */
  derived(): number[] {
    return argmaxGroups(this.probabilities());
  }

  figures(): StepFigures | null {
    return this.last;
  }

  /** One gradient step on the architecture logits. */
  step(): StepFigures {
    const { arity, sampled } = this.problem;
    const o = this.options;
    const tau = temperature(this.adam.t, o.temperature.start, o.temperature.end, o.temperature.steps);
    const probs = this.probabilities();
    const noise = gumbel(this.rng, this.theta.length);
    const choices = arity.map(() => 0);
    for (const d of sampled) choices[d] = this.rng.weightedIndex(probs[d] as number[]);
    const batch = this.rng.sampleIndices(this.problem.trainSize, Math.min(o.batchSize, this.problem.trainSize));
    const ce = this.problem.crossEntropy({ logits: this.theta, noise, temperature: tau, choices, batch });

    const expected: Record<string, number> = {};
    const costs: CostTerm[] = Object.entries(o.costs).map(([metric, target]) => {
      const e = this.problem.expectedCost(metric, probs);
      expected[metric] = e.value;
      return { value: e.value, grad: softmaxBackward(probs, e.grad), target };
    });
    const combined = combineLoss(o.loss as LossKind, ce.loss, costs, this.theta.length, { beta: o.beta, lambda: o.lambda, scale: this.scale });
    const grad = ce.grad.map((g, i) => combined.ceScale * g + (combined.costGrad[i] as number));
    // Score function for sampled decisions: (CE − baseline)·scale · ∇ log p(choice), ∇_θ log p = onehot − p.
    const b = this.baseline ?? ce.loss;
    const advantage = (ce.loss - b) * combined.ceScale;
    let at = 0;
    arity.forEach((a, d) => {
      if (sampled.includes(d)) {
        const p = probs[d] as number[];
        for (let i = 0; i < a; i++) grad[at + i] = (grad[at + i] as number) - advantage * ((i === choices[d] ? 1 : 0) - (p[i] as number));
      }
      at += a;
    });
    this.baseline = o.baselineDecay * b + (1 - o.baselineDecay) * ce.loss;
    adamStep(this.theta, grad, this.adam, o.learningRate);
    this.last = { step: this.adam.t, temperature: tau, crossEntropy: ce.loss, loss: combined.loss, expected };
    return this.last;
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    for (let i = 0; i < this.options.stepsPerAsk; i++) this.step();
    const derived = this.derived();
    if (this.limits.some((l) => this.problem.cost(l.metric, derived) > l.limit)) this.scale = Math.min(this.scale * this.options.constraintGrowth, 1e6);
    const probs = this.probabilities();
    const out = [this.candidate(this.problem.decode(derived))];
    for (let i = 1; i < n; i++) out.push(this.candidate(this.problem.decode(probs.map((p) => this.rng.weightedIndex(p)))));
    return out;
  }

  tell(results: readonly EvalResult<T>[]): void {
    for (const r of okResults(results)) {
      if (r.violation > 0) continue;
      if (!this.best || (r.values[0] as number) < (this.best.values[0] as number)) this.best = { key: r.candidate.key, values: [...r.values] };
    }
  }

  /** Best feasible result told so far (first objective, minimised form). */
  bestResult(): { key: string; values: number[] } | null {
    return this.best;
  }

  protected saveOwn(): Json {
    const own: OwnState = { theta: [...this.theta], adam: { m: [...this.adam.m], v: [...this.adam.v], t: this.adam.t }, baseline: this.baseline, scale: this.scale, best: this.best, last: this.last };
    return JSON.parse(JSON.stringify(own)) as Json;
  }

  protected loadOwn(own: Json): void {
    const o = own as unknown as OwnState;
    if (!Array.isArray(o.theta) || o.theta.length !== this.theta.length) {
      throw new ConfigError('snapshot.own.theta', o.theta?.length, `expected ${this.theta.length} architecture logits`);
    }
    this.theta = [...o.theta];
    this.adam = { m: [...o.adam.m], v: [...o.adam.v], t: o.adam.t };
    this.baseline = o.baseline;
    this.scale = o.scale;
    this.best = o.best ? { key: o.best.key, values: [...o.best.values] } : null;
    this.last = o.last;
  }
}

export const differentiableEntry: StrategyEntry<DifferentiableOptions> = {
  name: 'differentiable',
  description: 'ProxylessNAS/FBNet-style Gumbel-softmax search over the relaxed supernet with exact expected cost',
  schema: differentiableOptions as unknown as z.ZodType<DifferentiableOptions>,
  create: (ctx, options) => new Differentiable(ctx, options),
};
