/**
 * Objectives as strategies see them: a metric name and a direction. Strategies and Pareto code
 * work on minimisation vectors, so maximised metrics are negated once, here.
 */
import { ConfigError } from '../core/errors.ts';
import type { Direction, Metrics } from '../core/types.ts';

export interface ObjectiveSpec {
  readonly name: string;
  readonly direction: Direction;
}

/** The objective values of `metrics` as a vector to minimise; throws when one is missing. */
export function toMinimize(metrics: Metrics, objectives: readonly ObjectiveSpec[]): number[] {
  return objectives.map((o) => {
    const v = metrics[o.name];
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ConfigError(`metrics.${o.name}`, v, 'objective value missing or not a number');
    return o.direction === 'max' ? -v : v;
  });
}

/** Names of objectives absent (or NaN) in `metrics`: the runner records such trials as failed. */
export function missingObjectives(metrics: Metrics, objectives: readonly ObjectiveSpec[]): string[] {
  return objectives.filter((o) => typeof metrics[o.name] !== 'number' || Number.isNaN(metrics[o.name])).map((o) => o.name);
}

/** True when value `a` is strictly better than `b` for this objective. */
export function better(o: ObjectiveSpec, a: number, b: number): boolean {
  return o.direction === 'max' ? a > b : a < b;
}

export function checkObjectives(objectives: readonly ObjectiveSpec[]): readonly ObjectiveSpec[] {
  if (objectives.length === 0) throw new ConfigError('objectives', objectives, 'at least one objective is needed');
  const seen = new Set<string>();
  objectives.forEach((o, i) => {
    if (o.direction !== 'min' && o.direction !== 'max') throw new ConfigError(`objectives[${i}].direction`, o.direction, "must be 'min' or 'max'");
    if (seen.has(o.name)) throw new ConfigError(`objectives[${i}].name`, o.name, 'duplicate objective');
    seen.add(o.name);
  });
  return objectives;
}
