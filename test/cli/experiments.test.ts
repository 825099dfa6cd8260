import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { experiment, trial } from '../conformance/storage-helpers.ts';
import { tempDir } from '../datasets/helpers.ts';
import { runCli } from './run.ts';

let dir: string;
let done: () => void;
beforeEach(() => ({ dir, done } = tempDir('nas-cli-exp-')));
afterEach(() => done());

async function populate(db: string): Promise<void> {
  const s = await SqliteStorage.open(db);
  const a = await s.createExperiment(experiment('first'));
  await s.createExperiment(experiment('second', { space: 'nb201', seed: 3 }));
  const t1 = await s.startTrial(trial(a.id, 1));
  await s.finishTrial(t1.id, { metrics: { accuracy: 0.9, latency_ms: 2 } });
  await s.failTrial((await s.startTrial(trial(a.id, 2))).id, { error: 'nan' });
  await s.startTrial(trial(a.id, 3));
  await s.close();
}

describe('nas experiments', () => {
  it('ls on a database that does not exist → exit 7 "no database at PATH", no file created (issue 18.6)', async () => {
    const db = join(dir, 'none.db');
    for (const args of [['experiments', 'ls', '--json'], ['experiments', 'ls']]) {
      const r = await runCli(...args, '--db', db);
      expect(r).toMatchObject({ code: 7, stdout: '' });
      expect(r.stderr).toMatch(new RegExp(`^nas: no database at ${db} `));
    }
    expect(spawnSync('test', ['-e', db]).status).not.toBe(0);
  });

  it('ls --json on an empty, freshly created database → []', async () => {
    const db = join(dir, 'empty.db');
    await (await SqliteStorage.open(db)).close();
    const r = await runCli('experiments', 'ls', '--json', '--db', db);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('ls on a populated database: newest first with trial counts (JSON and table)', async () => {
    const db = join(dir, 'nas.db');
    await populate(db);
    const r = await runCli('experiments', 'ls', '--json', '--db', db);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; space: string; trials: unknown; objectives: unknown[] }[];
    expect(rows.map((e) => [e.name, e.space])).toEqual([['second', 'nb201'], ['first', 'mbconv']]);
    expect(rows[1]!.trials).toEqual({ total: 3, running: 1, finished: 1, failed: 1, interrupted: 0 });
    expect(rows[1]!.objectives).toHaveLength(2);
    const table = await runCli('experiments', 'ls', '--db', db);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SPACE\s+STATUS\s+TRIALS\s+FINISHED\s+FAILED\s+RUNNING\s+INTERRUPTED\s+OBJECTIVES\s+CREATED$/);
    expect(lines[2]).toMatch(/^\s*1\s+first\s+mbconv\s+created\s+3\s+1\s+1\s+1\s+0\s+↑accuracy ↓latency_ms\s+\d{4}-/);
  });

  it('show by name or id; an unknown experiment → exit 8 (not found) on stderr', async () => {
    const db = join(dir, 'nas.db');
    await populate(db);
    const byName = await runCli('experiments', 'show', 'first', '--json', '--db', db);
    expect(JSON.parse(byName.stdout)).toMatchObject({ id: 1, name: 'first', seed: 7, config: experiment('x').config });
    const byId = await runCli('experiments', 'show', '2', '--db', db);
    expect(byId.stdout).toMatch(/^experiment 2 second \(created\)\nspace\s+nb201/);
    const missing = await runCli('experiments', 'show', 'nope', '--json', '--db', db);
    expect(missing.code).toBe(8);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`nas: experiment "nope" not found; in ${db} (\`nas experiments ls --db ${db}\` lists them)\n`);
    expect((await runCli('experiments', 'show', '99', '--db', join(dir, 'none.db'))).code).toBe(7);
    expect((await runCli('experiments', 'show', '--db', db)).code).toBe(2);
  });
});

describe('the nas bin', () => {
  it('node bin/nas.js --help runs as a child process and lists the commands', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const out = execFileSync(process.execPath, [join(root, 'bin', 'nas.js'), '--help'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^Usage: nas \[options\] \[command\]/);
    expect(out).toMatch(/doctor/);
    expect(out).toMatch(/experiments/);
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'nas.js'), 'experiments', 'show', 'x', '--db', join(dir, 'none.db')], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(7);
    expect(bad.stderr).toContain('no database at');
  });
});
