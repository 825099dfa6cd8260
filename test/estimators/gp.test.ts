/**
 * The Gaussian-process predictor of the surrogate loop: it learns a function of one-hot codes with
 * interactions from few noisy samples, its posterior sd shrinks where it has data, a re-fit is
 * bit-identical (exact resume re-fits it), and bad inputs are typed errors.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { kendallTau } from '../../core/stats.ts';
import { ConfigError } from '../../core/errors.ts';
import { GaussianProcess, fitGpPredictor } from '../../estimators/accuracy/gp.ts';
import { cholesky, choleskySolve } from '../../estimators/accuracy/cholesky.ts';
import { oneHot as oneHotOf } from './one-hot.ts';

const GENES = 8;
const ARITY = 3;
const F = GENES * ARITY;

const oneHot = (genes: number[][]) => oneHotOf(genes, ARITY);

/** Additive effects plus one interaction, as accuracy over choices behaves. */
function truth(g: number[]): number {
  return 85 + g.reduce((s, v, i) => s + v * (i % 3 === 0 ? 0.8 : 0.2), 0) + (g[0] === 2 && g[1] === 2 ? 1.5 : 0);
}

function sample(rng: Rng, n: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: GENES }, () => rng.int(ARITY)));
}

describe('Cholesky solve', () => {
  it('solves a symmetric positive definite system', () => {
    const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const b = [1, 2, 3];
    const x = choleskySolve(cholesky(a, 3), 3, b);
    for (let i = 0; i < 3; i++) expect(a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!).toBeCloseTo(b[i]!, 12);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(ConfigError);
  });
});

describe('GaussianProcess', () => {
  const rng = new Rng('gp');
  const train = sample(rng, 120);
  const y = train.map((g) => truth(g) + 0.2 * rng.normal());
  const test = sample(rng, 200);

  it('ranks held-out codes far better than chance and within the noise of the truth', () => {
    const gp = GaussianProcess.fit(oneHot(train), train.length, F, y);
    const pred = Array.from(gp.predictMean(oneHot(test), test.length));
    const t = test.map(truth);
    expect(kendallTau(pred, t)).toBeGreaterThan(0.75);
    const rmse = Math.sqrt(pred.reduce((s, p, i) => s + (p - t[i]!) ** 2, 0) / t.length);
    expect(rmse).toBeLessThan(0.6);
  });

  it('is more certain at its training points than far from them, and predict() means equal predictMean()', () => {
    const gp = GaussianProcess.fit(oneHot(train), train.length, F, y);
    const near = gp.predict(oneHot(train.slice(0, 20)), 20);
    const far = gp.predict(oneHot(test.slice(0, 20)), 20);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(near.sd)).toBeLessThan(mean(far.sd));
    expect(Array.from(far.mean)).toEqual(Array.from(gp.predictMean(oneHot(test.slice(0, 20)), 20)));
    for (const s of far.sd) expect(s).toBeGreaterThan(0);
  });

  it('re-fits bit-identically from the same data (what exact resume relies on)', () => {
    const a = fitGpPredictor(oneHot(train), train.length, F, y);
    const b = fitGpPredictor(oneHot(train), train.length, F, y);
    expect(a.describe()).toEqual(b.describe());
    expect(Array.from(a.predict(oneHot(test), test.length).sd)).toEqual(Array.from(b.predict(oneHot(test), test.length).sd));
  });

  it('with a trend column, codes far from every verified one revert to the trend, not to the mean', () => {
    // 12 codes of small size (0–1) plus a size column; the truth rises 3 points per unit of size
    const r = new Rng('trend');
    const cols = F + 1;
    const rows = (gs: number[][], size: number[]) => {
      const x = new Float32Array(gs.length * cols);
      gs.forEach((g, i) => {
        g.forEach((v, k) => (x[i * cols + k * ARITY + v] = 1));
        x[i * cols + F] = size[i]!;
      });
      return x;
    };
    const gs = sample(r, 12);
    const size = gs.map(() => r.next());
    const y = size.map((v) => 85 + 3 * v + 0.05 * r.normal());
    const far = sample(new Rng('far'), 5);
    const gp = GaussianProcess.fit(rows(gs, size), 12, cols, y, { trend: F });
    expect(gp.describe().trendSlope).toBeCloseTo(3, 0);
    const pred = gp.predictMean(rows(far, far.map(() => 2)), 5);
    for (const p of pred) expect(p).toBeGreaterThan(89.5);
    const flat = GaussianProcess.fit(rows(gs, size), 12, cols, y);
    for (const p of flat.predictMean(rows(far, far.map(() => 2)), 5)) expect(p).toBeLessThan(pred[0]!);
    // with a target unrelated to size, `bic` keeps the flat mean and `always` (the default) still fits the line
    const noise = size.map(() => 85 + r.normal());
    expect(GaussianProcess.fit(rows(gs, size), 12, cols, noise, { trend: F, trendChoice: 'bic' }).describe().trendSlope).toBeUndefined();
    expect(GaussianProcess.fit(rows(gs, size), 12, cols, noise, { trend: F }).describe().trendSlope).toBeDefined();
  });

  it('names bad inputs', () => {
    expect(() => GaussianProcess.fit(oneHot(train), 1, F, [1])).toThrow(/targets/);
    expect(() => GaussianProcess.fit(oneHot(train), 3, F, [1, Number.NaN, 2])).toThrow(ConfigError);
    expect(() => GaussianProcess.fit(new Float32Array(5), 3, F, [1, 2, 3])).toThrow(/features/);
  });
});

describe('GP trend plane', () => {
  it('recovers the coefficients of a plane in several columns and gives a constant column no slope', async () => {
    const { fitTrend, trendAt } = await import('../../estimators/accuracy/gp-trend.ts');
    const r = new Rng('plane');
    const n = 40;
    const x = Float64Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 ? 5 : r.next()));
    const z = Array.from({ length: n }, (_, i) => 1 + 2 * x[i * 3]! - 0.5 * x[i * 3 + 1]!);
    const t = fitTrend(x, n, 3, z, [0, 1, 2]);
    expect(t.b[0]).toBeCloseTo(2, 6);
    expect(t.b[1]).toBeCloseTo(-0.5, 6);
    expect(t.b[2]).toBe(0);
    expect(trendAt(t, x, 7, 3)).toBeCloseTo(z[7]!, 6);
    expect(() => fitTrend(x, n, 3, z, [3])).toThrow(ConfigError);
  });
});
