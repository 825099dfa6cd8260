/**
 * Crash drill (issue 8): run a search, kill -9 it at random moments (mid-trial, mid-write,
 * mid-snapshot — wherever the moment falls), resume each time, and compare with an uninterrupted run
 * of the same seed: same trials (number, key, state, metrics), same Pareto front, no finished trial
 * lost or duplicated, and `PRAGMA integrity_check` = ok.
 *
 * Usage: npx tsx test/drills/crash-drill.ts [--kills 20] [--seed 1] [--budget 120]
 * Kill moments are drawn from our Rng (a trial count to wait for, spread over the remaining work, plus
 * a few ms of jitter), so a drill is reproducible in where it aims, not in where the signal lands.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sqlite3 from 'sqlite3';
import { Rng } from '../../core/rng.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials, paretoTrials } from '../../platform/front.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, budget: { type: 'string', default: '120' } } });
const kills = Number(values.kills);
const rng = new Rng(Number(values.seed)).fork('crash-drill');
const bin = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nas-drill-'));
const file = join(dir, 'exp.json');
writeFileSync(file, JSON.stringify({
  seed: 5, space: 'mbconv',
  spaceConfig: { resolutions: [12, 16], stages: [{ channels: 8, stride: 1 }, { channels: 12, stride: 2 }], stemChannels: 8, headChannels: 16 },
  hardware: { mode: 'joint', areaBudgetMm2: 4 }, strategy: { name: 'nsga2', options: {} },
  objectives: ['macs_m', 'energy_uj', 'hw_latency_ms'], constraints: ['area_mm2<=4'], budget: Number(values.budget), batch: 4,
}));

/** Runs the CLI; when `killAtTrials` is given, kill -9 as soon as that many trials are stored. */
function run(args: string[], db?: string, killAtTrials?: number): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
    let killed = false;
    let done = false;
    const poll = async () => {
      while (!done && db !== undefined && killAtTrials !== undefined) {
        const n = await countTrials(db).catch(() => 0);
        if (n >= killAtTrials) {
          // A few ms of jitter so the signal lands anywhere in the step: mid-evaluation, mid-write, mid-snapshot.
          await new Promise((r) => setTimeout(r, rng.int(40)));
          killed = child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    void poll();
    child.once('exit', (code) => {
      done = true;
      resolve({ code, killed });
    });
  });
}

async function countTrials(db: string): Promise<number> {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const exp = (await s.listExperiments())[0];
    return exp ? exp.trials.total : 0;
  } finally {
    await s.close();
  }
}

async function snapshot(db: string, objectives = ['macs_m', 'energy_uj', 'hw_latency_ms']) {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const exp = (await s.listExperiments())[0];
    if (!exp) return { trials: [], front: [] as number[] };
    const trials = await allTrials(s, exp.id);
    const front = paretoTrials(trials, exp.objectives.filter((o) => objectives.includes(o.name))).map((t) => t.number);
    return { trials: trials.map((t) => JSON.stringify([t.number, t.key, t.state, t.metrics, t.feasible])), front };
  } finally {
    await s.close();
  }
}

function integrity(db: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (e) => e && reject(e));
    conn.get('PRAGMA integrity_check', (e, row: { integrity_check: string }) => {
      conn.close();
      if (e) reject(e);
      else resolve(row.integrity_check);
    });
  });
}

const straight = join(dir, 'straight.db');
const t0 = performance.now();
if ((await run(['search', '--config', file, '--db', straight, '--name', 'drill'])).code !== 0) throw new Error('uninterrupted run failed');
const duration = performance.now() - t0;
const budget = Number(values.budget);
const expected = await snapshot(straight);
console.log(`uninterrupted: ${expected.trials.length} trials in ${(duration / 1000).toFixed(1)} s, front ${expected.front.length}`);

const crashed = join(dir, 'crashed.db');
let first = true;
let delivered = 0;
for (let k = 0; k < kills; k++) {
  const stored = first ? 0 : await countTrials(crashed);
  if (stored >= budget - 1) break;
  // Spread the kills over the remaining work so that each one lands mid-run.
  const target = stored + 1 + rng.int(Math.max(1, Math.floor((budget - stored - 1) / (kills - k))));
  const args = first ? ['search', '--config', file, '--db', crashed, '--name', 'drill'] : ['resume', 'drill', '--db', crashed];
  const r = await run(args, crashed, target);
  first = false;
  if (r.killed && r.code === null) delivered++;
  const now = await snapshot(crashed);
  const ok = await integrity(crashed);
  const finished = now.trials.filter((t) => t.includes('"finished"')).length;
  console.log(`kill ${k + 1}/${kills} once ${target} trials were stored: ${now.trials.length} trials stored (${finished} finished), integrity ${ok}`);
  if (ok !== 'ok') throw new Error(`integrity_check after kill ${k + 1}: ${ok}`);
  // the killed process cannot mark anything: every reader must still see its in-flight trials as interrupted
  if (r.killed && now.trials.some((t) => t.includes('"running"'))) throw new Error(`kill ${k + 1}: a trial of the killed search still reads running`);
  const prefix = expected.trials.slice(0, now.trials.length);
  const done = now.trials.filter((t) => !t.includes('"running"') && !t.includes('"interrupted"'));
  if (done.some((t) => !prefix.includes(t))) throw new Error(`kill ${k + 1}: a completed trial differs from the uninterrupted run`);
}
const final = await run(['resume', 'drill', '--db', crashed]);
if (final.code !== 0) throw new Error(`final resume exited ${final.code}`);
const got = await snapshot(crashed);
const same = JSON.stringify(got) === JSON.stringify(expected);
console.log(`${delivered} of ${kills} kills landed mid-run; after the final resume: ${got.trials.length} trials, front ${got.front.length}, integrity ${await integrity(crashed)}`);
console.log(same ? 'PASS: trials and Pareto front equal the uninterrupted run' : 'FAIL: trials or front differ');
process.exitCode = same ? 0 : 1;
