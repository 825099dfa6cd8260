/**
 * What a surrogate search recorded about its predictor, read back from storage for the CLI and the
 * API: each round's fit (held-out τ and RMSE of a k-fold cross-validation on the verified networks)
 * and the prospective check — every trial's prediction, made before it was verified, against the
 * verified value. Also the `90.12 ± 0.42` form of a verified accuracy with its standard error.
 */
import { kendallTau } from '../core/stats.ts';
import type { JsonObject, Metrics } from '../core/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { TrialRecord } from '../storage/types.ts';
import { ROUND_NOTE } from '../strategies/surrogate/surrogate.ts';

export interface RoundRecord extends JsonObject {
  readonly round: number;
  readonly verifiedNetworks: number;
  readonly cv: { readonly folds: number; readonly samples: number; readonly kendallTau: number | null; readonly rmse: number; readonly meanSd: number } | null;
  readonly evaluations: number;
}

export interface Prospective extends JsonObject {
  /** Trials whose verified value can be compared with the prediction made before verification. */
  readonly n: number;
  readonly rmse: number;
  readonly kendallTau: number | null;
  /** Share of verified values within one / two predicted standard deviations. */
  readonly within1sd: number;
  readonly within2sd: number;
}

/** The surrogate rounds an experiment recorded, in order. */
export async function surrogateRounds(storage: Storage, experimentId: number): Promise<RoundRecord[]> {
  const out: RoundRecord[] = [];
  for (let after = 0; ;) {
    const page = await storage.eventsSince(after, { experimentId, limit: 1000 });
    for (const e of page) if (e.type === ROUND_NOTE) out.push(e.payload as unknown as RoundRecord);
    if (page.length < 1000) return out;
    after = page[page.length - 1]?.id ?? after;
  }
}

/** A trial's prediction of `metric` as stored by the surrogate strategy, when it made one from its predictor. */
export function predictionOf(t: Pick<TrialRecord, 'predicted'>, metric = 'accuracy'): { mean: number; sd: number } | null {
  const p = t.predicted?.[metric] as { mean?: unknown; sd?: unknown; source?: unknown } | undefined;
  if (!p || typeof p.mean !== 'number' || typeof p.sd !== 'number' || p.source !== 'predictor') return null;
  return { mean: p.mean, sd: p.sd };
}

export function prospective(trials: readonly TrialRecord[], metric = 'accuracy'): Prospective | null {
  const pairs = trials.flatMap((t) => {
    const p = predictionOf(t, metric);
    const v = t.state === 'finished' ? t.metrics?.[metric] : undefined;
    return p && typeof v === 'number' ? [{ ...p, v }] : [];
  });
  if (pairs.length === 0) return null;
  const rmse = Math.sqrt(pairs.reduce((s, p) => s + (p.mean - p.v) ** 2, 0) / pairs.length);
  const tau = pairs.length >= 2 ? kendallTau(pairs.map((p) => p.mean), pairs.map((p) => p.v)) : NaN;
  const within = (k: number) => pairs.filter((p) => Math.abs(p.mean - p.v) <= k * p.sd).length / pairs.length;
  return { n: pairs.length, rmse, kendallTau: Number.isFinite(tau) ? tau : null, within1sd: within(1), within2sd: within(2) };
}

/** `90.12 ± 0.42` when the metrics carry `<name>_se`, else the value itself (or undefined). */
export function withError(metrics: Metrics | null | undefined, name: string, digits = 2): string | number | undefined {
  const v = metrics?.[name];
  const se = metrics?.[`${name}_se`];
  return typeof v === 'number' && typeof se === 'number' ? `${v.toFixed(digits)} ± ${se.toFixed(digits)}` : v;
}

const f = (v: number | null | undefined, d = 3) => (typeof v === 'number' ? v.toFixed(d) : '-');

/** Lines for the terminal: the fit of the first and latest rounds, and the prospective check. */
export function surrogateText(rounds: readonly RoundRecord[], check: Prospective | null): string {
  if (rounds.length === 0) return '';
  const cv = (r: RoundRecord) => (r.cv ? `τ ${f(r.cv.kendallTau)}, RMSE ${f(r.cv.rmse)} pt (${r.cv.folds}-fold CV on ${r.cv.samples} verified networks)` : 'not cross-validated (too few verified networks)');
  const first = rounds[0] as RoundRecord;
  const last = rounds[rounds.length - 1] as RoundRecord;
  const lines = [
    `surrogate: ${rounds.length} rounds, ${last.evaluations.toLocaleString('en-US')} predicted candidates per round`,
    `  predictor fit, round 1: ${cv(first)}`,
    ...(rounds.length > 1 ? [`  predictor fit, round ${last.round}: ${cv(last)}`] : []),
  ];
  if (check) {
    lines.push(`  predicted before verification vs verified, ${check.n} trials: RMSE ${f(check.rmse)} pt, τ ${f(check.kendallTau)}, ${(100 * check.within1sd).toFixed(0)} % within 1 sd, ${(100 * check.within2sd).toFixed(0)} % within 2 sd`);
  }
  return `${lines.join('\n')}\n`;
}
