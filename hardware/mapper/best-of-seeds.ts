/**
 * The best of several independent mapper searches (one per seed) under one objective: a search that
 * stops in a poor basin for one seed is outvoted by the others, so a reference comparison does not
 * hang on the luck of a single seed.
 */
import type { Evaluation } from '../model/analysis.ts';
import type { ArchSpec } from '../spec.ts';
import type { Problem } from '../workload.ts';
import { mapLayer, score, type MapperObjective, type MapperResult } from './mapper.ts';

export interface SeededBudget {
  readonly maxEvaluations: number;
  readonly patience: number;
  readonly refineEvaluations: number;
  readonly seeds: readonly number[];
  readonly objective: MapperObjective;
  /** Overrides `objective` (MapperOptions.scoreFn). */
  readonly scoreFn?: (e: Evaluation) => number;
}

export function bestOfSeeds(p: Problem, a: ArchSpec, budget: SeededBudget): MapperResult {
  let best: MapperResult | undefined;
  for (const seed of budget.seeds) {
    const r = mapLayer(p, a, { ...budget, seed });
    const s = (e: Evaluation): number => (budget.scoreFn ? budget.scoreFn(e) : score(e, budget.objective));
    if (!best || s(r.evaluation) < s(best.evaluation)) best = r;
  }
  if (!best) throw new RangeError('bestOfSeeds: budget.seeds is empty');
  return best;
}
