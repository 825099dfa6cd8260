/**
 * Storage on an SQLite file (package sqlite3): one connection per SqliteStorage, WAL so one writer
 * (the search) and many readers (the UI, opened with `readonly: true`) run side by side.
 * Opening refuses foreign files, newer schemas and read-only locations before writing (open.ts).
 */
import { ConfigError, NotFoundError, StorageError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { Connection, Param } from './connection.ts';
import { userVersion } from './migrations.ts';
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

  schemaVersion(): Promise<number> {
    return this.read(() => userVersion(this.db));
  }

  private async experiment(id: number): Promise<ExperimentRecord> {
    const row = await this.db.get<ExperimentRow>('SELECT * FROM experiments WHERE id = ?', [checkId(id, 'experimentId')]);
    if (!row) throw new NotFoundError('experiment', id);
    const objectives = await this.db.all<ObjectiveRow>('SELECT * FROM objectives WHERE experiment_id = ? ORDER BY position', [id]);
    return experimentRecord(row, objectives);
  }

  createExperiment(input: NewExperiment): Promise<ExperimentRecord> {
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

  getExperiment(id: number): Promise<ExperimentRecord> {
    return this.read(() => this.experiment(id));
  }

  findExperiment(name: string): Promise<ExperimentRecord | null> {
    return this.read(async () => {
      const row = await this.db.get<{ id: number }>('SELECT id FROM experiments WHERE name = ?', [String(name)]);
      return row ? this.experiment(row.id) : null;
    });
  }

  listExperiments(): Promise<readonly ExperimentSummary[]> {
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

  setExperimentStatus(id: number, status: ExperimentStatus): Promise<ExperimentRecord> {
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

  private async insertTrial(input: NewTrial, field: string, outcome: NormalOutcome | null): Promise<number> {
    const t = checkNewTrial(input, field);
    await this.experiment(t.experimentId);
    const next = await this.db.get<{ n: number }>('SELECT coalesce(max(number), 0) + 1 AS n FROM trials WHERE experiment_id = ?', [t.experimentId]);
    const { lastID } = await this.db.run(
      "INSERT INTO trials (experiment_id, number, state, arch, hw, key, created_at) VALUES (?, ?, 'running', ?, ?, ?, ?)",
      [t.experimentId, next!.n, JSON.stringify(t.arch), t.hw === null ? null : JSON.stringify(t.hw), t.key, this.now()],
    );
    if (outcome) await this.complete(lastID, outcome);
    return lastID;
  }

  /** running → finished/failed, with its objective values indexed in trial_values. */
  private async complete(id: number, o: NormalOutcome): Promise<TrialRecord> {
    const prev = await this.trial(id);
    if (prev.state !== 'running') throw new StorageError(this.db.path, `trial ${id} is already ${prev.state}; finished trials are immutable`, { trialId: id });
    const params: Param[] = o.state === 'finished'
      ? [o.state, JSON.stringify(o.metrics), o.feasible ? 1 : 0, o.timings ? JSON.stringify(o.timings) : null, null]
      : [o.state, null, null, o.timings ? JSON.stringify(o.timings) : null, o.error];
    await this.db.run('UPDATE trials SET state = ?, metrics = ?, feasible = ?, timings = ?, error = ?, finished_at = ? WHERE id = ?', [...params, this.now(), id]);
    if (o.state === 'finished') {
      for (const [name, value] of Object.entries(o.metrics)) {
        await this.db.run('INSERT INTO trial_values (trial_id, experiment_id, name, value) VALUES (?, ?, ?, ?)', [id, prev.experimentId, name, value]);
      }
    }
    return this.trial(id);
  }

  startTrial(input: NewTrial): Promise<TrialRecord> {
    checkNewTrial(input);
    return this.write(async () => this.trial(await this.insertTrial(input, 'trial', null)));
  }

  finishTrial(id: number, outcome: Omit<FinishedOutcome, 'state'>): Promise<TrialRecord> {
    const o = checkOutcome({ ...outcome, state: 'finished' });
    return this.write(() => this.complete(id, o));
  }

  failTrial(id: number, outcome: Omit<FailedOutcome, 'state'>): Promise<TrialRecord> {
    const o = checkOutcome({ ...outcome, state: 'failed' });
    return this.write(() => this.complete(id, o));
  }

  getTrial(id: number): Promise<TrialRecord> {
    return this.read(() => this.trial(id));
  }

  listTrials(query: TrialQuery = {}): Promise<Page<TrialRecord>> {
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

  countTrials(query: TrialQuery = {}): Promise<number> {
    const where = trialWhere(checkQuery(query));
    return this.read(async () => (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM trials t ${where.sql}`, where.params))!.n);
  }

  commitStep(input: StepInput): Promise<StepResult> {
    checkId(input?.experimentId, 'step.experimentId');
    assertJson(input.snapshot, 'step.snapshot');
    const events = (input.events ?? []).map((e) => checkEvent(e));
    const outcomes = input.trials.map((t, i) => checkOutcome(t.outcome, `step.trials[${i}].outcome`));
    return this.write(async () => {
      await this.experiment(input.experimentId);
      const ids: number[] = [];
      for (const [i, item] of input.trials.entries()) {
        if (item.trialId !== undefined) {
          const prev = await this.trial(item.trialId);
          if (prev.experimentId !== input.experimentId) throw new ConfigError(`step.trials[${i}].trialId`, item.trialId, `belongs to experiment ${prev.experimentId}, not ${input.experimentId}`);
          await this.complete(item.trialId, outcomes[i]!);
          ids.push(item.trialId);
        } else {
          if (item.experimentId !== input.experimentId) throw new ConfigError(`step.trials[${i}].experimentId`, item.experimentId, `must equal step.experimentId ${input.experimentId}`);
          ids.push(await this.insertTrial(item, `step.trials[${i}]`, outcomes[i]!));
        }
      }
      const snapshot = await this.putSnapshot(input.experimentId, input.snapshot);
      const stored: EventRecord[] = [];
      for (const e of events) stored.push(await this.putEvent(e));
      const trials: TrialRecord[] = [];
      for (const id of ids) trials.push(await this.trial(id));
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

  saveSnapshot(experimentId: number, state: Json): Promise<SnapshotRecord> {
    checkId(experimentId, 'experimentId');
    assertJson(state, 'snapshot');
    return this.write(async () => {
      await this.experiment(experimentId);
      return this.putSnapshot(experimentId, state);
    });
  }

  loadSnapshot(experimentId: number): Promise<SnapshotRecord | null> {
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

  appendEvent(input: NewEvent): Promise<EventRecord> {
    const e = checkEvent(input);
    return this.write(() => this.putEvent(e));
  }

  eventsSince(afterId: number, options: { experimentId?: number; limit?: number } = {}): Promise<readonly EventRecord[]> {
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

  upsertLutEntries(entries: readonly LutEntryInput[]): Promise<readonly LutEntryRecord[]> {
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

  listLutEntries(filter: Partial<LutProvenance> = {}): Promise<readonly LutEntryRecord[]> {
    const f = checkProvenanceFilter(filter);
    const cols: Record<keyof LutProvenance, string> = { backend: 'backend', tfjsVersion: 'tfjs_version', cpuModel: 'cpu_model', threads: 'threads', batchSize: 'batch_size' };
    const keys = (Object.keys(cols) as (keyof LutProvenance)[]).filter((k) => f[k] !== undefined);
    const where = keys.length ? `WHERE ${keys.map((k) => `${cols[k]} = ?`).join(' AND ')}` : '';
    return this.read(async () => {
      const rows = await this.db.all<LutRow>(`SELECT * FROM luts ${where} ORDER BY key, backend, tfjs_version, cpu_model, threads, batch_size`, keys.map((k) => f[k]!));
      return Object.freeze(rows.map(lutRecord));
    });
  }

  missingLutKeys(provenance: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
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

  savePredictor(input: NewPredictor): Promise<PredictorRecord> {
    const p = checkPredictor(input);
    return this.write(async () => {
      const { lastID } = await this.db.run('INSERT INTO predictors (kind, metadata, blob, path, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)', [p.kind, JSON.stringify(p.metadata), p.blob, p.path, p.sha256, this.now()]);
      return predictorRecord((await this.db.get<PredictorRow>('SELECT * FROM predictors WHERE id = ?', [lastID]))!);
    });
  }

  loadPredictor(kind: string): Promise<PredictorRecord | null> {
    return this.read(async () => {
      const row = await this.db.get<PredictorRow>('SELECT * FROM predictors WHERE kind = ? ORDER BY id DESC LIMIT 1', [String(kind)]);
      return row ? predictorRecord(row) : null;
    });
  }

  listPredictors(kind?: string): Promise<readonly PredictorRecord[]> {
    return this.read(async () => {
      const rows = kind === undefined
        ? await this.db.all<PredictorRow>('SELECT * FROM predictors ORDER BY id DESC')
        : await this.db.all<PredictorRow>('SELECT * FROM predictors WHERE kind = ? ORDER BY id DESC', [kind]);
      return Object.freeze(rows.map(predictorRecord));
    });
  }

  saveCheckpoint(input: NewCheckpoint): Promise<CheckpointRecord> {
    const c = checkCheckpoint(input);
    return this.write(async () => {
      const { lastID } = await this.db.run(
        'INSERT INTO checkpoints (path, sha256, dataset, epochs, accuracy_largest, accuracy_smallest, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [c.path, c.sha256, c.dataset, c.epochs, c.accuracyLargest, c.accuracySmallest, JSON.stringify(c.metadata), this.now()],
      );
      return checkpointRecord((await this.db.get<CheckpointRow>('SELECT * FROM checkpoints WHERE id = ?', [lastID]))!);
    });
  }

  listCheckpoints(dataset?: string): Promise<readonly CheckpointRecord[]> {
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
