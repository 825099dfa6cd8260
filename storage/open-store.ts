/**
 * The one place a `--db` value becomes a Storage, by its form: `postgres://…` / `postgresql://…`
 * opens PostgreSQL (pg.ts), anything else is an SQLite file path (sqlite.ts, with all of open.ts's
 * file checks). Every command and the UI server open their store through here.
 */
import { inspectDatabase, type DatabaseInfo } from './inspect.ts';
import { MemoryStorage } from './memory.ts';
import { readHeader } from './open.ts';
import { PgStorage } from './pg.ts';
import { inspectPgDatabase } from './pg-open.ts';
import { isPgUrl } from './pg-db.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './storage.ts';

export { isPgUrl } from './pg-db.ts';

export interface StoreOptions {
  /** Never creates, migrates or writes (UI server, listings). */
  readonly readonly?: boolean;
  /** PostgreSQL: how long a lost connection is retried before a call fails; default 60 s. */
  readonly reconnectMs?: number;
  /** PostgreSQL: told once per outage (commands print it on stderr). */
  readonly onReconnect?: (problem: string) => void;
}

const warn = (problem: string) => process.stderr.write(`nas: ${problem}\n`);

export async function openStore(location: string, options: StoreOptions = {}): Promise<Storage> {
  if (isPgUrl(location)) {
    return PgStorage.open(location, { readonly: options.readonly === true, reconnectMs: options.reconnectMs ?? 60_000, onReconnect: options.onReconnect ?? warn });
  }
  return SqliteStorage.open(location, { readonly: options.readonly === true });
}

/**
 * The store as it is now, for checks before a command writes anything: read-only when it exists,
 * an empty MemoryStorage when there is nothing there yet (a new file, a fresh PostgreSQL schema).
 */
export async function openReader(location: string): Promise<Storage> {
  if (isPgUrl(location)) {
    const pg = await PgStorage.open(location, { readonly: true, reconnectMs: 0 }).catch((e: unknown) => {
      if (e instanceof Error && /no nas-codesign database here yet/.test(e.message)) return null;
      throw e;
    });
    return pg ?? new MemoryStorage();
  }
  const header = await readHeader(location);
  return header && header.size > 0 ? SqliteStorage.open(location, { readonly: true }) : new MemoryStorage();
}

/** What `nas doctor` reports about a --db, for either kind, without creating or writing anything. */
export function inspectStore(location: string): Promise<DatabaseInfo> {
  return isPgUrl(location) ? inspectPgDatabase(location) : inspectDatabase(location);
}
