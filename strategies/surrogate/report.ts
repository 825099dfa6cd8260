/**
 * Reading back what a surrogate search recorded, for the CLI and the API: the round records (the
 * notes the strategy left, one per round) and the prospective check of its predictor — every
 * trial's prediction, made before it was verified, against the verified value. Works on any trial
 * shape carrying `state`, `metrics` and `predicted` (storage records, API JSON).
 */
import { kendallTau } from '../../core/stats.ts';
import type { JsonObject } from '../../core/types.ts';

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

/** The type of the events a surrogate search stores its round records as (one per round). */
export const ROUND_NOTE = 'surrogate-round';

/** The one storage read `readRounds` needs (structurally `Storage.eventsSince`). */
export interface EventReader {
  eventsSince(afterId: number, options?: { experimentId?: number; limit?: number }): Promise<readonly { readonly id: number; readonly type: string; readonly payload: unknown }[]>;
}

/** The round records of an experiment, in order. */
export async function readRounds(events: EventReader, experimentId: number): Promise<RoundRecord[]> {
  const out: RoundRecord[] = [];
  for (let after = 0; ;) {
    const page = await events.eventsSince(after, { experimentId, limit: 1000 });
    for (const e of page) if (e.type === ROUND_NOTE) out.push(e.payload as RoundRecord);
    if (page.length < 1000) return out;
    after = page[page.length - 1]?.id ?? after;
  }
}

interface TrialLike {
  readonly state: string;
  readonly metrics: Readonly<Record<string, number>> | null;
  readonly predicted: JsonObject | null;
}

/** A trial's prediction of `metric` by the surrogate's predictor (not a re-used verified value), or null. */
export function predictionOf(t: Pick<TrialLike, 'predicted'>, metric = 'accuracy'): { mean: number; sd: number } | null {
  const p = t.predicted?.[metric] as { mean?: unknown; sd?: unknown; source?: unknown } | undefined;
  if (!p || typeof p.mean !== 'number' || typeof p.sd !== 'number' || p.source !== 'predictor') return null;
  return { mean: p.mean, sd: p.sd };
}

export function prospective(trials: readonly TrialLike[], metric = 'accuracy'): Prospective | null {
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
