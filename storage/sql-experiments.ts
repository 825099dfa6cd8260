/**
 * Experiment-level statements of the SQL stores: experiments with their objectives, the strategy
 * snapshot and the event log. Like sql-trials.ts, these run inside the caller's lock or
 * transaction and take inputs the caller has already checked.
 */
import { NotFoundError } from '../core/errors.ts';
import type { Json } from '../core/types.ts';
import type { SqlTx as Connection } from './sql-db.ts';
import { runnerGone, runnerInfo, viewCounts, type RunEndStatus, type RunnerLease } from './runs.ts';
import {
  eventRecord, experimentRecord, snapshotRecord, type EventRow, type ExperimentRow, type ObjectiveRow, type SnapshotRow,
} from './sql-rows.ts';
import type { EventRecord, ExperimentRecord, ExperimentSummary, NewEvent, NewExperiment, SnapshotRecord } from './types.ts';
import { checkId } from './validate.ts';

/** Throws NotFoundError. */
export async function selectExperiment(db: Connection, id: number): Promise<ExperimentRecord> {
  const row = await db.get<ExperimentRow>('SELECT * FROM experiments WHERE id = ?', [checkId(id, 'experimentId')]);
  if (!row) throw new NotFoundError('experiment', id);
  const objectives = await db.all<ObjectiveRow>('SELECT * FROM objectives WHERE experiment_id = ? ORDER BY position', [id]);
  return experimentRecord(row, objectives);
}

export async function experimentIdByName(db: Connection, name: string): Promise<number | null> {
  return (await db.get<{ id: number }>('SELECT id FROM experiments WHERE name = ?', [name]))?.id ?? null;
}

/** Inserts a new experiment ('created') with its objectives; returns its id. */
export async function insertExperiment(db: Connection, e: NewExperiment, now: string): Promise<number> {
  const { id: lastID } = (await db.get<{ id: number }>(
    "INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'created', ?, ?) RETURNING id",
    [e.name, JSON.stringify(e.config), e.seed, e.space, now, now],
  ))!;
  for (const [i, o] of e.objectives.entries()) {
    await db.run('INSERT INTO objectives (experiment_id, position, name, unit, direction) VALUES (?, ?, ?, ?, ?)', [lastID, i, o.name, o.unit, o.direction]);
  }
  return lastID;
}

/** All experiments, newest first, with trial counts per state (as readers see them: runs.ts). */
export async function selectExperimentSummaries(db: Connection): Promise<readonly ExperimentSummary[]> {
  const rows = await db.all<ExperimentRow & { total: number; running: number; finished: number; failed: number; interrupted: number }>(
    `SELECT e.*, count(t.id) AS total, count(CASE t.state WHEN 'running' THEN 1 END) AS running,
       count(CASE t.state WHEN 'finished' THEN 1 END) AS finished, count(CASE t.state WHEN 'failed' THEN 1 END) AS failed,
       count(CASE t.state WHEN 'interrupted' THEN 1 END) AS interrupted
     FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id GROUP BY e.id ORDER BY e.id DESC`,
  );
  const objectives = await db.all<ObjectiveRow>('SELECT * FROM objectives ORDER BY experiment_id, position');
  return Object.freeze(rows.map((r) => {
    const e = experimentRecord(r, objectives.filter((o) => o.experiment_id === r.id));
    const counts = { total: r.total, running: r.running, finished: r.finished, failed: r.failed, interrupted: r.interrupted };
    return Object.freeze({ ...e, trials: Object.freeze(viewCounts(counts, runnerGone(e.runner))) });
  }));
}

/** Experiments whose stored state is a gone runner's: their running trials read 'interrupted'. */
export async function goneRuns(db: Connection): Promise<ReadonlySet<number>> {
  const rows = await db.all<{ id: number; runner: string }>('SELECT id, runner FROM experiments WHERE runner IS NOT NULL');
  return new Set(rows.filter((r) => runnerGone(runnerInfo(JSON.parse(r.runner) as RunnerLease))).map((r) => r.id));
}

/** The lease, status 'running', and interrupted (or left running) trials running again; returns those trials' ids by number. */
export async function startRun(db: Connection, id: number, lease: RunnerLease, now: string): Promise<number[]> {
  await db.run("UPDATE experiments SET status = 'running', runner = ?, updated_at = ? WHERE id = ?", [JSON.stringify(lease), now, id]);
  await db.run("UPDATE trials SET state = 'running' WHERE experiment_id = ? AND state = 'interrupted'", [id]);
  return (await db.all<{ id: number }>("SELECT id FROM trials WHERE experiment_id = ? AND state = 'running' ORDER BY number", [id])).map((r) => r.id);
}

/** Running trials → interrupted, the status, no lease; returns the number of trials interrupted. */
export async function stopRun(db: Connection, id: number, status: RunEndStatus, now: string): Promise<number> {
  const { changes } = await db.run("UPDATE trials SET state = 'interrupted' WHERE experiment_id = ? AND state = 'running'", [id]);
  await db.run('UPDATE experiments SET status = ?, runner = NULL, updated_at = ? WHERE id = ?', [status, now, id]);
  return changes;
}

/** Number of experiments changed (0: no such id). */
export async function updateExperimentStatus(db: Connection, id: number, status: string, now: string): Promise<number> {
  return (await db.run('UPDATE experiments SET status = ?, updated_at = ? WHERE id = ?', [status, now, checkId(id, 'experimentId')])).changes;
}

/** Replaces the experiment's snapshot, counting its completed trials at this moment. */
export async function upsertSnapshot(db: Connection, experimentId: number, state: Json, now: string): Promise<SnapshotRecord> {
  const done = await db.get<{ n: number }>("SELECT count(*) AS n FROM trials WHERE experiment_id = ? AND state IN ('finished', 'failed')", [experimentId]);
  await db.run(
    'INSERT INTO strategy_state (experiment_id, trial_count, state, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (experiment_id) DO UPDATE SET trial_count = excluded.trial_count, state = excluded.state, saved_at = excluded.saved_at',
    [experimentId, done!.n, JSON.stringify(state), now],
  );
  return (await selectSnapshot(db, experimentId))!;
}

export async function selectSnapshot(db: Connection, experimentId: number): Promise<SnapshotRecord | null> {
  const row = await db.get<SnapshotRow>('SELECT * FROM strategy_state WHERE experiment_id = ?', [experimentId]);
  return row ? snapshotRecord(row) : null;
}

/** Channel on which stores with listeners (PostgreSQL) announce new events: the payload is the event id. */
export const EVENTS_CHANNEL = 'nas_events';

/** Appends an event whose experiment (if any) the caller has checked; ids are committed in id order. */
export async function insertEvent(db: Connection, e: Required<NewEvent>, now: string): Promise<EventRecord> {
  await db.lock('events');
  const row = await db.get<EventRow>('INSERT INTO events (experiment_id, type, payload, created_at) VALUES (?, ?, ?, ?) RETURNING *', [e.experimentId, e.type, JSON.stringify(e.payload), now]);
  await db.notify(EVENTS_CHANNEL, String(row!.id));
  return eventRecord(row!);
}

/** Events with id > after in id order, optionally for one experiment. */
export async function selectEvents(db: Connection, after: number, limit: number, experimentId?: number): Promise<readonly EventRecord[]> {
  const byExp = experimentId !== undefined;
  const rows = await db.all<EventRow>(
    `SELECT * FROM events WHERE id > ? ${byExp ? 'AND experiment_id = ?' : ''} ORDER BY id LIMIT ?`,
    byExp ? [after, experimentId, limit] : [after, limit],
  );
  return Object.freeze(rows.map(eventRecord));
}
