/**
 * The worker registry (nas_workers): each `nas worker` registers on start, beats every few seconds
 * (queue.ts `heartbeat`, together with its leases) and marks itself stopped on a clean exit. A worker
 * is *live* while its heartbeat is younger than the liveness window; a killed one simply goes stale.
 * Coordinators ask `liveWorkers` whether anyone can take their step's jobs; `nas workers ls` and the
 * UI's /api/workers read `listWorkers`.
 */
import { hostname } from 'node:os';
import { jobRef, type JobRef } from './job-key.ts';
import type { Capabilities, JobKind, PgQueue } from './queue.ts';

export interface WorkerRegistration extends Capabilities {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly backend: string;
  readonly concurrency: number;
}

export interface WorkerStatus {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly kinds: readonly JobKind[];
  readonly device: string | null;
  readonly codeVersion: string;
  readonly checkpoints: readonly string[];
  readonly backend: string;
  readonly concurrency: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** Milliseconds since the last heartbeat, by the database server's clock. */
  readonly heartbeatAgeMs: number;
  /** Keys of the jobs it holds now. */
  readonly currentJobs: readonly string[];
  /** The same jobs, read: experiment/step/index, LUT device, map request/layer. */
  readonly jobs: readonly JobRef[];
  /** Results it wrote (evaluation errors included). */
  readonly done: number;
  /** Of those, how many were evaluation errors. */
  readonly failed: number;
  /** Queued jobs it declined, counted when it first met each requirement it lacks (logged once each). */
  readonly refused: number;
  /** The last thing it wants an operator to know (e.g. why it refuses jobs). */
  readonly note: string | null;
  readonly state: 'live' | 'stale' | 'stopped';
  /** What an operator asks first: a live worker is busy (holds jobs) or idle; stale; gone (exited). */
  readonly activity: 'busy' | 'idle' | 'stale' | 'gone';
}

/** A heartbeat older than this marks a worker stale (it died, or cannot reach the database). */
export const LIVE_WINDOW_MS = 15_000;

let seq = 0;
export function workerId(pid = process.pid): string {
  return `${hostname()}:${pid}:${++seq}`;
}

export async function registerWorker(queue: PgQueue, w: WorkerRegistration): Promise<void> {
  await queue.run((tx) => tx.run(
    `INSERT INTO nas_workers (id, host, pid, kinds, device, code_version, checkpoints, backend, concurrency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`,
    [w.id, w.host, w.pid, JSON.stringify(w.kinds), w.device, w.codeVersion, JSON.stringify(w.checkpoints), w.backend, w.concurrency],
  ));
}

export async function stopWorker(queue: PgQueue, id: string): Promise<void> {
  await queue.run((tx) => tx.run("UPDATE nas_workers SET stopped_at = now(), current_jobs = '[]' WHERE id = ?", [id]));
}

/** Records what the worker wants an operator to see (its refusals), adding `refused` jobs to its count. */
export async function noteWorker(queue: PgQueue, id: string, note: string, refused = 0): Promise<void> {
  await queue.run((tx) => tx.run('UPDATE nas_workers SET note = ?, refused = refused + ? WHERE id = ?', [note, refused, id]));
}

interface WorkerRow {
  id: string; host: string; pid: number; kinds: string; device: string | null; code_version: string; checkpoints: string; backend: string;
  concurrency: number; started_at: Date; heartbeat_at: Date; age_ms: number; current_jobs: string; done: number; failed: number; refused: number;
  note: string | null; stopped_at: Date | null;
}

/** Every registered worker, live first, then by host; stopped ones of the last day included. */
export async function listWorkers(queue: PgQueue, liveWindowMs = LIVE_WINDOW_MS): Promise<WorkerStatus[]> {
  if (!queue.present) return [];
  const rows = await queue.run((tx) => tx.all<WorkerRow>(
    `SELECT *, (extract(epoch FROM now() - heartbeat_at) * 1000)::float8 AS age_ms FROM nas_workers
     WHERE stopped_at IS NULL OR stopped_at > now() - interval '1 day' ORDER BY stopped_at IS NOT NULL, heartbeat_at DESC, id`,
  ));
  return rows.map((r): WorkerStatus => {
    const state = r.stopped_at ? 'stopped' : r.age_ms <= liveWindowMs ? 'live' : 'stale';
    const currentJobs = state === 'stopped' ? [] : JSON.parse(r.current_jobs) as string[];
    return {
      id: r.id, host: r.host, pid: r.pid, kinds: JSON.parse(r.kinds) as JobKind[], device: r.device, codeVersion: r.code_version,
      checkpoints: JSON.parse(r.checkpoints) as string[], backend: r.backend, concurrency: r.concurrency,
      startedAt: r.started_at.toISOString(), heartbeatAt: r.heartbeat_at.toISOString(), heartbeatAgeMs: Math.max(0, Math.round(r.age_ms)),
      currentJobs, jobs: currentJobs.map(jobRef), done: r.done, failed: r.failed, refused: r.refused, note: r.note, state,
      activity: state === 'stopped' ? 'gone' : state === 'stale' ? 'stale' : currentJobs.length > 0 ? 'busy' : 'idle',
    };
  });
}

/** How many live workers could run a job with these requirements. */
export async function liveWorkers(queue: PgQueue, need: { kind: JobKind; codeVersion: string; checkpointSha: string | null; device?: string | null }, liveWindowMs = LIVE_WINDOW_MS): Promise<number> {
  const all = await listWorkers(queue, liveWindowMs);
  return all.filter((w) => w.state === 'live' && w.kinds.includes(need.kind) && w.codeVersion === need.codeVersion
    && (need.checkpointSha === null || w.checkpoints.includes(need.checkpointSha)) && (need.device == null || w.device === need.device)).length;
}
