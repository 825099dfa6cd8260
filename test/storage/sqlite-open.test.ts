/** SQLite-only behaviour: pragmas, reopen, migrations, refusing files it must not touch, readers beside a writer. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaVersionError, StorageError } from '../../core/errors.ts';
import { Connection, OPEN_READWRITE_CREATE } from '../../storage/connection.ts';
import { inspectDatabase } from '../../storage/inspect.ts';
import { migrate } from '../../storage/migrations.ts';
import { openDatabase } from '../../storage/open.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { experiment, rejects, trial } from '../conformance/storage-helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nas-sqlite-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

/** Name → sha256 of every file in a directory, to prove that a refused open wrote nothing. */
function files(d: string): Record<string, string> {
  return Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));
}

async function raw(path: string, sql: string): Promise<void> {
  const c = await Connection.open(path, OPEN_READWRITE_CREATE);
  await c.exec(sql);
  await c.close();
}

describe('SqliteStorage on disk', () => {
  it('uses WAL and the busy timeout (default 5000 ms, configurable)', async () => {
    const path = join(dir, 'nas.db');
    const c = await openDatabase(path);
    expect((await c.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode).toBe('wal');
    expect(await c.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    expect((await c.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys).toBe(1);
    await c.close();
    const d = await openDatabase(path, { busyTimeoutMs: 1234 });
    expect(await d.get('PRAGMA busy_timeout')).toEqual({ timeout: 1234 });
    await d.close();
    // File header bytes 18/19 are 2/2 in WAL mode (SQLite file format, "Database Header").
    expect([...readFileSync(path).subarray(18, 20)]).toEqual([2, 2]);
    await expect(openDatabase(path, { busyTimeoutMs: -1 })).rejects.toBeInstanceOf(StorageError);
  });

  it('reopening keeps the data; a read-only open reads it and refuses writes', async () => {
    const path = join(dir, 'nas.db');
    const s = await SqliteStorage.open(path);
    const e = await s.createExperiment(experiment('keep'));
    const t = await s.finishTrial((await s.startTrial(trial(e.id))).id, { metrics: { accuracy: 0.5 } });
    await s.close();
    const again = await SqliteStorage.open(path);
    expect(await again.getExperiment(e.id)).toEqual(e);
    expect(await again.getTrial(t.id)).toEqual(t);
    expect((await again.startTrial(trial(e.id))).number).toBe(2);
    await again.close();
    const ro = await SqliteStorage.open(path, { readonly: true });
    expect(ro.readonly).toBe(true);
    expect((await ro.listExperiments())[0]!.trials.total).toBe(2);
    await rejects(() => ro.createExperiment(experiment('no')), StorageError, { message: expect.stringMatching(/read-only/) });
    await ro.close();
  });

  it('migrates a version-1 database forward, keeping its rows', async () => {
    const path = join(dir, 'old.db');
    const c = await Connection.open(path, OPEN_READWRITE_CREATE);
    expect(await migrate(c, 1)).toEqual({ from: 0, to: 1 });
    await c.run("INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES ('v1', '{\"a\":1}', 3, 'mbconv', 'finished', 't0', 't0')");
    await c.run("INSERT INTO objectives VALUES (1, 0, 'accuracy', '', 'max')");
    await c.close();
    expect(await inspectDatabase(path)).toMatchObject({ schemaVersion: 1, problem: null, note: expect.stringMatching(/migrated/) });
    await expect(SqliteStorage.open(path, { readonly: true })).rejects.toThrow(/older than/);
    const s = await SqliteStorage.open(path);
    expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await s.getExperiment(1)).toMatchObject({ name: 'v1', config: { a: 1 }, seed: 3, status: 'finished', objectives: [{ name: 'accuracy', direction: 'max' }] });
    expect(await s.upsertLutEntries([{ backend: 'cpu', tfjsVersion: '4', cpuModel: 'x', threads: 1, batchSize: 1, key: 'k', medianMs: 1, meanMs: 1, stdMs: 0, spreadMs: 0, count: 1 }])).toHaveLength(1);
    await s.close();
    expect(await inspectDatabase(path)).toMatchObject({ schemaVersion: SCHEMA_VERSION, problem: null });
  });

  it('migrates a version-2 database to runs (tables rebuilt): every row, reference and rule kept, foreign keys on again', async () => {
    const path = join(dir, 'v2.db');
    const c = await Connection.open(path, OPEN_READWRITE_CREATE);
    await c.exec('PRAGMA foreign_keys = ON');
    expect(await migrate(c, 2)).toEqual({ from: 0, to: 2 });
    await c.exec(`
      INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES ('v2', '{}', 1, 'mbconv', 'running', 't0', 't1');
      INSERT INTO objectives VALUES (1, 0, 'accuracy', '%', 'max');
      INSERT INTO trials (experiment_id, number, state, arch, created_at, metrics, feasible, finished_at) VALUES (1, 1, 'finished', '{"a":1}', 't0', '{"accuracy":0.5}', 1, 't1');
      INSERT INTO trials (experiment_id, number, state, arch, created_at) VALUES (1, 2, 'running', '{"a":2}', 't0');
      INSERT INTO trial_values VALUES (1, 1, 'accuracy', 0.5);
      INSERT INTO strategy_state VALUES (1, 1, '{"s":1}', 't1');
      INSERT INTO events (experiment_id, type, payload, created_at) VALUES (1, 'progress', '{}', 't1');`);
    await c.close();
    const s = await SqliteStorage.open(path);
    expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await s.getExperiment(1)).toMatchObject({ name: 'v2', status: 'running', runner: null, objectives: [{ name: 'accuracy', unit: '%' }] });
    expect((await s.listTrials({ experimentId: 1 })).items.map((t) => [t.number, t.state, t.metrics])).toEqual([[1, 'finished', { accuracy: 0.5 }], [2, 'running', null]]);
    expect((await s.listTrials({ experimentId: 1, sort: 'metric:accuracy' })).items[0]!.number).toBe(1);
    expect((await s.loadSnapshot(1))?.state).toEqual({ s: 1 });
    expect(await s.eventsSince(0)).toHaveLength(1);
    expect((await s.endRun(1, 'stopped')).interrupted).toBe(1);
    await rejects(() => s.finishTrial(1, { metrics: { accuracy: 1 } }), StorageError);
    await s.close();
    const check = await openDatabase(path);
    expect(await check.all('PRAGMA foreign_key_check')).toEqual([]);
    expect((await check.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys).toBe(1);
    expect(await check.all("SELECT name FROM sqlite_schema WHERE name LIKE '%_v3'")).toEqual([]);
    // the rule lives in the database too: a finished row cannot be updated behind the API's back
    await expect(check.run("UPDATE trials SET state = 'running' WHERE id = 1")).rejects.toThrow(/immutable/);
    await check.close();
  });

  it('migrates a version-3 database (trials without predictions) to the predicted column (v4)', async () => {
    const path = join(dir, 'v3.db');
    const c = await Connection.open(path, OPEN_READWRITE_CREATE);
    expect(await migrate(c, 3)).toEqual({ from: 0, to: 3 });
    await c.run("INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES ('v3', '{}', 1, 'mbconv', 'finished', 't0', 't0')");
    await c.run("INSERT INTO trials (experiment_id, number, state, arch, metrics, feasible, created_at, finished_at) VALUES (1, 1, 'finished', '{\"r\":28}', '{\"accuracy\":90}', 1, 't0', 't1')");
    await c.close();
    const s = await SqliteStorage.open(path);
    expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await s.getTrial(1)).toMatchObject({ metrics: { accuracy: 90 }, predicted: null });
    const t = await s.startTrial(trial(1, 2, { predicted: { accuracy: { mean: 89, sd: 0.5 } } }));
    expect((await s.getTrial(t.id)).predicted).toEqual({ accuracy: { mean: 89, sd: 0.5 } });
    await s.close();
  });

  it('a database from a newer schema → SchemaVersionError, and no byte changes (read-write and read-only)', async () => {
    const path = join(dir, 'new.db');
    const s = await SqliteStorage.open(path);
    await s.createExperiment(experiment('future'));
    await s.close();
    await raw(path, `PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    const before = files(dir);
    for (const readonly of [false, true]) {
      const err = await SqliteStorage.open(path, { readonly }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaVersionError);
      expect(err).toMatchObject({ found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION, path });
      expect(files(dir)).toEqual(before);
    }
    expect(await inspectDatabase(path)).toMatchObject({ schemaVersion: SCHEMA_VERSION + 1, problem: expect.stringMatching(/newer/) });
    expect(files(dir)).toEqual(before);
  });

  it.each([
    ['a text file', Buffer.from('name,accuracy\nx,0.5\n'.repeat(20))],
    ['a short file', Buffer.from('SQLite')],
    ['an SQLite header followed by garbage', Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4080, 0xab)])],
  ])('%s is refused with StorageError and left unchanged', async (_what, bytes) => {
    const path = join(dir, 'bad.db');
    writeFileSync(path, bytes);
    const before = files(dir);
    const err = await SqliteStorage.open(path).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).path).toBe(path);
    expect(files(dir)).toEqual(before);
  });

  it("another program's SQLite database (other application_id) is refused and left unchanged", async () => {
    const tables = join(dir, 'foreign.db');
    await raw(tables, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES (\'hi\')');
    const appId = join(dir, 'foreign-id.db');
    await raw(appId, 'PRAGMA application_id = 1234; PRAGMA user_version = 1; CREATE TABLE t (x)');
    const before = files(dir);
    for (const path of [tables, appId]) {
      const err = await SqliteStorage.open(path).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/not a nas-codesign database/);
      expect(files(dir)).toEqual(before);
    }
  });

  it('a path whose parent is a file or missing → StorageError naming the path, nothing created', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    const before = files(dir);
    await expect(SqliteStorage.open(join(dir, 'plain', 'nas.db'))).rejects.toThrow(/not a directory|does not exist/);
    await expect(SqliteStorage.open(join(dir, 'missing', 'nas.db'))).rejects.toBeInstanceOf(StorageError);
    await expect(SqliteStorage.open(dir)).rejects.toThrow(/is a directory/);
    expect(files(dir)).toEqual(before);
  });

  it('a read-only location → clear StorageError, nothing created or modified', async () => {
    // Root ignores permission bits, so the open runs in a child that drops to uid 65534 first.
    const script = fileURLToPath(new URL('./fixtures/open-unprivileged.ts', import.meta.url));
    const run = (db: string) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, db], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) })) as { ok: boolean; message?: string; uid?: number };
    chmodSync(dir, 0o755);
    const empty = join(dir, 'ro-empty');
    mkdirSync(empty, { mode: 0o555 });
    chmodSync(empty, 0o555);
    const newDb = run(join(empty, 'nas.db'));
    expect(newDb.uid).not.toBe(0);
    expect(newDb).toMatchObject({ ok: false, message: expect.stringMatching(/read-only location: directory .* is not writable/) });
    expect(readdirSync(empty)).toEqual([]);

    const full = join(dir, 'ro-full');
    mkdirSync(full);
    const path = join(full, 'nas.db');
    const s = await SqliteStorage.open(path);
    await s.createExperiment(experiment('kept'));
    await s.close();
    chmodSync(path, 0o444);
    chmodSync(full, 0o555);
    const before = files(full);
    const existing = run(path);
    chmodSync(full, 0o755);
    expect(existing).toMatchObject({ ok: false, message: expect.stringMatching(/read-only location/) });
    expect(files(full)).toEqual(before);
  });

  it('a read-only reader works beside a writer without "database is locked"', async () => {
    const path = join(dir, 'nas.db');
    const w = await SqliteStorage.open(path, { busyTimeoutMs: 5000 });
    const e = await w.createExperiment(experiment('live'));
    const r = await SqliteStorage.open(path, { readonly: true });
    const errors: unknown[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 60; i++) {
        const t = await w.startTrial(trial(e.id, i));
        await w.commitStep({ experimentId: e.id, trials: [{ trialId: t.id, outcome: { state: 'finished', metrics: { accuracy: i / 60 } } }], snapshot: { i }, events: [{ experimentId: e.id, type: 'trial', payload: { i } }] });
      }
      writing = false;
    })().catch((err: unknown) => errors.push(err));
    let reads = 0;
    let lastTotal = 0;
    const reader = (async () => {
      while (writing) {
        const page = await r.listTrials({ experimentId: e.id, state: 'finished', limit: 10_000 });
        // Each commit is atomic, so a reader never sees a finished trial without its event.
        const events = await r.eventsSince(0, { experimentId: e.id, limit: 10_000 });
        expect(page.items).toHaveLength(page.total);
        expect(page.total).toBeGreaterThanOrEqual(lastTotal);
        expect(events.length).toBeGreaterThanOrEqual(page.total);
        lastTotal = page.total;
        reads++;
      }
    })().catch((err: unknown) => errors.push(err));
    await Promise.all([writer, reader]);
    expect(errors).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect((await r.listTrials({ experimentId: e.id })).total).toBe(60);
    await r.close();
    await w.close();
  });
});
