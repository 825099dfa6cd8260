/**
 * The work queue's tables, in the same PostgreSQL schema as the store (so a job's results and the
 * trials they become live in one database, and a job row is deleted with its experiment). The queue
 * keeps its own version (`queue_version` in nas_meta) apart from the store's schema version, so the
 * Storage contract's version means the same on SQLite and PostgreSQL.
 *
 * nas_jobs: one row per unit of work, unique by `key` — `eval/<experiment>/<step>/<index>` for a
 *   candidate (the coordinator's deterministic position, never arrival order), `lut/<device>/…`,
 *   `map/…`. A job needs a code version, and optionally a checkpoint hash and a device label; only a
 *   worker that has them claims it. `lease_until` (server clock) is renewed by the holder's heartbeat;
 *   a running job whose lease passed is claimable again (attempts counts the claims).
 * nas_workers: one row per worker process — host, kinds, versions, heartbeat, current jobs, counts —
 *   what `nas workers ls` and the UI show, and how a coordinator knows whether anyone will help.
 */
import { StorageError } from '../core/errors.ts';
import type { PgDb } from '../storage/pg-db.ts';

const V1 = `
CREATE TABLE nas_jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text COLLATE "C" NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('eval','lut','map')),
  experiment_id integer REFERENCES experiments(id) ON DELETE CASCADE,
  step integer,
  idx integer,
  payload text NOT NULL,
  code_version text NOT NULL,
  checkpoint_sha text,
  device text,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  worker text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz,
  finished_at timestamptz,
  result text,
  error text,
  provenance text
);
CREATE INDEX nas_jobs_open ON nas_jobs (kind, id) WHERE state IN ('queued','running');
CREATE INDEX nas_jobs_step ON nas_jobs (experiment_id, step, idx);
CREATE TABLE nas_workers (
  id text COLLATE "C" PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  kinds text NOT NULL,
  device text,
  code_version text NOT NULL,
  checkpoints text NOT NULL,
  backend text NOT NULL,
  concurrency integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  current_jobs text NOT NULL DEFAULT '[]',
  done integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  refused integer NOT NULL DEFAULT 0,
  note text,
  stopped_at timestamptz
);
`;

const QUEUE_MIGRATIONS = [V1];
export const QUEUE_VERSION = QUEUE_MIGRATIONS.length;

/**
 * Brings the queue tables to QUEUE_VERSION (the store must already be open, i.e. migrated). A
 * read-only store is only checked; it returns false when the queue was never created there.
 */
export async function migrateQueue(db: PgDb): Promise<boolean> {
  if (db.readonly) {
    const v = await db.read(async (tx) => Number((await tx.get<{ value: string }>("SELECT value FROM nas_meta WHERE key = 'queue_version'"))?.value ?? 0));
    if (v === 0) return false;
    if (v !== QUEUE_VERSION) throw new StorageError(db.path, `work queue version ${v}, this nas-codesign uses ${QUEUE_VERSION}; open it read-write once (a worker or search does)`);
    return true;
  }
  for (;;) {
    const done = await db.transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`${db.schemaKey}.migrate`]);
      const v = Number((await tx.get<{ value: string }>("SELECT value FROM nas_meta WHERE key = 'queue_version'"))?.value ?? 0);
      if (v > QUEUE_VERSION) throw new StorageError(db.path, `work queue version ${v} is newer than this nas-codesign supports (${QUEUE_VERSION}); upgrade nas-codesign`, { found: v });
      if (v === QUEUE_VERSION) return true;
      await tx.run(QUEUE_MIGRATIONS[v]!);
      await tx.run("INSERT INTO nas_meta (key, value) VALUES ('queue_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(v + 1)]);
      return false;
    });
    if (done) return true;
  }
}
