/**
 * Bulk trial writes for SqliteStorage: a step's trials in one transaction with a fixed number of
 * round trips per trial (one INSERT or UPDATE), objective values in multi-row INSERTs and records
 * read back in one SELECT. Per-trial reads before and after every write (the first cut) made a
 * 100-trial step cost ~800 statements; these helpers run inside the caller's transaction.
 */
import { ConfigError, NotFoundError, StorageError } from '../core/errors.ts';
import type { Connection, Param } from './connection.ts';
import { TRIAL_COLUMNS, trialRecord, type TrialRow } from './sqlite-rows.ts';
import type { NewTrial, StepTrial, TrialRecord } from './types.ts';
import { checkId, type NormalOutcome } from './validate.ts';

/** A step item that inserts a trial (no trialId). */
export type NewStepTrial = Extract<StepTrial, { readonly trialId?: undefined }>;

/** SQLite's default host-parameter limit is 32,766; stay well below it. */
const CHUNK = 500;

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** The next free trial number of each experiment, read once and then counted locally. */
export class TrialNumbers {
  private readonly next = new Map<number, number>();
  constructor(private readonly db: Connection) {}
  async take(experimentId: number): Promise<number> {
    let n = this.next.get(experimentId);
    if (n === undefined) n = (await this.db.get<{ n: number }>('SELECT coalesce(max(number), 0) + 1 AS n FROM trials WHERE experiment_id = ?', [experimentId]))!.n;
    this.next.set(experimentId, n + 1);
    return n;
  }
}

function outcomeColumns(o: NormalOutcome | null, now: string): Param[] {
  if (o === null) return ['running', null, null, null, null, null];
  const timings = o.timings ? JSON.stringify(o.timings) : null;
  return o.state === 'finished'
    ? [o.state, JSON.stringify(o.metrics), o.feasible ? 1 : 0, timings, null, now]
    : [o.state, null, null, timings, o.error, now];
}

/** Inserts a trial (running, or already completed with `outcome`); returns its id. */
export async function insertTrialRow(db: Connection, numbers: TrialNumbers, t: Required<NewTrial>, outcome: NormalOutcome | null, now: string): Promise<number> {
  const number = await numbers.take(t.experimentId);
  const { lastID } = await db.run(
    'INSERT INTO trials (experiment_id, number, arch, hw, key, created_at, state, metrics, feasible, timings, error, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [t.experimentId, number, JSON.stringify(t.arch), t.hw === null ? null : JSON.stringify(t.hw), t.key, now, ...outcomeColumns(outcome, now)],
  );
  return lastID;
}

/** running → finished/failed for a trial already checked to be running. */
export async function completeTrialRow(db: Connection, id: number, o: NormalOutcome, now: string): Promise<void> {
  const [state, metrics, feasible, timings, error, finishedAt] = outcomeColumns(o, now);
  await db.run('UPDATE trials SET state = ?, metrics = ?, feasible = ?, timings = ?, error = ?, finished_at = ? WHERE id = ?', [state!, metrics!, feasible!, timings!, error!, finishedAt!, id]);
}

/** The objective values of finished trials, indexed one row per (trial, name) for sorting. */
export async function insertTrialValues(db: Connection, items: readonly { id: number; experimentId: number; outcome: NormalOutcome }[]): Promise<void> {
  const rows: Param[][] = [];
  for (const { id, experimentId, outcome } of items) {
    if (outcome.state === 'finished') for (const [name, value] of Object.entries(outcome.metrics)) rows.push([id, experimentId, name, value]);
  }
  for (const part of chunks(rows, CHUNK / 4)) {
    await db.run(`INSERT INTO trial_values (trial_id, experiment_id, name, value) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`, part.flat());
  }
}

/** Records of `ids`, in that order. */
export async function readTrials(db: Connection, ids: readonly number[]): Promise<TrialRecord[]> {
  const byId = new Map<number, TrialRecord>();
  for (const part of chunks(ids, CHUNK)) {
    const rows = await db.all<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) byId.set(r.id, trialRecord(r));
  }
  return ids.map((id) => {
    const t = byId.get(id);
    if (!t) throw new NotFoundError('trial', id);
    return t;
  });
}

/**
 * Checks every item of a step before anything is written, in item order, with the errors the
 * per-trial path gave: completions against the stored trials (one SELECT: unknown id, other
 * experiment, already completed or twice in this step), inserts through `checkInsert`.
 */
export async function checkStep(db: Connection, experimentId: number, items: readonly StepTrial[], checkInsert: (item: NewStepTrial, i: number) => void): Promise<void> {
  const ids = items.flatMap((t, i) => (t.trialId === undefined ? [] : [checkId(t.trialId, `step.trials[${i}].trialId`)]));
  const stored = new Map<number, { experiment_id: number; state: string }>();
  for (const part of chunks(ids, CHUNK)) {
    const rows = await db.all<{ id: number; experiment_id: number; state: string }>(`SELECT id, experiment_id, state FROM trials WHERE id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) stored.set(r.id, r);
  }
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (item.trialId === undefined) return checkInsert(item, i);
    const prev = stored.get(item.trialId);
    if (!prev) throw new NotFoundError('trial', item.trialId);
    if (prev.experiment_id !== experimentId) throw new ConfigError(`step.trials[${i}].trialId`, item.trialId, `belongs to experiment ${prev.experiment_id}, not ${experimentId}`);
    if (prev.state !== 'running' || seen.has(item.trialId)) {
      throw new StorageError(db.path, `trial ${item.trialId} is already ${seen.has(item.trialId) ? 'completed in this step' : prev.state}; finished trials are immutable`, { trialId: item.trialId });
    }
    seen.add(item.trialId);
  });
}
