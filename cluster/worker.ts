/**
 * The worker loop behind `nas worker`: register, then claim → run → write results until stopped.
 * A heartbeat (a third of the lease) renews the leases of the jobs in hand and the registry row; if
 * the process dies, its leases run out and the jobs are claimed again by someone else. When nothing
 * fits, the worker says once per requirement what it refuses and why (another code version, a
 * checkpoint it does not have, another device) — on its log and in its registry note — and waits for
 * a NOTIFY or the poll interval.
 */
import { hostname } from 'node:os';
import { runtime } from '../runtime/tf.ts';
import { errorMessage } from '../strategies/evaluation.ts';
import type { PgStorage } from '../storage/pg.ts';
import { CannotRun, JobHandlers } from './handlers.ts';
import type { Capabilities, JobKind, JobRecord, PgQueue, Refusal } from './queue.ts';
import { Waker } from './waker.ts';
import { noteWorker, registerWorker, stopWorker, workerId } from './workers.ts';

export interface WorkerOptions {
  readonly storage: PgStorage;
  readonly queue: PgQueue;
  readonly kinds: readonly JobKind[];
  /** Jobs claimed and run together (eval jobs of one experiment go through the batch path). */
  readonly concurrency: number;
  readonly codeVersion: string;
  /** weightsSha256 → checkpoint directory. */
  readonly checkpoints: ReadonlyMap<string, string>;
  readonly device: string | null;
  /** Lease per claim, renewed every leaseMs/3; default 30 s. */
  readonly leaseMs?: number;
  /** Poll interval when idle (a NOTIFY wakes it sooner); default 1 s. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Exit after this long without work (tests, benchmarks); default never. */
  readonly idleExitMs?: number;
  readonly log?: (line: string) => void;
  /** Called after every result write (progress, tests). */
  readonly onJob?: (job: JobRecord, written: boolean) => void;
}

export interface WorkerSummary {
  readonly id: string;
  readonly done: number;
  readonly ignored: number;
  readonly released: number;
}

export async function runWorker(opts: WorkerOptions): Promise<WorkerSummary> {
  const { queue, signal } = opts;
  const log = opts.log ?? (() => {});
  const leaseMs = opts.leaseMs ?? 30_000;
  const pollMs = opts.pollMs ?? 1000;
  const id = workerId();
  const caps: Capabilities = { kinds: opts.kinds, codeVersion: opts.codeVersion, checkpoints: [...opts.checkpoints.keys()], device: opts.device };
  const backend = runtime().backend;
  await registerWorker(queue, { id, host: hostname(), pid: process.pid, backend, concurrency: opts.concurrency, ...caps });
  log(`worker ${id}: kinds ${caps.kinds.join(',')}, code ${caps.codeVersion}, checkpoints ${caps.checkpoints.map((s) => s.slice(0, 12)).join(',') || 'none'}, device ${caps.device ?? '-'}, backend ${backend}`);

  const handlers = new JobHandlers({ storage: opts.storage, checkpoints: opts.checkpoints });
  const waker = new Waker(queue.db, queue.channel);
  let current: string[] = [];
  const beat = setInterval(() => {
    queue.heartbeat(id, leaseMs, current).catch((e: unknown) => log(`heartbeat failed: ${errorMessage(e)}`));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  const told = new Set<string>();
  const counts = { done: 0, ignored: 0, released: 0 };
  let idleSince = Date.now();
  try {
    while (!signal?.aborted) {
      const jobs = await queue.claim(id, caps, opts.concurrency, leaseMs);
      if (jobs.length === 0) {
        await reportRefusals(await queue.refusals(caps));
        if (opts.idleExitMs !== undefined && Date.now() - idleSince >= opts.idleExitMs) break;
        await waker.wait(pollMs, signal);
        continue;
      }
      current = jobs.map((j) => j.key);
      let outcomes;
      try {
        outcomes = await handlers.run(jobs);
      } catch (e) {
        if (!(e instanceof CannotRun)) throw e;
        for (const j of jobs) await queue.release(j.id, id);
        counts.released += jobs.length;
        log(`handed back ${jobs.length} job(s): ${e.message}`);
        await noteWorker(queue, id, e.message);
        await waker.wait(pollMs * 5, signal);
        continue;
      }
      const provenance = { host: hostname(), worker: id, backend, codeVersion: opts.codeVersion, tfjsVersion: runtime().tfjsVersion, at: new Date().toISOString() };
      for (const [i, j] of jobs.entries()) {
        const o = outcomes[i]!;
        const written = await queue.complete(j.id, id, o, { ...provenance, ...(j.checkpointSha ? { checkpointSha: j.checkpointSha } : {}) });
        if (written) counts.done++;
        else {
          counts.ignored++;
          log(`job ${j.key}: a result was already written (its lease had expired and another worker redid it); this one is dropped`);
        }
        opts.onJob?.(j, written);
      }
      current = [];
      idleSince = Date.now();
    }
  } finally {
    clearInterval(beat);
    await waker.close();
    handlers.dispose();
    await stopWorker(queue, id).catch(() => undefined);
  }
  return { id, ...counts };

  async function reportRefusals(refusals: readonly Refusal[]): Promise<void> {
    for (const r of refusals) {
      const why = r.codeVersion !== caps.codeVersion ? `they need code version ${r.codeVersion}, this worker runs ${caps.codeVersion}`
        : r.checkpointSha !== null && !caps.checkpoints.includes(r.checkpointSha) ? `they need checkpoint ${r.checkpointSha.slice(0, 12)}…, this worker has ${caps.checkpoints.map((s) => s.slice(0, 12)).join(', ') || 'none'} (--checkpoint DIR)`
        : `they are pinned to device ${r.device}, this worker is ${caps.device ?? 'unlabelled'} (--device)`;
      const key = `${r.kind}|${r.codeVersion}|${r.checkpointSha}|${r.device}`;
      if (told.has(key)) continue;
      told.add(key);
      const line = `refusing ${r.jobs} queued ${r.kind} job(s): ${why}`;
      log(line);
      await noteWorker(queue, id, line, r.jobs);
    }
  }
}
