/**
 * REINFORCE (Williams 1992) with a GRU controller (runtime/gru-policy.ts) and a moving-average baseline, as
 * in Zoph & Le 2017. Rewards:
 * - 'objective': the first (or named) objective in its natural direction;
 * - 'mnas': MnasNet's acc × Π (cost/target)^w, w = alpha when cost ≤ target else beta
 *   (Tan et al. 2019, soft constraint α = β = −0.07);
 * - 'pareto': 1 − (share of earlier results that dominate this one), so every new
 *   non-dominated point earns the top reward.
 * Hard-constraint violation lowers any reward by penalty × violation × |baseline|.
 * Policies: 'gru' (the recurrent controller, injected as ctx.policies.gru: it needs tensors) or
 * 'factorised' (one softmax per decision, the NAS-Bench-201 paper's REINFORCE). Advantages are R − b, optionally divided by a running standard
 * deviation of R − b ('std'), which keeps step sizes steady while rewards shift and shrink.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';
import { BaseStrategy } from './base.ts';
import type { Policy, PolicyState, TensorPolicies } from '../core/policy.ts';
import { FactorisedPolicy } from './factorised-policy.ts';
import { dominates } from '../core/pareto.ts';
import type { StrategyEntry } from './registry.ts';
import type { Candidate, EvalResult, StrategyContext } from './strategy.ts';

export const reinforceOptions = z.object({
  policy: z.enum(['gru', 'factorised']).default('gru'),
  /** GRU width (policy 'gru' only). */
  hidden: z.number().int().min(2).max(512).default(32),
  learningRate: z.number().positive().max(1).default(0.01),
  /** Baseline b ← decay·b + (1−decay)·R. */
  baselineDecay: z.number().min(0).max(1).default(0.9),
  entropyWeight: z.number().min(0).default(0),
  /** 'std': advantage (R − b) / running std of (R − b), the running variance decaying as the baseline. */
  rewardScale: z.enum(['none', 'std']).default('none'),
  reward: z.enum(['objective', 'mnas', 'pareto']).default('objective'),
  /** Objective used as reward ('objective') or as accuracy ('mnas'); default the first. */
  rewardObjective: z.string().optional(),
  /** mnas: metric → target, e.g. { latency_ms: 5 }. */
  targets: z.record(z.string(), z.number().positive()).default({}),
  alpha: z.number().default(-0.07),
  beta: z.number().default(-0.07),
  constraintPenalty: z.number().min(0).default(1),
  /**
   * Resamples (up to this many times) a sequence whose architecture was already evaluated or is
   * pending; the known reward of the repeat is replayed into the next update, so a converging
   * controller keeps learning without spending queries on repeats. 0 disables.
   */
  resampleKnown: z.number().int().min(0).max(1000).default(5),
}).strict();
export type ReinforceOptions = z.infer<typeof reinforceOptions>;

interface OwnState {
  readonly controller: PolicyState;
  readonly baseline: number | null;
  /** Absent in snapshots written before rewardScale existed. */
  readonly variance?: number;
  readonly pending: Record<string, number[]>;
  readonly archive: number[][];
  readonly known: [string, number][];
  readonly replay: [number[], number][];
}

export class Reinforce<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'reinforce';
  private readonly arity: number[];
  private readonly controller: Policy;
  private baseline: number | null = null;
  private variance = 0;
  private pending = new Map<number, number[]>();
  private archive: number[][] = [];
  /** Reward of every evaluated key (NaN while pending). */
  private known = new Map<string, number>();
  private replay: [number[], number][] = [];
  private readonly rewardIndex: number;

  constructor(ctx: StrategyContext<T>, private readonly options: ReinforceOptions = reinforceOptions.parse({})) {
    super(ctx);
    this.arity = [...ctx.space.decisions()];
    const name = options.rewardObjective ?? ctx.objectives[0]?.name;
    this.rewardIndex = ctx.objectives.findIndex((o) => o.name === name);
    if (this.rewardIndex < 0) throw new ConfigError('reinforce.options.rewardObjective', name, 'is not one of the objectives');
    if (options.reward === 'mnas' && Object.keys(options.targets).length === 0) {
      throw new ConfigError('reinforce.options.targets', options.targets, "reward 'mnas' needs at least one cost target");
    }
    const init = ctx.rng.fork('controller-init');
    if (options.policy === 'gru' && !ctx.policies) {
      throw new ConfigError('reinforce.options.policy', 'gru', 'needs a tensor runtime: the strategy context must carry `policies` (runtime/gru-policy.ts), or use policy: factorised');
    }
    this.controller = options.policy === 'factorised'
      ? new FactorisedPolicy(this.arity, init, options.learningRate)
      : (ctx.policies as TensorPolicies).gru(this.arity, options.hidden, init, options.learningRate);
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    return this.controller.sample(n, this.rng).map((first) => {
      let actions = first;
      let x = this.space.fromChoices(actions);
      for (let t = 0; t < this.options.resampleKnown && this.known.has(this.space.key(x)); t++) {
        const reward = this.known.get(this.space.key(x)) as number;
        if (!Number.isNaN(reward)) this.replay.push([actions, reward]);
        actions = this.controller.sample(1, this.rng)[0] as number[];
        x = this.space.fromChoices(actions);
      }
      const c = this.candidate(x);
      if (!this.known.has(c.key)) this.known.set(c.key, NaN);
      this.pending.set(c.id, actions);
      return c;
    });
  }

  tell(results: readonly EvalResult<T>[]): void {
    const batch: number[][] = [];
    const advantages: number[] = [];
    const learn = (actions: number[], reward: number) => {
      const b = this.baseline ?? reward;
      const d = this.options.baselineDecay;
      let adv = reward - b;
      if (this.options.rewardScale === 'std') {
        this.variance = d * this.variance + (1 - d) * adv * adv;
        adv = this.variance > 0 ? adv / Math.sqrt(this.variance) : 0;
      }
      batch.push(actions);
      advantages.push(adv);
      this.baseline = d * b + (1 - d) * reward;
    };
    for (const [actions, reward] of this.replay) learn(actions, reward);
    this.replay = [];
    for (const r of results) {
      const actions = this.pending.get(r.candidate.id);
      this.pending.delete(r.candidate.id);
      if (!r.ok || !actions) continue;
      let reward = this.reward(r);
      if (r.violation > 0) reward -= this.options.constraintPenalty * r.violation * Math.max(1, Math.abs(this.baseline ?? reward));
      learn(actions, reward);
      this.known.set(r.candidate.key, reward);
      if (this.options.reward === 'pareto') this.archive.push([...r.values]);
    }
    this.controller.update(batch, advantages, this.options.entropyWeight);
  }

  private reward(r: Extract<EvalResult<T>, { ok: true }>): number {
    const o = this.ctx.objectives[this.rewardIndex];
    const value = (r.values[this.rewardIndex] as number) * (o?.direction === 'max' ? -1 : 1);
    if (this.options.reward === 'objective') return value;
    if (this.options.reward === 'pareto') {
      if (this.archive.length === 0) return 1;
      return 1 - this.archive.filter((p) => dominates(p, r.values)).length / this.archive.length;
    }
    let factor = 1;
    for (const [metric, target] of Object.entries(this.options.targets)) {
      const cost = r.metrics[metric];
      if (typeof cost !== 'number') throw new ConfigError('reinforce.options.targets', metric, 'is not a metric the evaluation returns');
      factor *= (cost / target) ** (cost <= target ? this.options.alpha : this.options.beta);
    }
    return value * factor;
  }

  private disposed = false;
  /** Releases the controller's tensors (once). */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controller.dispose();
  }

  protected saveOwn(): Json {
    const own: OwnState = {
      controller: this.controller.state(),
      baseline: this.baseline,
      variance: this.variance,
      pending: Object.fromEntries([...this.pending].map(([k, v]) => [String(k), v])),
      archive: this.archive,
      // NaN (pending) is not JSON: stored as null.
      known: [...this.known].map(([k, v]) => [k, Number.isNaN(v) ? null : v]) as [string, number][],
      replay: this.replay,
    };
    return own as unknown as Json;
  }

  protected loadOwn(own: Json): void {
    const o = own as unknown as OwnState;
    this.controller.load(o.controller);
    this.baseline = o.baseline;
    this.variance = o.variance ?? 0;
    this.pending = new Map(Object.entries(o.pending).map(([k, v]) => [Number(k), [...v]]));
    this.archive = o.archive.map((p) => [...p]);
    this.known = new Map(o.known.map(([k, v]) => [k, v === null ? NaN : v]));
    this.replay = o.replay.map(([a, r]) => [[...a], r]);
  }
}

export const reinforceEntry: StrategyEntry<ReinforceOptions> = {
  name: 'reinforce',
  description: 'REINFORCE with a GRU or factorised softmax policy, moving-average baseline, MnasNet or Pareto reward',
  schema: reinforceOptions as unknown as z.ZodType<ReinforceOptions>,
  create: (ctx, options) => new Reinforce(ctx, options),
};
