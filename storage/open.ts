/**
 * Opening a database file safely: `checkDatabase` (classify.ts) refuses everything it can before
 * SQLite may write (missing or empty files for readers, foreign files, newer schemas, truncated files,
 * read-only locations for writers); only then the connection for the mode:
 * - read: SQLITE_OPEN_READONLY — or, in a location this process cannot write, an immutable connection
 *   (a WAL database otherwise needs to create -shm beside it); never migrates, every write throws;
 * - write / create: busy_timeout, WAL, synchronous=NORMAL, foreign keys, migrations.
 */
import { StorageError } from '../core/errors.ts';
import { checkDatabase, checkInspection, inspect, type DatabaseCheck, type OpenMode } from './classify.ts';
import { Connection, immutableUri, OPEN_READONLY, OPEN_READONLY_URI, OPEN_READWRITE, OPEN_READWRITE_CREATE } from './connection.ts';
import { migrate } from './migrations.ts';

export type { OpenMode, DatabaseCheck } from './classify.ts';
export { readHeader, type Header } from './header.ts';

export interface OpenOptions {
  /** What the caller will do (see classify.ts); default 'create', or 'read' when `readonly` is set. */
  readonly mode?: OpenMode;
  /** Shorthand for mode 'read' (UI server, many readers). */
  readonly readonly?: boolean;
  /** How long a statement waits for another connection's lock; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

export function modeOf(options: OpenOptions): OpenMode {
  return options.mode ?? (options.readonly ? 'read' : 'create');
}

function busyOf(file: string, options: OpenOptions): number {
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busy) || busy < 0) throw new StorageError(file, `busyTimeoutMs must be an integer >= 0 (got ${busy})`);
  return busy;
}

/** Opens the connection `check` (from checkDatabase) allows. */
export async function connect(check: DatabaseCheck, busy: number): Promise<Connection> {
  const { path } = check;
  if (check.mode === 'read') {
    const conn = check.immutable ? await Connection.open(path, OPEN_READONLY_URI, immutableUri(path)) : await Connection.open(path, OPEN_READONLY);
    try {
      await conn.exec(`PRAGMA busy_timeout = ${busy}`);
      // A writer may have migrated since the check looked.
      const found = await inspect(conn);
      checkInspection(path, found);
      return conn;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }
  const conn = await Connection.open(path, check.mode === 'create' ? OPEN_READWRITE_CREATE : OPEN_READWRITE);
  try {
    await conn.exec(`PRAGMA busy_timeout = ${busy}`);
    const mode = await conn.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
    if (mode?.journal_mode !== 'wal') throw new StorageError(path, `cannot switch to WAL journal mode (got ${mode?.journal_mode})`);
    // NORMAL is durable across application crashes in WAL mode; only an OS crash/power loss may lose the last commits.
    await conn.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
    await migrate(conn);
    return conn;
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}

/** Classifies, then opens: the connection and what the file was before (missing / empty / database). */
export async function openChecked(file: string, options: OpenOptions = {}): Promise<{ conn: Connection; check: DatabaseCheck }> {
  const busy = busyOf(file, options);
  const check = await checkDatabase(file, modeOf(options));
  return { conn: await connect(check, busy), check };
}

export async function openDatabase(file: string, options: OpenOptions = {}): Promise<Connection> {
  return (await openChecked(file, options)).conn;
}
