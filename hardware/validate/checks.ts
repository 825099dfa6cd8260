/**
 * One line of the fidelity report (`nas hw validate`): a figure a reference publishes, ours, and
 * the relative error. A check marked exact must match (within `tolerance`, 0 for counts and
 * cycles; floating-point energies allow a few ulps of summation order); the others carry a goal
 * tolerance or none (cross-tool comparisons that are informative only).
 */
export interface Check {
  readonly suite: string;
  readonly case: string;
  readonly metric: string;
  readonly expected: number;
  readonly ours: number;
  /** ours ÷ expected − 1 (0 when both are 0). */
  readonly error: number;
  readonly exact: boolean;
  /** |error| allowed: for exact checks the match tolerance, otherwise the goal (null: informative). */
  readonly tolerance: number | null;
  readonly pass: boolean | null;
  readonly note?: string;
}

export interface CheckOptions {
  readonly exact?: boolean;
  readonly tolerance?: number | null;
  readonly note?: string;
}

export function relError(ours: number, expected: number): number {
  if (expected === 0) return ours === 0 ? 0 : Infinity;
  return ours / expected - 1;
}

export function check(suite: string, name: string, metric: string, expected: number, ours: number, o: CheckOptions = {}): Check {
  const exact = o.exact ?? false;
  const tolerance = o.tolerance ?? (exact ? 0 : null);
  const error = relError(ours, expected);
  const pass = tolerance === null ? null : exact && tolerance === 0 ? ours === expected : Math.abs(error) <= tolerance;
  return { suite, case: name, metric, expected, ours, error, exact, tolerance, pass, ...(o.note ? { note: o.note } : {}) };
}
