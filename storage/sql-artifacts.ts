/**
 * The SQL stores' statements for what a search reads besides its trials: latency LUT entries
 * (unique per provenance + key: insert or replace), predictors and supernet checkpoints. Like
 * sql-trials.ts, these run inside the caller's lock or transaction on checked inputs.
 */
import type { Json } from '../core/types.ts';
import type { SqlTx as Connection } from './sql-db.ts';
import { checkpointRecord, lutRecord, predictorRecord, type CheckpointRow, type LutRow, type PredictorRow } from './sql-rows.ts';
import type { CheckpointRecord, LutEntryInput, LutEntryRecord, LutProvenance, NewCheckpoint, PredictorRecord } from './types.ts';

export async function upsertLutRows(db: Connection, entries: readonly (LutEntryInput & { measuredAt: string })[]): Promise<void> {
  for (const e of entries) {
    await db.run(
      `INSERT INTO luts (backend, tfjs_version, cpu_model, threads, batch_size, key, median_ms, mean_ms, std_ms, spread_ms, count, measured_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (backend, tfjs_version, cpu_model, threads, batch_size, key) DO UPDATE SET median_ms = excluded.median_ms,
         mean_ms = excluded.mean_ms, std_ms = excluded.std_ms, spread_ms = excluded.spread_ms, count = excluded.count, measured_at = excluded.measured_at`,
      [e.backend, e.tfjsVersion, e.cpuModel, e.threads, e.batchSize, e.key, e.medianMs, e.meanMs, e.stdMs, e.spreadMs, e.count, e.measuredAt],
    );
  }
}

const PROVENANCE_COLUMNS: Record<keyof LutProvenance, string> = { backend: 'backend', tfjsVersion: 'tfjs_version', cpuModel: 'cpu_model', threads: 'threads', batchSize: 'batch_size' };

/** Entries matching every given provenance field, ordered by key, then provenance. */
export async function selectLutEntries(db: Connection, f: Partial<LutProvenance>): Promise<readonly LutEntryRecord[]> {
  const keys = (Object.keys(PROVENANCE_COLUMNS) as (keyof LutProvenance)[]).filter((k) => f[k] !== undefined);
  const where = keys.length ? `WHERE ${keys.map((k) => `${PROVENANCE_COLUMNS[k]} = ?`).join(' AND ')}` : '';
  const rows = await db.all<LutRow>(`SELECT * FROM luts ${where} ORDER BY key, backend, tfjs_version, cpu_model, threads, batch_size`, keys.map((k) => f[k]!));
  return Object.freeze(rows.map(lutRecord));
}

/** The keys not measured under exactly this provenance, de-duplicated, in input order. */
export async function selectMissingLutKeys(db: Connection, p: LutProvenance, keys: readonly string[]): Promise<readonly string[]> {
  const rows = await db.all<{ key: string }>(
    'SELECT key FROM luts WHERE backend = ? AND tfjs_version = ? AND cpu_model = ? AND threads = ? AND batch_size = ?',
    [p.backend, p.tfjsVersion, p.cpuModel, p.threads, p.batchSize],
  );
  const have = new Set(rows.map((r) => r.key));
  return Object.freeze([...new Set(keys)].filter((k) => !have.has(k)));
}

export async function insertPredictor(db: Connection, p: { kind: string; metadata: Json; blob: Uint8Array | null; path: string | null; sha256: string | null }, now: string): Promise<PredictorRecord> {
  return predictorRecord((await db.get<PredictorRow>('INSERT INTO predictors (kind, metadata, blob, path, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *', [p.kind, JSON.stringify(p.metadata), p.blob, p.path, p.sha256, now]))!);
}

/** Rows of `table` newest first: all of them, or those whose `column` equals `value`. */
function newestFirst<R>(db: Connection, table: 'predictors' | 'checkpoints', column: 'kind' | 'dataset', value: string | undefined): Promise<R[]> {
  return value === undefined
    ? db.all<R>(`SELECT * FROM ${table} ORDER BY id DESC`)
    : db.all<R>(`SELECT * FROM ${table} WHERE ${column} = ? ORDER BY id DESC`, [value]);
}

/** Newest first, optionally of one kind. */
export async function selectPredictors(db: Connection, kind?: string): Promise<readonly PredictorRecord[]> {
  return Object.freeze((await newestFirst<PredictorRow>(db, 'predictors', 'kind', kind)).map(predictorRecord));
}

/** The newest predictor of that kind, or null. */
export async function selectLatestPredictor(db: Connection, kind: string): Promise<PredictorRecord | null> {
  const row = await db.get<PredictorRow>('SELECT * FROM predictors WHERE kind = ? ORDER BY id DESC LIMIT 1', [kind]);
  return row ? predictorRecord(row) : null;
}

export async function insertCheckpoint(db: Connection, c: Required<NewCheckpoint>, now: string): Promise<CheckpointRecord> {
  const row = await db.get<CheckpointRow>(
    'INSERT INTO checkpoints (path, sha256, dataset, epochs, accuracy_largest, accuracy_smallest, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
    [c.path, c.sha256, c.dataset, c.epochs, c.accuracyLargest, c.accuracySmallest, JSON.stringify(c.metadata), now],
  );
  return checkpointRecord(row!);
}

/** Newest first, optionally for one dataset. */
export async function selectCheckpoints(db: Connection, dataset?: string): Promise<readonly CheckpointRecord[]> {
  return Object.freeze((await newestFirst<CheckpointRow>(db, 'checkpoints', 'dataset', dataset)).map(checkpointRecord));
}
