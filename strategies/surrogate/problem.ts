/**
 * The surrogate's view of one round's objective space: where each objective and constrained metric
 * comes from (the predictor's mean, or a column of the port's exact cost), and the batched
 * evaluation the inner search calls. Predictions are memoised per network within the round, and
 * verified networks keep their verified value (a GP mean at a training point is smoothed).
 */
import { ConfigError } from '../../core/errors.ts';
import type { JsonObject } from '../../core/types.ts';
import type { Constraint } from '../constraints.ts';
import type { ObjectiveSpec } from '../objectives.ts';
import { memberKey, type InnerProblem } from './inner-search.ts';
import type { SurrogatePort, UncertainPredictor } from './port.ts';

/** -1: the predicted metric; k ≥ 0: exact cost column k. */
export type Source = number;

export interface MetricPlan {
  readonly objectives: readonly { readonly source: Source; readonly sign: 1 | -1 }[];
  readonly constraints: readonly { readonly source: Source; readonly op: '<=' | '>='; readonly limit: number }[];
  /** Index of the predicted objective. */
  readonly predictedIndex: number;
}

/** Checks that the port can supply every metric the experiment asks for; throws ConfigError naming it. */
export function planMetrics(port: Pick<SurrogatePort, 'predicted' | 'costMetrics'>, objectives: readonly ObjectiveSpec[], constraints: readonly Constraint[]): MetricPlan {
  const source = (metric: string, field: string): Source => {
    if (metric === port.predicted) return -1;
    const k = port.costMetrics.indexOf(metric);
    if (k < 0) throw new ConfigError(field, metric, `the surrogate strategy predicts ${port.predicted} and computes ${port.costMetrics.join(', ') || 'no cost'} exactly; it cannot search on this metric`);
    return k;
  };
  const plan = {
    objectives: objectives.map((o, i) => ({ source: source(o.name, `objectives[${i}]`), sign: (o.direction === 'max' ? -1 : 1) as 1 | -1 })),
    constraints: constraints.map((c, i) => ({ source: source(c.metric, `constraints[${i}]`), op: c.op, limit: c.limit })),
  };
  const predictedIndex = plan.objectives.findIndex((o) => o.source === -1);
  if (predictedIndex < 0) throw new ConfigError('objectives', objectives.map((o) => o.name).join(','), `the surrogate strategy needs ${port.predicted} among the objectives (it is what it predicts and verifies)`);
  return { ...plan, predictedIndex };
}

/** Deb's relative constraint violation (constraints.ts `violation`) on one row. */
export function violationOf(plan: MetricPlan, value: (s: Source) => number): number {
  let total = 0;
  for (const c of plan.constraints) {
    const v = value(c.source);
    if (!Number.isFinite(v)) {
      total += 1;
      continue;
    }
    const excess = c.op === '<=' ? v - c.limit : c.limit - v;
    if (excess > 0) total += excess / Math.max(Math.abs(c.limit), 1e-12);
  }
  return total;
}

export class RoundProblem implements InnerProblem {
  readonly arity: readonly number[];
  readonly objectives: number;
  private readonly memo = new Map<string, number>();
  private readonly verified: ReadonlySet<string>;

  constructor(
    private readonly port: SurrogatePort,
    private readonly plan: MetricPlan,
    private readonly predictor: UncertainPredictor,
    private readonly pool: readonly (JsonObject | null)[],
    verified: readonly { readonly key: string; readonly y: number }[],
  ) {
    this.arity = port.genes.arity;
    this.objectives = plan.objectives.length;
    for (const v of verified) this.memo.set(v.key, v.y);
    this.verified = new Set(verified.map((v) => v.key));
  }

  isVerified(genes: ArrayLike<number>): boolean {
    return this.verified.has(this.networkKey(genes));
  }

  /**
   * Mean and posterior standard deviation of each network; a verified network has its verified
   * value and sd 0.
   */
  uncertainty(genes: readonly (readonly number[])[]): { mean: number; sd: number; verified: boolean }[] {
    const G = this.arity.length;
    const out = genes.map((g) => ({ mean: this.predictedOf(Int32Array.from(g), 1)[0] as number, sd: 0, verified: this.isVerified(g) }));
    const open = out.flatMap((o, i) => (o.verified ? [] : [i]));
    if (open.length === 0) return out;
    const sub = new Int32Array(open.length * G);
    open.forEach((i, t) => sub.set(genes[i] as readonly number[], t * G));
    const { sd } = this.predictor.predict(this.port.genes.features(sub, open.length), open.length);
    open.forEach((i, t) => ((out[i] as { sd: number }).sd = sd[t] as number));
    return out;
  }

  /**
   * Over `genes`: each network's sd once the picked ones (indices into `genes`) are observed, as a
   * ratio to its sd now (1 for verified networks, and for all when the predictor cannot condition).
   */
  conditioner(genes: readonly (readonly number[])[]): (picked: readonly number[]) => Float64Array {
    const G = this.arity.length;
    const flat = new Int32Array(genes.length * G);
    genes.forEach((g, i) => flat.set(g, i * G));
    const c = this.predictor.conditioner?.(this.port.genes.features(flat, genes.length), genes.length);
    const fixed = genes.map((g) => this.isVerified(g));
    return (picked) => {
      const out = c ? c.given(picked) : new Float64Array(genes.length).fill(1);
      fixed.forEach((f, i) => f && (out[i] = 1));
      return out;
    };
  }

  get poolSize(): number {
    return this.pool.length;
  }

  active(genes: ArrayLike<number>): readonly boolean[] {
    return this.port.genes.active(genes);
  }

  /** Identity of a network genome (its active genes). */
  networkKey(genes: ArrayLike<number>): string {
    return memberKey(genes, this.active(genes), -1);
  }

  /** Predicted (or verified) value of each genome's network. */
  predictedOf(genes: Int32Array, rows: number): Float64Array {
    const G = this.arity.length;
    const out = new Float64Array(rows);
    const keys = Array.from({ length: rows }, (_, r) => this.networkKey(genes.subarray(r * G, (r + 1) * G)));
    const seen = new Set<string>();
    const miss: number[] = [];
    keys.forEach((k, r) => {
      if (!this.memo.has(k) && !seen.has(k)) {
        seen.add(k);
        miss.push(r);
      }
    });
    if (miss.length > 0) {
      const sub = new Int32Array(miss.length * G);
      miss.forEach((r, t) => sub.set(genes.subarray(r * G, (r + 1) * G), t * G));
      const mean = this.predictor.predictMean(this.port.genes.features(sub, miss.length), miss.length);
      miss.forEach((r, t) => this.memo.set(keys[r] as string, mean[t] as number));
    }
    keys.forEach((k, r) => (out[r] = this.memo.get(k) as number));
    return out;
  }

  /** Exact cost columns of each genome on its pool member. */
  costOf(genes: Int32Array, pool: Int32Array, rows: number): Float64Array[] {
    const G = this.arity.length;
    const cols = this.port.costMetrics.map(() => new Float64Array(rows));
    for (let h = 0; h < this.pool.length; h++) {
      const at: number[] = [];
      for (let r = 0; r < rows; r++) if (pool[r] === h) at.push(r);
      if (at.length === 0) continue;
      const sub = new Int32Array(at.length * G);
      at.forEach((r, t) => sub.set(genes.subarray(r * G, (r + 1) * G), t * G));
      const c = this.port.exactCost(sub, at.length, this.pool[h] ?? null);
      c.forEach((col, k) => at.forEach((r, t) => ((cols[k] as Float64Array)[r] = col[t] as number)));
    }
    return cols;
  }

  evaluate(genes: Int32Array, pool: Int32Array, rows: number): { values: Float64Array; violation: Float64Array } {
    const pred = this.predictedOf(genes, rows);
    const cost = this.costOf(genes, pool, rows);
    const M = this.objectives;
    const values = new Float64Array(rows * M);
    const violation = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const value = (s: Source) => (s < 0 ? (pred[r] as number) : ((cost[s] as Float64Array)[r] as number));
      this.plan.objectives.forEach((o, k) => (values[r * M + k] = o.sign * value(o.source)));
      violation[r] = violationOf(this.plan, value);
    }
    return { values, violation };
  }
}
