/**
 * Turning an evaluation outcome into what `tell` receives: objective vector, constraint violation,
 * or the failure message. Shared by the persistent runner and the in-memory loop.
 */
import type { JsonObject, Metrics } from '../core/types.ts';
import type { Constraint } from './constraints.ts';
import { violation } from './constraints.ts';
import type { ObjectiveSpec } from './objectives.ts';
import { missingObjectives, toMinimize } from './objectives.ts';
import type { Candidate, EvalResult, Strategy } from './strategy.ts';

export function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Evaluates one candidate; a throw or a missing objective becomes a failed result. */
export async function evaluateCandidate<T extends JsonObject>(
  c: Candidate<T>,
  evaluate: (c: Candidate<T>) => Promise<Metrics> | Metrics,
  objectives: readonly ObjectiveSpec[],
  constraints: readonly Constraint[],
): Promise<EvalResult<T>> {
  let metrics: Metrics;
  try {
    metrics = await evaluate(c);
  } catch (e) {
    return { candidate: c, ok: false, error: errorMessage(e) };
  }
  const missing = missingObjectives(metrics, objectives);
  if (missing.length > 0) return { candidate: c, ok: false, error: `evaluation returned no value for objective(s) ${missing.join(', ')}` };
  return { candidate: c, ok: true, metrics, values: toMinimize(metrics, objectives), violation: violation(metrics, constraints) };
}

/**
 * ask → evaluate → tell without persistence, for benchmarks and speed measurements; the trial
 * sequence is the one `runExperiment` would store for the same strategy, budget and batch.
 */
export async function runInMemory<T extends JsonObject>(opts: {
  readonly strategy: Strategy<T>;
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints?: readonly Constraint[];
  readonly evaluate: (c: Candidate<T>) => Promise<Metrics> | Metrics;
  readonly budget: number;
  readonly batch?: number;
}): Promise<EvalResult<T>[]> {
  const all: EvalResult<T>[] = [];
  const batch = opts.batch ?? 1;
  while (all.length < opts.budget) {
    await opts.strategy.prepare?.();
    const cs = opts.strategy.ask(Math.min(batch, opts.budget - all.length));
    opts.strategy.takeNotes?.();
    if (all.length + cs.length < opts.budget) opts.strategy.warm?.();
    const rs: EvalResult<T>[] = [];
    for (const c of cs) rs.push(await evaluateCandidate(c, opts.evaluate, opts.objectives, opts.constraints ?? []));
    opts.strategy.tell(rs);
    all.push(...rs);
  }
  return all;
}
