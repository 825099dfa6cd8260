/**
 * Work-queue fault drill (issue 19): runs each fault of test/drills/cluster-faults.ts on a throw-away
 * PostgreSQL server and prints its figures — redo time after a worker's kill -9, resume of a killed
 * coordinator, completion across a server restart, refusals of a stale worker — checking every run
 * against an uninterrupted local run of the same experiment.
 *
 * Usage: npx tsx test/drills/cluster-drill.ts [--budget 48] [--batch 6] [--lease-ms 3000]
 * Prints its figures and a `DRILL {…}` line (report.ts); exit code 0 only when every check passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initTf } from '../../runtime/tf.ts';
import { startPgServer } from '../../testkit/pg-server.ts';
import { withSchema } from '../../testkit/pg-test.ts';
import { baseline, coordinatorKill, serverRestart, staleWorker, workerKill } from './cluster-faults.ts';
import { report, type Figures } from './report.ts';

const { values } = parseArgs({ options: { budget: { type: 'string', default: '48' }, batch: { type: 'string', default: '6' }, 'lease-ms': { type: 'string', default: '3000' } } });
const budget = Number(values.budget);
const batch = Number(values.batch);
const leaseMs = Number(values['lease-ms']);
const dir = mkdtempSync(join(tmpdir(), 'nas-cluster-drill-'));
await initTf('cpu');
const server = await startPgServer();
const s = (n: number) => `${(n / 1000).toFixed(1)} s`;
const failures: string[] = [];
const figures: Figures = {};
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
try {
  const expected = await baseline(dir, budget, batch);
  console.log(`baseline: ${expected.length} trials (local, SQLite, no workers); lease ${leaseMs} ms`);

  console.log('1. kill -9 a worker mid-job');
  const w = await workerKill(withSchema(server.url, 'f1'), { jobs: 4, evaluations: 8000, leaseMs });
  console.log(`  killed while holding ${w.killedJob}; redone and all ${w.jobs} jobs done ${s(w.redoneMs)} after the kill (lease ${leaseMs} ms)`);
  Object.assign(figures, { workerKillAttempts: w.attempts, workerKillRedoneS: w.redoneMs / 1000 });
  check(w.attempts === 2, `killed job claimed ${w.attempts} times (expected 2: once by the victim, once again)`);
  check(JSON.stringify(w.results) === JSON.stringify(w.expected), 'every result equals a local evaluation, one per job');

  console.log('2. kill -9 the coordinator mid-search, then nas resume');
  const c = await coordinatorKill(withSchema(server.url, 'f2'), dir, { budget, batch, killAt: Math.floor(budget / 3) });
  console.log(`  killed at ${c.trialsAtKill} stored trials; resume took ${s(c.resumeMs)}; ${c.jobs} jobs, ${c.redoneJobs} claimed more than once`);
  Object.assign(figures, { coordinatorKilledAtTrials: c.trialsAtKill, resumeS: c.resumeMs / 1000, jobsClaimedTwice: c.redoneJobs });
  check(c.resumeCode === 0, `resume exit code ${c.resumeCode}`);
  check(JSON.stringify(c.trials) === JSON.stringify(expected), `${c.trials.length} trials equal the uninterrupted run's (numbers, keys, metrics)`);

  console.log('3. restart PostgreSQL mid-search');
  const r = await serverRestart(server, withSchema(server.url, 'f3'), dir, { budget, batch, restartAt: Math.floor(budget / 3), downMs: 2000 });
  console.log(`  restarted at ${r.trialsAtRestart} stored trials (search running: ${r.searchWasRunning}); server down 2.0 s; search finished ${s(r.afterRestartMs)} after the restart began; reconnect logged: ${r.reconnectLogged}; worker survived: ${r.workerAlive}`);
  Object.assign(figures, { restartAtTrials: r.trialsAtRestart, doneAfterRestartS: r.afterRestartMs / 1000, reconnectLogged: r.reconnectLogged, workerSurvived: r.workerAlive });
  check(r.searchWasRunning && r.trialsAtRestart < budget, 'the search was running when the server went down');
  check(r.code === 0, `search exit code ${r.code}${r.code === 0 ? '' : `: ${r.stderr.slice(-400)}`}`);
  check(JSON.stringify(r.trials) === JSON.stringify(expected), 'trials equal the uninterrupted run\'s');

  console.log('4. a worker with a stale code version');
  const st = await staleWorker(withSchema(server.url, 'f4'), dir, { budget, batch });
  console.log(`  stale worker: ${st.staleDone} jobs done, ${st.staleRefused} refused; note: ${st.staleNote}`);
  Object.assign(figures, { staleDone: st.staleDone, staleRefused: st.staleRefused });
  check(st.code === 0 && st.staleDone === 0 && st.staleRefused > 0, 'stale worker refused every job and logged why');
  check(JSON.stringify(st.trials) === JSON.stringify(expected), 'trials equal the uninterrupted run\'s');
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
report('cluster-drill', figures, failures);
