/**
 * The one place a `--db` value becomes a Storage, by its form: `postgres://…` / `postgresql://…`
 * opens PostgreSQL (pg.ts), anything else is an SQLite file path (sqlite.ts, with classify.ts's file
 * checks). Every command (through cli/open-db.ts), the UI server and the workers open their store
 * through here; `checkStore` is the cheap up-front check of either kind.
 */
import { checkDatabase, type DatabaseCheck, type OpenMode } from './classify.ts';
import { inspectDatabase, type DatabaseInfo } from './inspect.ts';
import { PgStorage } from './pg.ts';
import { isPgUrl } from './pg-db.ts';
import { checkPg, inspectPgDatabase } from './pg-open.ts';
import { SqliteStorage } from './sqlite.ts';
import type { Storage } from './storage.ts';

export { isPgUrl } from './pg-db.ts';

export interface StoreOptions {
  /** What the caller will do (classify.ts): 'read' never creates, migrates or writes. Default 'create'. */
  readonly mode?: OpenMode;
  /** PostgreSQL: how long a lost connection is retried before a call fails; default 60 s. */
  readonly reconnectMs?: number;
  /** PostgreSQL: told once per outage (default: a line on stderr). */
  readonly onReconnect?: (problem: string) => void;
}

const warn = (problem: string) => process.stderr.write(`nas: ${problem}\n`);

export async function openStore(location: string, options: StoreOptions = {}): Promise<Storage> {
  const mode = options.mode ?? 'create';
  if (isPgUrl(location)) {
    if (mode !== 'create') await checkPg(location, mode);
    return PgStorage.open(location, { readonly: mode === 'read', reconnectMs: options.reconnectMs ?? 60_000, onReconnect: options.onReconnect ?? warn });
  }
  return SqliteStorage.open(location, { mode });
}

/** The cheap check before expensive work: nothing is created or written (exit 7 on a problem). */
export function checkStore(location: string, mode: OpenMode): Promise<DatabaseCheck> {
  return isPgUrl(location) ? checkPg(location, mode) : checkDatabase(location, mode);
}

/** What `nas doctor` reports about a --db, for either kind, without creating or writing anything. */
export function inspectStore(location: string): Promise<DatabaseInfo> {
  return isPgUrl(location) ? inspectPgDatabase(location) : inspectDatabase(location);
}
