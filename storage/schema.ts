/**
 * The SQLite schema (DESIGN.md §6), as the DDL of each numbered migration. The version lives in
 * `PRAGMA user_version` (page 1 of the file, so it can be read without SQLite), and
 * `PRAGMA application_id` marks the file as ours so another program's SQLite file is not "migrated".
 *
 * JSON values are TEXT columns. Objective values are also stored one row per (trial, name) in
 * `trial_values` so the UI can sort 50,000 trials by any objective through an index.
 * Timestamps are ISO-8601 TEXT written by the application clock (the memory store uses the same).
 */

/** 'NASC' as a big-endian int32. */
export const APPLICATION_ID = 0x4e415343;

/** v1: experiments and search results — the tables a search writes on every step. */
export const V1_SEARCH = `
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL,
  seed INTEGER NOT NULL,
  space TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('created','running','paused','finished','failed','stopped')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE objectives (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('min','max')),
  PRIMARY KEY (experiment_id, position),
  UNIQUE (experiment_id, name)
);
CREATE TABLE trials (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running','finished','failed')),
  arch TEXT NOT NULL,
  hw TEXT,
  key TEXT,
  metrics TEXT,
  feasible INTEGER CHECK (feasible IN (0,1)),
  timings TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  UNIQUE (experiment_id, number)
);
CREATE INDEX trials_experiment_state ON trials (experiment_id, state);
CREATE INDEX trials_key ON trials (experiment_id, key);
CREATE TABLE trial_values (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  experiment_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (trial_id, name)
) WITHOUT ROWID;
CREATE INDEX trial_values_sort ON trial_values (experiment_id, name, value);
-- Defence in depth for the "finished trials are immutable" invariant.
CREATE TRIGGER trials_completed_immutable BEFORE UPDATE ON trials WHEN OLD.state <> 'running'
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
CREATE TABLE strategy_state (
  experiment_id INTEGER PRIMARY KEY REFERENCES experiments(id) ON DELETE CASCADE,
  trial_count INTEGER NOT NULL,
  state TEXT NOT NULL,
  saved_at TEXT NOT NULL
);
-- AUTOINCREMENT: event ids are SSE ids and must never be reused.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment_id INTEGER REFERENCES experiments(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX events_experiment ON events (experiment_id, id);
PRAGMA application_id = ${APPLICATION_ID};
`;

/** v2: measurement artifacts — latency LUT with provenance, predictors, supernet checkpoints. */
export const V2_MEASUREMENTS = `
CREATE TABLE luts (
  backend TEXT NOT NULL,
  tfjs_version TEXT NOT NULL,
  cpu_model TEXT NOT NULL,
  threads INTEGER NOT NULL,
  batch_size INTEGER NOT NULL,
  key TEXT NOT NULL,
  median_ms REAL NOT NULL,
  mean_ms REAL NOT NULL,
  std_ms REAL NOT NULL,
  spread_ms REAL NOT NULL,
  count INTEGER NOT NULL,
  measured_at TEXT NOT NULL,
  PRIMARY KEY (backend, tfjs_version, cpu_model, threads, batch_size, key)
);
CREATE TABLE predictors (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  metadata TEXT NOT NULL,
  blob BLOB,
  path TEXT,
  sha256 TEXT,
  created_at TEXT NOT NULL,
  CHECK ((blob IS NULL) <> (path IS NULL))
);
CREATE INDEX predictors_kind ON predictors (kind, id);
CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  dataset TEXT NOT NULL,
  epochs REAL NOT NULL,
  accuracy_largest REAL NOT NULL,
  accuracy_smallest REAL NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX checkpoints_dataset ON checkpoints (dataset, id);
CREATE INDEX trials_experiment_finished ON trials (experiment_id, finished_at);
`;

/**
 * v3: a run's in-flight trials end as 'interrupted' (not 'running' forever) and an experiment
 * records the process running it (`runner`, JSON {host, pid, start}; storage/runs.ts). SQLite
 * cannot alter a CHECK constraint, so both tables are rebuilt (SQLite's documented 12-step
 * procedure; migrate() runs it with foreign keys off and checks them before committing). Ids are
 * kept, so every row that references them stays valid. An interrupted trial may still be taken over
 * and completed: only finished and failed trials are immutable.
 */
export const V3_RUNS = `
CREATE TABLE experiments_v3 (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL,
  seed INTEGER NOT NULL,
  space TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('created','running','paused','finished','failed','stopped','interrupted')),
  runner TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO experiments_v3 (id, name, config, seed, space, status, runner, created_at, updated_at)
  SELECT id, name, config, seed, space, status, NULL, created_at, updated_at FROM experiments;
DROP TABLE experiments;
ALTER TABLE experiments_v3 RENAME TO experiments;
CREATE TABLE trials_v3 (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running','finished','failed','interrupted')),
  arch TEXT NOT NULL,
  hw TEXT,
  key TEXT,
  metrics TEXT,
  feasible INTEGER CHECK (feasible IN (0,1)),
  timings TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  UNIQUE (experiment_id, number)
);
INSERT INTO trials_v3 (id, experiment_id, number, state, arch, hw, key, metrics, feasible, timings, error, created_at, finished_at)
  SELECT id, experiment_id, number, state, arch, hw, key, metrics, feasible, timings, error, created_at, finished_at FROM trials;
DROP TABLE trials;
ALTER TABLE trials_v3 RENAME TO trials;
CREATE INDEX trials_experiment_state ON trials (experiment_id, state);
CREATE INDEX trials_key ON trials (experiment_id, key);
CREATE INDEX trials_experiment_finished ON trials (experiment_id, finished_at);
CREATE TRIGGER trials_completed_immutable BEFORE UPDATE ON trials WHEN OLD.state IN ('finished','failed')
BEGIN SELECT RAISE(ABORT, 'finished trials are immutable'); END;
`;

/** v4: a trial's prediction (what a surrogate strategy expected before verifying it), kept apart from its metrics. */
export const V4_PREDICTED = `
ALTER TABLE trials ADD COLUMN predicted TEXT;
`;

/** Latest schema version: the number of migrations. Kept here (not computed) so readers need not load migrations. */
export const SCHEMA_VERSION = 4;
