/** The database part of the bad-input corpus (test/fixtures/bad/db/cases.json), through the CLI and the library. */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SchemaVersionError, StorageError } from '../../core/errors.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { tempDir } from '../datasets/helpers.ts';
import { runCli } from './run.ts';

const fixtures = fileURLToPath(new URL('../fixtures/bad/db/', import.meta.url));
interface Case { file: string; error: 'StorageError' | 'SchemaVersionError'; problem: string }
const { cases } = JSON.parse(readFileSync(join(fixtures, 'cases.json'), 'utf8')) as { cases: Case[] };

describe('bad database corpus', () => {
  it.each(cases.map((c) => [c.file, c] as const))('%s: every entry point refuses it (exit 7), creating nothing beside it and leaving it untouched', async (_f, c) => {
    const { dir, done } = tempDir('nas-bad-db-');
    try {
      const db = join(dir, c.file);
      copyFileSync(join(fixtures, c.file), db);
      const original = readFileSync(db);
      const cls = c.error === 'SchemaVersionError' ? SchemaVersionError : StorageError;
      for (const readonly of [false, true]) {
        const err = await SqliteStorage.open(db, { readonly }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(cls);
        expect((err as Error).message).toMatch(new RegExp(c.problem));
        expect((err as StorageError).path).toBe(db);
      }
      const readers = [['experiments', 'ls', '--json'], ['experiments', 'show', '1'], ['trials', 'ls', '1'], ['lut', 'show'], ['export', '1', '1', '--out', join(dir, 'out')], ['ui', '--port', '0']];
      const writers = [['stop', '1'], ['resume', '1'], ['latency', 'validate'], ['lut', 'build']];
      for (const args of [...readers, ...writers]) {
        const r = await runCli(...args, '--db', db);
        expect(r.code).toBe(7);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(db);
        expect(r.stderr).toMatch(new RegExp(c.problem));
      }
      const run = await runCli('doctor', '--json', '--db', db);
      const doctor = JSON.parse(run.stdout) as { database: { problem: string | null } };
      expect(doctor.database.problem).toMatch(new RegExp(c.problem));
      expect(run.code).toBe(7);
      expect(readdirSync(dir)).toEqual([c.file]);
      expect(Buffer.compare(readFileSync(db), original)).toBe(0);
    } finally {
      done();
    }
  });
});
