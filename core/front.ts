/**
 * The one definition of an experiment's Pareto front, shared by the CLI (`nas search`, `nas trials
 * ls --pareto`), the API (/pareto, /points) and so the UI: the non-dominated set, over ALL of the
 * experiment's objectives, of its finished trials that are feasible and report every objective.
 * Pure: callers read trials from storage and pass their objective values in objective order.
 */
import type { Direction } from './types.ts';
import { paretoFrontIndices, type Point } from './pareto.ts';

export interface FrontCandidate {
  /** False for trials that broke a hard constraint (they never enter the front). */
  readonly feasible: boolean;
  /** Objective values in original units, in the experiment's objective order. */
  readonly values: readonly (number | null | undefined)[];
}

/** Smaller-is-better view of a value: maximised objectives are negated. */
export function orient(value: number, direction: Direction): number {
  return direction === 'max' ? -value : value;
}

function eligible(c: FrontCandidate, dims: number): boolean {
  if (!c.feasible || c.values.length < dims) return false;
  for (let k = 0; k < dims; k++) {
    const v = c.values[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  }
  return true;
}

/** Indices (ascending) of the candidates on the front; ties (equal vectors) are all kept. */
export function frontIndices(candidates: readonly FrontCandidate[], directions: readonly Direction[]): number[] {
  const rows: number[] = [];
  const points: Point[] = [];
  candidates.forEach((c, i) => {
    if (!eligible(c, directions.length)) return;
    rows.push(i);
    points.push(directions.map((d, k) => orient(c.values[k] as number, d)));
  });
  return paretoFrontIndices(points).map((j) => rows[j] as number);
}

/** How many candidates the front was chosen from (feasible, every objective reported). */
export function eligibleCount(candidates: readonly FrontCandidate[], dims: number): number {
  return candidates.reduce((n, c) => n + (eligible(c, dims) ? 1 : 0), 0);
}
