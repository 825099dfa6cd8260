/**
 * How well the round's predictor fits the verified set: k-fold cross-validation with a full re-fit
 * (hyperparameters included) per fold, every verified network held out exactly once; Kendall τ and
 * RMSE of the held-out predictions against the verified values. Recorded every round so a user can
 * see whether the predictor is worth following (and the CLI shows it next to the front).
 */
import type { Rng } from '../../core/rng.ts';
import { kendallTau } from '../../core/stats.ts';
import type { PredictorFactory } from './port.ts';

export interface FitReport {
  readonly folds: number;
  readonly samples: number;
  /** Over all held-out predictions pooled; null when undefined (ties). */
  readonly kendallTau: number | null;
  /** Root-mean-square error of the held-out predictions, in the metric's units. */
  readonly rmse: number;
  /** Mean predicted standard deviation of the held-out rows, to read RMSE against (calibration). */
  readonly meanSd: number;
}

/** Rows dealt round-robin over `folds` after a seeded shuffle (fold sizes differ by at most one). */
export function foldsOf(count: number, folds: number, rng: Rng): number[] {
  const fold = new Array<number>(count);
  rng.shuffle(Array.from({ length: count }, (_, i) => i)).forEach((row, j) => (fold[row] = j % folds));
  return fold;
}

export function crossValidateFit(fit: PredictorFactory, x: Float32Array, rows: number, cols: number, y: readonly number[], folds: number, rng: Rng): FitReport | null {
  if (folds < 2 || rows < 2 * folds) return null;
  const fold = foldsOf(rows, folds, rng);
  const pred = new Array<number>(rows).fill(NaN);
  const sd = new Array<number>(rows).fill(NaN);
  for (let f = 0; f < folds; f++) {
    const train = fold.flatMap((g, i) => (g === f ? [] : [i]));
    const test = fold.flatMap((g, i) => (g === f ? [i] : []));
    const p = fit(gather(x, cols, train), train.length, cols, train.map((i) => y[i] as number));
    const out = p.predict(gather(x, cols, test), test.length);
    test.forEach((i, t) => {
      pred[i] = out.mean[t] as number;
      sd[i] = out.sd[t] as number;
    });
  }
  const tau = kendallTau(pred, y);
  const rmse = Math.sqrt(pred.reduce((s, p, i) => s + (p - (y[i] as number)) ** 2, 0) / rows);
  return { folds, samples: rows, kendallTau: Number.isFinite(tau) ? tau : null, rmse, meanSd: sd.reduce((s, v) => s + v, 0) / rows };
}

/** The listed rows of a row-major feature matrix, as a new matrix. */
export function gather(x: Float32Array, cols: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * cols);
  rows.forEach((r, t) => out.set(x.subarray(r * cols, (r + 1) * cols), t * cols));
  return out;
}
