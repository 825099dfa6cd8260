/**
 * The objective values of every finished trial of an experiment, read page by page (storage pages
 * hold at most 10,000 records) and kept in columns. Finished trials are immutable and never deleted,
 * so the set only changes when the finished count changes: that count is the cache key, which lets
 * the scatter, front and history routes share one read of a 50,000-trial experiment.
 */
import type { Storage } from '../storage/storage.ts';
import type { ExperimentRecord } from '../storage/types.ts';

export interface PointColumns {
  readonly experimentId: number;
  readonly objectives: readonly string[];
  readonly ids: number[];
  readonly numbers: number[];
  readonly feasible: boolean[];
  /** values[k][i]: objective k of trial i (null when the trial did not report it). */
  readonly values: (number | null)[][];
}

const PAGE = 10_000;

async function load(storage: Storage, exp: ExperimentRecord): Promise<PointColumns> {
  const names = exp.objectives.map((o) => o.name);
  const cols: PointColumns = { experimentId: exp.id, objectives: names, ids: [], numbers: [], feasible: [], values: names.map(() => []) };
  const seen = new Set<number>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await storage.listTrials({ experimentId: exp.id, state: 'finished', sort: 'id', order: 'asc', limit: PAGE, offset });
    for (const t of page.items) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      cols.ids.push(t.id);
      cols.numbers.push(t.number);
      cols.feasible.push(t.feasible !== false);
      names.forEach((n, k) => {
        const v = t.metrics?.[n];
        (cols.values[k] as (number | null)[]).push(typeof v === 'number' && Number.isFinite(v) ? v : null);
      });
    }
    if (page.items.length < PAGE) break;
  }
  return cols;
}

export class PointCache {
  private readonly entries = new Map<number, { finished: number; cols: Promise<PointColumns> }>();

  constructor(private readonly storage: Storage, private readonly capacity = 4) {}

  async get(exp: ExperimentRecord): Promise<PointColumns> {
    const finished = await this.storage.countTrials({ experimentId: exp.id, state: 'finished' });
    const hit = this.entries.get(exp.id);
    if (hit && hit.finished === finished) {
      // Re-insert to mark as most recently used.
      this.entries.delete(exp.id);
      this.entries.set(exp.id, hit);
      return hit.cols;
    }
    const cols = load(this.storage, exp);
    this.entries.set(exp.id, { finished, cols });
    cols.catch(() => this.entries.delete(exp.id));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as number);
    return cols;
  }
}
