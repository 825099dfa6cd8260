/**
 * How commands reach `--db` (an SQLite file or a postgres:// URL; storage/open-store.ts picks the
 * store): every command classifies its database for what it will do (read, write or create) before
 * any expensive work, then opens it. Commands that create results say on stderr when they created a
 * new file or initialised an empty one.
 */
import { NotFoundError } from '../core/errors.ts';
import type { DatabaseCheck, OpenMode } from '../storage/classify.ts';
import { checkStore, openStore } from '../storage/open-store.ts';
import { SCHEMA_VERSION } from '../storage/schema.ts';
import { SqliteStorage } from '../storage/sqlite.ts';
import type { Storage } from '../storage/storage.ts';
import type { ExperimentSummary } from '../storage/types.ts';

/** The cheap up-front check (nothing is created or written); throws StorageError, exit 7. */
export function checkDb(db: string, mode: OpenMode): Promise<DatabaseCheck> {
  return checkStore(db, mode);
}

export async function openDb(db: string, mode: OpenMode): Promise<Storage> {
  const s = await openStore(db, { mode });
  if (!(s instanceof SqliteStorage)) return s;
  const { state, path } = s.opened;
  if (state === 'missing') process.stderr.write(`nas: created a new database at ${path} (schema version ${SCHEMA_VERSION})\n`);
  if (state === 'empty') process.stderr.write(`nas: initialised the empty file ${path} as a nas-codesign database (schema version ${SCHEMA_VERSION})\n`);
  return s;
}

/** Runs `fn` with the database open in `mode`, closing it afterwards whatever happens. */
export async function withDbOpen<T>(db: string, mode: OpenMode, fn: (s: Storage) => Promise<T>): Promise<T> {
  const s = await openDb(db, mode);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** An experiment by name or numeric id, as users type either. */
export async function findExperiment(storage: Storage, ref: string): Promise<ExperimentSummary> {
  const all = await storage.listExperiments();
  const found = all.find((e) => e.name === ref) ?? (/^\d+$/.test(ref) ? all.find((e) => e.id === Number(ref)) : undefined);
  if (!found) throw new NotFoundError('experiment', ref, `in ${storage.location} (\`nas experiments ls --db ${storage.location}\` lists them)`);
  return found;
}
