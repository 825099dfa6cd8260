/**
 * No trial stays "running" after its search: a real `nas search` child process, frozen (SIGSTOP)
 * while a step's trials are stored as running, then ended by SIGTERM (a clean stop) or SIGKILL
 * (nothing can be written). Either way the CLI (`experiments ls/show`, `trials ls`) and the API of
 * `nas ui` over the same database agree on the counts, show those trials as interrupted, and
 * `nas resume` takes them over and ends with the trials of an uninterrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sqlite3 from 'sqlite3';
import { describe, expect, it } from 'vitest';
import { startUi } from '../../cli/commands/ui.ts';
import type { ExperimentSummary, TrialRecord } from '../../storage/types.ts';
import { runCli } from './run.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { SMALL_EXPERIMENT } from './small-experiment.ts';

const bin = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));
const experiment = { ...SMALL_EXPERIMENT, seed: 5, constraints: [], budget: 60, batch: 4 };

/** The stored state column, read without the storage layer (which shows gone runs as interrupted). */
function storedStates(db: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const c = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (e) => {
      if (e) return reject(e);
      c.all<{ state: string; n: number }>('SELECT state, count(*) AS n FROM trials GROUP BY state', (err, rows) => {
        c.close();
        if (err) reject(err);
        else resolve(Object.fromEntries(rows.map((r) => [r.state, r.n])));
      });
    });
  });
}

/** Freezes the child while a step's trials are stored as running (resumes and retries otherwise). */
async function freezeMidStep(child: ChildProcess, db: string): Promise<number> {
  for (let i = 0; i < 2000; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const before = await storedStates(db).catch(() => ({}) as Record<string, number>);
    if ((before['finished'] ?? 0) < 8) continue;
    child.kill('SIGSTOP');
    const running = (await storedStates(db))['running'] ?? 0;
    if (running > 0) return running;
    child.kill('SIGCONT');
  }
  throw new Error('never caught a step in flight');
}

async function views(db: string) {
  const ls = JSON.parse((await runCli('experiments', 'ls', '--db', db, '--json')).stdout) as ExperimentSummary[];
  const trials = (JSON.parse((await runCli('trials', 'ls', 'x', '--db', db, '--json')).stdout) as { trials: TrialRecord[] }).trials;
  const ui = await startUi({ port: '0', host: '127.0.0.1', db });
  try {
    const api = (await (await fetch(`${ui.url}api/experiments/${ls[0]?.id}`)).json()) as ExperimentSummary;
    const apiInterrupted = (await (await fetch(`${ui.url}api/experiments/${ls[0]?.id}/trials?state=interrupted&limit=1000`)).json()) as { total: number };
    return { cli: ls[0] as ExperimentSummary, trials, api, apiInterrupted: apiInterrupted.total };
  } finally {
    await ui.close();
  }
}

function tally(trials: readonly TrialRecord[]): Record<string, number> {
  const out: Record<string, number> = { running: 0, finished: 0, failed: 0, interrupted: 0 };
  for (const t of trials) out[t.state] = (out[t.state] ?? 0) + 1;
  return out;
}

async function comparable(db: string) {
  const r = JSON.parse((await runCli('trials', 'ls', 'x', '--db', db, '--json')).stdout) as { trials: TrialRecord[] };
  return r.trials.map((t) => ({ n: t.number, key: t.key, state: t.state, metrics: t.metrics }));
}

describe.each(['SIGTERM', 'SIGKILL'] as const)('a search ended by %s mid-step', (signal) => {
  it('leaves no trial running (after a kill: the in-flight ones read interrupted), CLI and API agree, nas resume takes them over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-interrupted-'));
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify(experiment));
    const straight = join(dir, 'straight.db');
    expect((await runCli('search', '--config', file, '--db', straight, '--name', 'x')).code).toBe(0);

    const db = join(dir, 'run.db');
    const child = spawn(process.execPath, [bin, 'search', '--config', file, '--db', db, '--name', 'x'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const inFlight = await freezeMidStep(child, db);
    child.kill(signal);
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    const code = await exited;

    const stored = await storedStates(db);
    let interrupted: number;
    if (signal === 'SIGTERM') {
      // a clean stop: the runner ends the run itself, storing what it left unfinished as interrupted
      // (the whole step when the signal is handled mid-step; none when the step's synchronous
      // evaluation completed and was committed before the handler ran)
      expect(code).toBe(0);
      expect(stored['running'] ?? 0).toBe(0);
      interrupted = stored['interrupted'] ?? 0;
      expect([0, inFlight]).toContain(interrupted);
    } else {
      // nothing could be written: the rows still say running, every reader says interrupted
      expect(stored['running']).toBe(inFlight);
      interrupted = inFlight;
    }
    const v = await views(db);
    expect(v.cli.status).toBe(signal === 'SIGTERM' ? 'stopped' : 'interrupted');
    expect(v.cli.trials).toMatchObject({ running: 0, interrupted, total: v.trials.length });
    expect(tally(v.trials)).toEqual({ running: 0, finished: v.cli.trials.finished, failed: v.cli.trials.failed, interrupted });
    expect(v.api.status).toBe(v.cli.status);
    expect(v.api.trials).toEqual(v.cli.trials);
    expect(v.apiInterrupted).toBe(interrupted);
    const show = await runCli('experiments', 'show', 'x', '--db', db);
    expect(show.stdout).toContain(`${interrupted} interrupted`);
    expect(show.stdout).toContain(`resume      nas resume x --db ${db}`);

    const resumed = await runCli('resume', 'x', '--db', db, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'finished', resumed: true });
    expect(await comparable(db)).toEqual(await comparable(straight));
    expect((await views(db)).cli).toMatchObject({ status: 'finished', runner: null, trials: { total: 60, finished: 60, running: 0, interrupted: 0 } });
  }, 240_000);
});

describe('nas stop of a search whose process is gone', () => {
  it('stops it at once and stores its running trials as interrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-stop-gone-'));
    const file = join(dir, 'exp.json');
    writeFileSync(file, JSON.stringify({ ...experiment, budget: 400 }));
    const db = join(dir, 'run.db');
    const child = spawn(process.execPath, [bin, 'search', '--config', file, '--db', db, '--name', 'x'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const inFlight = await freezeMidStep(child, db);
    child.kill('SIGKILL');
    await exited;
    const r = await runCli('stop', 'x', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`experiment x stopped (no process was running it); ${inFlight} trials it left running are interrupted; resume with nas resume x\n`);
    expect(await storedStates(db)).toMatchObject({ interrupted: inFlight });
    expect((await views(db)).cli).toMatchObject({ status: 'stopped', runner: null, trials: { running: 0, interrupted: inFlight } });
  }, 240_000);

  it('--force stops a run held by a process this machine takes as alive (e.g. on another host)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-stop-force-'));
    const db = join(dir, 'run.db');
    const s = await SqliteStorage.open(db, { mode: 'create' });
    const e = await s.createExperiment({ name: 'x', config: {}, seed: 1, space: 'mbconv', objectives: [{ name: 'macs_m', unit: 'M MACs', direction: 'min' }] });
    await s.beginRun(e.id, { host: 'another-machine', pid: 4242, start: null });
    await s.startTrials([{ experimentId: e.id, arch: { a: 1 }, key: 'k1' }]);
    await s.close();
    const resume = await runCli('resume', 'x', '--db', db);
    expect(resume.code).toBe(3);
    expect(resume.stderr).toMatch(/is being run by process 4242 on another-machine; .*nas stop x --force/);
    expect((await runCli('stop', 'x', '--db', db)).stdout).toMatch(/asked process 4242 on another-machine to stop/);
    expect((await views(db)).cli).toMatchObject({ status: 'stopped', trials: { running: 1 } });
    const forced = await runCli('stop', 'x', '--db', db, '--force');
    expect(forced.stdout).toBe('experiment x stopped at once (--force: process 4242 on another-machine taken as gone); 1 trials it left running are interrupted; resume with nas resume x\n');
    expect((await views(db)).cli).toMatchObject({ status: 'stopped', runner: null, trials: { running: 0, interrupted: 1 } });
  });
});
