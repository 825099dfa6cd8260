/**
 * The best of several independent mapper searches (one per seed) under one objective: a search that
 * stops in a poor basin for one seed is outvoted by the others, so a reference comparison does not
 * hang on the luck of a single seed.
 */
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import { mapLayer, score, type MapperObjective, type MapperResult } from './mapper.ts';

export interface SeededBudget {
  readonly maxEvaluations: number;
  readonly patience: number;
  readonly refineEvaluations: number;
  readonly seeds: readonly number[];
  readonly objective: MapperObjective;
}

export function bestOfSeeds(p: Problem, a: ArchSpec, budget: SeededBudget): MapperResult {
  let best: MapperResult | undefined;
  for (const seed of budget.seeds) {
    const r = mapLayer(p, a, { ...budget, seed });
    if (!best || score(r.evaluation, budget.objective) < score(best.evaluation, budget.objective)) best = r;
  }
  if (!best) throw new RangeError('bestOfSeeds: budget.seeds is empty');
  return best;
}
