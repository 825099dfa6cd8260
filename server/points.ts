/**
 * Every finished trial of an experiment, read page by page (storage pages hold at most 10,000
 * records) and kept in columns: objectives, the other scalar metrics, the design choices
 * (server/design.ts) and membership of THE front (core/front.ts, over all objectives). Finished
 * trials are immutable and never deleted, so the set only changes when the finished count changes:
 * that count is the cache key, which lets the scatter, front, history, filters and downloads share
 * one read of a 50,000-trial experiment.
 */
import { frontIndices } from '../core/front.ts';
import type { Direction } from '../core/types.ts';
import type { Storage } from '../storage/storage.ts';
import type { ExperimentRecord } from '../storage/types.ts';
import { DESIGN_COLUMNS, designOf, presetOf, type DesignValue } from './design.ts';

export interface PointColumns {
  readonly experimentId: number;
  readonly objectives: readonly string[];
  readonly directions: readonly Direction[];
  readonly ids: number[];
  readonly numbers: number[];
  readonly feasible: boolean[];
  /** values[k][i]: objective k of trial i (null when the trial did not report it). */
  readonly values: (number | null)[][];
  /** Other scalar metrics by name (per-layer `layers.*` entries excluded). */
  readonly metrics: Map<string, (number | null)[]>;
  readonly design: Readonly<Record<string, DesignValue[]>>;
  /** Row indices on the Pareto front over all objectives, ascending. */
  readonly front: readonly number[];
  readonly onFront: boolean[];
}

const PAGE = 10_000;
export const PER_LAYER = /^layers?[.:/]/;

async function load(storage: Storage, exp: ExperimentRecord): Promise<PointColumns> {
  const names = exp.objectives.map((o) => o.name);
  const preset = presetOf(exp.config);
  const ids: number[] = [];
  const numbers: number[] = [];
  const feasible: boolean[] = [];
  const values: (number | null)[][] = names.map(() => []);
  const metrics = new Map<string, (number | null)[]>();
  const design: Record<string, DesignValue[]> = Object.fromEntries(DESIGN_COLUMNS.map((c) => [c.name, []]));
  const seen = new Set<number>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await storage.listTrials({ experimentId: exp.id, state: 'finished', sort: 'id', order: 'asc', limit: PAGE, offset });
    for (const t of page.items) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      const row = ids.length;
      ids.push(t.id);
      numbers.push(t.number);
      feasible.push(t.feasible !== false);
      const m = t.metrics ?? {};
      names.forEach((n, k) => {
        const v = m[n];
        (values[k] as (number | null)[]).push(typeof v === 'number' && Number.isFinite(v) ? v : null);
      });
      for (const [k, v] of Object.entries(m)) {
        if (names.includes(k) || PER_LAYER.test(k) || typeof v !== 'number' || !Number.isFinite(v)) continue;
        let col = metrics.get(k);
        if (!col) metrics.set(k, (col = new Array<number | null>(row).fill(null)));
        col[row] = v;
      }
      const d = designOf(t.arch, t.hw, preset);
      for (const c of DESIGN_COLUMNS) (design[c.name] as DesignValue[]).push(d[c.name] ?? null);
    }
    if (page.items.length < PAGE) break;
  }
  for (const col of metrics.values()) while (col.length < ids.length) col.push(null);
  const directions = exp.objectives.map((o) => o.direction);
  const front = frontIndices(ids.map((_, i) => ({ feasible: feasible[i] as boolean, values: values.map((c) => c[i]) })), directions);
  const onFront = ids.map(() => false);
  for (const i of front) onFront[i] = true;
  return { experimentId: exp.id, objectives: names, directions, ids, numbers, feasible, values, metrics, design, front, onFront };
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
