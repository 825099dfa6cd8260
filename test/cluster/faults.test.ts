/**
 * Bounded runs of the work-queue fault drill (test/drills/cluster-faults.ts) against real processes
 * and a real PostgreSQL server: a worker killed mid-job, a coordinator killed mid-search, a server
 * restart mid-search. (The stale-code worker is in cli-worker.test.ts; the drill runs all four.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgServer, type PgServer } from '../../testkit/pg-server.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL, withSchema } from '../../testkit/pg-test.ts';
import { baseline, coordinatorKill, serverRestart, workerKill } from '../drills/cluster-faults.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-faults-'));

describe.skipIf(!PG_URL)(PG_URL ? 'work queue faults' : `work queue faults (skipped: ${PG_SKIP})`, () => {
  it('kill -9 a worker mid-job: the job is redone once by another worker, one result, equal to a local run', async () => {
    const url = freshPgUrl('wkill');
    try {
      const r = await workerKill(url, { jobs: 3, evaluations: 4000, leaseMs: 1500 });
      expect(r.attempts).toBe(2);
      expect(r.jobs).toBe(3);
      expect(r.results).toEqual(r.expected);
    } finally {
      await dropPgSchema(url);
    }
  }, 600_000);

  it('kill -9 the coordinator mid-search: nas resume gives the uninterrupted trials, no duplicate', async () => {
    const url = freshPgUrl('ckill');
    try {
      const expected = await baseline(dir, 24, 4);
      const r = await coordinatorKill(url, dir, { budget: 24, batch: 4, killAt: 9 });
      expect(r.killedBySignal).toBe(true);
      expect(r.trialsAtKill).toBeLessThan(24);
      expect(r.resumeCode).toBe(0);
      expect(r.trials).toEqual(expected);
    } finally {
      await dropPgSchema(url);
    }
  }, 600_000);

  describe('a PostgreSQL restart mid-search', () => {
    let server: PgServer;
    beforeAll(async () => {
      server = await startPgServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('coordinator and worker reconnect with backoff and the search completes with the uninterrupted trials', async () => {
      const expected = await baseline(dir, 40, 4);
      const r = await serverRestart(server, withSchema(server.url, 'restart'), dir, { budget: 40, batch: 4, restartAt: 5, downMs: 1500 });
      expect(r.searchWasRunning, `restart came after the search ended (${r.trialsAtRestart} trials)`).toBe(true);
      expect(r.trialsAtRestart).toBeLessThan(40);
      expect(r.code, r.stderr).toBe(0);
      expect(r.workerAlive, r.workerStderr.slice(-2000)).toBe(true);
      expect(r.trials).toEqual(expected);
    }, 600_000);
  });
});
