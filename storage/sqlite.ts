/**
 * Storage on an SQLite file (package sqlite3): one connection per SqliteStorage, WAL so one writer
 * (the search) and many readers (the UI, opened with `readonly: true`) run side by side.
 * Opening refuses foreign files, newer schemas and read-only locations before writing (open.ts).
 */
import { ConfigError, NotFoundError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { Connection } from './connection.ts';
import { userVersion } from './migrations.ts';
import { checkStep, completeTrialRow, insertTrialRow, insertTrialValues, readTrials, TrialNumbers } from './sqlite-trials.ts';
import { openDatabase, type OpenOptions } from './open.ts';
import { systemClock, type Clock } from './records.ts';
import {
  checkpointRecord, eventRecord, experimentRecord, lutRecord, predictorRecord, snapshotRecord, TRIAL_COLUMNS, trialPageQuery,
  trialRecord, trialWhere, type CheckpointRow, type EventRow, type ExperimentRow, type LutRow, type ObjectiveRow,
  type PredictorRow, type SnapshotRow, type TrialRow,
} from './sqlite-rows.ts';
import type { Storage } from './storage.ts';
import type {
  CheckpointRecord, EventRecord, ExperimentRecord, ExperimentStatus, ExperimentSummary, FailedOutcome, FinishedOutcome,
  LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, NewEvent, NewExperiment, NewPredictor, NewTrial, Page,
  PredictorRecord, SnapshotRecord, StepInput, StepResult, TrialQuery, TrialRecord,
} from './types.ts';
import {
  assertJson, checkCheckpoint, checkEvent, checkEventsQuery, checkExperiment, checkId, checkLutEntry, checkNewTrial,
  checkOutcome, checkPredictor, checkProvenance, checkProvenanceFilter, checkQuery, checkStatus, type NormalOutcome,
} from './validate.ts';

export interface SqliteOptions extends OpenOptions {
  /** Clock for timestamps (tests); default the system clock. */
  readonly clock?: Clock;
}

export class SqliteStorage implements Storage {
  private constructor(private readonly db: Connection, private readonly clock: Clock) {}

  static async open(file: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
    return new SqliteStorage(await openDatabase(file, options), options.clock ?? systemClock);
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

  private now(): string {
    return this.clock().toISOString();
  }

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

  private async experiment(id: number): Promise<ExperimentRecord> {
    const row = await this.db.get<ExperimentRow>('SELECT * FROM experiments WHERE id = ?', [checkId(id, 'experimentId')]);
    if (!row) throw new NotFoundError('experiment', id);
    const objectives = await this.db.all<ObjectiveRow>('SELECT * FROM objectives WHERE experiment_id = ? ORDER BY position', [id]);
    return experimentRecord(row, objectives);
  }

  async createExperiment(input: NewExperiment): Promise<ExperimentRecord> {
    this.alive();
    const e = checkExperiment(input);
    return this.write(async () => {
      if (await this.db.get('SELECT 1 FROM experiments WHERE name = ?', [e.name])) throw new ConfigError('experiment.name', e.name, 'already exists');
      const now = this.now();
      const { lastID } = await this.db.run(
        "INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'created', ?, ?)",
        [e.name, JSON.stringify(e.config), e.seed, e.space, now, now],
      );
      for (const [i, o] of e.objectives.entries()) {
        await this.db.run('INSERT INTO objectives (experiment_id, position, name, unit, direction) VALUES (?, ?, ?, ?, ?)', [lastID, i, o.name, o.unit, o.direction]);
      }
      return this.experiment(lastID);
    });
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    this.alive();
    return this.read(() => this.experiment(id));
  }

  async findExperiment(name: string): Promise<ExperimentRecord | null> {
    this.alive();
    return this.read(async () => {
      const row = await this.db.get<{ id: number }>('SELECT id FROM experiments WHERE name = ?', [String(name)]);
      return row ? this.experiment(row.id) : null;
    });
  }

  async listExperiments(): Promise<readonly ExperimentSummary[]> {
    this.alive();
    return this.read(async () => {
      const rows = await this.db.all<ExperimentRow & { total: number; running: number; finished: number; failed: number }>(
        `SELECT e.*, count(t.id) AS total, count(CASE t.state WHEN 'running' THEN 1 END) AS running,
           count(CASE t.state WHEN 'finished' THEN 1 END) AS finished, count(CASE t.state WHEN 'failed' THEN 1 END) AS failed
         FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id GROUP BY e.id ORDER BY e.id DESC`,
      );
      const objectives = await this.db.all<ObjectiveRow>('SELECT * FROM objectives ORDER BY experiment_id, position');
      return Object.freeze(rows.map((r) => Object.freeze({
        ...experimentRecord(r, objectives.filter((o) => o.experiment_id === r.id)),
        trials: Object.freeze({ total: r.total, running: r.running, finished: r.finished, failed: r.failed }),
      })));
    });
  }

  async setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
    this.alive();
    const s = checkStatus(status);
    return this.write(async () => {
      const { changes } = await this.db.run('UPDATE experiments SET status = ?, updated_at = ? WHERE id = ?', [s, this.now(), checkId(id, 'experimentId')]);
      if (changes === 0) throw new NotFoundError('experiment', id);
      return this.experiment(id);
    });
  }

  private async trial(id: number): Promise<TrialRecord> {
    const row = await this.db.get<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = ?`, [checkId(id, 'trialId')]);
    if (!row) throw new NotFoundError('trial', id);
    return trialRecord(row);
  }

  /** running → finished/failed, with its objective values indexed in trial_values. */
  private async complete(id: number, o: NormalOutcome): Promise<TrialRecord> {
    const prev = await this.trial(id);
    if (prev.state !== 'running') throw new StorageError(this.db.path, `trial ${id} is already ${prev.state}; finished trials are immutable`, { trialId: id });
    await completeTrialRow(this.db, id, o, this.now());
    await insertTrialValues(this.db, [{ id, experimentId: prev.experimentId, outcome: o }]);
    return this.trial(id);
  }

  async startTrial(input: NewTrial): Promise<TrialRecord> {
    this.alive();
    const t = checkNewTrial(input);
    return this.write(async () => {
      await this.experiment(t.experimentId);
      return this.trial(await insertTrialRow(this.db, new TrialNumbers(this.db), t, null, this.now()));
    });
  }

  async startTrials(inputs: readonly NewTrial[]): Promise<readonly TrialRecord[]> {
    this.alive();
    const checked = inputs.map((input, i) => checkNewTrial(input, `trials[${i}]`));
    return this.write(async () => {
      for (const id of new Set(checked.map((t) => t.experimentId))) await this.experiment(id);
      const numbers = new TrialNumbers(this.db);
      const now = this.now();
      const ids: number[] = [];
      for (const t of checked) ids.push(await insertTrialRow(this.db, numbers, t, null, now));
      return Object.freeze(await readTrials(this.db, ids));
    });
  }

  async finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord> {
    this.alive();
    const o = checkOutcome({ ...outcome, state: 'finished' });
    return this.write(() => this.complete(id, o));
  }

  async failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord> {
    this.alive();
    const o = checkOutcome({ ...outcome, state: 'failed' });
    return this.write(() => this.complete(id, o));
  }

  async getTrial(id: number): Promise<TrialRecord> {
    this.alive();
    return this.read(() => this.trial(id));
  }

  async listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
    this.alive();
    const q = checkQuery(query);
    return this.read(async () => {
      // One read transaction so the page and its total come from the same snapshot.
      await this.db.exec('BEGIN');
      try {
        const page = trialPageQuery(q);
        const rows = await this.db.all<TrialRow>(page.sql, page.params);
        const where = trialWhere(q);
        const total = await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM trials t ${where.sql}`, where.params);
        return Object.freeze({ items: Object.freeze(rows.map(trialRecord)), total: total!.n, limit: q.limit, offset: q.offset });
      } finally {
        await this.db.exec('COMMIT');
      }
    });
  }

  async countTrials(query: TrialQuery = {}): Promise<number> {
    this.alive();
    const where = trialWhere(checkQuery(query));
    return this.read(async () => (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM trials t ${where.sql}`, where.params))!.n);
  }

  async commitStep(input: StepInput): Promise<StepResult> {
    this.alive();
    const experimentId = checkId(input?.experimentId, 'step.experimentId');
    assertJson(input.snapshot, 'step.snapshot');
    const events = (input.events ?? []).map((e) => checkEvent(e));
    const outcomes = input.trials.map((t, i) => checkOutcome(t.outcome, `step.trials[${i}].outcome`));
    const inserts = new Map<number, Required<NewTrial>>();
    return this.write(async () => {
      await this.experiment(experimentId);
      await checkStep(this.db, experimentId, input.trials, (item, i) => {
        if (item.experimentId !== experimentId) throw new ConfigError(`step.trials[${i}].experimentId`, item.experimentId, `must equal step.experimentId ${experimentId}`);
        inserts.set(i, checkNewTrial(item, `step.trials[${i}]`));
      });
      const now = this.now();
      const numbers = new TrialNumbers(this.db);
      const done: { id: number; experimentId: number; outcome: NormalOutcome }[] = [];
      for (const [i, item] of input.trials.entries()) {
        const outcome = outcomes[i]!;
        const t = inserts.get(i);
        let id: number;
        if (t) id = await insertTrialRow(this.db, numbers, t, outcome, now);
        else await completeTrialRow(this.db, (id = item.trialId!), outcome, now);
        done.push({ id, experimentId, outcome });
      }
      await insertTrialValues(this.db, done);
      const snapshot = await this.putSnapshot(experimentId, input.snapshot);
      const stored: EventRecord[] = [];
      for (const e of events) stored.push(await this.putEvent(e));
      const trials = await readTrials(this.db, done.map((d) => d.id));
      return Object.freeze({ trials: Object.freeze(trials), snapshot, events: Object.freeze(stored) });
    });
  }

  private async putSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    const done = await this.db.get<{ n: number }>("SELECT count(*) AS n FROM trials WHERE experiment_id = ? AND state <> 'running'", [experimentId]);
    await this.db.run(
      'INSERT INTO strategy_state (experiment_id, trial_count, state, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (experiment_id) DO UPDATE SET trial_count = excluded.trial_count, state = excluded.state, saved_at = excluded.saved_at',
      [experimentId, done!.n, JSON.stringify(state), this.now()],
    );
    return snapshotRecord((await this.db.get<SnapshotRow>('SELECT * FROM strategy_state WHERE experiment_id = ?', [experimentId]))!);
  }

  async saveSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    this.alive();
    checkId(experimentId, 'experimentId');
    assertJson(state, 'snapshot');
    return this.write(async () => {
      await this.experiment(experimentId);
      return this.putSnapshot(experimentId, state);
    });
  }

  async loadSnapshot(experimentId: number): Promise<SnapshotRecord | null> {
    this.alive();
    return this.read(async () => {
      await this.experiment(experimentId);
      const row = await this.db.get<SnapshotRow>('SELECT * FROM strategy_state WHERE experiment_id = ?', [experimentId]);
      return row ? snapshotRecord(row) : null;
    });
  }

  private async putEvent(e: Required<NewEvent>): Promise<EventRecord> {
    if (e.experimentId !== null) await this.experiment(e.experimentId);
    const { lastID } = await this.db.run('INSERT INTO events (experiment_id, type, payload, created_at) VALUES (?, ?, ?, ?)', [e.experimentId, e.type, JSON.stringify(e.payload), this.now()]);
    return eventRecord((await this.db.get<EventRow>('SELECT * FROM events WHERE id = ?', [lastID]))!);
  }

  async appendEvent(input: NewEvent): Promise<EventRecord> {
    this.alive();
    const e = checkEvent(input);
    return this.write(() => this.putEvent(e));
  }

  async eventsSince(afterId: number, options: { experimentId?: number; limit?: number } = {}): Promise<readonly EventRecord[]> {
    this.alive();
    const { after, limit } = checkEventsQuery(afterId, options);
    const byExp = options.experimentId !== undefined;
    return this.read(async () => {
      const rows = await this.db.all<EventRow>(
        `SELECT * FROM events WHERE id > ? ${byExp ? 'AND experiment_id = ?' : ''} ORDER BY id LIMIT ?`,
        byExp ? [after, options.experimentId!, limit] : [after, limit],
      );
      return Object.freeze(rows.map(eventRecord));
    });
  }

  async upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const now = this.now();
    const checked = entries.map((e, i) => checkLutEntry(e, i, now));
    return this.write(async () => {
      for (const e of checked) {
        await this.db.run(
          `INSERT OR REPLACE INTO luts (backend, tfjs_version, cpu_model, threads, batch_size, key, median_ms, mean_ms, std_ms, spread_ms, count, measured_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [e.backend, e.tfjsVersion, e.cpuModel, e.threads, e.batchSize, e.key, e.medianMs, e.meanMs, e.stdMs, e.spreadMs, e.count, e.measuredAt],
        );
      }
      return Object.freeze(checked.map((e) => Object.freeze({ ...e })));
    });
  }

  async listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    this.alive();
    const f = checkProvenanceFilter(filter);
    const cols: Record<keyof LutProvenance, string> = { backend: 'backend', tfjsVersion: 'tfjs_version', cpuModel: 'cpu_model', threads: 'threads', batchSize: 'batch_size' };
    const keys = (Object.keys(cols) as (keyof LutProvenance)[]).filter((k) => f[k] !== undefined);
    const where = keys.length ? `WHERE ${keys.map((k) => `${cols[k]} = ?`).join(' AND ')}` : '';
    return this.read(async () => {
      const rows = await this.db.all<LutRow>(`SELECT * FROM luts ${where} ORDER BY key, backend, tfjs_version, cpu_model, threads, batch_size`, keys.map((k) => f[k]!));
      return Object.freeze(rows.map(lutRecord));
    });
  }

  async missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
    this.alive();
    const p = checkProvenance(provenance);
    return this.read(async () => {
      const rows = await this.db.all<{ key: string }>(
        'SELECT key FROM luts WHERE backend = ? AND tfjs_version = ? AND cpu_model = ? AND threads = ? AND batch_size = ?',
        [p.backend, p.tfjsVersion, p.cpuModel, p.threads, p.batchSize],
      );
      const have = new Set(rows.map((r) => r.key));
      return Object.freeze([...new Set(keys)].filter((k) => !have.has(k)));
    });
  }

  async savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    this.alive();
    const p = checkPredictor(input);
    return this.write(async () => {
      const { lastID } = await this.db.run('INSERT INTO predictors (kind, metadata, blob, path, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)', [p.kind, JSON.stringify(p.metadata), p.blob, p.path, p.sha256, this.now()]);
      return predictorRecord((await this.db.get<PredictorRow>('SELECT * FROM predictors WHERE id = ?', [lastID]))!);
    });
  }

  async loadPredictor(kind: string): Promise<PredictorRecord | null> {
    this.alive();
    return this.read(async () => {
      const row = await this.db.get<PredictorRow>('SELECT * FROM predictors WHERE kind = ? ORDER BY id DESC LIMIT 1', [String(kind)]);
      return row ? predictorRecord(row) : null;
    });
  }

  async listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    this.alive();
    return this.read(async () => {
      const rows = kind === undefined
        ? await this.db.all<PredictorRow>('SELECT * FROM predictors ORDER BY id DESC')
        : await this.db.all<PredictorRow>('SELECT * FROM predictors WHERE kind = ? ORDER BY id DESC', [kind]);
      return Object.freeze(rows.map(predictorRecord));
    });
  }

  async saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    this.alive();
    const c = checkCheckpoint(input);
    return this.write(async () => {
      const { lastID } = await this.db.run(
        'INSERT INTO checkpoints (path, sha256, dataset, epochs, accuracy_largest, accuracy_smallest, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [c.path, c.sha256, c.dataset, c.epochs, c.accuracyLargest, c.accuracySmallest, JSON.stringify(c.metadata), this.now()],
      );
      return checkpointRecord((await this.db.get<CheckpointRow>('SELECT * FROM checkpoints WHERE id = ?', [lastID]))!);
    });
  }

  async listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
    this.alive();
    return this.read(async () => {
      const rows = dataset === undefined
        ? await this.db.all<CheckpointRow>('SELECT * FROM checkpoints ORDER BY id DESC')
        : await this.db.all<CheckpointRow>('SELECT * FROM checkpoints WHERE dataset = ? ORDER BY id DESC', [dataset]);
      return Object.freeze(rows.map(checkpointRecord));
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
