/**
 * The PostgreSQL work queue (issue 19 item 6), on a throw-away PostgreSQL server on loopback:
 *  1. per-job queue overhead: claim + result write in ms (median, p90) with 1, 2 and 4 claimers,
 *     each on its own connection pool, jobs that do no work — what every job pays on top of its
 *     evaluation;
 *  2. throughput of such cheap jobs per second at 1, 2, 4 claimers (median of --runs runs);
 *  3. end to end: a supernet-scored `nas search` (the CLI, real processes) with no worker — the
 *     coordinator scores each step on its own worker-thread pool — vs 2 `nas worker` processes on
 *     this machine (`--local-slots 0`), same trials checked.
 * Usage: npx tsx bench/queue.ts [--jobs 400] [--runs 3] [--sections 1,2,3] [--budget 12] [--batch 6]
 * Print `uptime` with the figures: on a shared machine section 3 measures the neighbours too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PgQueue, type Capabilities } from '../cluster/queue.ts';
import { listWorkers, registerWorker } from '../cluster/workers.ts';
import { summarize } from '../core/stats.ts';
import { PgStorage } from '../storage/pg.ts';
import { startPgServer } from '../testkit/pg-server.ts';
import { withSchema } from '../testkit/pg-test.ts';
import { nas, until } from '../testkit/spawn.ts';

const { values } = parseArgs({ options: {
  jobs: { type: 'string', default: '400' }, runs: { type: 'string', default: '3' }, sections: { type: 'string', default: '1,2,3' },
  budget: { type: 'string', default: '12' }, batch: { type: 'string', default: '6' },
} });
const JOBS = Number(values.jobs);
const RUNS = Number(values.runs);
const sections = new Set(values.sections.split(',').map(Number));
const CAPS: Capabilities = { kinds: ['map'], codeVersion: 'bench', checkpoints: [], device: null };

const server = await startPgServer();
const dir = mkdtempSync(join(tmpdir(), 'nas-bench-queue-'));
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores); PostgreSQL ${server.url}`);
let schemas = 0;

/** `claimers` loops claim one job and write its (empty) result until the queue is empty; per-job times. */
async function drain(claimers: number): Promise<{ claimMs: number[]; writeMs: number[]; seconds: number }> {
  const url = withSchema(server.url, `q${++schemas}`);
  const producer = await PgStorage.open(url);
  const q = await PgQueue.open(producer);
  for (let i = 0; i < JOBS; i += 200) {
    await q.enqueue(Array.from({ length: Math.min(200, JOBS - i) }, (_, k) => ({ key: `map/b/${i + k}`, kind: 'map' as const, payload: { i: i + k }, codeVersion: 'bench' })));
  }
  const stores = await Promise.all(Array.from({ length: claimers }, () => PgStorage.open(url, { poolSize: 1 })));
  const queues = await Promise.all(stores.map((s) => PgQueue.open(s)));
  for (const [i, wq] of queues.entries()) await registerWorker(wq, { id: `bench-${i}`, host: 'bench', pid: i, backend: 'none', concurrency: 1, ...CAPS });
  const claimMs: number[] = [];
  const writeMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(queues.map(async (wq, i) => {
    for (;;) {
      const a = performance.now();
      const [job] = await wq.claim(`bench-${i}`, CAPS, 1, 30_000);
      const b = performance.now();
      if (!job) return;
      await wq.complete(job.id, `bench-${i}`, { result: { ok: true } }, { host: 'bench' });
      claimMs.push(b - a);
      writeMs.push(performance.now() - b);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const counts = await q.counts();
  if (counts.done !== JOBS) throw new Error(`expected ${JOBS} done jobs, got ${JSON.stringify(counts)}`);
  await Promise.all([...stores, producer].map((s) => s.close()));
  return { claimMs, writeMs, seconds };
}

if (sections.has(1) || sections.has(2)) {
  console.log(`\n1-2. queue overhead and throughput: ${JOBS} no-op jobs, median of ${RUNS} runs`);
  console.log('claimers  claim ms (med / p90)  write ms (med / p90)  claim+write ms  jobs/s');
  for (const k of [1, 2, 4]) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) runs.push(await drain(k));
    const claim = runs.flatMap((r) => r.claimMs).sort((a, b) => a - b);
    const write = runs.flatMap((r) => r.writeMs).sort((a, b) => a - b);
    const p90 = (xs: number[]) => xs[Math.floor(0.9 * (xs.length - 1))]!;
    const rate = summarize(runs.map((r) => JOBS / r.seconds));
    console.log(`${String(k).padStart(8)}  ${summarize(claim).median.toFixed(2).padStart(8)} / ${p90(claim).toFixed(2).padStart(6)}  ${summarize(write).median.toFixed(2).padStart(9)} / ${p90(write).toFixed(2).padStart(6)}  ${(summarize(claim).median + summarize(write).median).toFixed(2).padStart(14)}  ${rate.median.toFixed(0).padStart(6)}`);
  }
}

if (sections.has(3)) {
  const file = join(dir, 'supernet.json');
  writeFileSync(file, JSON.stringify({
    seed: 3, space: 'mbconv', accuracy: { source: 'supernet' }, hardware: { mode: 'joint', areaBudgetMm2: 4 }, strategy: { name: 'nsga2', options: {} },
    objectives: ['accuracy', 'energy_uj', 'hw_latency_ms'], constraints: ['area_mm2<=4'], budget: Number(values.budget), batch: Number(values.batch),
  }));
  console.log(`\n3. supernet-scored search, budget ${values.budget}, batch ${values.batch} (default supernet: 1,000 val images + BN recalibration per trial)`);
  const timeSearch = async (workers: number, run: number) => {
    const url = withSchema(server.url, `e2e_${workers}_${run}`);
    await (await PgStorage.open(url)).close();
    const ws = Array.from({ length: workers }, () => nas(['--backend', 'wasm', 'worker', '--db', url, '--kinds', 'eval', '--poll-ms', '50']));
    try {
      if (workers > 0) {
        const s = await PgStorage.open(url);
        const q = await PgQueue.open(s);
        // a worker verifies the checkpoint when its first job arrives; registration is enough here
        await until(async () => (await listWorkers(q)).filter((w) => w.state === 'live').length === workers, 300_000, 'workers');
        await s.close();
      }
      const t0 = performance.now();
      const c = nas(['--backend', 'wasm', 'search', '--config', file, '--db', url, '--name', 'e2e', '--local-slots', '0', '--json']);
      const r = await c.exited;
      if (r.code !== 0) throw new Error(`search failed: ${c.stderr().slice(-500)}`);
      return (performance.now() - t0) / 1000;
    } finally {
      for (const w of ws) w.proc.kill('SIGTERM');
      await Promise.all(ws.map((w) => w.exited));
    }
  };
  const rows: [string, number[]][] = [['no worker (coordinator, 2-thread pool)', []], ['2 nas worker processes', []]];
  for (let r = 0; r < RUNS; r++) {
    rows[0]![1].push(await timeSearch(0, r));
    rows[1]![1].push(await timeSearch(2, r));
  }
  const base = summarize(rows[0]![1]).median;
  for (const [label, secs] of rows) console.log(`  ${label.padEnd(40)} ${summarize(secs).median.toFixed(1).padStart(6)} s (runs: ${secs.map((s) => s.toFixed(1)).join(', ')})  speed-up ${(base / summarize(secs).median).toFixed(2)}×`);
  console.log('  (each worker process verifies the checkpoint once before its first job: included above)');
}

console.log(`\nload average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await server.stop();
rmSync(dir, { recursive: true, force: true });
