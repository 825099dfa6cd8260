/**
 * Record and input types of the storage layer. Records are what `Storage` returns: plain JSON-like
 * objects, deeply frozen, ids and timestamps assigned by storage. Timestamps are ISO-8601 strings
 * (UTC) so records travel over HTTP unchanged.
 */
import type { Arch, HwConfig, Json, JsonObject, Metrics, Objective } from '../core/types.ts';
import type { RunnerInfo } from './runs.ts';

/** 'interrupted': its runner ended without finishing or stopping cleanly (killed, crashed); resumable. */
export type ExperimentStatus = 'created' | 'running' | 'paused' | 'finished' | 'failed' | 'stopped' | 'interrupted';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['created', 'running', 'paused', 'finished', 'failed', 'stopped', 'interrupted'];

/**
 * running → finished | failed; running → interrupted when its run ends before the trial completes
 * (stop, Ctrl-C, kill), and interrupted → running when a resume takes it over. Finished and failed
 * trials are immutable ("completed").
 */
export type TrialState = 'running' | 'finished' | 'failed' | 'interrupted';
export const TRIAL_STATES: readonly TrialState[] = ['running', 'finished', 'failed', 'interrupted'];

/** Wall-clock durations of a trial's phases in milliseconds, e.g. { evaluateMs: 12.5 }. */
export type Timings = Readonly<Record<string, number>>;

export interface NewExperiment {
  /** Unique, 1–100 characters of letters, digits, `.`, `_`, `-` (used on the command line). */
  readonly name: string;
  /** The validated experiment config as given by the user (JSON). */
  readonly config: Json;
  readonly seed: number;
  /** Search space name, e.g. 'mbconv' or 'nb201'. */
  readonly space: string;
  readonly objectives: readonly Objective[];
}

export interface ExperimentRecord extends NewExperiment {
  readonly id: number;
  readonly status: ExperimentStatus;
  /** The process running its search (set by beginRun, cleared by endRun), with whether it still exists. */
  readonly runner: RunnerInfo | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TrialCounts {
  readonly total: number;
  readonly running: number;
  readonly finished: number;
  readonly failed: number;
  readonly interrupted: number;
}

export interface ExperimentSummary extends ExperimentRecord {
  readonly trials: TrialCounts;
}

export interface NewTrial {
  readonly experimentId: number;
  readonly arch: Arch;
  readonly hw?: HwConfig | null;
  /** Canonical candidate key (SearchSpace.key), for de-duplication and lookup. */
  readonly key?: string | null;
  /**
   * What the strategy predicted for the candidate before it was evaluated (e.g. a surrogate's
   * accuracy mean and standard deviation): kept apart from `metrics`, which hold evaluated values
   * only, and never changed by completing the trial.
   */
  readonly predicted?: JsonObject | null;
}

export interface FinishedOutcome {
  readonly state: 'finished';
  readonly metrics: Metrics;
  /** Whether the candidate met all hard constraints; defaults to true. */
  readonly feasible?: boolean;
  readonly timings?: Timings;
}

export interface FailedOutcome {
  readonly state: 'failed';
  readonly error: string;
  readonly timings?: Timings;
}

export type TrialOutcome = FinishedOutcome | FailedOutcome;

export interface TrialRecord {
  readonly id: number;
  readonly experimentId: number;
  /** 1-based position within its experiment, assigned by storage in insertion order. */
  readonly number: number;
  readonly state: TrialState;
  readonly arch: Arch;
  readonly hw: HwConfig | null;
  readonly key: string | null;
  /** Evaluated (verified) values only; predictions are in `predicted`. */
  readonly metrics: Metrics | null;
  /** The strategy's prediction for this candidate, made before it was evaluated (null when it made none). */
  readonly predicted: JsonObject | null;
  readonly feasible: boolean | null;
  readonly timings: Timings | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** Columns a trial list can be sorted by; `metric:NAME` sorts by an objective value. */
export type TrialSortKey = 'id' | 'number' | 'state' | 'createdAt' | 'finishedAt' | `metric:${string}`;

export interface TrialQuery {
  readonly experimentId?: number;
  readonly state?: TrialState | readonly TrialState[];
  readonly feasible?: boolean;
  /** Default `id`. Missing values (null metric, running trial's finishedAt) sort last in both directions; ties by id ascending. */
  readonly sort?: TrialSortKey;
  readonly order?: 'asc' | 'desc';
  /** 1–10,000; default 100. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Number of records matching the filter, ignoring limit/offset. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/** One item of an atomic step: complete a running trial, or insert an already completed one. */
export type StepTrial =
  | { readonly trialId: number; readonly outcome: TrialOutcome }
  | (NewTrial & { readonly trialId?: undefined; readonly outcome: TrialOutcome });

export interface StepInput {
  readonly experimentId: number;
  readonly trials: readonly StepTrial[];
  /** Strategy snapshot after `tell` (Strategy.snapshot() plus RNG state): what exact resume restores. */
  readonly snapshot: Json;
  readonly events?: readonly NewEvent[];
}

export interface StepResult {
  readonly trials: readonly TrialRecord[];
  readonly snapshot: SnapshotRecord;
  readonly events: readonly EventRecord[];
}

export interface SnapshotRecord {
  readonly experimentId: number;
  /** Completed (finished + failed) trials of the experiment when the snapshot was saved. */
  readonly trialCount: number;
  readonly state: Json;
  readonly savedAt: string;
}

export interface NewEvent {
  readonly experimentId?: number | null;
  /** e.g. 'trial', 'progress', 'status' — free-form, 1–64 characters. */
  readonly type: string;
  readonly payload: Json;
}

export interface EventRecord {
  /** Strictly increasing; use as SSE `id` and resume with `eventsSince(lastId)`. */
  readonly id: number;
  readonly experimentId: number | null;
  readonly type: string;
  readonly payload: Json;
  readonly createdAt: string;
}

// LUT rows are vocabulary shared with the estimators that build and read latency tables.
export type { LutEntryInput, LutEntryRecord, LutProvenance } from '../core/lut.ts';

export interface NewPredictor {
  /** e.g. 'latency', 'accuracy'. */
  readonly kind: string;
  readonly metadata: Json;
  /** The serialized model, or … */
  readonly blob?: Uint8Array | null;
  /** … a file path (large models live on disk, referenced by path + hash). Exactly one of blob/path. */
  readonly path?: string | null;
  readonly sha256?: string | null;
}

export interface PredictorRecord {
  readonly id: number;
  readonly kind: string;
  readonly metadata: Json;
  /** A fresh copy on every read (typed arrays cannot be frozen). */
  readonly blob: Uint8Array | null;
  readonly path: string | null;
  readonly sha256: string | null;
  readonly createdAt: string;
}

export interface NewCheckpoint {
  readonly path: string;
  /** 64 lowercase hex digits of the checkpoint file(s). */
  readonly sha256: string;
  readonly dataset: string;
  readonly epochs: number;
  readonly accuracyLargest: number;
  readonly accuracySmallest: number;
  readonly metadata?: Json;
}

export interface CheckpointRecord extends NewCheckpoint {
  readonly id: number;
  readonly metadata: Json;
  readonly createdAt: string;
}
