/**
 * GET /api/workers: the work queue's workers (host, pid, kinds, concurrency, current jobs read as
 * experiment/step/index, heartbeat age, activity, done and failed counts, versions, note), the queue
 * depth per kind and state, and this server's code version (a worker on another one refuses the
 * jobs of coordinators that run this checkout), for a store on PostgreSQL. An SQLite store has no
 * queue: `{ postgres: false, queue: false, workers: [], jobs: null, depth: null }`; on PostgreSQL
 * `queue` is false until a worker or a search created the queue's tables.
 */
import { Router } from 'express';
import { codeVersion } from '../../cluster/code-version.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { LIVE_WINDOW_MS, listWorkers } from '../../cluster/workers.ts';
import { PgStorage } from '../../storage/pg.ts';
import type { Storage } from '../../storage/storage.ts';

export function workerRoutes(storage: Storage): Router {
  const r = Router();
  let queue: Promise<PgQueue> | null = null;
  r.get('/workers', async (_req, res) => {
    if (!(storage instanceof PgStorage)) {
      res.json({ postgres: false, queue: false, liveWindowMs: LIVE_WINDOW_MS, workers: [], jobs: null, depth: null });
      return;
    }
    queue ??= PgQueue.open(storage).catch((e: unknown) => {
      queue = null;
      throw e;
    });
    const q = await queue;
    // No queue yet (no worker or search has run here): look again next time, one may start any moment.
    if (!q.present) queue = null;
    const workers = await listWorkers(q);
    // Experiment names for the eval jobs in hand (a worker's current job links to its experiment).
    const ids = [...new Set(workers.flatMap((w) => w.jobs.flatMap((j) => (j.kind === 'eval' ? [j.experimentId] : []))))];
    const names = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await storage.getExperiment(id).catch(() => null))?.name ?? null])));
    res.json({
      postgres: true, queue: q.present, liveWindowMs: LIVE_WINDOW_MS, codeVersion: codeVersion(), workers, experiments: names,
      jobs: q.present ? await q.counts() : null, depth: q.present ? await q.countsByKind() : null,
    });
  });
  return r;
}
