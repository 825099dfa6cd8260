/**
 * Opening a database file safely. Every refusal happens before SQLite may write anything:
 * 1. plain fs checks: a directory, a missing parent directory, a non-SQLite header
 *    ("SQLite format 3\0"), or a header whose user_version is newer than ours — no SQLite involved;
 * 2. a read-only SQLite connection re-reads version and application_id (the header can lag behind
 *    an un-checkpointed WAL) and refuses newer schemas and other programs' databases;
 * 3. write permission of the file and its directory (WAL needs to create -wal/-shm beside it);
 * only then the read-write connection: busy_timeout, WAL, synchronous=NORMAL, foreign keys, migrations.
 */
import { constants } from 'node:fs';
import { access, open as openFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SchemaVersionError, StorageError } from '../core/errors.ts';
import { Connection, OPEN_READONLY, OPEN_READWRITE_CREATE } from './connection.ts';
import { migrate, userVersion } from './migrations.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.ts';

export interface OpenOptions {
  /** Open with SQLITE_OPEN_READONLY (UI server, many readers): never migrates, every write throws. */
  readonly readonly?: boolean;
  /** How long a statement waits for another connection's lock; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface Header {
  readonly size: number;
  readonly userVersion: number;
  readonly applicationId: number;
}

/** The file's SQLite header fields, read with plain fs (null when the file does not exist). */
export async function readHeader(path: string): Promise<Header | null> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(path, `cannot access the database file: ${(e as Error).message}`, {}, { cause: e });
  }
  if (st.isDirectory()) throw new StorageError(path, 'is a directory, not a database file');
  if (!st.isFile()) throw new StorageError(path, 'is not a regular file');
  if (st.size === 0) return { size: 0, userVersion: 0, applicationId: 0 };
  const buf = Buffer.alloc(100);
  const fh = await openFile(path, 'r').catch((e: Error) => {
    throw new StorageError(path, `cannot read the database file: ${e.message}`, {}, { cause: e });
  });
  try {
    const { bytesRead } = await fh.read(buf, 0, 100, 0);
    if (bytesRead < 100 || !buf.subarray(0, 16).equals(MAGIC)) {
      throw new StorageError(path, 'not an SQLite database (the file header is not "SQLite format 3"); the file was not modified');
    }
  } finally {
    await fh.close();
  }
  return { size: st.size, userVersion: buf.readUInt32BE(60), applicationId: buf.readInt32BE(68) };
}

async function checkWritable(path: string, dir: string, exists: boolean): Promise<void> {
  try {
    await access(dir, constants.W_OK);
    if (exists) await access(path, constants.W_OK);
  } catch (e) {
    const what = (e as NodeJS.ErrnoException).path === dir ? `directory ${dir} is not writable` : 'the file is not writable';
    throw new StorageError(path, `read-only location: ${what} (${(e as NodeJS.ErrnoException).code}); open it read-only or choose another --db`, {}, { cause: e });
  }
}

function checkVersion(path: string, version: number, appId: number, hasTables: boolean): void {
  if (appId !== APPLICATION_ID && (hasTables || version > 0)) {
    throw new StorageError(path, `not a nas-codesign database (SQLite application_id ${appId}); the file was not modified`, { applicationId: appId });
  }
  if (version > SCHEMA_VERSION) throw new SchemaVersionError(path, version, SCHEMA_VERSION);
}

export async function inspect(conn: Connection): Promise<{ version: number; appId: number; hasTables: boolean }> {
  const version = await userVersion(conn);
  const app = await conn.get<{ application_id: number }>('PRAGMA application_id');
  const tables = await conn.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'");
  return { version, appId: app?.application_id ?? 0, hasTables: (tables?.n ?? 0) > 0 };
}

export async function openDatabase(file: string, options: OpenOptions = {}): Promise<Connection> {
  const busy = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busy) || busy < 0) throw new StorageError(file, `busyTimeoutMs must be an integer >= 0 (got ${busy})`);
  const path = resolve(file);
  const dir = dirname(path);
  const header = await readHeader(path);
  if (header === null) {
    if (options.readonly) throw new StorageError(path, 'database does not exist (cannot create it in read-only mode)');
    const dirStat = await stat(dir).catch(() => null);
    if (!dirStat?.isDirectory()) throw new StorageError(path, `directory ${dir} does not exist`);
  } else {
    checkVersion(path, header.userVersion, header.applicationId, false);
  }

  if (header !== null && header.size > 0) {
    const ro = await Connection.open(path, OPEN_READONLY);
    let keep = false;
    try {
      await ro.exec(`PRAGMA busy_timeout = ${busy}`);
      const found = await inspect(ro);
      checkVersion(path, found.version, found.appId, found.hasTables);
      if (options.readonly) {
        if (found.version < SCHEMA_VERSION) {
          throw new StorageError(path, `schema version ${found.version} is older than ${SCHEMA_VERSION}; open it once read-write to migrate`, { found: found.version });
        }
        keep = true;
        return ro;
      }
    } finally {
      if (!keep) await ro.close();
    }
  } else if (options.readonly) {
    throw new StorageError(path, 'database is empty (cannot initialize it in read-only mode)');
  }

  await checkWritable(path, dir, header !== null);
  const conn = await Connection.open(path, OPEN_READWRITE_CREATE);
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
