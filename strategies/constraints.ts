/**
 * Hard limits on metrics (latency, energy, area, model size) and Deb's constraint-domination:
 * a feasible point beats an infeasible one, two infeasible points compare by total violation,
 * two feasible ones by Pareto dominance.
 */
import { ConfigError } from '../core/errors.ts';
import type { Metrics } from '../core/types.ts';
import { dominates } from '../core/pareto.ts';

export interface Constraint {
  readonly metric: string;
  readonly op: '<=' | '>=';
  readonly limit: number;
}

/** Parses `latency_ms<=5` or `accuracy>=90` (the CLI's --constraint form). */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([A-Za-z_][\w.]*)\s*(<=|>=)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/.exec(text);
  if (!m) throw new ConfigError('constraint', text, "expected METRIC<=LIMIT or METRIC>=LIMIT, e.g. latency_ms<=5");
  const limit = Number(m[3]);
  if (!Number.isFinite(limit)) throw new ConfigError('constraint', text, 'limit is not a finite number');
  return { metric: m[1] as string, op: m[2] as '<=' | '>=', limit };
}

/**
 * Total violation, each term relative to its limit so metrics in different units add up; 0 means
 * feasible. A missing metric counts as violated by 1 (unknown is not within the limit).
 */
export function violation(metrics: Metrics, constraints: readonly Constraint[]): number {
  let total = 0;
  for (const c of constraints) {
    const v = metrics[c.metric];
    if (typeof v !== 'number' || Number.isNaN(v)) {
      total += 1;
      continue;
    }
    const excess = c.op === '<=' ? v - c.limit : c.limit - v;
    if (excess > 0) total += excess / Math.max(Math.abs(c.limit), 1e-12);
  }
  return total;
}

export function isFeasible(metrics: Metrics, constraints: readonly Constraint[]): boolean {
  return violation(metrics, constraints) === 0;
}

/** A point to minimise plus its constraint violation. */
export interface ConstrainedPoint {
  readonly values: readonly number[];
  readonly violation: number;
}

/** Deb's constraint-domination of `a` over `b` (minimisation). */
export function constrainedDominates(a: ConstrainedPoint, b: ConstrainedPoint): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0 && b.violation === 0) return false;
  if (a.violation > 0 && b.violation > 0) return a.violation < b.violation;
  return dominates(a.values, b.values);
}
