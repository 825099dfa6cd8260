/**
 * The `Storage` contract: everything nas-codesign persists (experiments, trials, strategy snapshots,
 * events, latency LUT entries, predictors, supernet checkpoints) behind one small async interface.
 * Three implementations satisfy the same conformance suite: SQLite (`sqlite.ts`), PostgreSQL (`pg.ts`)
 * and memory (`memory.ts`).
 *
 * Invariants every implementation keeps (test/conformance/storage.case.ts checks them):
 * - ids, trial numbers and timestamps are assigned by storage; inputs never carry them;
 * - records returned are deeply frozen snapshots: mutating or keeping them never changes storage
 *   (predictor blobs, which cannot be frozen, are fresh copies);
 * - a finished or failed trial is immutable: finishing/failing it again throws StorageError;
 * - `commitStep` is atomic: its trials, snapshot and events are all stored, or (on any error) none;
 * - event ids strictly increase in append order;
 * - a run's in-flight trials never stay 'running' after it: `endRun` stores them as 'interrupted',
 *   and while a killed runner's lease is left behind every read shows them (and the experiment) as
 *   'interrupted' (storage/runs.ts); `beginRun` takes them over;
 * - inputs are validated at the edge: bad values throw ConfigError naming the field and the value;
 *   unknown ids throw NotFoundError; everything after `close()` throws StorageError.
 */
import type {
  CheckpointRecord,
  EventRecord,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentSummary,
  FailedOutcome,
  FinishedOutcome,
  LutEntryInput,
  LutEntryRecord,
  LutProvenance,
  NewCheckpoint,
  NewEvent,
  NewExperiment,
  NewPredictor,
  NewTrial,
  Page,
  PredictorRecord,
  SnapshotRecord,
  StepInput,
  StepResult,
  TrialQuery,
  TrialRecord,
} from './types.ts';
import type { RunEndStatus, RunnerLease } from './runs.ts';

/** The schema version this code reads and writes (number of migrations in migrations.ts). */
export { SCHEMA_VERSION } from './schema.ts';

/**
 * The port a running search writes through (platform/run-experiment.ts): one experiment's status,
 * its trials as they start and complete, its step commits and snapshot. Every Storage is one; tests
 * and benchmarks may wrap or fake just these calls.
 */
export type TrialSink = Pick<
  Storage,
  'getExperiment' | 'beginRun' | 'endRun' | 'startTrials' | 'failTrial' | 'listTrials' | 'commitStep' | 'loadSnapshot' | 'appendEvent'
>;

export interface Storage {
  /** Where the data lives (file path, or ':memory:'). */
  readonly location: string;
  /** Schema version of the open store. */
  schemaVersion(): Promise<number>;

  /** Names are unique: a duplicate throws ConfigError('experiment.name', …). Status starts as 'created'. */
  createExperiment(input: NewExperiment): Promise<ExperimentRecord>;
  /** Throws NotFoundError. */
  getExperiment(id: number): Promise<ExperimentRecord>;
  /** null when no experiment has that name. */
  findExperiment(name: string): Promise<ExperimentRecord | null>;
  /** All experiments, newest first, with trial counts per state. */
  listExperiments(): Promise<readonly ExperimentSummary[]>;
  setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord>;

  /**
   * A search starts or resumes, atomically: refuses (ConfigError 'experiment') while another live
   * process holds the experiment's lease; records `lease` (default: this process), sets the status
   * 'running' and takes over the trials a previous run left running or interrupted (they become
   * running again), returned in number order for the runner to re-use.
   */
  beginRun(experimentId: number, lease?: RunnerLease): Promise<{ readonly experiment: ExperimentRecord; readonly orphans: readonly TrialRecord[] }>;
  /** A run ends, atomically: its running trials become 'interrupted', the status `status`, the lease is cleared. */
  endRun(experimentId: number, status: RunEndStatus): Promise<{ readonly experiment: ExperimentRecord; readonly interrupted: number }>;

  /** Insert a trial in state 'running' (about to be evaluated). */
  startTrial(input: NewTrial): Promise<TrialRecord>;
  /**
   * Insert several running trials at once, numbered in input order — all or none (one transaction):
   * what a search step uses so that its trials show as running while they are evaluated.
   * Bad items throw ConfigError naming `trials[i]…`.
   */
  startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]>;
  /** running → finished. Throws StorageError when the trial is already completed. */
  finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord>;
  /** running → failed, keeping the error message. Throws StorageError when already completed. */
  failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord>;
  getTrial(id: number): Promise<TrialRecord>;
  /** Filtered, sorted, paged trials (see TrialQuery for ordering rules). */
  listTrials(query?: TrialQuery): Promise<Page<TrialRecord>>;
  /** Number of trials matching the filter part of the query. */
  countTrials(query?: Omit<TrialQuery, 'sort' | 'order' | 'limit' | 'offset'>): Promise<number>;

  /**
   * Atomically: complete/insert the step's trials, replace the experiment's strategy snapshot and
   * append the events. The runner calls this after every `tell`, so a crash leaves either the
   * state before the step or after it — never trials without their snapshot.
   */
  commitStep(input: StepInput): Promise<StepResult>;
  /** Replace the experiment's snapshot outside a step (e.g. before the first trial). */
  saveSnapshot(experimentId: number, state: StepInput['snapshot']): Promise<SnapshotRecord>;
  /** The latest snapshot, or null. Only the latest is kept (snapshots can be large and frequent). */
  loadSnapshot(experimentId: number): Promise<SnapshotRecord | null>;

  appendEvent(input: NewEvent): Promise<EventRecord>;
  /** Events with id > afterId in id order (afterId 0 = from the start), optionally for one experiment. */
  eventsSince(afterId: number, options?: { experimentId?: number; limit?: number }): Promise<readonly EventRecord[]>;

  /** Insert or replace the measurement for (provenance, key). */
  upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]>;
  /** Entries matching every given provenance field, ordered by key. */
  listLutEntries(filter?: Partial<LutProvenance>): Promise<readonly LutEntryRecord[]>;
  /** The given keys not yet measured under exactly this provenance, de-duplicated, in input order. */
  missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]>;

  savePredictor(input: NewPredictor): Promise<PredictorRecord>;
  /** The most recently saved predictor of that kind, or null. */
  loadPredictor(kind: string): Promise<PredictorRecord | null>;
  /** Newest first; blobs included. */
  listPredictors(kind?: string): Promise<readonly PredictorRecord[]>;

  saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord>;
  /** Newest first, optionally for one dataset. */
  listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]>;

  /**
   * Optional: calls `onEvent(id)` soon after any process appends an event (PostgreSQL LISTEN/NOTIFY),
   * so readers need not wait for their next poll; returns the unsubscribe. Stores without it are polled.
   */
  watchEvents?(onEvent: (id: number) => void): Promise<() => void>;

  /** Release the store; idempotent. Every other call afterwards throws StorageError. */
  close(): Promise<void>;
}
