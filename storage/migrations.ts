/**
 * Forward migrations: migration N brings a database from version N-1 to N, each in its own
 * BEGIN IMMEDIATE transaction together with the `user_version` bump, so a crash mid-upgrade leaves
 * a consistent older version that the next open continues from. There are no down-migrations: a
 * database newer than this code is refused (SchemaVersionError) before anything is written.
 */
import { SchemaVersionError } from '../core/errors.ts';
import type { Connection } from './connection.ts';
import { StorageError } from '../core/errors.ts';
import { SCHEMA_VERSION, V1_SEARCH, V2_MEASUREMENTS, V3_RUNS, V4_PREDICTED } from './schema.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'search results: experiments, objectives, trials, trial_values, strategy_state, events', sql: V1_SEARCH },
  { version: 2, name: 'measurements: luts, predictors, checkpoints; trials finished_at index', sql: V2_MEASUREMENTS },
  { version: 3, name: "runs: trial state 'interrupted', experiment status 'interrupted', experiments.runner (tables rebuilt)", sql: V3_RUNS },
  { version: 4, name: 'trials.predicted: a strategy\'s prediction, apart from the verified metrics', sql: V4_PREDICTED },
];

if (MIGRATIONS.length !== SCHEMA_VERSION || MIGRATIONS.some((m, i) => m.version !== i + 1)) {
  throw new Error('storage/migrations.ts: MIGRATIONS must be numbered 1..SCHEMA_VERSION');
}

export async function userVersion(conn: Connection): Promise<number> {
  const row = await conn.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/**
 * Apply the migrations after the database's version, up to `target` (tests stop early to build old
 * databases). Returns the versions before and after.
 */
export async function migrate(conn: Connection, target: number = SCHEMA_VERSION): Promise<{ from: number; to: number }> {
  let from = -1;
  // A migration that rebuilds a table must not let DROP TABLE cascade into the rows that reference
  // it: foreign keys are off while migrating (the pragma is a no-op inside a transaction, so it is
  // set around them) and checked before each migration commits.
  const fk = (await conn.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys === 1;
  if (fk) await conn.exec('PRAGMA foreign_keys = OFF');
  try {
    for (;;) {
      const done = await conn.transaction(async () => {
        // Read inside the write transaction: another process may have migrated since we looked.
        const v = await userVersion(conn);
        if (from < 0) from = v;
        if (v > SCHEMA_VERSION) throw new SchemaVersionError(conn.path, v, SCHEMA_VERSION);
        if (v >= target) return v;
        const m = MIGRATIONS[v]!;
        await conn.exec(m.sql);
        const broken = await conn.all<{ table: string }>('PRAGMA foreign_key_check');
        if (broken.length > 0) throw new StorageError(conn.path, `migration ${m.version} would leave ${broken.length} rows with dangling references (first in table ${broken[0]!.table}); nothing was changed`);
        await conn.exec(`PRAGMA user_version = ${m.version}`);
        return -1;
      });
      if (done >= 0) return { from, to: done };
    }
  } finally {
    if (fk) await conn.exec('PRAGMA foreign_keys = ON');
  }
}
