/**
 * The point of the issue: a search gives identical trials whether 0, 1 or 4 workers evaluate its
 * steps, on SQLite or PostgreSQL — results are consumed in index order, never arrival order.
 * Workers here run in this process (their own PgStorage connections, real SKIP LOCKED claims);
 * test/cluster/cli-worker.test.ts runs them as `nas worker` processes.
 */
import { describe, expect, it } from 'vitest';
import { createCoordinator } from '../../cluster/coordinator.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { runWorker } from '../../cluster/worker.ts';
import { initTf } from '../../runtime/tf.ts';
import { PgStorage } from '../../storage/pg.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { createCheap, pgRun, runCheap, sqliteBaseline, trialsOf } from './fixture.ts';

describe.skipIf(!PG_URL)(PG_URL ? 'distributed search determinism' : `distributed search determinism (skipped: ${PG_SKIP})`, () => {
  it('0, 1 and 4 workers on PostgreSQL give the trials of a local run on SQLite', async () => {
    await initTf('cpu');
    const expected = (await sqliteBaseline()).trials;
    expect(expected).toHaveLength(24);

    const none = await pgRun(0);
    expect(none.trials).toEqual(expected);
    expect(none.jobs).toHaveLength(0); // no worker: evaluated locally, no queue traffic
    expect(none.steps.every((s) => s.remote === 0)).toBe(true);

    const one = await pgRun(1);
    expect(one.trials).toEqual(expected);
    expect(one.jobs).toHaveLength(24);
    expect(one.jobs.every((j) => j.state === 'done' && j.attempts === 1)).toBe(true);

    const four = await pgRun(4);
    expect(four.trials).toEqual(expected);
    expect(four.jobs).toHaveLength(24);
    // the workers took part (the coordinator helps with one slot, so not every job is theirs)
    expect(four.done.length).toBeGreaterThan(0);
    expect(new Set(four.jobs.map((j) => j.key)).size).toBe(24);
  }, 240_000);

  it('jobs needing a checkpoint go only to workers holding it (by weights hash); the others refuse and say why', async () => {
    await initTf('cpu');
    const expected = (await sqliteBaseline()).trials;
    const sha = 'c'.repeat(64);
    const url = freshPgUrl('ckpt');
    const storage = await PgStorage.open(url);
    const queue = await PgQueue.open(storage);
    const ctl = new AbortController();
    const lines: string[] = [];
    const mk = (checkpoints: Map<string, string>, log?: (l: string) => void) => runWorker({
      storage, queue, kinds: ['eval'], concurrency: 1, codeVersion: codeVersion(), checkpoints, device: null, pollMs: 50, signal: ctl.signal, ...(log ? { log } : {}),
    });
    const holder = mk(new Map([[sha, '/nonexistent-but-unused']]));
    const without = mk(new Map([['d'.repeat(64), '/elsewhere']]), (l) => lines.push(l));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const id = await createCheap(storage, 'ckpt');
      await runCheap(storage, id, (local) => createCoordinator({ queue, codeVersion: codeVersion(), checkpointSha: sha, local: local as never, localSlots: 0, pollMs: 50 }).evaluateBatch as never);
      expect(await trialsOf(storage, id)).toEqual(expected);
      const jobs = await queue.jobs({ experimentId: id });
      expect(jobs.every((j) => j.checkpointSha === sha && j.state === 'done')).toBe(true);
      expect(lines.some((l) => /refusing \d+ queued eval job\(s\): they need checkpoint cccccccccccc…, this worker has dddddddddddd/.test(l))).toBe(true);
    } finally {
      ctl.abort();
      const [h, w] = await Promise.all([holder, without]);
      expect(w.done).toBe(0);
      expect(h.done).toBe(24);
      await storage.close();
      await dropPgSchema(url);
    }
  }, 240_000);
});
