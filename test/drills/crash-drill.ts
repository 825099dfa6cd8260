/**
 * Crash drill (issues 8 and 18.6): run a search, kill -9 it at random moments, continue, and compare
 * with an uninterrupted run of the same seed: same trials (number, key, state, metrics), same Pareto
 * front, no finished trial lost or duplicated, and `PRAGMA integrity_check` = ok.
 *
 * The first `--early` kills aim at the first seconds of `nas search` — while the database is created
 * and migrated and the platform validated, before the experiment row exists (a kill that lands after
 * the row appeared ends this phase). Such a kill leaves no
 * experiment (at most an initialised database): there is nothing to resume, `nas resume` says so, and
 * the documented way on is to run the same `nas search` again, which this drill does. Later kills aim
 * at a number of stored trials (mid-trial, mid-write, mid-snapshot) and are followed by `nas resume`.
 *
 * Usage: npx tsx test/drills/crash-drill.ts [--kills 30] [--early 10] [--seed 1] [--budget 120] [--strategy nsga2|surrogate|surrogate-joint]
 * `--strategy surrogate-joint` co-searches a small accelerator pool as well (EDP objective, area
 * limit): kills then also land while a pool refresh is screened in the background (prefetch).
 * `--strategy surrogate` drills the surrogate loop (supernet accuracy on 100 validation images, a
 * small inner search): later kills land mid-round — while the predictor is fitted, the inner search
 * runs or the batch is verified — and the resumed run must re-fit and re-propose exactly: its
 * trials are compared with their predictions, and the round records too.
 * Kill moments are drawn from our Rng, so a drill is reproducible in where it aims, not in where
 * the signal lands.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sqlite3 from 'sqlite3';
import { Rng } from '../../core/rng.ts';
import { allTrials, paretoTrials } from '../../platform/front.ts';
import { examineDatabase } from '../../storage/classify.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { check, NAS_BIN, report } from './report.ts';

const { values } = parseArgs({
  options: { kills: { type: 'string', default: '30' }, early: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' }, budget: { type: 'string', default: '120' }, strategy: { type: 'string', default: 'nsga2' } },
});
const surrogate = values.strategy === 'surrogate' || values.strategy === 'surrogate-joint';
const joint = values.strategy === 'surrogate-joint';
const kills = Number(values.kills);
const early = Math.min(kills, Number(values.early));
const budget = Number(values.budget);
const rng = new Rng(Number(values.seed)).fork('crash-drill');
const dir = mkdtempSync(join(tmpdir(), 'nas-drill-'));
const file = join(dir, 'exp.json');
writeFileSync(file, JSON.stringify(joint
  ? {
    seed: 5, space: 'mbconv', accuracy: { source: 'supernet', valLimit: 100, calibImages: 16 }, hardware: { mode: 'joint', areaBudgetMm2: 16 },
    strategy: { name: 'surrogate', options: { initial: 6, population: 60, generations: 20, hwPool: 2, hwCandidates: 4, hwChildren: 3 } },
    objectives: ['accuracy', 'edp_uj_ms'], constraints: ['area_mm2 <= 12'], budget, batch: 4,
  }
  : surrogate
  ? {
    seed: 5, space: 'mbconv', accuracy: { source: 'supernet', valLimit: 100, calibImages: 16 }, hardware: { mode: 'none' },
    strategy: { name: 'surrogate', options: { initial: 6, population: 60, generations: 20 } }, objectives: ['accuracy', 'macs_m'], budget, batch: 4,
  }
  : { ...TINY_EXPERIMENT, budget, batch: 4 }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Kill = { atTrials: number } | { afterMs: number } | { afterFileMs: number };

/** Runs the CLI; kills it with SIGKILL at the given moment. `rowMs`: when the experiment row appeared. */
function run(args: string[], db: string, kill?: Kill): Promise<{ code: number | null; killed: boolean; rowMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [NAS_BIN, ...args], { stdio: 'ignore' });
    let killed = false;
    let done = false;
    let rowMs: number | null = null;
    if (kill && 'afterMs' in kill) setTimeout(() => (killed = !done && child.kill('SIGKILL')), kill.afterMs);
    if (kill && 'afterFileMs' in kill) {
      // The moments between creating the database file and storing the experiment row.
      const seen = existsSync(db);
      const watch = setInterval(() => {
        if (done) return clearInterval(watch);
        if (seen || !existsSync(db)) return;
        clearInterval(watch);
        setTimeout(() => (killed = !done && child.kill('SIGKILL')), kill.afterFileMs);
      }, 1);
    }
    void (async () => {
      while (!done) {
        const n = await countTrials(db).catch(() => -1);
        if (n >= 0 && rowMs === null) rowMs = performance.now() - t0;
        if (kill && 'atTrials' in kill && n >= kill.atTrials) {
          // A few ms of jitter so the signal lands anywhere in the step: mid-evaluation, mid-write, mid-snapshot.
          await sleep(rng.int(40));
          killed = !done && child.kill('SIGKILL');
          return;
        }
        await sleep(20);
      }
    })();
    child.once('exit', (code) => {
      done = true;
      resolve({ code, killed, rowMs });
    });
  });
}

async function experimentCount(db: string): Promise<number> {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    return (await s.listExperiments()).length;
  } finally {
    await s.close();
  }
}

/** Trials of the experiment; -1 while there is no experiment row (or no database). */
async function countTrials(db: string): Promise<number> {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    return (await s.listExperiments())[0]?.trials.total ?? -1;
  } finally {
    await s.close();
  }
}

async function snapshot(db: string) {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const exp = (await s.listExperiments())[0];
    if (!exp) return { trials: [] as string[], front: [] as number[], rounds: [] as string[] };
    const trials = await allTrials(s, exp.id);
    const front = paretoTrials(trials, exp.objectives).map((t) => t.number);
    // predictions and round records included: a resumed surrogate must re-fit and predict what it did
    const rounds = (await s.eventsSince(0, { experimentId: exp.id })).filter((e) => e.type === 'surrogate-round').map((e) => JSON.stringify({ ...(e.payload as object), ms: null }));
    return { trials: trials.map((t) => JSON.stringify([t.number, t.key, t.state, t.metrics, t.predicted, t.feasible])), front, rounds };
  } finally {
    await s.close();
  }
}

function integrity(db: string): Promise<string> {
  return new Promise((resolve) => {
    const conn = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (e) => e && resolve(`cannot open: ${e.message}`));
    conn.get('PRAGMA integrity_check', (e, row: { integrity_check: string }) => {
      conn.close();
      resolve(e ? e.message : row.integrity_check);
    });
  });
}

const failures: string[] = [];
const search = (db: string) => ['search', '--config', file, '--db', db, '--name', 'drill'];
const straight = join(dir, 'straight.db');
const t0 = performance.now();
const base = await run(search(straight), straight);
if (base.code !== 0) throw new Error(`uninterrupted run failed (exit ${base.code})`);
const duration = performance.now() - t0;
const expected = await snapshot(straight);
// How long `nas search` takes to store its experiment row: the shortest seen so far (it varies with load).
let rowMs = base.rowMs ?? duration / 2;
console.log(`uninterrupted: ${expected.trials.length} trials in ${(duration / 1000).toFixed(1)} s (experiment row stored after ${(rowMs / 1000).toFixed(1)} s), front ${expected.front.length}`);

const crashed = join(dir, 'crashed.db');
let delivered = 0;
let beforeRow = 0;
let earlyLeft = early;
let restarts = 0;
let resumes = 0;
for (let k = 0; k < kills; k++) {
  const hasRow = (await experimentCount(crashed).catch(() => 0)) > 0;
  const stored = hasRow ? Math.max(0, await countTrials(crashed)) : 0;
  if (stored >= budget - 1) break;
  // Early kills (while there is no row): anywhere in the first 80 % of the time a search has taken to
  // store its row. Later kills: spread over the remaining trials.
  const isEarly = !hasRow && earlyLeft > 0;
  if (isEarly) earlyLeft--;
  // Half of them aim at the moments right after the database file appears (creation, migrations).
  const fresh = !existsSync(crashed);
  const kill: Kill = isEarly
    ? fresh && earlyLeft % 2 === 0 ? { afterFileMs: rng.int(10) } : { afterMs: rng.uniform(0, 0.8 * rowMs) }
    : { atTrials: stored + 1 + rng.int(Math.max(1, Math.floor((budget - stored - 1) / (kills - k)))) };
  const args = hasRow ? ['resume', 'drill', '--db', crashed] : search(crashed);
  if (hasRow) resumes++;
  else restarts++;
  const r = await run(args, crashed, kill);
  if (!hasRow && r.rowMs !== null) rowMs = Math.min(rowMs, r.rowMs);
  if (r.killed && r.code === null) delivered++;
  const rowNow = (await experimentCount(crashed).catch(() => 0)) > 0;
  if (r.killed && !rowNow) beforeRow++;
  const now = await snapshot(crashed).catch(() => ({ trials: [] as string[], front: [] as number[], rounds: [] as string[] }));
  const ok = rowNow ? await integrity(crashed) : 'ok';
  const finished = now.trials.filter((t) => t.includes('"finished"')).length;
  const aim = 'afterMs' in kill ? `${kill.afterMs.toFixed(0)} ms after start` : 'afterFileMs' in kill ? `${kill.afterFileMs} ms after the database file appeared` : `once ${kill.atTrials} trials were stored`;
  const STATES = { missing: 'no database file', empty: 'an empty database file', database: 'an initialised database' } as const;
  const left = rowNow ? '' : await examineDatabase(crashed).then((f) => STATES[f.state], (e: Error) => e.message);
  console.log(`kill ${k + 1}/${kills} ${aim}: ${rowNow ? `${now.trials.length} trials stored (${finished} finished)` : `no experiment row yet (${left})`}, integrity ${ok}`);
  check(failures, ok === 'ok', `integrity_check after kill ${k + 1}: ${ok}`);
  // the killed process cannot mark anything: every reader must still see its in-flight trials as interrupted
  check(failures, !(r.killed && now.trials.some((t) => t.includes('"running"'))), `kill ${k + 1}: a trial of the killed search still reads running`);
  const prefix = expected.trials.slice(0, now.trials.length);
  check(failures, now.trials.filter((t) => !t.includes('"running"') && !t.includes('"interrupted"')).every((t) => prefix.includes(t)), `kill ${k + 1}: a completed trial differs from the uninterrupted run`);
}
// Finish: resume when there is an experiment to resume, else (killed before its row existed) run the search again.
const hasRow = (await experimentCount(crashed).catch(() => 0)) > 0;
const final = await run(hasRow ? ['resume', 'drill', '--db', crashed] : search(crashed), crashed);
check(failures, final.code === 0, `final ${hasRow ? 'resume' : 'search'} exited ${final.code}`);
const got = await snapshot(crashed);
const same = JSON.stringify(got) === JSON.stringify(expected);
check(failures, same, 'trials, predictions, Pareto front or round records differ from the uninterrupted run');
check(failures, early === 0 || beforeRow > 0, 'no kill landed before the experiment row existed');
report('crash-drill', {
  kills, 'kills delivered mid-run': delivered, 'kills before the experiment row': beforeRow, 'search re-runs': restarts, resumes,
  strategy: values.strategy as string, 'trials (uninterrupted)': expected.trials.length, 'trials after final resume': got.trials.length, 'front size': got.front.length, 'round records': got.rounds.length,
  'identical trials and front': same, 'integrity_check': await integrity(crashed),
}, failures);
