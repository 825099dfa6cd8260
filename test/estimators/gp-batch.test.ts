/**
 * Batch conditioning of the GP (GP-BUCB's hallucinated observations): after believing some
 * candidates observed, each candidate's sd ratio must equal what the textbook dense formulas give
 * with the fitted hyperparameters, a pick's twin must lose exactly as much as the pick, and more
 * picks can only shrink uncertainty.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { fitGpPredictor } from '../../estimators/accuracy/gp.ts';
import { cholesky, choleskySolve } from '../../estimators/accuracy/cholesky.ts';
import { oneHot as oneHotOf } from './one-hot.ts';

const GENES = 6;
const ARITY = 3;
const F = GENES * ARITY;

const oneHot = (genes: number[][]) => oneHotOf(genes, ARITY);

const rng = new Rng('gp-batch');
const trainGenes = Array.from({ length: 30 }, () => Array.from({ length: GENES }, () => rng.int(ARITY)));
const y = trainGenes.map((g) => 85 + g.reduce((s, v, i) => s + v * (i < 2 ? 0.8 : 0.2), 0) + 0.3 * rng.normal());
const candGenes = Array.from({ length: 8 }, () => Array.from({ length: GENES }, () => rng.int(ARITY)));
candGenes.push([...(candGenes[0] as number[])]); // a twin of candidate 0
const gp = fitGpPredictor(oneHot(trainGenes), trainGenes.length, F, y);
const xc = oneHot(candGenes);

/** The same posterior from dense matrices: Σ = K** − K*ᵀ(K + ηI)⁻¹K*, then conditioned on the picks with noise η. */
function reference(picked: number[]): number[] {
  const h = gp.describe();
  const xt = oneHot(trainGenes);
  const rows = (x: Float32Array, i: number) => Array.from(x.subarray(i * F, (i + 1) * F));
  const train = trainGenes.map((_, i) => rows(xt, i));
  const cand = candGenes.map((_, i) => rows(xc, i));
  const meanSq = train.reduce((s, r) => s + r.reduce((a, v) => a + v * v, 0), 0) / train.length;
  const k = (a: number[], b: number[]) => {
    const dot = a.reduce((s, v, i) => s + v * (b[i] as number), 0);
    const d2 = a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0);
    return (1 - h.linearShare) * Math.exp(-d2 / (2 * h.lengthscale2)) + (h.linearShare * dot) / meanSq;
  };
  const n = train.length;
  const c = Float64Array.from({ length: n * n }, (_, t) => k(train[Math.floor(t / n)]!, train[t % n]!) + (Math.floor(t / n) === t % n ? h.noiseRatio : 0));
  const l = cholesky(c, n);
  const cov = cand.map((a) => cand.map((b) => {
    const kb = train.map((t) => k(t, b));
    const w = choleskySolve(l, n, kb);
    return k(a, b) - train.reduce((s, t, i) => s + k(t, a) * (w[i] as number), 0);
  }));
  const m = picked.length;
  const a = Float64Array.from({ length: m * m }, (_, t) => cov[picked[Math.floor(t / m)]!]![picked[t % m]!]! + (Math.floor(t / m) === t % m ? h.noiseRatio : 0));
  const la = m > 0 ? cholesky(a, m) : null;
  return cand.map((_, i) => {
    const before = cov[i]![i]!;
    if (!la) return 1;
    const ci = picked.map((p) => cov[i]![p]!);
    const w = choleskySolve(la, m, ci);
    return Math.sqrt((before - ci.reduce((s, v, j) => s + v * (w[j] as number), 0)) / before);
  });
}

describe('GP batch conditioner', () => {
  const cond = gp.conditioner(xc, candGenes.length);

  it('matches the dense posterior formulas', () => {
    for (const picked of [[], [3], [0, 5], [1, 2, 7]]) {
      const got = Array.from(cond.given(picked));
      reference(picked).forEach((r, i) => expect(got[i]).toBeCloseTo(r, 9));
    }
  });

  it('shrinks a pick and its twin alike, and far candidates less', () => {
    const r = cond.given([0]);
    expect(r[8]).toBeCloseTo(r[0] as number, 12);
    expect(Math.min(...Array.from(r.subarray(1, 8)))).toBeGreaterThan(r[0] as number);
  });

  it('only shrinks as picks are added', () => {
    const one = cond.given([2]);
    const two = cond.given([2, 6]);
    for (let i = 0; i < candGenes.length; i++) {
      expect(two[i]).toBeLessThanOrEqual((one[i] as number) + 1e-12);
      expect(one[i]).toBeGreaterThanOrEqual(0);
      expect(one[i]).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});
