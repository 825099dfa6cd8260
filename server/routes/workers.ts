/**
 * GET /api/workers: the work queue's workers (host, kinds, current jobs, heartbeat age, done and
 * refused counts, note) and job counts per state, for a store on PostgreSQL. An SQLite store has
 * no queue: `{ queue: false, workers: [], jobs: null }`.
 */
import { Router } from 'express';
import { PgQueue } from '../../cluster/queue.ts';
import { LIVE_WINDOW_MS, listWorkers } from '../../cluster/workers.ts';
import { PgStorage } from '../../storage/pg.ts';
import type { Storage } from '../../storage/storage.ts';

export function workerRoutes(storage: Storage): Router {
  const r = Router();
  let queue: Promise<PgQueue> | null = null;
  r.get('/workers', async (_req, res) => {
    if (!(storage instanceof PgStorage)) {
      res.json({ queue: false, liveWindowMs: LIVE_WINDOW_MS, workers: [], jobs: null });
      return;
    }
    queue ??= PgQueue.open(storage).catch((e: unknown) => {
      queue = null;
      throw e;
    });
    const q = await queue;
    res.json({ queue: q.present, liveWindowMs: LIVE_WINDOW_MS, workers: await listWorkers(q), jobs: q.present ? await q.counts() : null });
  });
  return r;
}
