/**
 * The trial table of MemoryStorage: frozen records by id, per-experiment counts kept in step with
 * them (so a step stays O(1) in the number of stored trials), queries, and a step's trial changes
 * planned in full before any is applied (what makes `commitStep` atomic in memory). Experiments are
 * checked by the caller; inputs arrive already checked (`checkNewTrialCopy`, `checkOutcome`).
 */
import { NotFoundError } from '../core/errors.ts';
import { compareTrials, completion, deepFreeze, foreignInsert, foreignTrial, immutableTrial } from './records.ts';
import { viewTrial } from './runs.ts';
import type { NewTrial, Page, StepTrial, TrialCounts, TrialQuery, TrialRecord, TrialState } from './types.ts';

const isDone = (s: TrialState) => s === 'finished' || s === 'failed';
const NONE: ReadonlySet<number> = new Set();
import { checkId, checkNewTrialCopy, checkQuery, type NormalOutcome } from './validate.ts';

/** One trial change of a step: a completion (already numbered and with its id) or an insert. */
export interface PlannedTrial {
  readonly insert: boolean;
  readonly rec: TrialRecord;
}

export class MemoryTrials {
  private readonly trials = new Map<number, TrialRecord>();
  private readonly counts = new Map<number, { total: number; done: number }>();
  private seq = 0;

  constructor(private readonly location: string, private readonly now: () => string) {}

  /** Trials of the experiment, all states. */
  total(experimentId: number): number {
    return this.counts.get(experimentId)?.total ?? 0;
  }

  /** Completed (finished + failed) trials of the experiment. */
  done(experimentId: number): number {
    return this.counts.get(experimentId)?.done ?? 0;
  }

  /** Trial counts per stored state of every experiment that has trials. */
  stateCounts(): Map<number, TrialCounts> {
    const counts = new Map<number, { total: number; running: number; finished: number; failed: number; interrupted: number }>();
    for (const t of this.trials.values()) {
      const c = counts.get(t.experimentId) ?? { total: 0, running: 0, finished: 0, failed: 0, interrupted: 0 };
      c.total++;
      c[t.state]++;
      counts.set(t.experimentId, c);
    }
    return counts;
  }

  /** A record from an already checked input (`checkNewTrialCopy`: arch and hw are frozen copies). */
  private newTrial(t: Required<NewTrial>, number: number, outcome: NormalOutcome | null): TrialRecord {
    const now = this.now();
    return deepFreeze({
      id: 0, experimentId: t.experimentId, number, state: outcome?.state ?? 'running',
      arch: t.arch, hw: t.hw, key: t.key, predicted: t.predicted,
      ...completion(outcome, now), createdAt: now,
    });
  }

  private store(rec: TrialRecord): void {
    const prev = this.trials.get(rec.id);
    const c = this.counts.get(rec.experimentId) ?? { total: 0, done: 0 };
    if (!prev) c.total++;
    c.done += (isDone(rec.state) ? 1 : 0) - (prev && isDone(prev.state) ? 1 : 0);
    this.counts.set(rec.experimentId, c);
    this.trials.set(rec.id, rec);
  }

  /** Inserts running trials, numbered in input order. */
  start(checked: readonly Required<NewTrial>[]): TrialRecord[] {
    return checked.map((t) => {
      const rec = deepFreeze({ ...this.newTrial(t, this.total(t.experimentId) + 1, null), id: ++this.seq });
      this.store(rec);
      return rec;
    });
  }

  /** The completed record of a running trial, not stored yet; `pending` are completions earlier in the same step. */
  private completed(id: number, outcome: NormalOutcome, pending: ReadonlySet<number>): TrialRecord {
    const prev = this.trials.get(checkId(id, 'trialId'));
    if (!prev) throw new NotFoundError('trial', id);
    if (prev.state !== 'running' || pending.has(id)) throw immutableTrial(this.location, id, pending.has(id) ? 'completed in this step' : prev.state);
    return deepFreeze({ ...prev, ...completion(outcome, this.now()), state: outcome.state });
  }

  /** running → finished/failed. */
  complete(id: number, outcome: NormalOutcome): TrialRecord {
    const rec = this.completed(id, outcome, new Set());
    this.store(rec);
    return rec;
  }

  /** `gone`: experiments whose running trials read 'interrupted' (runs.ts); without it, the stored state. */
  get(id: number, gone: ReadonlySet<number> = NONE): TrialRecord {
    const rec = this.trials.get(checkId(id, 'trialId'));
    if (!rec) throw new NotFoundError('trial', id);
    return viewTrial(rec, gone.has(rec.experimentId));
  }

  private matching(query: TrialQuery, gone: ReadonlySet<number>): TrialRecord[] {
    const q = checkQuery(query);
    const out: TrialRecord[] = [];
    for (const stored of this.trials.values()) {
      if (q.experimentId !== null && stored.experimentId !== q.experimentId) continue;
      const t = viewTrial(stored, gone.has(stored.experimentId));
      if ((q.states === null || q.states.includes(t.state)) && (q.feasible === null || t.feasible === q.feasible)) out.push(t);
    }
    return out;
  }

  list(query: TrialQuery, gone: ReadonlySet<number> = NONE): Page<TrialRecord> {
    const q = checkQuery(query);
    const all = this.matching(query, gone).sort(compareTrials(q.sort, q.order));
    return deepFreeze({ items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset });
  }

  count(query: TrialQuery, gone: ReadonlySet<number> = NONE): number {
    return this.matching(query, gone).length;
  }

  /** A run starts: the experiment's interrupted trials run again; returns all its running trials by number. */
  takeOver(experimentId: number): TrialRecord[] {
    const out: TrialRecord[] = [];
    for (const t of this.trials.values()) {
      if (t.experimentId !== experimentId || (t.state !== 'running' && t.state !== 'interrupted')) continue;
      const rec = t.state === 'running' ? t : deepFreeze({ ...t, state: 'running' as const });
      this.store(rec);
      out.push(rec);
    }
    return out.sort((a, b) => a.number - b.number);
  }

  /** A run ends: the experiment's running trials become interrupted; returns how many. */
  interrupt(experimentId: number): number {
    let n = 0;
    for (const t of this.trials.values()) {
      if (t.experimentId !== experimentId || t.state !== 'running') continue;
      this.store(deepFreeze({ ...t, state: 'interrupted' as const }));
      n++;
    }
    return n;
  }

  /** Every trial change of a step, checked in item order, without touching the store: any throw leaves it unchanged. */
  planStep(experimentId: number, items: readonly StepTrial[], outcomes: readonly NormalOutcome[]): PlannedTrial[] {
    const planned: PlannedTrial[] = [];
    const pending = new Set<number>();
    let number = this.total(experimentId);
    items.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (item.trialId !== undefined) {
        const rec = this.completed(item.trialId, outcome, pending);
        if (rec.experimentId !== experimentId) throw foreignTrial(i, item.trialId, rec.experimentId, experimentId);
        pending.add(rec.id);
        planned.push({ insert: false, rec });
      } else {
        const t = checkNewTrialCopy(item, `step.trials[${i}]`);
        if (t.experimentId !== experimentId) throw foreignInsert(i, item.experimentId, experimentId);
        planned.push({ insert: true, rec: this.newTrial(t, ++number, outcome) });
      }
    });
    return planned;
  }

  /** Stores a planned step (inserts get their ids here). */
  applyStep(planned: readonly PlannedTrial[]): TrialRecord[] {
    return planned.map(({ insert, rec }) => {
      const stored = insert ? deepFreeze({ ...rec, id: ++this.seq }) : rec;
      this.store(stored);
      return stored;
    });
  }
}
