/**
 * Opening by mode (issue 18.4–18.5): readers refuse a missing or empty file without creating one,
 * creators say what they did, nobody creates -wal/-shm beside a truncated file, and a database in a
 * read-only directory is readable by an unprivileged user without any file appearing beside it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoDatabaseError, StorageError } from '../../core/errors.ts';
import { checkDatabase } from '../../storage/classify.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { experiment, trial } from '../conformance/storage-helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nas-modes-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  chmodSync(dir, 0o755);
  for (const d of readdirSync(dir)) chmodSync(join(dir, d), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

function files(d: string): Record<string, string> {
  return Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));
}

const error = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);

/** A closed WAL-mode database with an experiment and 400 trials (many pages). */
async function populated(path: string): Promise<void> {
  const s = await SqliteStorage.open(path);
  const e = await s.createExperiment(experiment('kept'));
  await s.startTrials(Array.from({ length: 400 }, (_, i) => trial(e.id, i)));
  await s.close();
}

describe('opening by mode', () => {
  it('read and write refuse a missing file with "no database at PATH" and create nothing', async () => {
    const path = join(dir, 'none.db');
    for (const mode of ['read', 'write'] as const) {
      const err = await error(SqliteStorage.open(path, { mode }));
      expect(err).toBeInstanceOf(NoDatabaseError);
      expect((err as Error).message).toMatch(new RegExp(`^no database at ${path}`));
      expect((err as NoDatabaseError).exitCode).toBe(7);
    }
    expect(readdirSync(dir)).toEqual([]);
    const missingDir = await error(SqliteStorage.open(join(dir, 'no', 'such.db'), { mode: 'read' }));
    expect((missingDir as Error).message).toMatch(/no database at .*directory .* does not exist/);
    expect((await error(SqliteStorage.open(join(dir, 'no', 'such.db'), { mode: 'create' })) as Error).message).toMatch(/directory .* does not exist/);
  });

  it('an empty file: read and write refuse it untouched; create initialises it and says so', async () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    for (const mode of ['read', 'write'] as const) {
      expect((await error(SqliteStorage.open(path, { mode }))) as Error).toMatchObject({ message: expect.stringMatching(/is an empty file, not an initialised database/) });
    }
    expect(files(dir)).toEqual({ 'empty.db': createHash('sha256').update('').digest('hex') });
    const s = await SqliteStorage.open(path, { mode: 'create' });
    expect(s.opened.state).toBe('empty');
    await s.close();
    const again = await SqliteStorage.open(path, { mode: 'create' });
    expect(again.opened.state).toBe('database');
    await again.close();
    const fresh = await SqliteStorage.open(join(dir, 'new.db'), { mode: 'create' });
    expect(fresh.opened.state).toBe('missing');
    await fresh.close();
  });

  it('a truncated WAL database: every mode refuses it and nothing appears beside it', async () => {
    const path = join(dir, 'nas.db');
    await populated(path);
    expect(readFileSync(path)[18]).toBe(2); // WAL mode is recorded in the header
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = files(dir);
    for (const mode of ['read', 'write', 'create'] as const) {
      const err = await error(SqliteStorage.open(path, { mode }));
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/truncated/);
    }
    expect(files(dir)).toEqual(before);
  });

  it('checkDatabase classifies without writing: a healthy database leaves no -wal/-shm behind', async () => {
    const path = join(dir, 'nas.db');
    await populated(path);
    const before = files(dir);
    expect(await checkDatabase(path, 'read')).toMatchObject({ state: 'database', mode: 'read', immutable: false, writable: true });
    expect(await checkDatabase(path, 'write')).toMatchObject({ state: 'database', mode: 'write' });
    expect(files(dir)).toEqual(before);
  });

  it('a database with a table missing from its schema version is refused', async () => {
    const path = join(dir, 'nas.db');
    await populated(path);
    const c = await SqliteStorage.open(path);
    await c.close();
    const { Connection, OPEN_READWRITE } = await import('../../storage/connection.ts');
    const raw = await Connection.open(path, OPEN_READWRITE);
    await raw.exec('DROP TABLE checkpoints');
    await raw.close();
    expect((await error(SqliteStorage.open(path, { readonly: true })) as Error).message).toMatch(/schema is incomplete .*checkpoints/);
  });
});

describe('a database in a read-only directory, as an unprivileged user', () => {
  const script = fileURLToPath(new URL('./fixtures/open-unprivileged.ts', import.meta.url));
  const run = (db: string, mode: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, db, mode], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) })) as {
      ok: boolean; message?: string; uid?: number; names?: string[]; immutable?: boolean;
    };

  it('reads it (immutable: no -wal/-shm created) and refuses to write it', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const path = join(ro, 'nas.db');
    await populated(path);
    chmodSync(path, 0o444);
    chmodSync(ro, 0o555);
    const before = files(ro);
    const read = run(path, 'read');
    expect(read.uid).not.toBe(0);
    expect(read).toMatchObject({ ok: true, names: ['kept'], immutable: true });
    expect(run(path, 'write')).toMatchObject({ ok: false, message: expect.stringMatching(/read-only location/) });
    expect(files(ro)).toEqual(before);
  });

  it('reads one left with a pending WAL by a crashed writer (its files already exist)', async () => {
    const ro = join(dir, 'ro-wal');
    mkdirSync(ro);
    const path = join(ro, 'nas.db');
    await populated(path);
    const s = await SqliteStorage.open(path);
    await s.createExperiment(experiment('in-the-wal'));
    // Copy the three files while the writer still holds them: what a kill -9 leaves behind.
    const copy = join(dir, 'copy');
    mkdirSync(copy);
    for (const f of readdirSync(ro)) writeFileSync(join(copy, f), readFileSync(join(ro, f)));
    await s.close();
    expect(statSync(join(copy, 'nas.db-wal')).size).toBeGreaterThan(0);
    for (const f of readdirSync(copy)) chmodSync(join(copy, f), 0o444);
    chmodSync(copy, 0o555);
    const before = files(copy);
    const read = run(join(copy, 'nas.db'), 'read');
    expect(read).toMatchObject({ ok: true, immutable: false });
    expect(read.names?.sort()).toEqual(['in-the-wal', 'kept']);
    expect(Object.keys(files(copy))).toEqual(Object.keys(before));
    closeSync(openSync(join(copy, 'nas.db'), 'r'));
  });
});
