/**
 * A real results database for the browser tests: `nas search` (the CLI, in-process) runs two small
 * supernet-scored co-searches — different strategies, same objectives — into one SQLite file. It is
 * built once per test run (TMPDIR is per run, see test/global-tmp.ts) and shared between test files
 * through a lock directory; each test copies it, so exports and writes never collide.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { runCli } from '../cli/run.ts';

const EXPERIMENTS = [
  ['cosearch-random', 'seed: 3', 'strategy: { name: random }'],
  ['cosearch-evolution', 'seed: 5', 'strategy: { name: nsga2 }'],
] as const;

function experimentFile(dir: string, [name, seed, strategy]: readonly string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [
    `name: ${name}`, seed, 'space: mbconv', 'accuracy: { source: supernet, valLimit: 100, calibImages: 32 }',
    'hardware: { mode: joint, areaBudgetMm2: 16 }', strategy, 'objectives: [accuracy, energy_uj, hw_latency_ms]',
    'constraints: ["area_mm2 <= 12"]', 'budget: 8', 'batch: 4', '',
  ].join('\n'));
  return file;
}

async function build(dir: string): Promise<void> {
  const db = join(dir, 'nas.db');
  for (const e of EXPERIMENTS) {
    const r = await runCli('--backend', 'wasm', 'search', '--config', experimentFile(dir, e), '--db', db, '--json');
    if (r.code !== 0) throw new Error(`nas search ${e[0]} failed (${r.code}): ${r.stderr}`);
  }
  writeFileSync(join(dir, 'done'), '');
}

/** A private copy of the shared real database (built on first use). */
export async function realSearchDb(): Promise<string> {
  const shared = join(tmpdir(), 'nas-ui-real-search');
  let mine = false;
  try {
    mkdirSync(shared);
    mine = true;
  } catch {
    // another test file is building it
  }
  if (mine) await build(shared);
  const end = Date.now() + 300_000;
  while (!existsSync(join(shared, 'done'))) {
    if (Date.now() > end) throw new Error('timed out waiting for the shared search database');
    await new Promise((r) => setTimeout(r, 500));
  }
  const copy = join(mkdtempSync(join(tmpdir(), 'nas-ui-db-')), 'nas.db');
  copyFileSync(join(shared, 'nas.db'), copy);
  return copy;
}

export interface UiProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `nas ui` as users start it: a separate process that never ran a search (no tensor backend yet). */
export async function startUiProcess(db: string, extra: string[] = []): Promise<UiProcess> {
  const child = spawn(process.execPath, ['bin/nas.js', 'ui', '--db', db, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nas ui did not start: ${err}`)), 60_000);
    child.stdout?.on('data', (d) => {
      const m = /at (http:\/\/\S+)/.exec(String(d));
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`nas ui exited (${code}): ${err}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}
