/**
 * Trial statements of the SQL stores (SQLite and PostgreSQL). A step's trials are written in one transaction with a fixed
 * number of round trips per trial (one INSERT or UPDATE), objective values in multi-row INSERTs and
 * records read back in one SELECT. Per-trial reads before and after every write (the first cut)
 * made a 100-trial step cost ~800 statements. Also single-trial completion and the trial list
 * reads. These helpers run inside the caller's lock or transaction.
 */
import { NotFoundError } from '../core/errors.ts';
import type { Param, SqlTx as Connection } from './sql-db.ts';
import { foreignInsert, foreignTrial, immutableTrial } from './records.ts';
import { NO_RUNS, TRIAL_COLUMNS, trialPageQuery, trialRecord, trialWhere, type TrialRow } from './sql-rows.ts';
import type { NewTrial, Page, StepTrial, TrialRecord } from './types.ts';
import { checkId, checkNewTrial, type NormalOutcome, type NormalQuery } from './validate.ts';

/** SQLite's default host-parameter limit is 32,766; stay well below it. */
const CHUNK = 500;

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** The next free trial number of each experiment, read once and then counted locally. */
class TrialNumbers {
  private readonly next = new Map<number, number>();
  constructor(private readonly db: Connection) {}
  async take(experimentId: number): Promise<number> {
    let n = this.next.get(experimentId);
    if (n === undefined) {
      // Until the transaction ends no other writer numbers trials of this experiment.
      await this.db.lock({ experiment: experimentId });
      n = (await this.db.get<{ n: number }>('SELECT coalesce(max(number), 0) + 1 AS n FROM trials WHERE experiment_id = ?', [experimentId]))!.n;
    }
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
async function insertTrialRow(db: Connection, numbers: TrialNumbers, t: Required<NewTrial>, outcome: NormalOutcome | null, now: string): Promise<number> {
  const number = await numbers.take(t.experimentId);
  const row = await db.get<{ id: number }>(
    'INSERT INTO trials (experiment_id, number, arch, hw, key, predicted, created_at, state, metrics, feasible, timings, error, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [t.experimentId, number, JSON.stringify(t.arch), t.hw === null ? null : JSON.stringify(t.hw), t.key, t.predicted === null ? null : JSON.stringify(t.predicted), now, ...outcomeColumns(outcome, now)],
  );
  return row!.id;
}

/** Inserts running trials of checked experiments, numbered in input order. */
export async function insertRunningTrials(db: Connection, checked: readonly Required<NewTrial>[], now: string): Promise<TrialRecord[]> {
  const numbers = new TrialNumbers(db);
  const ids: number[] = [];
  for (const t of checked) ids.push(await insertTrialRow(db, numbers, t, null, now));
  return readTrials(db, ids);
}

/** running → finished/failed for a trial already checked to be running. */
async function completeTrialRow(db: Connection, id: number, o: NormalOutcome, now: string): Promise<void> {
  const [state, metrics, feasible, timings, error, finishedAt] = outcomeColumns(o, now);
  await db.run('UPDATE trials SET state = ?, metrics = ?, feasible = ?, timings = ?, error = ?, finished_at = ? WHERE id = ?', [state!, metrics!, feasible!, timings!, error!, finishedAt!, id]);
}

/** The objective values of finished trials, indexed one row per (trial, name) for sorting. */
async function insertTrialValues(db: Connection, items: readonly { id: number; experimentId: number; outcome: NormalOutcome }[]): Promise<void> {
  const rows: Param[][] = [];
  for (const { id, experimentId, outcome } of items) {
    if (outcome.state === 'finished') for (const [name, value] of Object.entries(outcome.metrics)) rows.push([id, experimentId, name, value]);
  }
  for (const part of chunks(rows, CHUNK / 4)) {
    await db.run(`INSERT INTO trial_values (trial_id, experiment_id, name, value) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')}`, part.flat());
  }
}

/** Records of `ids`, in that order (`gone`: experiments whose running trials read 'interrupted'). */
export async function readTrials(db: Connection, ids: readonly number[], gone: ReadonlySet<number> = NO_RUNS): Promise<TrialRecord[]> {
  const byId = new Map<number, TrialRecord>();
  for (const part of chunks(ids, CHUNK)) {
    const rows = await db.all<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) byId.set(r.id, trialRecord(r, gone));
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
 * experiment, already completed or twice in this step), inserts against the step's experiment and
 * the trial checks. Returns the checked inserts by item index.
 */
async function checkStep(db: Connection, experimentId: number, items: readonly StepTrial[]): Promise<Map<number, Required<NewTrial>>> {
  const ids = items.flatMap((t, i) => (t.trialId === undefined ? [] : [checkId(t.trialId, `step.trials[${i}].trialId`)]));
  const stored = new Map<number, { experiment_id: number; state: string }>();
  for (const part of chunks(ids, CHUNK)) {
    const rows = await db.all<{ id: number; experiment_id: number; state: string }>(`SELECT id, experiment_id, state FROM trials WHERE id IN (${part.map(() => '?').join(', ')})`, part);
    for (const r of rows) stored.set(r.id, r);
  }
  const inserts = new Map<number, Required<NewTrial>>();
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (item.trialId === undefined) {
      if (item.experimentId !== experimentId) throw foreignInsert(i, item.experimentId, experimentId);
      inserts.set(i, checkNewTrial(item, `step.trials[${i}]`));
      return;
    }
    const prev = stored.get(item.trialId);
    if (!prev) throw new NotFoundError('trial', item.trialId);
    if (prev.experiment_id !== experimentId) throw foreignTrial(i, item.trialId, prev.experiment_id, experimentId);
    if (prev.state !== 'running' || seen.has(item.trialId)) throw immutableTrial(db.path, item.trialId, seen.has(item.trialId) ? 'completed in this step' : prev.state);
    seen.add(item.trialId);
  });
  return inserts;
}

/**
 * A step's trials: every item checked (`checkStep`), then inserted (already completed) or
 * completed, with their objective values. Returns the trial ids in item order.
 */
export async function writeStepTrials(db: Connection, experimentId: number, items: readonly StepTrial[], outcomes: readonly NormalOutcome[], now: () => string): Promise<number[]> {
  const inserts = await checkStep(db, experimentId, items);
  const at = now();
  const numbers = new TrialNumbers(db);
  const done: { id: number; experimentId: number; outcome: NormalOutcome }[] = [];
  for (const [i, item] of items.entries()) {
    const outcome = outcomes[i]!;
    const t = inserts.get(i);
    let id: number;
    if (t) id = await insertTrialRow(db, numbers, t, outcome, at);
    else await completeTrialRow(db, (id = item.trialId!), outcome, at);
    done.push({ id, experimentId, outcome });
  }
  await insertTrialValues(db, done);
  return done.map((d) => d.id);
}

/** Throws NotFoundError. Without `gone`, the stored state. */
export async function selectTrial(db: Connection, id: number, gone: ReadonlySet<number> = NO_RUNS): Promise<TrialRecord> {
  const row = await db.get<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.id = ?`, [checkId(id, 'trialId')]);
  if (!row) throw new NotFoundError('trial', id);
  return trialRecord(row, gone);
}

/** running → finished/failed, with its objective values indexed in trial_values. */
export async function completeTrial(db: Connection, id: number, o: NormalOutcome, now: () => string): Promise<TrialRecord> {
  const prev = await selectTrial(db, id);
  if (prev.state !== 'running') throw immutableTrial(db.path, id, prev.state);
  await completeTrialRow(db, id, o, now());
  await insertTrialValues(db, [{ id, experimentId: prev.experimentId, outcome: o }]);
  return selectTrial(db, id);
}

export async function countTrialRows(db: Connection, q: Pick<NormalQuery, 'experimentId' | 'states' | 'feasible'>, gone: ReadonlySet<number> = NO_RUNS): Promise<number> {
  const where = trialWhere(q, gone);
  return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM trials t ${where.sql}`, where.params))!.n;
}

/** One page and its total; the caller runs it in one snapshot so both agree. */
export async function selectTrialPage(db: Connection, q: NormalQuery, gone: ReadonlySet<number> = NO_RUNS): Promise<Page<TrialRecord>> {
  const page = trialPageQuery(q, gone);
  const rows = await db.all<TrialRow>(page.sql, page.params);
  const total = await countTrialRows(db, q, gone);
  return Object.freeze({ items: Object.freeze(rows.map((r) => trialRecord(r, gone))), total, limit: q.limit, offset: q.offset });
}
