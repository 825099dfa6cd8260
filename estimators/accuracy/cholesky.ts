/**
 * Dense Cholesky factorisation and triangular solves on row-major Float64Arrays, for the Gaussian
 * process (gp.ts). Written out rather than taken from ml-matrix: its Matrix accessors made one
 * 300 × 300 factorisation take ~145 ms here against ~5 ms for these loops, and the GP factorises
 * dozens of such matrices per surrogate round (hyperparameter search, folds).
 */
import { ConfigError } from '../../core/errors.ts';

/** Lower-triangular L with L·Lᵀ = A (A symmetric positive definite, n × n; only its lower triangle is read). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j] as number;
      const ri = i * n;
      const rj = j * n;
      for (let k = 0; k < j; k++) s -= (l[ri + k] as number) * (l[rj + k] as number);
      if (i === j) {
        if (!(s > 0)) throw new ConfigError('kernel matrix', s, `is not positive definite (pivot ${i})`);
        l[ri + i] = Math.sqrt(s);
      } else l[ri + j] = s / (l[rj + j] as number);
    }
  }
  return l;
}

/** v with L·v = b. */
export function forwardSubstitute(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= (l[ri + k] as number) * (v[k] as number);
    v[i] = s / (l[ri + i] as number);
  }
  return v;
}

/** x with Lᵀ·x = v. */
export function backSubstitute(l: Float64Array, n: number, v: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = v[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}

/** x with (L·Lᵀ)·x = b. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return backSubstitute(l, n, forwardSubstitute(l, n, b));
}
