/**
 * Rows of the SQL stores' tables (the same columns in SQLite and PostgreSQL) and their mapping to frozen records, plus the trial list query builder
 * (filter + ORDER BY with missing values last and id as the tie-breaker, like `compareTrials`).
 */
import type { Json, JsonObject, Metrics } from '../core/types.ts';
import type { Param } from './sql-db.ts';
import { deepFreeze } from './records.ts';
import { runnerInfo, viewStatus, viewTrial, type RunnerLease } from './runs.ts';
import type {
  CheckpointRecord, EventRecord, ExperimentRecord, ExperimentStatus, LutEntryRecord, PredictorRecord, SnapshotRecord,
  Timings, TrialRecord, TrialState,
} from './types.ts';
import type { NormalQuery } from './validate.ts';

export interface ExperimentRow {
  id: number; name: string; config: string; seed: number; space: string; status: string; runner: string | null; created_at: string; updated_at: string;
}
export interface ObjectiveRow { experiment_id: number; name: string; unit: string; direction: string }
export interface TrialRow {
  id: number; experiment_id: number; number: number; state: string; arch: string; hw: string | null; key: string | null;
  metrics: string | null; predicted: string | null; feasible: number | null; timings: string | null; error: string | null; created_at: string; finished_at: string | null;
}
export interface SnapshotRow { experiment_id: number; trial_count: number; state: string; saved_at: string }
export interface EventRow { id: number; experiment_id: number | null; type: string; payload: string; created_at: string }
export interface LutRow {
  backend: string; tfjs_version: string; cpu_model: string; threads: number; batch_size: number; key: string;
  median_ms: number; mean_ms: number; std_ms: number; spread_ms: number; count: number; measured_at: string;
}
export interface PredictorRow { id: number; kind: string; metadata: string; blob: Buffer | null; path: string | null; sha256: string | null; created_at: string }
export interface CheckpointRow {
  id: number; path: string; sha256: string; dataset: string; epochs: number; accuracy_largest: number; accuracy_smallest: number; metadata: string; created_at: string;
}

const json = <T = Json>(s: string): T => JSON.parse(s) as T;
const jsonOrNull = <T = Json>(s: string | null): T | null => (s === null ? null : json<T>(s));

/** Status as readers see it: a 'running' experiment whose runner is gone reads 'interrupted' (runs.ts). */
export function experimentRecord(r: ExperimentRow, objectives: readonly ObjectiveRow[]): ExperimentRecord {
  const runner = runnerInfo(jsonOrNull<RunnerLease>(r.runner));
  return deepFreeze({
    id: r.id, name: r.name, config: json(r.config), seed: r.seed, space: r.space,
    objectives: objectives.map((o) => ({ name: o.name, unit: o.unit, direction: o.direction as 'min' | 'max' })),
    status: viewStatus(r.status as ExperimentStatus, runner), runner, createdAt: r.created_at, updatedAt: r.updated_at,
  });
}

/** A trial as readers see it, given the experiments whose runner is gone (`goneRuns`). */
export function trialRecord(r: TrialRow, gone: ReadonlySet<number> = NO_RUNS): TrialRecord {
  return viewTrial(storedTrial(r), gone.has(r.experiment_id));
}

export const NO_RUNS: ReadonlySet<number> = new Set();

function storedTrial(r: TrialRow): TrialRecord {
  return deepFreeze({
    id: r.id, experimentId: r.experiment_id, number: r.number, state: r.state as TrialState,
    arch: json(r.arch), hw: jsonOrNull(r.hw), key: r.key,
    metrics: jsonOrNull<Metrics>(r.metrics), predicted: jsonOrNull<JsonObject>(r.predicted), feasible: r.feasible === null ? null : r.feasible === 1,
    timings: jsonOrNull<Timings>(r.timings), error: r.error, createdAt: r.created_at, finishedAt: r.finished_at,
  }) as TrialRecord;
}

export function snapshotRecord(r: SnapshotRow): SnapshotRecord {
  return deepFreeze({ experimentId: r.experiment_id, trialCount: r.trial_count, state: json(r.state), savedAt: r.saved_at });
}

export function eventRecord(r: EventRow): EventRecord {
  return deepFreeze({ id: r.id, experimentId: r.experiment_id, type: r.type, payload: json(r.payload), createdAt: r.created_at });
}

export function lutRecord(r: LutRow): LutEntryRecord {
  return deepFreeze({
    backend: r.backend, tfjsVersion: r.tfjs_version, cpuModel: r.cpu_model, threads: r.threads, batchSize: r.batch_size, key: r.key,
    medianMs: r.median_ms, meanMs: r.mean_ms, stdMs: r.std_ms, spreadMs: r.spread_ms, count: r.count, measuredAt: r.measured_at,
  });
}

export function predictorRecord(r: PredictorRow): PredictorRecord {
  return Object.freeze({
    id: r.id, kind: r.kind, metadata: deepFreeze(json(r.metadata)), blob: r.blob === null ? null : new Uint8Array(r.blob),
    path: r.path, sha256: r.sha256, createdAt: r.created_at,
  });
}

export function checkpointRecord(r: CheckpointRow): CheckpointRecord {
  return deepFreeze({
    id: r.id, path: r.path, sha256: r.sha256, dataset: r.dataset, epochs: r.epochs,
    accuracyLargest: r.accuracy_largest, accuracySmallest: r.accuracy_smallest, metadata: json(r.metadata), createdAt: r.created_at,
  });
}

export const TRIAL_COLUMNS = 't.id, t.experiment_id, t.number, t.state, t.arch, t.hw, t.key, t.metrics, t.predicted, t.feasible, t.timings, t.error, t.created_at, t.finished_at';

/** The state column as readers see it: running trials of gone runs are 'interrupted' (ids are integers from the table). */
function stateExpr(gone: ReadonlySet<number>): string {
  return gone.size === 0 ? 't.state' : `(CASE WHEN t.state = 'running' AND t.experiment_id IN (${[...gone].join(',')}) THEN 'interrupted' ELSE t.state END)`;
}

/** WHERE clause (over alias t) and its parameters for the filter part of a query. */
export function trialWhere(q: Pick<NormalQuery, 'experimentId' | 'states' | 'feasible'>, gone: ReadonlySet<number> = NO_RUNS): { sql: string; params: Param[] } {
  const parts: string[] = [];
  const params: Param[] = [];
  if (q.experimentId !== null) { parts.push('t.experiment_id = ?'); params.push(q.experimentId); }
  if (q.states !== null) {
    if (q.states.length === 0) parts.push('1 = 0');
    else { parts.push(`${stateExpr(gone)} IN (${q.states.map(() => '?').join(',')})`); params.push(...q.states); }
  }
  if (q.feasible !== null) { parts.push('t.feasible = ?'); params.push(q.feasible ? 1 : 0); }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const SORT_COLUMNS: Record<string, string> = { id: 't.id', number: 't.number', state: 't.state', createdAt: 't.created_at', finishedAt: 't.finished_at' };

/** SELECT for one page: metrics sort through the indexed trial_values table. */
export function trialPageQuery(q: NormalQuery, gone: ReadonlySet<number> = NO_RUNS): { sql: string; params: Param[] } {
  const where = trialWhere(q, gone);
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  let join = '';
  let col = q.sort === 'state' ? stateExpr(gone) : SORT_COLUMNS[q.sort];
  const params: Param[] = [];
  if (col === undefined) {
    join = 'LEFT JOIN trial_values v ON v.trial_id = t.id AND v.name = ?';
    params.push(q.sort.slice('metric:'.length));
    col = 'v.value';
  }
  const order = col === 't.id' ? `t.id ${dir}` : `(${col} IS NULL), ${col} ${dir}, t.id ASC`;
  return {
    sql: `SELECT ${TRIAL_COLUMNS} FROM trials t ${join} ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
    params: [...params, ...where.params, q.limit, q.offset],
  };
}
