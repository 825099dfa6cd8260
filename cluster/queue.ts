/**
 * The work queue on PostgreSQL (tables in queue-schema.ts). Claims use `FOR UPDATE SKIP LOCKED`, so
 * any number of workers take disjoint jobs without waiting on each other; every hot operation is one
 * statement (one round trip): claim, heartbeat, result write.
 *
 * - A claim takes queued jobs, or running jobs whose lease passed (their holder died: kill -9,
 *   power, network), oldest first, filtered by what the worker has: kind, code version, checkpoint
 *   hash, device label. A job that was claimed `max_attempts` times without a result is marked
 *   failed instead (it keeps killing its workers).
 * - A result write is first-write-wins: it only lands while the job is still open, so a slow worker
 *   whose lease expired and a second worker that redid the job cannot both write (the results are
 *   equal anyway: evaluation is deterministic); the loser is told and logs it.
 * - Results carry provenance (host, worker, backend, versions, time) in the job row.
 */
import type { Json } from '../core/types.ts';
import type { PgStorage } from '../storage/pg.ts';
import type { PgDb } from '../storage/pg-db.ts';
import type { SqlTx } from '../storage/sql-db.ts';
import { migrateQueue } from './queue-schema.ts';

export type JobKind = 'eval' | 'lut' | 'map';
export const JOB_KINDS: readonly JobKind[] = ['eval', 'lut', 'map'];
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface NewJob {
  readonly key: string;
  readonly kind: JobKind;
  readonly experimentId?: number | null;
  readonly step?: number | null;
  readonly index?: number | null;
  readonly payload: Json;
  readonly codeVersion: string;
  readonly checkpointSha?: string | null;
  readonly device?: string | null;
  readonly maxAttempts?: number;
}

export interface JobRecord {
  readonly id: number;
  readonly key: string;
  readonly kind: JobKind;
  readonly experimentId: number | null;
  readonly step: number | null;
  readonly index: number | null;
  readonly payload: Json;
  readonly codeVersion: string;
  readonly checkpointSha: string | null;
  readonly device: string | null;
  readonly state: JobState;
  readonly attempts: number;
  readonly worker: string | null;
  readonly result: Json | null;
  readonly error: string | null;
  readonly provenance: Json | null;
}

/** What a worker can run: a job is claimed only when it needs nothing else. */
export interface Capabilities {
  readonly kinds: readonly JobKind[];
  readonly codeVersion: string;
  /** Checkpoint hashes (weightsSha256) this worker has on disk. */
  readonly checkpoints: readonly string[];
  readonly device: string | null;
}

/** One job's requirement that no registered, live worker meets (what the refusal log says). */
export interface Refusal {
  readonly kind: JobKind;
  readonly codeVersion: string;
  readonly checkpointSha: string | null;
  readonly device: string | null;
  readonly jobs: number;
}

interface JobRow {
  id: number; key: string; kind: string; experiment_id: number | null; step: number | null; idx: number | null; payload: string;
  code_version: string; checkpoint_sha: string | null; device: string | null; state: string; attempts: number; worker: string | null;
  result: string | null; error: string | null; provenance: string | null;
}

const JOB_COLUMNS = 'id, key, kind, experiment_id, step, idx, payload, code_version, checkpoint_sha, device, state, attempts, worker, result, error, provenance';

function jobRecord(r: JobRow): JobRecord {
  const json = (s: string | null) => (s === null ? null : (JSON.parse(s) as Json));
  return {
    id: r.id, key: r.key, kind: r.kind as JobKind, experimentId: r.experiment_id, step: r.step, index: r.idx, payload: json(r.payload)!,
    codeVersion: r.code_version, checkpointSha: r.checkpoint_sha, device: r.device, state: r.state as JobState, attempts: r.attempts,
    worker: r.worker, result: json(r.result), error: r.error, provenance: json(r.provenance),
  };
}

/** The predicate "a worker with these capabilities may run this job" over alias j, and its parameters. */
function fits(c: Capabilities): { sql: string; params: (string | readonly string[] | null)[] } {
  return {
    sql: 'j.kind = ANY(?) AND j.code_version = ? AND (j.checkpoint_sha IS NULL OR j.checkpoint_sha = ANY(?)) AND (j.device IS NULL OR j.device = ?)',
    params: [c.kinds, c.codeVersion, c.checkpoints, c.device],
  };
}

export const JOBS_CHANNEL = 'nas_jobs';

/** `prefix` as a literal LIKE pattern (device labels may hold `_`). */
function likeEscape(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class PgQueue {
  /** `present`: false for a read-only store where no queue was ever created (nothing to list). */
  private constructor(readonly db: PgDb, readonly present: boolean) {}

  /** The queue in the store's database; creates or migrates its tables (read-only stores only check). */
  static async open(storage: PgStorage): Promise<PgQueue> {
    return new PgQueue(storage.driver, await migrateQueue(storage.driver));
  }

  get channel(): string {
    return `${this.db.schemaKey}.${JOBS_CHANNEL}`;
  }

  /**
   * Adds jobs (one statement). A key already present keeps its job — and its result, which is how a
   * resumed coordinator reuses work finished before it died — unless the payload differs (another
   * candidate at that position), which starts the job afresh.
   */
  async enqueue(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const rows = jobs.map((j) => [j.key, j.kind, j.experimentId ?? null, j.step ?? null, j.index ?? null, JSON.stringify(j.payload), j.codeVersion, j.checkpointSha ?? null, j.device ?? null, j.maxAttempts ?? 3]);
    await this.db.transaction((tx) => tx.run(
      `INSERT INTO nas_jobs (key, kind, experiment_id, step, idx, payload, code_version, checkpoint_sha, device, max_attempts)
       VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, code_version = excluded.code_version, checkpoint_sha = excluded.checkpoint_sha,
         device = excluded.device, state = 'queued', attempts = 0, worker = NULL, lease_until = NULL, result = NULL, error = NULL, provenance = NULL, finished_at = NULL
       WHERE nas_jobs.payload <> excluded.payload`,
      rows.flat(),
    ).then(() => tx.run('SELECT pg_notify(?, ?)', [this.channel, 'queued'])));
  }

  /**
   * Claims up to `limit` jobs for `worker` (one statement): queued ones, or running ones whose lease
   * passed. `prefix` restricts the claim to one group of keys (an issuer helping with its own step).
   */
  async claim(worker: string, caps: Capabilities, limit: number, leaseMs: number, prefix?: string): Promise<JobRecord[]> {
    const f = fits(caps);
    const where = prefix !== undefined ? `${f.sql} AND j.key LIKE ?` : f.sql;
    const params = prefix !== undefined ? [...f.params, `${likeEscape(prefix)}%`] : f.params;
    // One statement: jobs that outlived their last allowed lease are failed (not handed out again),
    // the oldest claimable ones are taken, and the worker's row shows them — disjoint row sets.
    const rows = await this.db.read((tx) => tx.all<JobRow>(
      `WITH expired AS (
         UPDATE nas_jobs j SET state = 'failed', error = 'lease expired ' || attempts || ' times without a result (its workers died or hung)', finished_at = now(), lease_until = NULL
         WHERE j.state = 'running' AND j.lease_until < now() AND j.attempts >= j.max_attempts AND ${where} RETURNING j.id),
       claimed AS (
         UPDATE nas_jobs SET state = 'running', worker = ?, attempts = attempts + 1, claimed_at = now(), lease_until = now() + make_interval(secs => ?)
         WHERE id IN (SELECT j.id FROM nas_jobs j
                      WHERE (j.state = 'queued' OR (j.state = 'running' AND j.lease_until < now() AND j.attempts < j.max_attempts)) AND ${where}
                      ORDER BY j.id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING ${JOB_COLUMNS}),
       shown AS (
         UPDATE nas_workers SET current_jobs = (SELECT coalesce(json_agg(key ORDER BY id), '[]')::text FROM claimed), heartbeat_at = now()
         WHERE id = ? AND EXISTS (SELECT 1 FROM claimed))
       SELECT * FROM claimed`,
      [...params, worker, leaseMs / 1000, ...params, limit, worker],
    ));
    return rows.sort((a, b) => a.id - b.id).map(jobRecord);
  }

  /** Renews the leases of the worker's running jobs and its own heartbeat (one statement). */
  async heartbeat(worker: string, leaseMs: number, current: readonly string[]): Promise<void> {
    await this.db.read((tx) => tx.run(
      `WITH renewed AS (UPDATE nas_jobs SET lease_until = now() + make_interval(secs => ?) WHERE worker = ? AND state = 'running' RETURNING id)
       UPDATE nas_workers SET heartbeat_at = now(), current_jobs = ? WHERE id = ?`,
      [leaseMs / 1000, worker, JSON.stringify(current), worker],
    ));
  }

  /**
   * Writes a job's result (an evaluation error is a result too) if no one has yet; one statement that
   * also counts it for the worker and notifies the coordinator. Returns false when another write won.
   */
  async complete(jobId: number, worker: string, outcome: { result: Json } | { error: string }, provenance: Json): Promise<boolean> {
    const result = 'result' in outcome ? JSON.stringify(outcome.result) : null;
    const error = 'error' in outcome ? outcome.error : null;
    const rows = await this.db.read((tx) => tx.all<{ id: number }>(
      `WITH j AS (UPDATE nas_jobs SET state = 'done', result = ?, error = ?, provenance = ?, finished_at = now(), lease_until = NULL
                  WHERE id = ? AND state IN ('queued', 'running') RETURNING id, experiment_id, step, error),
            w AS (UPDATE nas_workers SET done = done + (SELECT count(*) FROM j), failed = failed + (SELECT count(*) FROM j WHERE error IS NOT NULL),
                  current_jobs = '[]' WHERE id = ?)
       SELECT id, pg_notify(?, coalesce(experiment_id::text, '') || '/' || coalesce(step::text, '')) FROM j`,
      [result, error, JSON.stringify(provenance), jobId, worker, this.channel],
    ));
    return rows.length > 0;
  }

  /** Hands a claimed job back untouched (e.g. the worker cannot run it after all); the claim does not count. */
  async release(jobId: number, worker: string): Promise<void> {
    await this.db.read((tx) => tx.run(
      "UPDATE nas_jobs SET state = 'queued', worker = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ? AND worker = ? AND state = 'running'",
      [jobId, worker],
    ));
  }

  /** The jobs whose keys start with `prefix` (a step, a workload), in index order. */
  async group(prefix: string): Promise<JobRecord[]> {
    return this.db.read(async (tx) => (await tx.all<JobRow>(`SELECT ${JOB_COLUMNS} FROM nas_jobs WHERE key LIKE ? ORDER BY idx, id`, [`${likeEscape(prefix)}%`])).map(jobRecord));
  }

  async jobs(filter: { kind?: JobKind; experimentId?: number } = {}): Promise<JobRecord[]> {
    return this.db.read(async (tx) => {
      const parts: string[] = [];
      const params: (string | number)[] = [];
      if (filter.kind) { parts.push('kind = ?'); params.push(filter.kind); }
      if (filter.experimentId !== undefined) { parts.push('experiment_id = ?'); params.push(filter.experimentId); }
      return (await tx.all<JobRow>(`SELECT ${JOB_COLUMNS} FROM nas_jobs ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ORDER BY id`, params)).map(jobRecord);
    });
  }

  /** Jobs per state, over all kinds. */
  async counts(): Promise<Record<JobState, number>> {
    const rows = await this.db.read((tx) => tx.all<{ state: JobState; n: number }>('SELECT state, count(*) AS n FROM nas_jobs GROUP BY state'));
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  /** Jobs per kind and state (every kind present, zeros included): the queue depth a UI shows. */
  async countsByKind(): Promise<Record<JobKind, Record<JobState, number>>> {
    const rows = await this.db.read((tx) => tx.all<{ kind: JobKind; state: JobState; n: number }>('SELECT kind, state, count(*) AS n FROM nas_jobs GROUP BY kind, state'));
    const out = Object.fromEntries(JOB_KINDS.map((k) => [k, { queued: 0, running: 0, done: 0, failed: 0 }])) as Record<JobKind, Record<JobState, number>>;
    for (const r of rows) out[r.kind][r.state] = Number(r.n);
    return out;
  }

  /** Queued jobs of the worker's kinds that it may not run, grouped by what they need (for its refusal log). */
  async refusals(caps: Capabilities): Promise<Refusal[]> {
    const f = fits(caps);
    return this.db.read(async (tx) => (await tx.all<{ kind: JobKind; code_version: string; checkpoint_sha: string | null; device: string | null; n: number }>(
      `SELECT j.kind, j.code_version, j.checkpoint_sha, j.device, count(*) AS n FROM nas_jobs j
       WHERE j.state = 'queued' AND j.kind = ANY(?) AND NOT (${f.sql}) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [caps.kinds, ...f.params],
    )).map((r) => ({ kind: r.kind, codeVersion: r.code_version, checkpointSha: r.checkpoint_sha, device: r.device, jobs: r.n })));
  }

  /** Runs `fn` in the queue's database (workers' registry statements live in workers.ts). */
  run<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.db.read(fn);
  }
}
