/**
 * Hallucinated observations for batch selection (GP-BUCB: Desautels, Krause & Burdick, JMLR 2014;
 * the "kriging believer" of Ginsbourger et al. 2010 for the variance): once a candidate is picked
 * for a batch, the rule acts as if it had been observed — at its posterior mean, with the model's
 * noise — so its neighbours' uncertainty shrinks before the next pick. The mean does not move (the
 * believed value is the mean itself); only the variances do, so a batch stops spending several
 * picks on near-copies of one optimistic code.
 *   var(i | P) = var(i) − c_iPᵀ (C_PP + η·I)⁻¹ c_iP,   c_ij = k(x_i, x_j) − v_i·v_j  (posterior covariance)
 * with v = L⁻¹k(x, X) from the fitted GP (gp.ts). Returned as the ratio sd(i | P) / sd(i): unit-free,
 * so it carries over unchanged through a monotone warp of the targets (warp.ts; delta method).
 */
import { cholesky, forwardSubstitute } from './cholesky.ts';

export interface BatchConditioner {
  /** Each candidate's posterior sd once `picked` (candidate indices) are observed, over its sd now (1 when its sd is 0). */
  given(picked: readonly number[]): Float64Array;
}

export interface WhitenedBatch {
  readonly v: readonly Float64Array[];
  readonly self: Float64Array;
  kernel(i: number, j: number): number;
  readonly noiseRatio: number;
}

export function batchConditioner(w: WhitenedBatch): BatchConditioner {
  const rows = w.self.length;
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let t = 0; t < a.length; t++) s += (a[t] as number) * (b[t] as number);
    return s;
  };
  const prior = Float64Array.from(w.v, (v, i) => Math.max(0, (w.self[i] as number) - dot(v, v)));
  // Posterior covariance of every candidate with a picked one, computed once per pick.
  const columns = new Map<number, Float64Array>();
  const column = (p: number): Float64Array => {
    let c = columns.get(p);
    if (!c) {
      const vp = w.v[p] as Float64Array;
      c = Float64Array.from({ length: rows }, (_, i) => (i === p ? (prior[p] as number) : w.kernel(i, p) - dot(w.v[i] as Float64Array, vp)));
      columns.set(p, c);
    }
    return c;
  };
  return {
    given(picked) {
      const out = new Float64Array(rows).fill(1);
      const m = picked.length;
      if (m === 0) return out;
      const cols = picked.map(column);
      const a = new Float64Array(m * m);
      for (let s = 0; s < m; s++) for (let t = 0; t < m; t++) a[s * m + t] = ((cols[t] as Float64Array)[picked[s] as number] as number) + (s === t ? w.noiseRatio : 0);
      const l = cholesky(a, m);
      const c = new Float64Array(m);
      for (let i = 0; i < rows; i++) {
        const before = prior[i] as number;
        if (before <= 0) continue;
        for (let s = 0; s < m; s++) c[s] = (cols[s] as Float64Array)[i] as number;
        const z = forwardSubstitute(l, m, c);
        out[i] = Math.sqrt(Math.max(0, before - dot(z, z)) / before);
      }
      return out;
    },
  };
}
