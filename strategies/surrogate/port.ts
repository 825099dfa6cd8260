/**
 * What the surrogate strategy gets from the platform (StrategyContext.surrogate): the network as
 * categorical genes (so its inner search runs on integer arrays, ~50,000 candidates a second),
 * predictor inputs for a genome, the EXACT cost of a genome on an accelerator (compiled tables, the
 * same figures the verification stores), and a factory of accuracy predictors with an uncertainty.
 * The strategy never sees tensors, storage or the cost model: the platform fills this in for the
 * mbconv space (cli/experiment/surrogate-port.ts), the NAS-Bench-201 benchmark for its table.
 */
import type { JsonObject } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';

/** Genes of the networks searched: one categorical choice each (choice indices). */
export interface GeneView {
  /** Choices per gene. */
  readonly arity: readonly number[];
  /**
   * Whether each gene counts for this genome (e.g. a block beyond its stage's depth does not):
   * inactive genes change neither features, cost nor identity, but are kept so a later mutation of
   * the depth brings them back.
   */
  active(genes: ArrayLike<number>): readonly boolean[];
  /** The largest and smallest networks of the space (the initial design always verifies both). */
  readonly largest: readonly number[];
  readonly smallest: readonly number[];
  /**
   * Other corners of the space the initial design verifies after those two, where the space has
   * axes that size does not order — in a quantised space, the largest network at the lowest
   * precision and the smallest at the highest: without them the first fits see precision only
   * mixed into random codes, and the trend in size alone says nothing about a large low-bit network.
   */
  readonly corners?: readonly (readonly number[])[];
  /** Length of a feature row. */
  readonly featureLength: number;
  /** Predictor inputs of `rows` genomes laid out row-major in `genes` (rows × arity.length). */
  features(genes: Int32Array, rows: number): Float32Array;
}

/** The accelerators candidates may carry, when the search co-designs one. */
export interface HardwareView {
  /** Sampling, mutation, crossover, keys and encodings of accelerator configs (the pool is drawn from it). */
  readonly space: SearchSpace<JsonObject>;
}

/** A fitted accuracy predictor with a predictive standard deviation. */
export interface UncertainPredictor {
  /** Posterior means for `rows` feature rows: the inner search's hot path. */
  predictMean(x: Float32Array, rows: number): Float64Array;
  /** Means and standard deviations of the predicted (noise-free) metric, in its units. */
  predict(x: Float32Array, rows: number): { mean: Float64Array; sd: Float64Array };
  /** What was fitted (kind, hyperparameters), for the round's record. */
  describe(): JsonObject;
  /**
   * For batches: over `rows` candidates, each one's sd once some of them are observed at their mean,
   * as a ratio to its sd now (estimators/accuracy/gp-batch.ts). Optional: without it a batch rule
   * sees every candidate's uncertainty unchanged by the picks before it.
   */
  conditioner?(x: Float32Array, rows: number): { given(picked: readonly number[]): Float64Array };
}

/** Fits a predictor on `rows` feature rows and their verified values; deterministic for its inputs. */
export type PredictorFactory = (x: Float32Array, rows: number, cols: number, y: readonly number[]) => UncertainPredictor;

export interface SurrogatePort<T extends JsonObject = JsonObject> {
  /** The metric the predictor learns and the verification measures, e.g. 'accuracy'. */
  readonly predicted: string;
  /** Metrics `exactCost` returns, in its column order (every other objective and constrained metric). */
  readonly costMetrics: readonly string[];
  readonly genes: GeneView;
  /** Null when candidates carry no accelerator (one preset, or no hardware). */
  readonly hardware: HardwareView | null;
  /**
   * Makes `exactCost` available for these accelerators (null: the fixed hardware) — compiles their
   * cost tables: ~15 s per accelerator on one core the first time, then cached. Idempotent;
   * concurrent calls for the same accelerator share one compilation.
   */
  prepare(hws: readonly (JsonObject | null)[]): Promise<void>;
  /**
   * Exact cost columns (costMetrics order) of a few network genomes on each of `hws`, without
   * compiling tables (the layers are mapped one by one): how candidate accelerators are compared
   * before one joins the pool. Result: [accelerator][column][network].
   */
  screen(hws: readonly JsonObject[], genes: readonly (readonly number[])[]): Promise<Float64Array[][]>;
  /** Exact cost columns (costMetrics order) of `rows` genomes on `hw` (prepared first), or on the fixed hardware when null. */
  exactCost(genes: Int32Array, rows: number, hw: JsonObject | null): readonly Float64Array[];
  /** The candidate value the runner verifies for a network genome and accelerator. */
  candidate(genes: readonly number[], hw: JsonObject | null): T;
  /** Inverse of `candidate`. */
  parts(x: T): { readonly genes: number[]; readonly hw: JsonObject | null };
  readonly predictor: PredictorFactory;
}
