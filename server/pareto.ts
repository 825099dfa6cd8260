/**
 * Pareto fronts, 2-D hypervolume and best-so-far series over plain objective vectors. Pure functions:
 * the routes feed them values read from storage. Every vector is first oriented so that smaller is
 * better (a 'max' objective is negated), so dominance is one comparison per coordinate.
 */
import type { Direction } from '../core/types.ts';
import { dominates } from '../core/pareto.ts';

export { dominates };

export type Vec = readonly number[];

/** Smaller-is-better view of a value. */
export function orient(value: number, direction: Direction): number {
  return direction === 'max' ? -value : value;
}

function lexCompare(a: Vec, b: Vec): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Indices of the non-dominated vectors, in lexicographic order of their values. After a lexicographic
 * sort only earlier vectors can dominate later ones, and by transitivity it is enough to test each
 * vector against the front kept so far: O(n log n + n·|front|) instead of O(n²).
 */
export function paretoFront(points: readonly Vec[]): number[] {
  const order = points.map((_, i) => i).sort((i, j) => lexCompare(points[i] as Vec, points[j] as Vec) || i - j);
  const front: number[] = [];
  for (const i of order) {
    const p = points[i] as Vec;
    if (!front.some((f) => dominates(points[f] as Vec, p))) front.push(i);
  }
  return front;
}

/** Area dominated by `front` (2-D, minimised) and bounded by `ref`; points beyond ref add nothing. */
export function hypervolume2d(front: readonly Vec[], ref: Vec): number {
  const [rx, ry] = ref as [number, number];
  const pts = front.filter((p) => (p[0] as number) < rx && (p[1] as number) < ry).slice().sort((a, b) => lexCompare(a, b));
  let area = 0;
  let prevY = ry;
  for (const p of pts) {
    const y = p[1] as number;
    if (y >= prevY) continue;
    area += (rx - (p[0] as number)) * (prevY - y);
    prevY = y;
  }
  return area;
}

export interface HistorySample {
  /** 1-based count of finished trials seen so far. */
  readonly seen: number;
  /** Trial number of the last trial included. */
  readonly number: number;
  /** Hypervolume of the feasible front so far, normalised (see `history`). */
  readonly hypervolume: number;
  /** Best feasible value so far per objective (original units), null before the first feasible one. */
  readonly best: readonly (number | null)[];
}

export interface HistoryInput {
  readonly number: number;
  readonly feasible: boolean;
  /** Values in original units, one per objective (null when missing). */
  readonly values: readonly (number | null)[];
}

/**
 * Best-so-far per objective and hypervolume over trials (in trial order), sampled at ≤ maxSamples
 * points. The hypervolume uses objectives `hv = [i, j]` min-max normalised over all feasible trials
 * (oriented to minimise) with reference point (1.1, 1.1), so the series is comparable within the
 * experiment and ends at most at 1.21.
 */
export function history(rows: readonly HistoryInput[], directions: readonly Direction[], hv: readonly [number, number], maxSamples = 1000): HistorySample[] {
  const [hi, hj] = hv;
  const feasible = rows.filter((r) => r.feasible && r.values[hi] != null && r.values[hj] != null);
  const o = (r: HistoryInput, k: number) => orient(r.values[k] as number, directions[k] as Direction);
  const lo = [Math.min(...feasible.map((r) => o(r, hi))), Math.min(...feasible.map((r) => o(r, hj)))];
  const span = [Math.max(...feasible.map((r) => o(r, hi))) - (lo[0] as number), Math.max(...feasible.map((r) => o(r, hj))) - (lo[1] as number)];
  const norm = (r: HistoryInput): Vec => [0, 1].map((d) => (o(r, d === 0 ? hi : hj) - (lo[d] as number)) / ((span[d] as number) || 1));
  const step = Math.max(1, Math.ceil(rows.length / maxSamples));
  const best: (number | null)[] = directions.map(() => null);
  let front: Vec[] = [];
  let volume = 0;
  const out: HistorySample[] = [];
  rows.forEach((r, idx) => {
    if (r.feasible) {
      r.values.forEach((v, k) => {
        const b = best[k];
        if (v !== null && (b === null || b === undefined || orient(v, directions[k] as Direction) < orient(b, directions[k] as Direction))) best[k] = v;
      });
      if (r.values[hi] != null && r.values[hj] != null) {
        const p = norm(r);
        if (!front.some((f) => dominates(f, p) || lexCompare(f, p) === 0)) {
          front = front.filter((f) => !dominates(p, f));
          front.push(p);
          volume = hypervolume2d(front, [1.1, 1.1]);
        }
      }
    }
    if ((idx + 1) % step === 0 || idx === rows.length - 1) out.push({ seen: idx + 1, number: r.number, hypervolume: volume, best: [...best] });
  });
  return out;
}
