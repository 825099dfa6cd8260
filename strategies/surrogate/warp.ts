/**
 * Output warping for the predictor: the GP is fitted on normal scores of the verified values
 * (Gaussian-copula transform: rank r of n ↦ Φ⁻¹((r − ½)/n), ties averaged; Salinas et al., ICML 2020)
 * and its predictions are mapped back through the same monotone, piecewise-linear curve. Why: a
 * GP on raw accuracies is dominated by a few broken networks (NAS-Bench-201 has cells at 10 %
 * among cells at 85–94 %): measured there, the raw fit's cross-validated RMSE was 8–27 points and its
 * standard deviations ±5–18 points, useless at the top, where the search is. Scores are what
 * ranking needs; on roughly Gaussian data (the supernet's 85–91 %) the warp is nearly linear.
 * Beyond the observed range the curve continues with the slope of its outer tenth.
 */
import type { JsonObject } from '../../core/types.ts';
import type { PredictorFactory, UncertainPredictor } from './port.ts';

/**
 * Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9), for p in (0, 1).
 * P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function", 2003.
 */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: readonly number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** The monotone map between values and their normal scores, fitted on one sample. */
export class NormalScores {
  /** Distinct values ascending, and their scores. */
  private readonly ys: number[];
  private readonly zs: number[];

  constructor(y: readonly number[]) {
    const order = y.map((_, i) => i).sort((a, b) => (y[a] as number) - (y[b] as number));
    const n = y.length;
    this.ys = [];
    this.zs = [];
    for (let i = 0; i < n;) {
      let j = i;
      while (j + 1 < n && y[order[j + 1] as number] === y[order[i] as number]) j++;
      // ties share the mean of their ranks (1-based ranks i+1 … j+1)
      this.ys.push(y[order[i] as number] as number);
      this.zs.push(normalQuantile(((i + j) / 2 + 0.5) / n));
      i = j + 1;
    }
  }

  forward(v: number): number {
    return interpolate(this.ys, this.zs, v);
  }

  inverse(z: number): number {
    return interpolate(this.zs, this.ys, z);
  }
}

/** Piecewise-linear through (xs, ys) (xs ascending), extended beyond the ends with the outer tenth's slope. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 1) return (ys[0] as number) + (x - (xs[0] as number));
  const k = Math.max(1, Math.round(0.1 * (n - 1)));
  if (x <= (xs[0] as number)) return (ys[0] as number) + (x - (xs[0] as number)) * slope(xs, ys, 0, k);
  if (x >= (xs[n - 1] as number)) return (ys[n - 1] as number) + (x - (xs[n - 1] as number)) * slope(xs, ys, n - 1 - k, n - 1);
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - (xs[lo] as number)) / ((xs[hi] as number) - (xs[lo] as number));
  return (ys[lo] as number) + t * ((ys[hi] as number) - (ys[lo] as number));
}

function slope(xs: readonly number[], ys: readonly number[], i: number, j: number): number {
  const dx = (xs[j] as number) - (xs[i] as number);
  return dx > 0 ? ((ys[j] as number) - (ys[i] as number)) / dx : 1;
}

/** `fit` on normal scores; means and ±1 sd mapped back to value units (sd: half the mapped ±1 sd interval). */
export function warped(fit: PredictorFactory): PredictorFactory {
  return (x, rows, cols, y) => {
    const scores = new NormalScores(y);
    const inner = fit(x, rows, cols, y.map((v) => scores.forward(v)));
    const predictor: UncertainPredictor = {
      predictMean: (a, n) => inner.predictMean(a, n).map((z) => scores.inverse(z)),
      predict(a, n) {
        const { mean, sd } = inner.predict(a, n);
        return {
          mean: mean.map((z) => scores.inverse(z)),
          sd: mean.map((z, i) => (scores.inverse(z + (sd[i] as number)) - scores.inverse(z - (sd[i] as number))) / 2),
        };
      },
      describe: (): JsonObject => ({ ...inner.describe(), warp: 'normal scores' }),
      // a ratio of sds: the warp's local slope cancels (delta method)
      ...(inner.conditioner ? { conditioner: (a: Float32Array, n: number) => (inner.conditioner as NonNullable<UncertainPredictor['conditioner']>)(a, n) } : {}),
    };
    return predictor;
  };
}
