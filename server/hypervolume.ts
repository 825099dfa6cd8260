/**
 * Hypervolume over ALL of an experiment's objectives, as the API reports it: each objective is
 * oriented to minimise and min–max normalised (0 = best, 1 = worst value among the trials being
 * compared), and the reference point is 1.1 on every axis, so a hypervolume is a share of the box
 * [0, 1.1]^d (at most 1.1^d). Pure functions over plain rows; routes read the rows from storage.
 */
import { exclusiveHypervolume, dominates, type Point } from '../core/pareto.ts';
import { orient } from '../core/front.ts';
import type { Direction } from '../core/types.ts';

export const REFERENCE = 1.1;

export interface HvRow {
  readonly number: number;
  readonly feasible: boolean;
  /** Original units, in objective order; null when the trial did not report it. */
  readonly values: readonly (number | null)[];
}

/** Best and worst value per objective (original units) among the rows used for normalising. */
export interface Normalisation {
  readonly best: readonly number[];
  readonly worst: readonly number[];
}

const complete = (r: HvRow, d: number): boolean => r.feasible && r.values.length >= d && r.values.slice(0, d).every((v) => typeof v === 'number' && Number.isFinite(v));

/** Min–max bounds over the feasible rows reporting every objective; null when there are none. */
export function normalisation(rows: readonly HvRow[], directions: readonly Direction[]): Normalisation | null {
  const d = directions.length;
  const lo = directions.map(() => Infinity);
  const hi = directions.map(() => -Infinity);
  let any = false;
  for (const r of rows) {
    if (!complete(r, d)) continue;
    any = true;
    directions.forEach((dir, k) => {
      const v = orient(r.values[k] as number, dir);
      if (v < (lo[k] as number)) lo[k] = v;
      if (v > (hi[k] as number)) hi[k] = v;
    });
  }
  if (!any) return null;
  return { best: lo.map((v, k) => orient(v, directions[k] as Direction)), worst: hi.map((v, k) => orient(v, directions[k] as Direction)) };
}

/** The normalised, minimised vector of a row (values outside the bounds fall outside [0, 1]). */
export function normalise(values: readonly (number | null)[], directions: readonly Direction[], n: Normalisation): Point {
  return directions.map((dir, k) => {
    const lo = orient(n.best[k] as number, dir);
    const span = orient(n.worst[k] as number, dir) - lo;
    return (orient(values[k] as number, dir) - lo) / (span || 1);
  });
}

/** Tracks the front of a growing set of normalised points and its exact hypervolume. */
export class HypervolumeTracker {
  private front: Point[] = [];
  volume = 0;
  constructor(private readonly ref: Point) {}

  add(p: Point): void {
    if (this.front.some((f) => dominates(f, p) || f.every((v, i) => v === p[i]))) return;
    this.volume += exclusiveHypervolume(this.front, p, this.ref);
    this.front = this.front.filter((f) => !dominates(p, f));
    this.front.push(p);
  }
}

export interface HistorySample {
  /** 1-based count of finished trials seen so far. */
  readonly seen: number;
  /** Trial number of the last trial included. */
  readonly number: number;
  readonly hypervolume: number;
  /** Best feasible value so far per objective (original units), null before the first. */
  readonly best: readonly (number | null)[];
}

/** Hypervolume and best-so-far after each trial (rows in trial order), sampled at ≤ maxSamples points. */
export function hypervolumeHistory(rows: readonly HvRow[], directions: readonly Direction[], n: Normalisation | null, maxSamples = 1000): HistorySample[] {
  const d = directions.length;
  const tracker = new HypervolumeTracker(directions.map(() => REFERENCE));
  const best: (number | null)[] = directions.map(() => null);
  const step = Math.max(1, Math.ceil(rows.length / maxSamples));
  const out: HistorySample[] = [];
  rows.forEach((r, idx) => {
    if (r.feasible) {
      r.values.slice(0, d).forEach((v, k) => {
        const dir = directions[k] as Direction;
        const b = best[k];
        if (typeof v === 'number' && Number.isFinite(v) && (b === null || b === undefined || orient(v, dir) < orient(b, dir))) best[k] = v;
      });
      if (n && complete(r, d)) tracker.add(normalise(r.values, directions, n));
    }
    if ((idx + 1) % step === 0 || idx === rows.length - 1) out.push({ seen: idx + 1, number: r.number, hypervolume: tracker.volume, best: [...best] });
  });
  return out;
}

/** Hypervolume of a set of rows (only the feasible, complete ones count) under a given normalisation. */
export function hypervolumeOf(rows: readonly HvRow[], directions: readonly Direction[], n: Normalisation): number {
  const tracker = new HypervolumeTracker(directions.map(() => REFERENCE));
  for (const r of rows) if (complete(r, directions.length)) tracker.add(normalise(r.values, directions, n));
  return tracker.volume;
}
