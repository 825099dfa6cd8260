/**
 * Classifying a database file before any command does expensive work with it, and before SQLite may
 * write anything beside it. `checkDatabase(path, mode)` answers, or throws a StorageError (exit 7):
 *
 * - 'read'   (experiments, trials, lut show, export, ui): the file must exist (else "no database at
 *            PATH"), be a non-empty nas-codesign database of the current schema, and be whole;
 * - 'write'  (stop, resume, latency validate): the same, may be an older schema (migrated on open),
 *            and the file and its directory must be writable (WAL creates -wal/-shm beside it);
 * - 'create' (search, lut build, supernet train, predictor train): also accepts a missing file in a
 *            writable directory, or an empty one — the result says which, so the command can say so.
 *
 * Nothing here creates a file: the first look through SQLite uses an `immutable=1` connection (no
 * locks, no -wal/-shm) unless a non-empty -wal already exists (then its changes must be read).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { NoDatabaseError, SchemaVersionError, StorageError } from '../core/errors.ts';
import { Connection, immutableUri, OPEN_READONLY, OPEN_READONLY_URI } from './connection.ts';
import { EMPTY_HEADER, readHeader, truncation, type Header } from './header.ts';
import { MIGRATIONS, userVersion } from './migrations.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.ts';

export type OpenMode = 'read' | 'write' | 'create';

/** What a file is, as far as it can be known without writing anything. */
export interface DatabaseFacts {
  readonly path: string;
  /** 'empty': a 0-byte file, or an SQLite file with no tables and no version (nothing of anyone's in it). */
  readonly state: 'missing' | 'empty' | 'database';
  /** user_version (0 when missing or empty). */
  readonly version: number;
  /** A -wal file with content exists beside it (a writer is running or crashed). */
  readonly walPending: boolean;
  /** This process may create files in the directory (and write the file, when it exists). */
  readonly writable: boolean;
  /** False when the parent directory does not exist (state is then 'missing'). */
  readonly dirExists: boolean;
}

export interface DatabaseCheck extends DatabaseFacts {
  readonly mode: OpenMode;
  /** Read mode in a location this process cannot write: the reader opens it immutable (nothing is created). */
  readonly immutable: boolean;
}

async function canWrite(p: string): Promise<boolean> {
  return access(p, constants.W_OK).then(() => true, () => false);
}

function checkVersion(path: string, version: number, appId: number, hasTables: boolean): void {
  if (appId !== APPLICATION_ID && (hasTables || version > 0)) {
    throw new StorageError(path, `not a nas-codesign database (SQLite application_id ${appId}); the file was not modified`, { applicationId: appId });
  }
  if (version > SCHEMA_VERSION) throw new SchemaVersionError(path, version, SCHEMA_VERSION);
}

/**
 * Tables each schema version must have, replaying the migrations' DDL in order: CREATE TABLE adds a
 * table, DROP TABLE removes it, ALTER TABLE … RENAME TO renames it (a rebuilt table, e.g. migration 3,
 * is created under a temporary name, the old one dropped and the new one renamed into its place).
 */
function expectedTables(version: number): string[] {
  const tables = new Set<string>();
  const ddl = /CREATE TABLE (\w+)|DROP TABLE (\w+)|ALTER TABLE (\w+) RENAME TO (\w+)/g;
  for (const m of MIGRATIONS.slice(0, version)) {
    for (const [, created, dropped, from, to] of m.sql.matchAll(ddl)) {
      if (created) tables.add(created);
      if (dropped) tables.delete(dropped);
      if (from && to) {
        tables.delete(from);
        tables.add(to);
      }
    }
  }
  return [...tables];
}

export interface Inspection {
  readonly version: number;
  readonly appId: number;
  readonly tables: readonly string[];
}

export async function inspect(conn: Connection): Promise<Inspection> {
  const version = await userVersion(conn);
  const app = await conn.get<{ application_id: number }>('PRAGMA application_id');
  const rows = await conn.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'");
  return { version, appId: app?.application_id ?? 0, tables: rows.map((r) => r.name) };
}

/** Refuses what no mode may open: foreign files, newer schemas, missing tables. */
export function checkInspection(path: string, found: Inspection): void {
  checkVersion(path, found.version, found.appId, found.tables.length > 0);
  const missing = expectedTables(found.version).filter((t) => !found.tables.includes(t));
  if (missing.length > 0) throw new StorageError(path, `the schema is incomplete for version ${found.version} (missing tables: ${missing.join(', ')}); the file was not modified`);
}

async function sqliteLook(path: string, walPending: boolean): Promise<Inspection> {
  // A pending WAL holds committed changes an immutable connection would not see; its files exist already.
  const conn = walPending ? await Connection.open(path, OPEN_READONLY) : await Connection.open(path, OPEN_READONLY_URI, immutableUri(path));
  try {
    const found = await inspect(conn);
    checkInspection(path, found);
    return found;
  } finally {
    await conn.close();
  }
}

/** Everything that can be learnt about `file` without writing; throws StorageError for files no mode may open. */
export async function examineDatabase(file: string): Promise<DatabaseFacts> {
  const path = resolve(file);
  const dir = dirname(path);
  const header: Header | null = await readHeader(path);
  if (header === null) {
    const d = await stat(dir).catch(() => null);
    const dirExists = d?.isDirectory() ?? false;
    return { path, state: 'missing', version: 0, walPending: false, writable: dirExists && (await canWrite(dir)), dirExists };
  }
  const writable = (await canWrite(dir)) && (await canWrite(path));
  if (header === EMPTY_HEADER) return { path, state: 'empty', version: 0, walPending: false, writable, dirExists: true };
  checkVersion(path, header.userVersion, header.applicationId, false);
  const wal = await stat(`${path}-wal`).catch(() => null);
  const walPending = (wal?.size ?? 0) > 0;
  if (!walPending) {
    const cut = truncation(header);
    if (cut) throw new StorageError(path, `${cut}; the file was not modified`);
  }
  const found = await sqliteLook(path, walPending);
  const state = found.version === 0 && found.tables.length === 0 ? 'empty' : 'database';
  return { path, state, version: found.version, walPending, writable, dirExists: true };
}

const CREATE_HINT = (path: string, what = 'creates one') => `; \`nas search --db ${path}\` ${what}`;

/** Classifies `file` for `mode`; throws StorageError (exit 7) when the mode cannot use it. Writes nothing. */
export async function checkDatabase(file: string, mode: OpenMode): Promise<DatabaseCheck> {
  const facts = await examineDatabase(file);
  const { path } = facts;
  const dir = dirname(path);
  if (mode !== 'create' && facts.state === 'missing') {
    throw new NoDatabaseError(path, facts.dirExists ? ` (nothing was created${CREATE_HINT(path)})` : ` (directory ${dir} does not exist)`);
  }
  if (!facts.dirExists) throw new StorageError(path, `directory ${dir} does not exist; create it first or choose another --db`);
  if (mode !== 'create' && facts.state === 'empty') {
    throw new StorageError(path, `is an empty file, not an initialised database (the file was not modified${CREATE_HINT(path, 'initialises it')})`);
  }
  if (mode === 'read') {
    if (facts.version < SCHEMA_VERSION) {
      throw new StorageError(path, `schema version ${facts.version} is older than ${SCHEMA_VERSION}; open it once read-write (e.g. \`nas resume\`) to migrate`, { found: facts.version });
    }
    if (!facts.writable && facts.walPending && !(await stat(`${path}-shm`).catch(() => null))) {
      throw new StorageError(path, `has un-checkpointed changes in ${path}-wal but its directory is read-only; open it once where it can be written`);
    }
    return { ...facts, mode, immutable: !facts.writable && !facts.walPending };
  }
  if (!facts.writable) {
    const what = (await canWrite(dir)) ? 'the file is not writable' : `directory ${dir} is not writable`;
    throw new StorageError(path, `read-only location: ${what}; read commands still work, or choose another --db`);
  }
  return { ...facts, mode, immutable: false };
}
