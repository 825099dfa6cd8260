/**
 * Summary statistics for repeated measurements (latency LUT, benchmarks). Quantiles use linear
 * interpolation between order statistics (the "type 7" rule of R and NumPy's default), so the
 * median of an even count is the mean of the two middle values.
 */
import { ConfigError } from './errors.ts';

export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly std: number;
  /** Interquartile range q75 − q25. */
  readonly iqr: number;
  readonly min: number;
  readonly max: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new ConfigError('values', '[]', 'need at least one value');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new ConfigError('values', '[]', 'need at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return {
    count: values.length,
    median: quantile(sorted, 0.5),
    mean,
    std: Math.sqrt(variance),
    iqr: quantile(sorted, 0.75) - quantile(sorted, 0.25),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

/**
 * Kendall's rank correlation τ-b (ties in either list handled as in Kendall 1945), O(n²) — fine for
 * the few thousand pairs of a fidelity report. NaN when either list is constant.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new ConfigError('values', `${a.length} vs ${b.length}`, 'lists must have equal length');
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign((a[i] as number) - (a[j] as number));
      const db = Math.sign((b[i] as number) - (b[j] as number));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const n0 = concordant + discordant;
  return (concordant - discordant) / Math.sqrt((n0 + tiesA) * (n0 + tiesB));
}

/** Pearson's correlation coefficient; NaN when either list is constant. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new ConfigError('values', `${a.length} vs ${b.length}`, 'lists must have equal length');
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}
