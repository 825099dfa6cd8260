/**
 * The one search contract (docs/architecture.md §2): a strategy proposes candidates (`ask`), learns from their
 * evaluations (`tell`) and serialises its whole state, RNG included, to JSON (`snapshot` /
 * `restore`), so a restored strategy continues exactly as the original would have.
 *
 * Strategies never evaluate, persist, import storage or the tensor runtime: runExperiment owns the
 * loop, and whatever needs tensors (a relaxed supernet, a GRU policy) comes in the context.
 */
import type { TensorPolicies } from '../core/policy.ts';
import type { Rng } from '../core/rng.ts';
import type { Json, JsonObject, Metrics } from '../core/types.ts';
import type { SearchSpace } from '../core/space/space.ts';
import type { Constraint } from './constraints.ts';
import type { ObjectiveSpec } from './objectives.ts';
import type { RelaxedProblem } from './relaxed-problem.ts';
import type { SurrogatePort } from './surrogate/port.ts';

export interface Candidate<T extends JsonObject = JsonObject> {
  /** Strategy-assigned, increasing from 0 in ask order (survives snapshot/restore). */
  readonly id: number;
  readonly x: T;
  /** space.key(x). */
  readonly key: string;
  /**
   * What the strategy predicted for this candidate before it was verified (e.g. a surrogate's
   * accuracy with its standard deviation). Stored with the trial apart from its metrics, which
   * only ever hold verified values.
   */
  readonly predicted?: JsonObject;
}

/** A record a strategy wants kept with the step it belongs to (e.g. a surrogate round's fit). */
export interface StrategyNote {
  /** Event type, 1–64 characters. */
  readonly type: string;
  readonly payload: JsonObject;
}

/** What the runner tells back: objective values and constraint violation, or the failure. */
export type EvalResult<T extends JsonObject = JsonObject> =
  | { readonly candidate: Candidate<T>; readonly ok: true; readonly metrics: Metrics; readonly values: readonly number[]; readonly violation: number }
  | { readonly candidate: Candidate<T>; readonly ok: false; readonly error: string };

export interface Strategy<T extends JsonObject = JsonObject> {
  readonly name: string;
  ask(n: number): Candidate<T>[];
  tell(results: readonly EvalResult<T>[]): void;
  snapshot(): Json;
  restore(state: Json): void;
  /**
   * Optional asynchronous work the runner awaits before every `ask` (e.g. screening accelerators
   * and compiling the cost tables the next ask will pair networks with). It may advance the
   * strategy's state, but only as a function of that state: the runner calls it once before every
   * ask, after a restore too, so a restored strategy still continues exactly.
   */
  prepare?(): Promise<void>;
  /**
   * Optional: start, in the background, the work the next `prepare` will need — the runner calls it
   * after an ask that another step will follow (so it overlaps that step's evaluation), the
   * platform while it verifies its accuracy source. It must not change the state: `prepare` awaits
   * and applies what it computed, or computes it itself (after a restore, or when it was not called).
   */
  warm?(): void;
  /**
   * Optional: records produced since the last call (by `ask`), which the runner stores as events of
   * the step they belong to, atomically with its trials; a re-ask after a crash produces them again.
   */
  takeNotes?(): StrategyNote[];
  /**
   * Releases what the strategy holds outside the JS heap (REINFORCE's tensors). Idempotent; the
   * strategy is not used afterwards. `runExperiment` calls it when a run ends, however it ends.
   */
  dispose(): void;
}

/** Everything a strategy factory gets besides its own options. */
export interface StrategyContext<T extends JsonObject = JsonObject> {
  readonly space: SearchSpace<T>;
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints?: readonly Constraint[];
  /** The strategy's own stream (the runner forks it from the experiment seed). */
  readonly rng: Rng;
  /** The relaxed supernet and exact cost expectations, for the differentiable strategy. */
  readonly relaxed?: RelaxedProblem<T>;
  /** Genes, exact costs and predictor factory, for the surrogate strategy. */
  readonly surrogate?: SurrogatePort<T>;
  /** Policies that need tensors (REINFORCE's GRU), injected so strategies never import the runtime. */
  readonly policies?: TensorPolicies;
}

/** Successful results as (candidate, values-to-minimise, violation) triples. */
export function okResults<T extends JsonObject>(results: readonly EvalResult<T>[]): Extract<EvalResult<T>, { ok: true }>[] {
  return results.filter((r): r is Extract<EvalResult<T>, { ok: true }> => r.ok);
}
