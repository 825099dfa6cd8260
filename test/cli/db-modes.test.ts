/**
 * Every command validates --db for what it will do before any expensive work (issue 18.5): a missing
 * database is exit 7 "no database at PATH" for commands that read or update one, an empty file is
 * initialised only by the commands that create results (and they say so), a database in a read-only
 * directory serves every read command — as an unprivileged user, since root ignores permissions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../datasets/helpers.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';
import { runCli } from './run.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';

const BIN = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const listing = (d: string) => Object.fromEntries(readdirSync(d).sort().map((f) => [f, sha(join(d, f))]));

let dir: string;
let done: () => void;
let config: string;
beforeAll(() => {
  ({ dir, done } = tempDir('nas-cli-dbmodes-'));
  chmodSync(dir, 0o755);
  config = join(dir, 'exp.json');
  writeFileSync(config, JSON.stringify(TINY_EXPERIMENT));
});
afterAll(() => {
  for (const d of readdirSync(dir)) chmodSync(join(dir, d), 0o755);
  done();
});

describe('a database that is not there', () => {
  const READERS: string[][] = [
    ['experiments', 'ls'], ['experiments', 'ls', '--json'], ['experiments', 'show', 'x'], ['trials', 'ls', 'x'], ['lut', 'show'],
    ['export', 'x', '1', '--out', 'OUT', '--format', 'json'], ['stop', 'x'], ['resume', 'x'], ['latency', 'validate'], ['ui', '--port', '0'],
  ];

  it.each(READERS.map((a) => [a.join(' '), a] as const))('%s → exit 7 "no database at PATH", nothing created', async (_n, args) => {
    const d = join(dir, `missing-${args.join('-').replace(/\W+/g, '')}`);
    mkdirSync(d);
    const db = join(d, 'nas.db');
    const r = await runCli(...args.map((a) => (a === 'OUT' ? join(d, 'out') : a)), '--db', db);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^nas: no database at ${db} \\(nothing was created`));
    expect(readdirSync(d)).toEqual([]);
  });

  it('an empty file: readers refuse it untouched; `nas search` initialises it and says so', async () => {
    const d = join(dir, 'empty');
    mkdirSync(d);
    const db = join(d, 'nas.db');
    writeFileSync(db, '');
    for (const args of [['experiments', 'ls'], ['latency', 'validate'], ['trials', 'ls', '1']]) {
      const r = await runCli(...args, '--db', db);
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/is an empty file, not an initialised database/);
    }
    expect(readdirSync(d)).toEqual(['nas.db']);
    expect(readFileSync(db).length).toBe(0);
    const s = await runCli('search', '--config', config, '--db', db, '--name', 'first', '--json');
    expect(s.code).toBe(0);
    expect(s.stderr).toBe(`nas: initialised the empty file ${db} as a nas-codesign database (schema version ${SCHEMA_VERSION})\n`);
    expect((JSON.parse((await runCli('experiments', 'ls', '--json', '--db', db)).stdout) as { name: string }[]).map((e) => e.name)).toEqual(['first']);
  }, 120_000);

  it('checks come before expensive work: a bad --db wins over an accuracy source that would fail later', async () => {
    // If the supernet checkpoint were loaded first, these would fail with its error (exit 3/6) instead.
    const bad = join(dir, 'bad-source.json');
    writeFileSync(bad, JSON.stringify({ ...TINY_EXPERIMENT, accuracy: { source: 'supernet', checkpoint: join(dir, 'no-such-checkpoint') }, objectives: ['accuracy', 'energy_uj'] }));
    const notSqlite = join(dir, 'notsqlite.db');
    writeFileSync(notSqlite, 'id,name\n1,x\n');
    const cases: [string[], RegExp][] = [
      [['search', '--config', bad, '--db', join(dir, 'missing', 'dir', 'x.db')], /directory .*missing\/dir does not exist/],
      [['search', '--config', bad, '--db', notSqlite], /not an SQLite database/],
      [['predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--checkpoint', join(dir, 'no-such-checkpoint'), '--db', notSqlite], /not an SQLite database/],
      [['supernet', 'train', '--out', join(dir, 'sn'), '--db', notSqlite], /not an SQLite database/],
      [['lut', 'build', '--db', notSqlite], /not an SQLite database/],
    ];
    for (const [args, problem] of cases) {
      const r = await runCli(...args);
      expect(r.code, args.join(' ')).toBe(7);
      expect(r.stderr).toMatch(problem);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('notsqlite'))).toEqual(['notsqlite.db']);
  });

  it('`nas resume` of a search killed before it stored its experiment says to run the search again (exit 8)', async () => {
    const db = join(dir, 'fresh.db');
    writeFileSync(db, '');
    expect((await runCli('search', '--config', config, '--db', db, '--name', 'other', '--json')).code).toBe(0);
    const r = await runCli('resume', 'drill', '--db', db);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/experiment "drill" not found; nothing to resume .* run the same `nas search` again/);
  }, 120_000);
});

describe('a database in a read-only directory, as an unprivileged user', () => {
  let ro: string;
  let db: string;
  const asNobody = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}) });

  beforeAll(async () => {
    ro = join(dir, 'ro');
    mkdirSync(ro);
    db = join(ro, 'nas.db');
    const r = await runCli('search', '--config', config, '--db', db, '--name', 'ro-exp', '--json');
    expect(r.code).toBe(0);
    chmodSync(db, 0o444);
    chmodSync(ro, 0o555);
  }, 120_000);

  it('experiments, trials, lut show and export to a writable folder all work and create nothing beside it', () => {
    const before = listing(ro);
    const ls = asNobody(['experiments', 'ls', '--json', '--db', db]);
    expect(ls.stderr).toBe('');
    expect((JSON.parse(ls.stdout) as { name: string }[]).map((e) => e.name)).toEqual(['ro-exp']);
    expect(asNobody(['experiments', 'show', 'ro-exp', '--db', db]).stdout).toMatch(/experiment 1 ro-exp/);
    const trials = asNobody(['trials', 'ls', 'ro-exp', '--json', '--db', db]);
    expect(trials.status).toBe(0);
    expect((JSON.parse(trials.stdout) as { total: number }).total).toBe(4);
    expect(asNobody(['lut', 'show', '--db', db])).toMatchObject({ status: 0, stdout: expect.stringMatching(/no LUT entries/) });
    const out = join(dir, 'bundle-out');
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    const number = (JSON.parse(trials.stdout) as { trials: { number: number; state: string }[] }).trials.find((t) => t.state === 'finished')?.number;
    const ex = asNobody(['export', 'ro-exp', String(number), '--out', join(out, 'b'), '--format', 'json', '--db', db]);
    expect(ex.stderr).toBe('');
    expect(ex.status).toBe(0);
    expect(readdirSync(join(out, 'b')).sort()).toEqual(['README.md', 'accelerator.json', 'arch.json', 'metrics.json']);
    // writing commands are refused with the reason, still creating nothing
    const stop = asNobody(['stop', 'ro-exp', '--db', db]);
    expect(stop.status).toBe(7);
    expect(stop.stderr).toMatch(/read-only location/);
    expect(listing(ro)).toEqual(before);
  });

  it('`nas ui` serves it and stops on SIGTERM', async () => {
    const before = listing(ro);
    const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--db', db], { cwd: ROOT, ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}) });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /(http:\/\/\S+\/)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`nas ui exited ${code}`)));
    });
    const res = await fetch(`${url}api/experiments`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }[]).map((e) => e.name)).toEqual(['ro-exp']);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(listing(ro)).toEqual(before);
  }, 60_000);
});

describe('doctor', () => {
  it('exits 7 when it reports a database problem, 0 for a missing one', async () => {
    const bad = join(dir, 'doctor-bad.db');
    writeFileSync(bad, 'not a database at all, just text that is long enough to be a header..........................');
    const r = await runCli('doctor', '--json', '--db', bad);
    expect(r.code).toBe(7);
    expect((JSON.parse(r.stdout) as { database: { problem: string } }).database.problem).toMatch(/not an SQLite database/);
    expect(r.stderr).toMatch(/^nas: database: .*not an SQLite database/);
    expect((await runCli('doctor', '--json', '--db', join(dir, 'doctor-none.db'))).code).toBe(0);
    rmSync(bad);
  });
});
