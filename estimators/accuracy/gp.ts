/**
 * A Gaussian-process regressor for accuracy with a predictive uncertainty, for the surrogate loop
 * (strategies/surrogate). Why a GP and not the MLP of mlp.ts: the loop fits on tens to a few
 * hundred verified scores, re-fits every round and needs a standard deviation per candidate; a GP
 * gives the posterior variance exactly, fits deterministically (no SGD: a re-fit from the same
 * verified set is bit-identical, which is what exact resume needs) and in milliseconds at these
 * sizes (bench/surrogate-round.ts), while an MLP ensemble on tfjs costs seconds per fit and still
 * needs members to fake a variance. Measured on supernet scores in the README ("Surrogate loop").
 *
 * Kernel over feature rows a, b (one-hot arch encodings): a mixture of a squared-exponential on
 * the squared distance (for one-hot rows: twice the number of differing choices, i.e. an
 * exponential Hamming kernel — interactions) and a normalised linear kernel (additive per-choice
 * effects, what ridge regression captures):
 *   C(a, b) = (1 − w)·exp(−|a − b|² / 2ℓ²) + w·(a·b)/m̄ + η·[a = b],   K = σ²·C
 * Targets are standardised; σ² is profiled out of the marginal likelihood (σ̂² = yᵀC⁻¹y / n) and
 * (ℓ², w, η) are chosen by coordinate search over fixed grids maximising it (type-II maximum
 * likelihood; Rasmussen & Williams 2006, §5.4), so no optimiser state exists to save. The grids stop
 * short of a pure linear kernel and of noise below 1 % of the signal: with tens of points and
 * ~160 one-hot columns those interpolate, and a search that maximises the prediction then finds
 * exactly the codes where it extrapolates wildly (measured: cheap networks predicted 2–3 points
 * above what they verified at).
 * Optional trend: a least-squares plane in a few feature columns (the network's size) is the GP's
 * mean function, and the GP models what is left (universal kriging; gp-trend.ts), so codes far
 * from every verified one revert to the trend instead of to the average accuracy.
 */
import { ConfigError } from '../../core/errors.ts';
import { cholesky, choleskySolve, forwardSubstitute } from './cholesky.ts';
import { batchConditioner, type BatchConditioner } from './gp-batch.ts';
import { fitTrend, trendAt, type Trend } from './gp-trend.ts';

export interface GpHyper {
  /** ℓ² of the squared-exponential part, in squared feature distance. */
  readonly lengthscale2: number;
  /** w: share of the linear part. */
  readonly linearShare: number;
  /** η: noise variance relative to the signal variance σ². */
  readonly noiseRatio: number;
  /** σ² in standardised target units (profiled). */
  readonly signalVar: number;
  /** Log marginal likelihood of the standardised targets at these hyperparameters. */
  readonly logMarginal: number;
}

export interface GpFitOptions {
  /** Rows used to choose the hyperparameters (a strided subsample beyond this; default 300). */
  readonly hyperSample?: number;
  /** Fixed hyperparameters (skip the search), e.g. to re-fit a fold with the full data's choice. */
  readonly hyper?: Omit<GpHyper, 'signalVar' | 'logMarginal'>;
  /** Column(s) whose least-squares plane is the mean function (the GP models the residual; gp-trend.ts). */
  readonly trend?: number | readonly number[];
  /**
   * `always` (default): the trend is the mean function whenever `trend` is given. `bic`: fitted with
   * and without it, the model with the higher marginal likelihood is kept, the slope charged
   * ½·log n. Why `always`: the likelihood is measured on the verified set, but the predictor is
   * used where a search steers it — away from the data — and there a long length-scale without the
   * trend extrapolated wildly. Replaying the default search's rounds (train on the first k trials,
   * predict the next 10 it picked), `bic` kept the flat mean at 40 verified networks and predicted
   * 1–3 M-MAC subnets at 90 % (verified 86 %; round RMSE 3–4 pt); with the trend always on, the
   * replayed prospective RMSE fell from 2.03 to 1.16 pt and τ rose from 0.50 to 0.69 (109 picks,
   * two runs; README "Surrogate-assisted co-search").
   */
  readonly trendChoice?: 'always' | 'bic';
}

const LENGTH_FACTORS = [0.125, 0.25, 0.5, 1, 2, 4, 8];
const LINEAR_SHARES = [0, 0.2, 0.5];
const NOISE_RATIOS = [0.01, 0.03, 0.1, 0.3, 1, 3];

/** Row-major features as sparse rows: the one-hot encodings are ~⅓ ones, so dot products skip the zeros. */
interface Rows {
  readonly n: number;
  readonly cols: number;
  readonly dense: Float32Array;
  readonly sq: Float64Array;
}

function rowsOf(x: Float32Array, n: number, cols: number): Rows {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(cols) || cols < 1 || x.length < n * cols) throw new ConfigError('features', x.length, `need ${n} rows × ${cols} columns`);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (x[i * cols + c] as number) ** 2;
    sq[i] = s;
  }
  return { n, cols, dense: x.subarray(0, n * cols), sq };
}

/** Gram matrix X·Xᵀ (n × n, float64). */
function gram(r: Rows): Float64Array {
  const g = new Float64Array(r.n * r.n);
  for (let i = 0; i < r.n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < r.cols; c++) s += (r.dense[i * r.cols + c] as number) * (r.dense[j * r.cols + c] as number);
      g[i * r.n + j] = s;
      g[j * r.n + i] = s;
    }
  }
  return g;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 1 : (s[Math.floor(s.length / 2)] as number);
}

/** C = (1 − w)·SE + w·lin + η·I from the Gram matrix (lower triangle used by the Cholesky). */
function kernelMatrix(g: Float64Array, sq: Float64Array, n: number, h: Omit<GpHyper, 'signalVar' | 'logMarginal'>, meanSq: number): Float64Array {
  const c = new Float64Array(n * n);
  const inv = 1 / (2 * h.lengthscale2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const dot = g[i * n + j] as number;
      const d2 = Math.max(0, (sq[i] as number) + (sq[j] as number) - 2 * dot);
      const v = (1 - h.linearShare) * Math.exp(-d2 * inv) + (h.linearShare * dot) / meanSq;
      c[i * n + j] = v;
      c[j * n + i] = v;
    }
    c[i * n + i] = (c[i * n + i] as number) + h.noiseRatio;
  }
  return c;
}

export class GaussianProcess {
  private constructor(
    readonly hyper: GpHyper,
    private readonly train: Rows,
    /** Transposed training features (cols × n), so a candidate's dot products stream over columns. */
    private readonly xt: Float64Array,
    private readonly alpha: Float64Array,
    private readonly chol: Float64Array,
    private readonly meanSq: number,
    readonly targetMean: number,
    readonly targetStd: number,
    private readonly trend: Trend | null,
  ) {}

  get size(): number {
    return this.train.n;
  }

  /** Kind, training size and hyperparameters (JSON), for the records a search keeps of each fit. */
  describe(): { kind: 'gp'; trainSize: number; lengthscale2: number; linearShare: number; noiseRatio: number; signalVar: number; logMarginal: number; targetMean: number; targetStd: number; trendSlope?: number; trendSlopes?: number[] } {
    // slopes in target units per unit of each trend column
    const slopes = this.trend ? this.trend.b.map((b) => b * this.targetStd) : null;
    const trend = slopes ? (slopes.length === 1 ? { trendSlope: slopes[0] as number } : { trendSlopes: slopes }) : {};
    return { kind: 'gp', trainSize: this.train.n, ...this.hyper, targetMean: this.targetMean, targetStd: this.targetStd, ...trend };
  }

  /** Fits on `n` rows of `cols` features and their targets (any units; standardised inside). */
  static fit(x: Float32Array, n: number, cols: number, y: readonly number[], options: GpFitOptions = {}): GaussianProcess {
    if (options.trend === undefined) return GaussianProcess.fitOne(x, n, cols, y, options, false);
    if (options.trendChoice !== 'bic') return GaussianProcess.fitOne(x, n, cols, y, options, true);
    const flat = GaussianProcess.fitOne(x, n, cols, y, options, false);
    const sloped = GaussianProcess.fitOne(x, n, cols, y, options, true);
    return sloped.hyper.logMarginal - 0.5 * Math.log(n) > flat.hyper.logMarginal ? sloped : flat;
  }

  private static fitOne(x: Float32Array, n: number, cols: number, y: readonly number[], options: GpFitOptions, withTrend: boolean): GaussianProcess {
    if (y.length !== n || n < 2) throw new ConfigError('targets', y.length, `need one target per row and at least 2 rows (${n} rows)`);
    if (y.some((v) => !Number.isFinite(v))) throw new ConfigError('targets', y.find((v) => !Number.isFinite(v)), 'must be finite numbers');
    const rows = rowsOf(x, n, cols);
    const mean = y.reduce((a, v) => a + v, 0) / n;
    const std = Math.sqrt(y.reduce((a, v) => a + (v - mean) ** 2, 0) / n) || 1;
    const z = Float64Array.from(y, (v) => (v - mean) / std);
    const trend = withTrend && options.trend !== undefined ? fitTrend(rows.dense, n, cols, z, typeof options.trend === 'number' ? [options.trend] : options.trend) : null;
    if (trend) for (let i = 0; i < n; i++) z[i] = (z[i] as number) - trendAt(trend, rows.dense, i, cols);
    const g = gram(rows);
    const meanSq = rows.sq.reduce((a, v) => a + v, 0) / n || 1;
    const shape = options.hyper ?? GaussianProcess.search(rows, g, z, meanSq, options.hyperSample ?? 300);
    const c = kernelMatrix(g, rows.sq, n, shape, meanSq);
    const l = cholesky(c, n);
    const alpha = choleskySolve(l, n, z);
    const hyper = { ...shape, ...likelihood(l, n, z, alpha) };
    const xt = new Float64Array(cols * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < cols; k++) xt[k * n + i] = rows.dense[i * cols + k] as number;
    return new GaussianProcess(hyper, rows, xt, alpha, l, meanSq, mean, std, trend);
  }

  /** Coordinate search over the grids from (ℓ² = median distance, w = 0.2, η = 0.1) until no move improves. */
  private static search(all: Rows, gAll: Float64Array, zAll: Float64Array, meanSq: number, limit: number): Omit<GpHyper, 'signalVar' | 'logMarginal'> {
    const pick = all.n <= limit ? null : Array.from({ length: limit }, (_, k) => Math.floor((k * all.n) / limit));
    const n = pick ? pick.length : all.n;
    const g = pick ? Float64Array.from({ length: n * n }, (_, t) => gAll[(pick[Math.floor(t / n)] as number) * all.n + (pick[t % n] as number)] as number) : gAll;
    const sq = pick ? Float64Array.from(pick, (i) => all.sq[i] as number) : all.sq;
    const z = pick ? Float64Array.from(pick, (i) => zAll[i] as number) : zAll;
    const d2: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) d2.push((sq[i] as number) + (sq[j] as number) - 2 * (g[i * n + j] as number));
    const base = Math.max(median(d2.filter((d) => d > 0)), 1e-6);
    const at = [LENGTH_FACTORS.indexOf(1), LINEAR_SHARES.indexOf(0.2), NOISE_RATIOS.indexOf(0.1)];
    const grids = [LENGTH_FACTORS, LINEAR_SHARES, NOISE_RATIOS];
    const shapeOf = (ix: readonly number[]) => ({ lengthscale2: base * (LENGTH_FACTORS[ix[0] as number] as number), linearShare: LINEAR_SHARES[ix[1] as number] as number, noiseRatio: NOISE_RATIOS[ix[2] as number] as number });
    const memo = new Map<string, number>();
    const score = (ix: readonly number[]): number => {
      const key = ix.join();
      let s = memo.get(key);
      if (s === undefined) {
        try {
          const l = cholesky(kernelMatrix(g, sq, n, shapeOf(ix), meanSq), n);
          s = likelihood(l, n, z, choleskySolve(l, n, z)).logMarginal;
        } catch {
          s = -Infinity; // not positive definite at this corner of the grid
        }
        memo.set(key, s);
      }
      return s;
    };
    for (let sweep = 0; sweep < 6; sweep++) {
      let moved = false;
      for (let d = 0; d < 3; d++) {
        let best = at[d] as number;
        for (let k = 0; k < (grids[d] as number[]).length; k++) {
          const trial = [...at];
          trial[d] = k;
          if (score(trial) > score([...at.slice(0, d), best, ...at.slice(d + 1)])) best = k;
        }
        if (best !== at[d]) {
          at[d] = best;
          moved = true;
        }
      }
      if (!moved) break;
    }
    return shapeOf(at);
  }

  /** Posterior means (target units) for `rows` feature rows: the search's hot path (no variances). */
  predictMean(x: Float32Array, rows: number): Float64Array {
    const out = new Float64Array(rows);
    const k = new Float64Array(this.train.n);
    for (let r = 0; r < rows; r++) out[r] = this.targetMean + this.targetStd * this.latent(x, r, k).mean;
    return out;
  }

  /** Posterior means and standard deviations of the latent accuracy (target units; noise excluded). */
  predict(x: Float32Array, rows: number): { mean: Float64Array; sd: Float64Array } {
    const n = this.train.n;
    const mean = new Float64Array(rows);
    const sd = new Float64Array(rows);
    const k = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const { mean: m, self } = this.latent(x, r, k);
      mean[r] = this.targetMean + this.targetStd * m;
      const v = forwardSubstitute(this.chol, n, k);
      let vv = 0;
      for (let i = 0; i < n; i++) vv += (v[i] as number) ** 2;
      sd[r] = this.targetStd * Math.sqrt(Math.max(0, this.hyper.signalVar * (self - vv)));
    }
    return { mean, sd };
  }

  /**
   * The posterior of `rows` candidates as a batch rule needs it (gp-batch.ts): each row's whitened
   * kernel column v = L⁻¹k(x, X) and prior self-covariance, and the kernel between two rows, all in
   * units of σ² (the noise ratio η is in the same units).
   */
  whitened(x: Float32Array, rows: number): { v: Float64Array[]; self: Float64Array; kernel(i: number, j: number): number; noiseRatio: number } {
    const n = this.train.n;
    const cols = this.train.cols;
    const k = new Float64Array(n);
    const v: Float64Array[] = [];
    const self = new Float64Array(rows);
    const sq = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      self[r] = this.latent(x, r, k).self;
      v.push(forwardSubstitute(this.chol, n, k));
      let s = 0;
      for (let c = 0; c < cols; c++) s += (x[r * cols + c] as number) ** 2;
      sq[r] = s;
    }
    const { lengthscale2, linearShare } = this.hyper;
    const kernel = (i: number, j: number): number => {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += (x[i * cols + c] as number) * (x[j * cols + c] as number);
      const d2 = Math.max(0, (sq[i] as number) + (sq[j] as number) - 2 * dot);
      return (1 - linearShare) * Math.exp(-d2 / (2 * lengthscale2)) + (linearShare * dot) / this.meanSq;
    };
    return { v, self, kernel, noiseRatio: this.hyper.noiseRatio };
  }

  /** Kernel column k(x_r, X) into `k`, the standardised mean, and k(x_r, x_r) without noise. */
  private latent(x: Float32Array, r: number, k: Float64Array): { mean: number; self: number } {
    const { n, cols } = this.train;
    const { lengthscale2, linearShare } = this.hyper;
    k.fill(0);
    let sqA = 0;
    for (let c = 0; c < cols; c++) {
      const a = x[r * cols + c] as number;
      if (a === 0) continue;
      sqA += a * a;
      const off = c * n;
      for (let i = 0; i < n; i++) k[i] = (k[i] as number) + a * (this.xt[off + i] as number);
    }
    const inv = 1 / (2 * lengthscale2);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const dot = k[i] as number;
      const d2 = Math.max(0, sqA + (this.train.sq[i] as number) - 2 * dot);
      const v = (1 - linearShare) * Math.exp(-d2 * inv) + (linearShare * dot) / this.meanSq;
      k[i] = v;
      m += (this.alpha[i] as number) * v;
    }
    const t = this.trend ? trendAt(this.trend, x, r, cols) : 0;
    return { mean: m + t, self: 1 - linearShare + (linearShare * sqA) / this.meanSq };
  }
}

/** Log marginal likelihood with σ² profiled out, and σ̂² itself. */
function likelihood(l: Float64Array, n: number, z: Float64Array, alpha: Float64Array): { signalVar: number; logMarginal: number } {
  let quad = 0;
  for (let i = 0; i < n; i++) quad += (z[i] as number) * (alpha[i] as number);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i] as number);
  const signalVar = Math.max(quad / n, 1e-12);
  return { signalVar, logMarginal: -0.5 * n * Math.log(signalVar) - 0.5 * logDet - 0.5 * n * (1 + Math.log(2 * Math.PI)) };
}

/**
 * Fits a GP and returns it behind the surrogate strategy's predictor interface (structurally: the
 * estimators do not import the strategies).
 */
export function fitGpPredictor(
  x: Float32Array, rows: number, cols: number, y: readonly number[], options: GpFitOptions = {},
): { predictMean: GaussianProcess['predictMean']; predict: GaussianProcess['predict']; describe: () => ReturnType<GaussianProcess['describe']>; conditioner: (a: Float32Array, n: number) => BatchConditioner } {
  const gp = GaussianProcess.fit(x, rows, cols, y, options);
  return { predictMean: (a, n) => gp.predictMean(a, n), predict: (a, n) => gp.predict(a, n), describe: () => gp.describe(), conditioner: (a, n) => batchConditioner(gp.whitened(a, n)) };
}
