/**
 * One promisified sqlite3 connection. node-sqlite3 would interleave statements of concurrent async
 * callers inside one connection (so a BEGIN of one caller would swallow another's writes); every
 * unit of work therefore runs under `exclusive`, a FIFO lock, and `transaction` wraps it in
 * BEGIN IMMEDIATE … COMMIT (IMMEDIATE takes the write lock up front, so WAL never fails a
 * read-then-write transaction with SQLITE_BUSY_SNAPSHOT; busy_timeout covers the wait).
 */
import { pathToFileURL } from 'node:url';
import sqlite3 from 'sqlite3';
import { StorageError } from '../core/errors.ts';
import type { Param, SqlDb, SqlTx } from './sql-db.ts';

export type { Param } from './sql-db.ts';

export interface RunResult {
  readonly lastID: number;
  readonly changes: number;
}

export const OPEN_READONLY = sqlite3.OPEN_READONLY;
export const OPEN_READONLY_URI = sqlite3.OPEN_READONLY | sqlite3.OPEN_URI;
export const OPEN_READWRITE = sqlite3.OPEN_READWRITE;
export const OPEN_READWRITE_CREATE = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;

/**
 * The URI that opens `path` as immutable (https://www.sqlite.org/uri.html): no locks, no -wal/-shm,
 * the only way to read a WAL database in a directory nobody can write. Only for files no one writes.
 */
export function immutableUri(path: string): string {
  return `${pathToFileURL(path).href}?immutable=1`;
}

export class Connection implements SqlDb, SqlTx {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly db: sqlite3.Database, readonly path: string, readonly readonly: boolean) {}

  /** `filename` is what SQLite opens (a URI with OPEN_URI); `path` names the file in errors. */
  static open(path: string, mode: number, filename: string = path): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(filename, mode, (err) => {
        if (err) reject(wrap(path, err, 'cannot open database'));
        else resolve(new Connection(db, path, (mode & sqlite3.OPEN_READWRITE) === 0));
      });
    });
  }

  run(sql: string, params: readonly Param[] = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    }).catch((e: unknown) => Promise.reject(wrap(this.path, e, 'query failed'))) as Promise<RunResult>;
  }

  get<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.db.get<T>(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
    }).catch((e: unknown) => Promise.reject(wrap(this.path, e, 'query failed')));
  }

  all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      this.db.all<T>(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    }).catch((e: unknown) => Promise.reject(wrap(this.path, e, 'query failed')));
  }

  exec(sql: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve()));
    }).catch((e: unknown) => Promise.reject(wrap(this.path, e, 'statement failed')));
  }

  /** Run `fn` with the connection to itself (FIFO). Calls from inside `fn` must not re-enter. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      if (this.closed) throw new StorageError(this.path, 'storage is closed');
      return fn();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `fn` inside BEGIN IMMEDIATE … COMMIT; any throw rolls everything back and rethrows. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.within('BEGIN IMMEDIATE', fn));
  }

  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.exclusive(() => fn(this));
  }

  /** A deferred read transaction: every statement of `fn` sees the same snapshot. */
  snapshot<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.within('BEGIN', fn));
  }

  private async within<T>(begin: string, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    await this.exec(begin);
    try {
      const out = await fn(this);
      await this.exec('COMMIT');
      return out;
    } catch (e) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async schemaVersion(): Promise<number> {
    return this.read(async () => (await this.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0);
  }

  /** Every write transaction holds SQLite's database write lock (BEGIN IMMEDIATE) already. */
  async lock(): Promise<void> {}

  /** Readers of an SQLite file poll; there is no one to notify. */
  async notify(): Promise<void> {}

  /** True once close() has been called (work queued before it still runs). */
  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** Waits for queued work, then closes; idempotent, also for concurrent callers (they share one close). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue;
      this.closed = true;
      await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(wrap(this.path, err, 'close failed')) : resolve())));
    })();
    return this.closing;
  }
}

/** Turn a sqlite3 error into a StorageError naming the file; NasErrors pass through unchanged. */
export function wrap(path: string, e: unknown, what: string): Error {
  if (e instanceof StorageError || (e instanceof Error && 'kind' in e)) return e;
  const err = e as Error & { code?: string };
  const code = err?.code ?? 'UNKNOWN';
  const hint =
    code === 'SQLITE_NOTADB' ? 'not an SQLite database'
    : code === 'SQLITE_READONLY' ? 'read-only location: the database cannot be written'
    : code === 'SQLITE_BUSY' ? 'database is locked by another writer (busy timeout expired)'
    : code === 'SQLITE_CANTOPEN' ? 'cannot open the file (missing directory or no permission)'
    : code === 'SQLITE_CORRUPT' ? 'the database file is corrupt'
    : what;
  return new StorageError(path, `${hint}: ${err?.message ?? String(e)}`, { code }, { cause: e });
}
