/**
 * Storage on an SQLite file (package sqlite3): one connection per SqliteStorage, WAL so one writer
 * (the search) and many readers (the UI, opened with `readonly: true`) run side by side.
 * Opening refuses foreign files, newer schemas and read-only locations before writing (open.ts).
 * This class owns the connection discipline (closed check, then input checks, then one lock or
 * transaction per call); the statements live in sqlite-experiments.ts (experiments, snapshots,
 * events), sqlite-trials.ts and sqlite-artifacts.ts (LUT entries, predictors, checkpoints).
 */
import { NotFoundError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { Connection } from './connection.ts';
import { userVersion } from './migrations.ts';
import { openChecked, type DatabaseCheck, type OpenOptions } from './open.ts';
import { duplicateExperiment, systemClock, type Clock } from './records.ts';
import {
  insertCheckpoint, insertPredictor, selectCheckpoints, selectLatestPredictor, selectLutEntries, selectMissingLutKeys, selectPredictors, upsertLutRows,
} from './sqlite-artifacts.ts';
import {
  experimentIdByName, goneRuns, insertEvent, insertExperiment, selectEvents, selectExperiment, selectExperimentSummaries, selectSnapshot,
  startRun, stopRun, updateExperimentStatus, upsertSnapshot,
} from './sqlite-experiments.ts';
import { checkRunEnd, checkRunStart, currentLease, type RunEndStatus, type RunnerLease } from './runs.ts';
import {
  completeTrial, countTrialRows, insertRunningTrials, readTrials, selectTrial, selectTrialPage, writeStepTrials,
} from './sqlite-trials.ts';
import type { Storage } from './storage.ts';
import type {
  CheckpointRecord, EventRecord, ExperimentRecord, ExperimentStatus, ExperimentSummary, FailedOutcome, FinishedOutcome,
  LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, NewEvent, NewExperiment, NewPredictor, NewTrial, Page,
  PredictorRecord, SnapshotRecord, StepInput, StepResult, TrialQuery, TrialRecord,
} from './types.ts';
import {
  assertJson, checkCheckpoint, checkEvent, checkEventsQuery, checkExperiment, checkId, checkLutEntry, checkNewTrial,
  checkOutcome, checkPredictor, checkProvenance, checkProvenanceFilter, checkQuery, checkStatus, checkStepInput, type NormalOutcome,
} from './validate.ts';

export interface SqliteOptions extends OpenOptions {
  /** Clock for timestamps (tests); default the system clock. */
  readonly clock?: Clock;
}

export class SqliteStorage implements Storage {
  private constructor(private readonly db: Connection, private readonly clock: Clock, readonly opened: DatabaseCheck) {}

  /** Classifies the file for the mode first (storage/classify.ts); `opened` says what it was (missing, empty, database). */
  static async open(file: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
    const { conn, check } = await openChecked(file, options);
    return new SqliteStorage(conn, options.clock ?? systemClock, check);
  }

  get location(): string {
    return this.db.path;
  }

  get readonly(): boolean {
    return this.db.readonly;
  }

  /** Closed first, then input validation: after close() every call rejects with StorageError. */
  private alive(): void {
    if (this.db.isClosed) throw new StorageError(this.db.path, 'storage is closed');
  }

  private readonly now = (): string => this.clock().toISOString();

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.exclusive(fn);
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.db.readonly) return Promise.reject(new StorageError(this.db.path, 'storage was opened read-only'));
    return this.db.transaction(fn);
  }

  async schemaVersion(): Promise<number> {
    this.alive();
    return this.read(() => userVersion(this.db));
  }

  private experiment(id: number): Promise<ExperimentRecord> {
    return selectExperiment(this.db, id);
  }

  async createExperiment(input: NewExperiment): Promise<ExperimentRecord> {
    this.alive();
    const e = checkExperiment(input);
    return this.write(async () => {
      if ((await experimentIdByName(this.db, e.name)) !== null) throw duplicateExperiment(e.name);
      return this.experiment(await insertExperiment(this.db, e, this.now()));
    });
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    this.alive();
    return this.read(() => this.experiment(id));
  }

  async findExperiment(name: string): Promise<ExperimentRecord | null> {
    this.alive();
    return this.read(async () => {
      const id = await experimentIdByName(this.db, String(name));
      return id === null ? null : this.experiment(id);
    });
  }

  async listExperiments(): Promise<readonly ExperimentSummary[]> {
    this.alive();
    return this.read(() => selectExperimentSummaries(this.db));
  }

  async setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
    this.alive();
    const s = checkStatus(status);
    return this.write(async () => {
      if ((await updateExperimentStatus(this.db, id, s, this.now())) === 0) throw new NotFoundError('experiment', id);
      return this.experiment(id);
    });
  }

  async beginRun(experimentId: number, lease: RunnerLease = currentLease()): Promise<{ experiment: ExperimentRecord; orphans: readonly TrialRecord[] }> {
    this.alive();
    checkId(experimentId, 'experimentId');
    return this.write(async () => {
      checkRunStart(await this.experiment(experimentId), lease);
      const ids = await startRun(this.db, experimentId, lease, this.now());
      return Object.freeze({ experiment: await this.experiment(experimentId), orphans: Object.freeze(await readTrials(this.db, ids)) });
    });
  }

  async endRun(experimentId: number, status: RunEndStatus): Promise<{ experiment: ExperimentRecord; interrupted: number }> {
    this.alive();
    checkId(experimentId, 'experimentId');
    const s = checkRunEnd(status);
    return this.write(async () => {
      await this.experiment(experimentId);
      const interrupted = await stopRun(this.db, experimentId, s, this.now());
      return Object.freeze({ experiment: await this.experiment(experimentId), interrupted });
    });
  }

  async startTrial(input: NewTrial): Promise<TrialRecord> {
    this.alive();
    const t = checkNewTrial(input);
    return this.write(async () => {
      await this.experiment(t.experimentId);
      return (await insertRunningTrials(this.db, [t], this.now()))[0]!;
    });
  }

  async startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]> {
    this.alive();
    const checked = inputs.map((input, i) => checkNewTrial(input, `trials[${i}]`));
    return this.write(async () => {
      for (const id of new Set(checked.map((t) => t.experimentId))) await this.experiment(id);
      return Object.freeze(await insertRunningTrials(this.db, checked, this.now()));
    });
  }

  private complete(id: number, o: NormalOutcome): Promise<TrialRecord> {
    return this.write(() => completeTrial(this.db, id, o, this.now));
  }

  async finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord> {
    this.alive();
    return this.complete(id, checkOutcome({ ...outcome, state: 'finished' }));
  }

  async failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord> {
    this.alive();
    return this.complete(id, checkOutcome({ ...outcome, state: 'failed' }));
  }

  async getTrial(id: number): Promise<TrialRecord> {
    this.alive();
    return this.read(async () => selectTrial(this.db, id, await goneRuns(this.db)));
  }

  async listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
    this.alive();
    const q = checkQuery(query);
    return this.read(async () => selectTrialPage(this.db, q, await goneRuns(this.db)));
  }

  async countTrials(query: TrialQuery = {}): Promise<number> {
    this.alive();
    const q = checkQuery(query);
    return this.read(async () => countTrialRows(this.db, q, await goneRuns(this.db)));
  }

  async commitStep(input: StepInput): Promise<StepResult> {
    this.alive();
    const { experimentId, snapshot: state, events, outcomes } = checkStepInput(input, (value, field) => (assertJson(value, field), value));
    return this.write(async () => {
      await this.experiment(experimentId);
      const ids = await writeStepTrials(this.db, experimentId, input.trials, outcomes, this.now);
      const snapshot = await upsertSnapshot(this.db, experimentId, state, this.now());
      const stored: EventRecord[] = [];
      for (const e of events) stored.push(await this.putEvent(e));
      const trials = await readTrials(this.db, ids);
      return Object.freeze({ trials: Object.freeze(trials), snapshot, events: Object.freeze(stored) });
    });
  }

  async saveSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    this.alive();
    checkId(experimentId, 'experimentId');
    assertJson(state, 'snapshot');
    return this.write(async () => {
      await this.experiment(experimentId);
      return upsertSnapshot(this.db, experimentId, state, this.now());
    });
  }

  async loadSnapshot(experimentId: number): Promise<SnapshotRecord | null> {
    this.alive();
    return this.read(async () => {
      await this.experiment(experimentId);
      return selectSnapshot(this.db, experimentId);
    });
  }

  private async putEvent(e: Required<NewEvent>): Promise<EventRecord> {
    if (e.experimentId !== null) await this.experiment(e.experimentId);
    return insertEvent(this.db, e, this.now());
  }

  async appendEvent(input: NewEvent): Promise<EventRecord> {
    this.alive();
    const e = checkEvent(input);
    return this.write(() => this.putEvent(e));
  }

  async eventsSince(afterId: number, options: { experimentId?: number; limit?: number } = {}): Promise<readonly EventRecord[]> {
    this.alive();
    const { after, limit } = checkEventsQuery(afterId, options);
    return this.read(() => selectEvents(this.db, after, limit, options.experimentId));
  }

  async upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const now = this.now();
    const checked = entries.map((e, i) => checkLutEntry(e, i, now));
    return this.write(async () => {
      await upsertLutRows(this.db, checked);
      return Object.freeze(checked.map((e) => Object.freeze({ ...e })));
    });
  }

  async listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const f = checkProvenanceFilter(filter);
    return this.read(() => selectLutEntries(this.db, f));
  }

  async missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
    this.alive();
    const p = checkProvenance(provenance);
    return this.read(() => selectMissingLutKeys(this.db, p, keys));
  }

  async savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    this.alive();
    const p = checkPredictor(input);
    return this.write(() => insertPredictor(this.db, p, this.now()));
  }

  async loadPredictor(kind: string): Promise<PredictorRecord | null> {
    this.alive();
    return this.read(() => selectLatestPredictor(this.db, String(kind)));
  }

  async listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    this.alive();
    return this.read(() => selectPredictors(this.db, kind));
  }

  async saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    this.alive();
    const c = checkCheckpoint(input);
    return this.write(() => insertCheckpoint(this.db, c, this.now()));
  }

  async listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
    this.alive();
    return this.read(() => selectCheckpoints(this.db, dataset));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
