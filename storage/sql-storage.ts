/**
 * The SQL stores' shared half: every `Storage` method over a `SqlDb` driver (sql-db.ts), so SQLite
 * (sqlite.ts) and PostgreSQL (pg.ts) keep one behaviour and pass one conformance suite. This class
 * owns the call discipline — closed check, then input checks, then one read, snapshot or write
 * transaction per call — and the statements live in sql-experiments.ts (experiments, snapshots,
 * events), sql-trials.ts and sql-artifacts.ts (LUT entries, predictors, checkpoints).
 * Subclasses only open their driver.
 */
import { NotFoundError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import { duplicateExperiment, type Clock } from './records.ts';
import { isUniqueViolation, type SqlDb, type SqlTx } from './sql-db.ts';
import {
  insertCheckpoint, insertPredictor, selectCheckpoints, selectLatestPredictor, selectLutEntries, selectMissingLutKeys, selectPredictors, upsertLutRows,
} from './sql-artifacts.ts';
import {
  experimentIdByName, goneRuns, insertEvent, insertExperiment, selectEvents, selectExperiment, selectExperimentSummaries, selectSnapshot,
  startRun, stopRun, updateExperimentStatus, upsertSnapshot,
} from './sql-experiments.ts';
import { checkRunEnd, checkRunStart, currentLease, type RunEndStatus, type RunnerLease } from './runs.ts';
import {
  completeTrial, countTrialRows, insertRunningTrials, readTrials, selectTrial, selectTrialPage, writeStepTrials,
} from './sql-trials.ts';
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

export abstract class SqlStorage implements Storage {
  protected constructor(protected readonly db: SqlDb, private readonly clock: Clock) {}

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

  private read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.db.read(fn);
  }

  private write<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (this.db.readonly) return Promise.reject(new StorageError(this.db.path, 'storage was opened read-only'));
    return this.db.transaction(fn);
  }

  async schemaVersion(): Promise<number> {
    this.alive();
    return this.db.schemaVersion();
  }

  async createExperiment(input: NewExperiment): Promise<ExperimentRecord> {
    this.alive();
    const e = checkExperiment(input);
    return this.write(async (tx) => {
      if ((await experimentIdByName(tx, e.name)) !== null) throw duplicateExperiment(e.name);
      return selectExperiment(tx, await insertExperiment(tx, e, this.now()));
    }).catch((err: unknown) => {
      // another writer created the same name between our look and our insert
      throw isUniqueViolation(err) ? duplicateExperiment(e.name) : err;
    });
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    this.alive();
    return this.read((tx) => selectExperiment(tx, id));
  }

  async findExperiment(name: string): Promise<ExperimentRecord | null> {
    this.alive();
    return this.read(async (tx) => {
      const id = await experimentIdByName(tx, String(name));
      return id === null ? null : selectExperiment(tx, id);
    });
  }

  async listExperiments(): Promise<readonly ExperimentSummary[]> {
    this.alive();
    return this.db.snapshot((tx) => selectExperimentSummaries(tx));
  }

  async setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
    this.alive();
    const s = checkStatus(status);
    return this.write(async (tx) => {
      if ((await updateExperimentStatus(tx, id, s, this.now())) === 0) throw new NotFoundError('experiment', id);
      return selectExperiment(tx, id);
    });
  }

  async beginRun(experimentId: number, lease: RunnerLease = currentLease()): Promise<{ experiment: ExperimentRecord; orphans: readonly TrialRecord[] }> {
    this.alive();
    checkId(experimentId, 'experimentId');
    return this.write(async (tx) => {
      await tx.lock({ experiment: experimentId });
      checkRunStart(await selectExperiment(tx, experimentId), lease);
      const ids = await startRun(tx, experimentId, lease, this.now());
      return Object.freeze({ experiment: await selectExperiment(tx, experimentId), orphans: Object.freeze(await readTrials(tx, ids)) });
    });
  }

  async endRun(experimentId: number, status: RunEndStatus): Promise<{ experiment: ExperimentRecord; interrupted: number }> {
    this.alive();
    checkId(experimentId, 'experimentId');
    const s = checkRunEnd(status);
    return this.write(async (tx) => {
      await tx.lock({ experiment: experimentId });
      await selectExperiment(tx, experimentId);
      const interrupted = await stopRun(tx, experimentId, s, this.now());
      return Object.freeze({ experiment: await selectExperiment(tx, experimentId), interrupted });
    });
  }

  async startTrial(input: NewTrial): Promise<TrialRecord> {
    this.alive();
    const t = checkNewTrial(input);
    return this.write(async (tx) => {
      await selectExperiment(tx, t.experimentId);
      return (await insertRunningTrials(tx, [t], this.now()))[0]!;
    });
  }

  async startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]> {
    this.alive();
    const checked = inputs.map((input, i) => checkNewTrial(input, `trials[${i}]`));
    return this.write(async (tx) => {
      for (const id of new Set(checked.map((t) => t.experimentId))) await selectExperiment(tx, id);
      return Object.freeze(await insertRunningTrials(tx, checked, this.now()));
    });
  }

  private complete(id: number, o: NormalOutcome): Promise<TrialRecord> {
    return this.write((tx) => completeTrial(tx, id, o, this.now));
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
    return this.read(async (tx) => selectTrial(tx, id, await goneRuns(tx)));
  }

  async listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
    this.alive();
    const q = checkQuery(query);
    return this.db.snapshot(async (tx) => selectTrialPage(tx, q, await goneRuns(tx)));
  }

  async countTrials(query: TrialQuery = {}): Promise<number> {
    this.alive();
    const q = checkQuery(query);
    return this.read(async (tx) => countTrialRows(tx, q, await goneRuns(tx)));
  }

  async commitStep(input: StepInput): Promise<StepResult> {
    this.alive();
    const { experimentId, snapshot: state, events, outcomes } = checkStepInput(input, (value, field) => (assertJson(value, field), value));
    return this.write(async (tx) => {
      await selectExperiment(tx, experimentId);
      const ids = await writeStepTrials(tx, experimentId, input.trials, outcomes, this.now);
      const snapshot = await upsertSnapshot(tx, experimentId, state, this.now());
      const stored: EventRecord[] = [];
      for (const e of events) stored.push(await this.putEvent(tx, e));
      const trials = await readTrials(tx, ids);
      return Object.freeze({ trials: Object.freeze(trials), snapshot, events: Object.freeze(stored) });
    });
  }

  async saveSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    this.alive();
    checkId(experimentId, 'experimentId');
    assertJson(state, 'snapshot');
    return this.write(async (tx) => {
      await selectExperiment(tx, experimentId);
      return upsertSnapshot(tx, experimentId, state, this.now());
    });
  }

  async loadSnapshot(experimentId: number): Promise<SnapshotRecord | null> {
    this.alive();
    return this.read(async (tx) => {
      await selectExperiment(tx, experimentId);
      return selectSnapshot(tx, experimentId);
    });
  }

  private async putEvent(tx: SqlTx, e: Required<NewEvent>): Promise<EventRecord> {
    if (e.experimentId !== null) await selectExperiment(tx, e.experimentId);
    return insertEvent(tx, e, this.now());
  }

  async appendEvent(input: NewEvent): Promise<EventRecord> {
    this.alive();
    const e = checkEvent(input);
    return this.write((tx) => this.putEvent(tx, e));
  }

  async eventsSince(afterId: number, options: { experimentId?: number; limit?: number } = {}): Promise<readonly EventRecord[]> {
    this.alive();
    const { after, limit } = checkEventsQuery(afterId, options);
    return this.read((tx) => selectEvents(tx, after, limit, options.experimentId));
  }

  async upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const now = this.now();
    const checked = entries.map((e, i) => checkLutEntry(e, i, now));
    return this.write(async (tx) => {
      await upsertLutRows(tx, checked);
      return Object.freeze(checked.map((e) => Object.freeze({ ...e })));
    });
  }

  async listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const f = checkProvenanceFilter(filter);
    return this.read((tx) => selectLutEntries(tx, f));
  }

  async missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
    this.alive();
    const p = checkProvenance(provenance);
    return this.read((tx) => selectMissingLutKeys(tx, p, keys));
  }

  async savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    this.alive();
    const p = checkPredictor(input);
    return this.write((tx) => insertPredictor(tx, p, this.now()));
  }

  async loadPredictor(kind: string): Promise<PredictorRecord | null> {
    this.alive();
    return this.read((tx) => selectLatestPredictor(tx, String(kind)));
  }

  async listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    this.alive();
    return this.read((tx) => selectPredictors(tx, kind));
  }

  async saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    this.alive();
    const c = checkCheckpoint(input);
    return this.write((tx) => insertCheckpoint(tx, c, this.now()));
  }

  async listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
    this.alive();
    return this.read((tx) => selectCheckpoints(tx, dataset));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
