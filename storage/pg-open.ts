/**
 * Opening a PostgreSQL store safely, the PostgreSQL twin of open.ts: everything is refused before
 * anything is written — an unreachable server, a schema holding another program's tables (no
 * `nas_meta`, or one that is not ours), a schema newer than this code — and readers never migrate
 * (an older schema is refused: "open it once read-write"). Writers then migrate forward, one
 * migration per transaction together with its version bump, under an advisory lock, so two
 * processes opening a fresh database at once do not both create the tables.
 */
import { isNasError, NoDatabaseError, SchemaVersionError, StorageError } from '../core/errors.ts';
import type { DatabaseCheck, OpenMode } from './classify.ts';
import type { DatabaseInfo } from './inspect.ts';
import { PgDb, type PgDbOptions } from './pg-db.ts';
import { PG_APPLICATION, PG_META, PG_MIGRATIONS } from './pg-schema.ts';
import { SCHEMA_VERSION } from './schema.ts';
import type { SqlTx } from './sql-db.ts';

if (PG_MIGRATIONS.length !== SCHEMA_VERSION || PG_MIGRATIONS.some((m, i) => m.version !== i + 1)) {
  throw new Error('storage/pg-schema.ts: PG_MIGRATIONS must be numbered 1..SCHEMA_VERSION like the SQLite migrations');
}

export interface PgFound {
  /** Whether the schema exists at all (a missing `?schema=` is created by writers). */
  readonly schemaExists: boolean;
  readonly application: string | null;
  readonly version: number;
  /** Tables in the schema other than ours. */
  readonly tables: number;
}

/** What the schema holds, read without writing. */
export async function inspectPg(tx: SqlTx, schema: string | null): Promise<PgFound> {
  const name = schema ?? (await tx.get<{ s: string | null }>('SELECT current_schema() AS s'))?.s ?? 'public';
  const exists = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM pg_namespace WHERE nspname = ?', [name]))!.n > 0;
  if (!exists) return { schemaExists: false, application: null, version: 0, tables: 0 };
  const tables = (await tx.get<{ n: number }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = ?", [name]))!.n;
  const hasMeta = (await tx.get<{ n: number }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = ? AND tablename = 'nas_meta'", [name]))!.n > 0;
  if (!hasMeta) return { schemaExists: true, application: null, version: 0, tables };
  const rows = await tx.all<{ key: string; value: string }>('SELECT key, value FROM nas_meta');
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  return { schemaExists: true, application: meta.get('application') ?? null, version: Number(meta.get('schema_version') ?? 0), tables };
}

function check(path: string, found: PgFound): void {
  if (found.application === null ? found.tables > 0 : found.application !== PG_APPLICATION) {
    throw new StorageError(path, `not a nas-codesign database: the schema holds ${found.tables} other table(s) and no nas-codesign marker; nothing was modified (choose another database or ?schema=)`, { tables: found.tables });
  }
  if (found.version > SCHEMA_VERSION) throw new SchemaVersionError(path, found.version, SCHEMA_VERSION);
}

async function migrate(db: PgDb): Promise<void> {
  for (;;) {
    const done = await db.transaction(async (tx) => {
      // one migrator per schema at a time; the version is re-read under the lock
      await tx.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`${db.schemaKey}.migrate`]);
      const found = await inspectPg(tx, db.target.schema);
      check(db.path, found);
      if (!found.schemaExists) await tx.run(`CREATE SCHEMA ${db.target.schema}`);
      if (found.application === null) await tx.run(PG_META);
      if (found.version >= SCHEMA_VERSION) return true;
      await tx.run(PG_MIGRATIONS[found.version]!.sql);
      await tx.run("UPDATE nas_meta SET value = ? WHERE key = 'schema_version'", [String(found.version + 1)]);
      return false;
    });
    if (done) return;
  }
}

/** Connects, checks and (unless read-only) migrates; the returned driver is ready for PgStorage. */
export async function openPg(url: string, options: PgDbOptions = {}): Promise<PgDb> {
  const db = PgDb.create(url, { reconnectMs: 0, ...options });
  try {
    const found = await db.read((tx) => inspectPg(tx, db.target.schema));
    check(db.path, found);
    if (options.readonly) {
      if (!found.schemaExists || found.application === null) throw new StorageError(db.path, 'no nas-codesign database here yet (cannot create it in read-only mode)');
      if (found.version < SCHEMA_VERSION) throw new StorageError(db.path, `schema version ${found.version} is older than ${SCHEMA_VERSION}; open it once read-write to migrate`, { found: found.version });
    } else {
      await migrate(db);
    }
  } catch (e) {
    await db.close();
    throw e;
  }
  await db.close();
  // the checks ran without retries (an unreachable server at start is a clear error, not a wait);
  // the store itself reconnects with backoff
  return PgDb.create(url, options);
}

/** `nas doctor` on a PostgreSQL URL: what is there and what opening it would do, without writing. */
export async function inspectPgDatabase(url: string): Promise<DatabaseInfo> {
  const db = PgDb.create(url, { readonly: true, reconnectMs: 0 });
  const base = { path: db.path, supportedVersion: SCHEMA_VERSION };
  try {
    const found = await db.read((tx) => inspectPg(tx, db.target.schema));
    if (!found.schemaExists || found.application === null) {
      const foreign = found.tables > 0 ? `not a nas-codesign database (${found.tables} other table(s) in the schema)` : null;
      return { ...base, exists: false, schemaVersion: null, problem: foreign, note: foreign ? null : 'no nas-codesign tables yet: `nas search` creates them' };
    }
    const problem = found.application !== PG_APPLICATION ? `not a nas-codesign database (application ${found.application})`
      : found.version > SCHEMA_VERSION ? `schema version ${found.version} is newer than supported ${SCHEMA_VERSION}`
      : null;
    const note = problem === null && found.version < SCHEMA_VERSION ? `will be migrated from version ${found.version} to ${SCHEMA_VERSION} on the next write` : null;
    return { ...base, exists: true, schemaVersion: found.version, problem, note };
  } catch (e) {
    return { ...base, exists: false, schemaVersion: null, problem: isNasError(e) ? e.message : String(e), note: null };
  } finally {
    await db.close();
  }
}

/**
 * The PostgreSQL side of the commands' up-front check (classify.ts `checkDatabase` for files): the
 * server is reachable and the schema is ours and not newer; a reader needs it to exist at the
 * current version. Nothing is created or written.
 */
export async function checkPg(url: string, mode: OpenMode): Promise<DatabaseCheck> {
  const db = PgDb.create(url, { readonly: true, reconnectMs: 0 });
  try {
    const found = await db.read((tx) => inspectPg(tx, db.target.schema));
    check(db.path, found);
    const present = found.schemaExists && found.application !== null;
    if (mode !== 'create' && !present) throw new NoDatabaseError(db.path, ' (no nas-codesign tables in this database/schema yet: `nas search` creates them)');
    if (mode === 'read' && found.version < SCHEMA_VERSION) {
      throw new StorageError(db.path, `schema version ${found.version} is older than ${SCHEMA_VERSION}; open it once read-write to migrate`, { found: found.version });
    }
    return { path: db.path, state: present ? 'database' : 'missing', version: found.version, walPending: false, writable: true, dirExists: true, mode, immutable: false };
  } finally {
    await db.close();
  }
}
