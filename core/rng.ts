/**
 * The single source of randomness. Every stochastic choice in nas-codesign (sampling, mutation,
 * data shuffling, weight init, strategy decisions) draws from an `Rng` derived from one seed, so
 * the same seed gives the same history, and a saved state resumes the exact stream.
 *
 * Backed by seedrandom's Alea generator: small JSON-serializable state (4 numbers), fast, and
 * `fork(label)` derives independent streams by hashing the parent seed with a label — forks do not
 * consume the parent stream, so adding a new consumer never shifts existing ones.
 */
import seedrandom from 'seedrandom';
import { ConfigError } from './errors.ts';

interface AleaState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

interface AleaPrng {
  (): number;
  int32(): number;
  double(): number;
  state(): AleaState;
}

type AleaFactory = (seed?: string, options?: { state?: boolean | AleaState }) => AleaPrng;
const alea = (seedrandom as unknown as { alea: AleaFactory }).alea;

export interface RngState {
  readonly seed: string;
  readonly alea: AleaState;
  /** Cached second normal deviate of the Box–Muller pair (null when none is pending). */
  readonly spareNormal: number | null;
}

export class Rng {
  readonly seed: string;
  private prng: AleaPrng;
  private spareNormal: number | null = null;

  constructor(seed: string | number, state?: AleaState) {
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new ConfigError('seed', seed, 'must be a finite number or a string');
    this.seed = String(seed);
    this.prng = state ? alea('', { state }) : alea(this.seed, { state: true });
  }

  /** Uniform float in [0, 1) with 53 bits of randomness. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new ConfigError('n', n, 'Rng.int needs a positive integer');
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new ConfigError('items', items, 'Rng.choice needs a non-empty array');
    return items[this.int(items.length)] as T;
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new ConfigError('weights', weights, 'must be finite and non-negative');
      total += w;
    }
    if (total <= 0) throw new ConfigError('weights', weights, 'must not all be zero');
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] as number;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal deviate (Box–Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i] as T;
      out[i] = out[j] as T;
      out[j] = t;
    }
    return out;
  }

  /** In-place Fisher–Yates shuffle of a typed array (data pipelines shuffle index arrays). */
  shuffleInPlace(a: Int32Array | Uint32Array | Float32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i] as number;
      a[i] = a[j] as number;
      a[j] = t;
    }
  }

  /** k distinct indices from [0, n), in draw order. */
  sampleIndices(n: number, k: number): number[] {
    if (k > n) throw new ConfigError('k', k, `cannot draw more than n=${n} distinct indices`);
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = idx[i] as number;
      idx[i] = idx[j] as number;
      idx[j] = t;
    }
    return idx.slice(0, k);
  }

  /**
   * An independent stream named by `label`. Derived from this generator's seed only (not its
   * current position), so `fork('data')` is the same stream whenever it is called.
   */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** A 32-bit integer seed for libraries that take one (e.g. tfjs initializers). */
  int32Seed(): number {
    return this.prng.int32() >>> 0;
  }

  state(): RngState {
    return { seed: this.seed, alea: { ...this.prng.state() }, spareNormal: this.spareNormal };
  }

  static restore(state: RngState): Rng {
    const rng = new Rng(state.seed, state.alea);
    rng.spareNormal = state.spareNormal;
    return rng;
  }
}
