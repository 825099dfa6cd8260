/**
 * The work queue's faults, each run against real processes (`nas worker`, `nas search`, `nas
 * resume`) and a real PostgreSQL server, returning the figures the drill prints and the test checks:
 * 1. kill -9 a worker mid-job: its lease runs out, another worker redoes the job once, one result;
 * 2. kill -9 the coordinator mid-search: `nas resume` continues exactly (trials equal an uninterrupted run);
 * 3. restart PostgreSQL mid-search: coordinator and worker reconnect with backoff and the search completes;
 * 4. a worker with a stale code version: refuses every job (logged, counted), evaluates nothing.
 * Used by test/drills/cluster-drill.ts (full sizes, prints) and test/cluster/faults.test.ts (bounded).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapJob, type MapPayload } from '../../cluster/handlers.ts';
import { PgQueue, type JobRecord } from '../../cluster/queue.ts';
import { listWorkers } from '../../cluster/workers.ts';
import type { LayerSpec } from '../../core/types.ts';
import { PgStorage } from '../../storage/pg.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { CHEAP, createCheap, runCheap, trialsOf } from '../cluster/fixture.ts';
import { parseExperiment } from '../../platform/config.ts';
import { nas, until, type Child } from '../../testkit/spawn.ts';
import type { PgServer } from '../../testkit/pg-server.ts';

const WORKER = (url: string, extra: string[] = []) => ['--backend', 'cpu', 'worker', '--db', url, '--poll-ms', '50', ...extra];

async function withQueue<T>(url: string, fn: (q: PgQueue, s: PgStorage) => Promise<T>): Promise<T> {
  const s = await PgStorage.open(url);
  try {
    return await fn(await PgQueue.open(s), s);
  } finally {
    await s.close();
  }
}

async function stopAll(children: readonly Child[]): Promise<void> {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
}

export const LAYER: LayerSpec = { name: 'conv3x3', kind: 'conv', n: 1, c: 32, m: 64, h: 16, w: 16, p: 16, q: 16, r: 3, s: 3, stride: 1, groups: 1, padding: 1, bits: { weights: 8, inputs: 8, outputs: 8 } };

/** 1. Slow jobs (the mapper with a large budget); worker A is killed -9 while it holds one. */
export async function workerKill(url: string, o: { jobs: number; evaluations: number; leaseMs: number }) {
  const payloads: MapPayload[] = Array.from({ length: o.jobs }, (_, i) => ({ preset: 'eyeriss', layer: { ...LAYER, m: 32 + 16 * i }, seed: 1, maxEvaluations: o.evaluations, patience: o.evaluations }));
  await withQueue(url, (q) => q.enqueue(payloads.map((p, i) => ({ key: `map/drill/${i}`, kind: 'map' as const, payload: p as never, codeVersion: 'any', maxAttempts: 3 }))));
  // jobs need code version 'any': the workers play that version
  const env = { NAS_CODE_VERSION: 'any' };
  const a = nas(WORKER(url, ['--kinds', 'map', '--lease-ms', String(o.leaseMs)]), env);
  const victim = await withQueue(url, async (q) => {
    let held: JobRecord | undefined;
    await until(async () => (held = (await q.jobs({ kind: 'map' })).find((j) => j.state === 'running')) !== undefined, 120_000, 'worker A to claim a job');
    return held!;
  });
  const killedAt = performance.now();
  a.proc.kill('SIGKILL');
  await a.exited;
  const b = nas(WORKER(url, ['--kinds', 'map', '--lease-ms', String(o.leaseMs)]), env);
  try {
    const jobs = await withQueue(url, async (q) => {
      let all: JobRecord[] = [];
      await until(async () => (all = await q.jobs({ kind: 'map' })).every((j) => j.state === 'done'), 300_000, 'all map jobs done');
      return all;
    });
    const redoneMs = performance.now() - killedAt;
    const again = jobs.find((j) => j.key === victim.key)!;
    const expected = payloads.map((p) => mapJob(p));
    return {
      killedJob: victim.key, attempts: again.attempts, redoneMs, jobs: jobs.length,
      results: jobs.map((j) => j.result), expected: expected.map((e) => ('result' in e ? e.result : e.error)),
      writtenBy: again.worker,
    };
  } finally {
    await stopAll([b]);
  }
}

function configFile(dir: string, budget: number, batch: number): string {
  const file = join(dir, `exp-${budget}-${batch}.json`);
  writeFileSync(file, JSON.stringify({ ...CHEAP, budget, batch }));
  return file;
}

/** The trials of an uninterrupted local run (SQLite, no workers) of the same experiment. */
export async function baseline(dir: string, budget: number, batch: number): Promise<string[]> {
  const s = await SqliteStorage.open(join(mkdtempSync(join(dir, 'baseline-')), 'nas.db'));
  try {
    const id = await createCheap(s, 'drill', parseExperiment({ ...CHEAP, budget, batch }));
    await runCheap(s, id);
    return await trialsOf(s, id);
  } finally {
    await s.close();
  }
}

async function storedTrials(url: string): Promise<string[]> {
  return withQueue(url, async (_q, s) => {
    const exp = (await s.listExperiments())[0];
    return exp ? trialsOf(s, exp.id) : [];
  });
}

async function trialCount(url: string): Promise<number> {
  return withQueue(url, async (_q, s) => (await s.listExperiments())[0]?.trials.total ?? 0).catch(() => 0);
}

/** Polls the stored trial count every 20 ms on one connection until `n` are stored or `done()`; returns the count then. */
async function awaitTrials(url: string, n: number, done: () => boolean): Promise<number> {
  const s = await PgStorage.open(url, { readonly: true, reconnectMs: 0 });
  try {
    const end = Date.now() + 300_000;
    for (;;) {
      const count = (await s.listExperiments())[0]?.trials.total ?? 0;
      if (count >= n || done()) return count;
      if (Date.now() > end) throw new Error(`timed out waiting for ${n} trials`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await s.close();
  }
}

/** 2. Two workers, a coordinator killed -9 once `killAt` trials are stored, then `nas resume`. */
export async function coordinatorKill(url: string, dir: string, o: { budget: number; batch: number; killAt: number }) {
  const file = configFile(dir, o.budget, o.batch);
  await (await PgStorage.open(url)).close();
  const workers = [nas(WORKER(url, ['--kinds', 'eval'])), nas(WORKER(url, ['--kinds', 'eval']))];
  try {
    await withQueue(url, (q) => until(async () => (await listWorkers(q)).filter((w) => w.state === 'live').length === 2, 120_000, 'two live workers'));
    const first = nas(['--backend', 'cpu', 'search', '--config', file, '--db', url, '--name', 'drill', '--local-slots', '0']);
    await awaitTrials(url, o.killAt, () => first.proc.exitCode !== null);
    first.proc.kill('SIGKILL');
    const killed = await first.exited;
    const atKill = await trialCount(url);
    const t0 = performance.now();
    const resume = nas(['--backend', 'cpu', 'resume', 'drill', '--db', url, '--local-slots', '0']);
    const r = await resume.exited;
    const jobs = await withQueue(url, (q) => q.jobs({ kind: 'eval' }));
    return {
      killedBySignal: killed.signal === 'SIGKILL', trialsAtKill: atKill, resumeCode: r.code, resumeStderr: resume.stderr(), resumeMs: performance.now() - t0,
      trials: await storedTrials(url), jobs: jobs.length, redoneJobs: jobs.filter((j) => j.attempts > 1).length,
    };
  } finally {
    await stopAll(workers);
  }
}

/** 3. A worker and a coordinator while the server restarts (down for `downMs`) once `restartAt` trials are stored. */
export async function serverRestart(server: PgServer, url: string, dir: string, o: { budget: number; batch: number; restartAt: number; downMs: number }) {
  const file = configFile(dir, o.budget, o.batch);
  await (await PgStorage.open(url)).close();
  const worker = nas(WORKER(url, ['--kinds', 'eval']));
  try {
    await withQueue(url, (q) => until(async () => (await listWorkers(q)).some((w) => w.state === 'live'), 120_000, 'a live worker'));
    const search = nas(['--backend', 'cpu', 'search', '--config', file, '--db', url, '--name', 'drill']);
    // the store exists already (opened above), so a read-only watcher can follow it from the start
    const atRestart = await awaitTrials(url, o.restartAt, () => search.proc.exitCode !== null);
    const running = search.proc.exitCode === null;
    const t0 = performance.now();
    await server.restart({ downMs: o.downMs });
    const r = await search.exited;
    const workerAlive = worker.proc.exitCode === null;
    return {
      code: r.code, stderr: search.stderr(), workerStderr: worker.stderr(), workerAlive, afterRestartMs: performance.now() - t0, trialsAtRestart: atRestart, searchWasRunning: running,
      reconnectLogged: /reconnecting/.test(search.stderr()), trials: await storedTrials(url),
    };
  } finally {
    await stopAll([worker]);
  }
}

/** 4. A stale worker beside a good one: it refuses (logged, counted) and evaluates nothing. */
export async function staleWorker(url: string, dir: string, o: { budget: number; batch: number }) {
  const file = configFile(dir, o.budget, o.batch);
  await (await PgStorage.open(url)).close();
  const good = nas(WORKER(url, ['--kinds', 'eval']));
  const stale = nas(WORKER(url, ['--kinds', 'eval']), { NAS_CODE_VERSION: '0.0.0+stale' });
  try {
    await withQueue(url, (q) => until(async () => (await listWorkers(q)).filter((w) => w.state === 'live').length === 2, 120_000, 'two live workers'));
    const search = nas(['--backend', 'cpu', 'search', '--config', file, '--db', url, '--name', 'drill', '--local-slots', '0']);
    const r = await search.exited;
    const rows = await withQueue(url, (q) => listWorkers(q));
    const bad = rows.find((w) => w.codeVersion === '0.0.0+stale')!;
    return { code: r.code, staleDone: bad.done, staleRefused: bad.refused, staleNote: bad.note, staleLog: stale.stderr(), trials: await storedTrials(url) };
  } finally {
    await stopAll([good, stale]);
  }
}
