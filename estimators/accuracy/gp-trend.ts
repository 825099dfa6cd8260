/**
 * The GP's mean function (universal kriging): a least-squares plane in a few feature columns — for
 * the mbconv space, the network's log MACs and its log bits per MAC — fitted on the standardised
 * targets; the GP models what the plane leaves. Far from every verified code the prediction reverts
 * to the plane instead of to the average accuracy.
 */
import { ConfigError } from '../../core/errors.ts';
import { cholesky, choleskySolve } from './cholesky.ts';

export interface Trend {
  readonly cols: readonly number[];
  readonly a: number;
  readonly b: readonly number[];
}

/** Least squares of `z` on the listed columns of the row-major `x` (n × width); a constant column gets slope 0. */
export function fitTrend(x: ArrayLike<number>, n: number, width: number, z: ArrayLike<number>, cols: readonly number[]): Trend {
  for (const c of cols) if (!Number.isInteger(c) || c < 0 || c >= width) throw new ConfigError('trend', c, `must be a column index below ${width}`);
  const k = cols.length;
  const mean = cols.map((c) => Array.from({ length: n }, (_, i) => x[i * width + c] as number).reduce((s, v) => s + v, 0) / n);
  let mz = 0;
  for (let i = 0; i < n; i++) mz += (z[i] as number) / n;
  const s = new Float64Array(k * k);
  const t = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const d = cols.map((c, j) => (x[i * width + c] as number) - (mean[j] as number));
    for (let p = 0; p < k; p++) {
      t[p] = (t[p] as number) + (d[p] as number) * ((z[i] as number) - mz);
      for (let q = 0; q < k; q++) s[p * k + q] = (s[p * k + q] as number) + (d[p] as number) * (d[q] as number);
    }
  }
  // A column that does not vary (or repeats another) gets no slope: drop it from the solve.
  const keep = cols.map((_, p) => (s[p * k + p] as number) > 1e-12);
  const idx = keep.flatMap((on, p) => (on ? [p] : []));
  const b = new Array<number>(k).fill(0);
  if (idx.length > 0) {
    const m = idx.length;
    const sub = Float64Array.from({ length: m * m }, (_, e) => (s[(idx[Math.floor(e / m)] as number) * k + (idx[e % m] as number)] as number) + (Math.floor(e / m) === e % m ? 1e-9 * (s[(idx[Math.floor(e / m)] as number) * (k + 1)] as number) : 0));
    const sol = choleskySolve(cholesky(sub, m), m, idx.map((p) => t[p] as number));
    idx.forEach((p, j) => (b[p] = sol[j] as number));
  }
  return { cols, a: mz - b.reduce((acc, v, p) => acc + v * (mean[p] as number), 0), b };
}

/** The trend's value for row `r` of the row-major `x` (width columns). */
export function trendAt(t: Trend, x: ArrayLike<number>, r: number, width: number): number {
  let v = t.a;
  t.cols.forEach((c, p) => (v += (t.b[p] as number) * (x[r * width + c] as number)));
  return v;
}
