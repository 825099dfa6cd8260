/**
 * How close an estimator is to measured truth — the figures nn-Meter and the OFA papers report:
 * share of predictions within ±5 % and ±10 %, RMSE in percent, mean bias, and Kendall τ (does it
 * rank candidates correctly, which is what a search needs).
 */
import { ConfigError } from '../core/errors.ts';
import { kendallTau } from '../core/stats.ts';

export interface Fidelity {
  readonly n: number;
  readonly within5: number;
  readonly within10: number;
  /** Root mean square of relative errors, in %. */
  readonly rmsePct: number;
  /** Mean relative error (prediction − truth) / truth, in %: negative = optimistic. */
  readonly biasPct: number;
  readonly kendallTau: number;
}

export function fidelity(predicted: readonly number[], truth: readonly number[]): Fidelity {
  if (predicted.length !== truth.length || truth.length < 2) {
    throw new ConfigError('samples', truth.length, 'need two or more predictions paired with measurements');
  }
  const rel = predicted.map((p, i) => (p - (truth[i] as number)) / (truth[i] as number));
  const share = (limit: number) => rel.filter((r) => Math.abs(r) <= limit).length / rel.length;
  return {
    n: rel.length,
    within5: share(0.05),
    within10: share(0.1),
    rmsePct: 100 * Math.sqrt(rel.reduce((a, r) => a + r * r, 0) / rel.length),
    biasPct: (100 * rel.reduce((a, r) => a + r, 0)) / rel.length,
    kendallTau: kendallTau(predicted, truth),
  };
}
