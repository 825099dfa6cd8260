/**
 * `strategy: surrogate` — surrogate-assisted co-search (Once-for-All / NAAS style, with a loop):
 * verify an initial design (largest, smallest, other corners, space-filling), then every `ask` is one round —
 * fit the accuracy predictor on all verified scores, search tens of thousands of network ×
 * accelerator candidates on predicted accuracy + exact hardware cost, and hand the batch the
 * acquisition rule picks to the runner, which verifies it (supernet) and stores the verified
 * metrics; the predictions travel apart in `Candidate.predicted`, and each round's fit is a note.
 *
 * State (all in the snapshot, with the Rng): the verified networks and objective vectors, the keys
 * asked so far, the accelerator pool, the initial queue and the round counter. The predictor is not
 * stored: it is re-fitted from the verified set, deterministically (GP, no SGD), so a restored
 * strategy proposes exactly what the original would have (conformance suite, crash drill).
 */
import type { ZodType } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { paretoFrontIndices } from '../../core/pareto.ts';
import type { Json, JsonObject } from '../../core/types.ts';
import { BaseStrategy, jsonClone } from '../base.ts';
import type { StrategyEntry } from '../registry.ts';
import type { Candidate, EvalResult, StrategyContext, StrategyNote } from '../strategy.ts';
import { okResults } from '../strategy.ts';
import { memberKey } from './inner-search.ts';
import { growDesign, initialNetworks } from './design.ts';
import { applyRefresh, breed, decideRefresh, initialPool, membersAfter, type PoolState, type RefreshDecision } from './hw-pool.ts';
import { surrogateOptions, type SurrogateOptions } from './options.ts';
import { ROUND_NOTE } from './report.ts';
import type { SurrogatePort } from './port.ts';
import { planMetrics, RoundProblem, type MetricPlan } from './problem.ts';
import { bestPool, runRound, type RoundPick, type VerifiedNet } from './round.ts';

export { ROUND_NOTE };

/** Verified networks a round needs before it fits a predictor. */
const MIN_FIT = 4;

interface Own {
  verified: VerifiedNet[];
  points: number[][];
  /** Network key of each point (same order; absent in snapshots from before it was kept). */
  pointKeys?: string[];
  asked: string[];
  /** The accelerator pool (hw-pool.ts); `ready` once the initial screening chose its members. */
  pool: PoolState & { ready: boolean };
  /** Initial-design networks not yet asked (null until the design is drawn on the first ask). */
  queue: number[][] | null;
  /** Every initial-design network drawn so far (anchors when the design must grow). */
  designed: number[][];
  round: number;
}

export class SurrogateStrategy<T extends JsonObject> extends BaseStrategy<T> {
  readonly name = 'surrogate';
  private readonly port: SurrogatePort<T>;
  private readonly plan: MetricPlan;
  private own: Own;
  private asked = new Set<string>();
  private notes: StrategyNote[] = [];
  /** The pool change made by the last `prepare`, reported with the next round. */
  private refreshed: { added: JsonObject[]; removed: JsonObject[] } = { added: [], removed: [] };
  /**
   * Work started ahead of the `prepare` that needs it (options.prefetch): the initial pool (`warm`)
   * and the refresh decision for the children the last round bred, keyed by that pending object
   * (a restore replaces it, so a restored strategy decides itself). Never in the snapshot: it only
   * computes what `prepare` would compute, and `prepare` alone changes the state.
   */
  private initialAhead: Promise<{ members: JsonObject[]; tried: string[] }> | null = null;
  private refreshAhead: { pending: NonNullable<PoolState['pending']>; decision: Promise<RefreshDecision> } | null = null;

  constructor(ctx: StrategyContext<T>, private readonly options: SurrogateOptions = surrogateOptions.parse({})) {
    super(ctx);
    if (!ctx.surrogate) throw new ConfigError('strategy', 'surrogate', 'needs a predictor and exact cost port (StrategyContext.surrogate): use it through `nas search` or the NAS-Bench-201 benchmark');
    this.port = ctx.surrogate;
    this.plan = planMetrics(this.port, ctx.objectives, ctx.constraints ?? []);
    this.own = { verified: [], points: [], asked: [], pool: { members: [], since: [], tried: [], pending: null, ready: false }, queue: null, designed: [], round: 0 };
  }

  /**
   * Before every ask: choose the initial accelerator pool (screening) or refresh it with the children
   * the last round bred, then make sure every member's cost table exists. Deterministic from the state;
   * work a prefetch started is awaited here (its errors surface here) and gives the same result.
   */
  async prepare(): Promise<void> {
    const hw = this.port.hardware;
    const pool = this.own.pool;
    this.refreshed = { added: [], removed: [] };
    if (hw && !pool.ready) {
      const chosen = await (this.initialAhead ?? this.chooseInitial());
      this.initialAhead = null;
      Object.assign(pool, { members: chosen.members, since: chosen.members.map(() => 0), tried: chosen.tried, ready: true });
      this.refreshed = { added: chosen.members, removed: [] };
    } else if (hw && pool.pending) {
      const ahead = this.refreshAhead;
      this.refreshAhead = null;
      const decision = await (ahead && ahead.pending === pool.pending ? ahead.decision : this.decide(pool.members, pool.pending));
      this.refreshed = applyRefresh(pool, decision, this.own.round);
    }
    await this.port.prepare(this.poolValues);
  }

  /**
   * Starts what the next `prepare` needs, in the background (options.prefetch): before the first,
   * screening the initial accelerator candidates and compiling the chosen members' tables (a
   * function of the seed and options only); after a round, screening the children it bred and
   * compiling the table of any that will join. Not called after the last ask (the runner knows the
   * budget), so no refresh is computed that no round would use.
   */
  warm(): void {
    const pool = this.own.pool;
    if (!this.port.hardware || !this.options.prefetch) return;
    if (!pool.ready) {
      if (this.initialAhead) return;
      this.initialAhead = this.chooseInitial();
      this.background(this.initialAhead.then((c) => this.port.prepare(c.members)));
    } else if (pool.pending && this.refreshAhead?.pending !== pool.pending) {
      this.prefetchRefresh(pool.pending);
    }
  }

  private chooseInitial(): Promise<{ members: JsonObject[]; tried: string[] }> {
    const hw = this.port.hardware as NonNullable<SurrogatePort['hardware']>;
    return initialPool(this.port, this.plan, hw.space, this.options.hwPool, this.options.hwCandidates, this.rng.fork('hw-pool'));
  }

  private decide(members: readonly JsonObject[], pending: PoolState['pending']): Promise<RefreshDecision> {
    return decideRefresh(this.port, this.plan, members, pending, this.options.hwRefresh, this.options.hwPool);
  }

  /** The refresh the next `prepare` makes, started now (screening, then the joining members' tables). */
  private prefetchRefresh(pending: NonNullable<PoolState['pending']>): void {
    const members = [...this.own.pool.members];
    const decision = this.decide(members, pending);
    this.refreshAhead = { pending, decision };
    this.background(decision.then((d) => this.port.prepare(membersAfter(members, d))));
  }

  /** Background work nobody may await (a stop, a dispose): its failure is seen again by the `prepare` that redoes or awaits it. */
  private background(work: Promise<unknown>): void {
    work.catch(() => undefined);
  }

  takeNotes(): StrategyNote[] {
    const out = this.notes;
    this.notes = [];
    return out;
  }

  private get poolValues(): (JsonObject | null)[] {
    return this.port.hardware ? this.own.pool.members : [null];
  }

  private keyOf(genes: readonly number[], pool: number): string {
    return this.space.key(this.port.candidate(genes, this.poolValues[pool] ?? null));
  }

  ask(n: number): Candidate<T>[] {
    this.checkCount(n);
    if (this.own.queue === null) {
      this.own.queue = initialNetworks(this.port.genes, [this.port.genes.largest, this.port.genes.smallest, ...(this.port.genes.corners ?? [])], this.options.initial, this.rng);
      this.own.designed = this.own.queue.map((g) => [...g]);
    }
    // Nothing to fit on yet (a batch larger than the initial design): the design grows instead.
    const short = n - this.own.queue.length;
    if (short > 0 && this.own.verified.length < MIN_FIT) {
      const more = growDesign(this.port.genes, this.own.designed, short, this.rng);
      this.own.designed.push(...more);
      this.own.queue.push(...more);
    }
    const out: Candidate<T>[] = [];
    const fromQueue = this.own.queue.splice(0, n);
    if (fromQueue.length > 0) {
      const probe = new RoundProblem(this.port, this.plan, { predictMean: (_x, rows) => new Float64Array(rows), predict: (_x, rows) => ({ mean: new Float64Array(rows), sd: new Float64Array(rows) }), describe: () => ({}) }, this.poolValues, []);
      const pools = bestPool(probe, this.plan, fromQueue);
      fromQueue.forEach((g, i) => out.push(this.make(g, pools[i] as number, { round: 0, rule: 'initial-design' })));
    }
    if (out.length < n) out.push(...this.round(n - out.length, out));
    return out;
  }

  private round(n: number, already: readonly Candidate<T>[]): Candidate<T>[] {
    const round = ++this.own.round;
    const pending = new Set(already.map((c) => c.key));
    const result = runRound({
      port: this.port, plan: this.plan, options: this.options, verified: this.own.verified, points: this.own.points, frontNets: frontNetworks(this.own),
      pool: this.poolValues, asked: (g, p) => { const k = this.keyOf(g, p); return this.asked.has(k) || pending.has(k); },
      n, round, rng: this.rng,
    });
    const pred = this.port.predicted;
    const out = result.picks.map((p: RoundPick) =>
      this.make(p.genes, p.pool, { round, rule: p.rule, [pred]: { mean: p.mean, sd: p.sd, ...(p.verifiedNetwork ? { source: 'verified network' } : { source: 'predictor' }) } }),
    );
    const hw = this.port.hardware;
    // Children for the next prepare to screen on this round's predicted front.
    if (hw && this.options.hwRefresh > 0 && this.options.hwChildren > 0) {
      const pending = { children: breed(hw.space, this.own.pool, result.usage, this.options.hwChildren, this.rng), nets: result.frontNets.map((g) => [...g]) };
      this.own.pool.pending = pending;
    }
    this.notes.push({
      type: ROUND_NOTE,
      payload: jsonClone({
        round, verifiedNetworks: this.own.verified.length, predicted: pred, trainSize: result.fit.trainSize, predictor: result.fit.predictor,
        cv: result.fit.cv, evaluations: result.evaluations, predictedFront: result.frontSize,
        batch: { size: out.length, ...Object.fromEntries(['ucb-max', 'ucb-capped', 'ucb-hvi', 'diversity', 'fill'].map((r) => [r, result.picks.filter((p) => p.rule === r).length])) },
        pool: hw ? { members: this.own.pool.members.map((m) => hw.space.key(m)), usage: result.usage, added: this.refreshed.added.map((m) => hw.space.key(m)), removed: this.refreshed.removed.map((m) => hw.space.key(m)) } : null,
        ms: result.ms,
      }) as unknown as JsonObject,
    });
    return out;
  }

  private make(genes: readonly number[], pool: number, predicted: JsonObject): Candidate<T> {
    const c = this.candidate(this.port.candidate(genes, this.poolValues[pool] ?? null));
    this.asked.add(c.key);
    this.own.asked.push(c.key);
    return { ...c, predicted };
  }

  tell(results: readonly EvalResult<T>[]): void {
    const known = new Set(this.own.verified.map((v) => v.key));
    for (const r of okResults(results)) {
      const genes = this.port.parts(r.candidate.x).genes;
      const key = memberKey(genes, this.port.genes.active(genes), -1);
      if (r.violation === 0) {
        this.own.points.push([...r.values]);
        (this.own.pointKeys ??= []).push(key);
      }
      const y = r.metrics[this.port.predicted];
      if (typeof y !== 'number' || !Number.isFinite(y)) continue;
      if (known.has(key)) continue;
      known.add(key);
      this.own.verified.push({ key, genes, y });
    }
  }

  protected saveOwn(): Json {
    return jsonClone(this.own) as unknown as Json;
  }

  override dispose(): void {
    this.initialAhead = null;
    this.refreshAhead = null;
  }

  protected loadOwn(own: Json): void {
    this.own = jsonClone(own) as unknown as Own;
    this.asked = new Set(this.own.asked);
  }
}

/** Verified networks with a point on the verified Pareto front (most accurate first). */
function frontNetworks(own: Own): VerifiedNet[] {
  const keys = own.pointKeys ?? [];
  if (keys.length !== own.points.length) return [];
  const byKey = new Map(own.verified.map((v) => [v.key, v]));
  const nets = new Set(paretoFrontIndices(own.points).map((i) => keys[i] as string));
  return [...nets].flatMap((k) => (byKey.has(k) ? [byKey.get(k) as VerifiedNet] : [])).sort((a, b) => b.y - a.y);
}

export const surrogateEntry: StrategyEntry<SurrogateOptions> = {
  name: 'surrogate',
  description: 'surrogate-assisted co-search: GP accuracy predictor + exact hardware cost, NSGA-II inner search, UCB hypervolume batches verified each round',
  schema: surrogateOptions as unknown as ZodType<SurrogateOptions>,
  create: (ctx, options) => new SurrogateStrategy(ctx, options),
};
