/**
 * Filters over an experiment's finished trials: numeric ranges on any objective, metric or design
 * column, sets of values on categorical design columns, feasibility and front membership. The UI's
 * range inputs and parallel-coordinates brushing both send one `filter` JSON object, e.g.
 * {"accuracy":[85,null],"dataflow":["ws","os"]}; the table, its counts and the downloads all use
 * the same evaluation, so what is shown, counted and downloaded agree.
 */
import { z } from 'zod';
import type { DesignValue } from './design.ts';
import { HttpError } from './http-errors.ts';
import type { PointColumns } from './points.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;
const bound = z.number().finite().nullable();
const condition = z.union([z.tuple([bound, bound]), z.array(z.string().max(64)).min(1).max(100)]);

export type Condition = z.infer<typeof condition>;
export type FilterSpec = Readonly<Record<string, Condition>>;

const specSchema = z.record(z.string().regex(NAME, 'must be a column name'), condition).refine((r) => Object.keys(r).length <= 32, 'at most 32 columns');

/** Parses the `filter` query value (JSON); errors are 400s naming `filter` or `filter.<column>`. */
export function parseFilter(raw: string | undefined): FilterSpec {
  if (raw === undefined || raw === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'filter: must be a JSON object of column → [min, max] or [values…]', 'filter');
  }
  const r = specSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = ['filter', ...(issue?.path ?? []).slice(0, 1).map(String)].join('.');
    throw new HttpError(400, `${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  return r.data;
}

export type Getter = (row: number) => DesignValue;

/** The column called `name` of the cached trials (objective, other metric or design choice). */
export function columnOf(cols: PointColumns, name: string): Getter | undefined {
  const k = cols.objectives.indexOf(name);
  if (k >= 0) {
    const c = cols.values[k] as (number | null)[];
    return (i) => c[i] ?? null;
  }
  const m = cols.metrics.get(name);
  if (m) return (i) => m[i] ?? null;
  const d = cols.design[name];
  if (d) return (i) => d[i] ?? null;
  return undefined;
}

export function columnNames(cols: PointColumns): string[] {
  return [...cols.objectives, ...cols.metrics.keys(), ...Object.keys(cols.design)];
}

export function satisfies(v: DesignValue, c: Condition): boolean {
  if (c.length === 2 && (c[0] === null || typeof c[0] === 'number') && (c[1] === null || typeof c[1] === 'number')) {
    if (typeof v !== 'number') return false;
    return (c[0] === null || v >= c[0]) && (c[1] === null || v <= c[1]);
  }
  return v !== null && (c as readonly string[]).includes(String(v));
}

export interface RowQuery {
  readonly filter: FilterSpec;
  readonly feasible?: boolean;
  /** Only trials on the Pareto front (over all objectives). */
  readonly front?: boolean;
}

/** Row indices of the cached trials that pass every condition, in row (id) order. */
export function matchRows(cols: PointColumns, q: RowQuery): number[] {
  const checks = Object.entries(q.filter).map(([name, c]) => {
    const get = columnOf(cols, name);
    if (!get) throw new HttpError(400, `filter.${name}: no such column (known: ${columnNames(cols).join(', ')})`, `filter.${name}`);
    return (i: number) => satisfies(get(i), c);
  });
  const out: number[] = [];
  for (let i = 0; i < cols.ids.length; i++) {
    if (q.feasible !== undefined && cols.feasible[i] !== q.feasible) continue;
    if (q.front && !cols.onFront[i]) continue;
    if (checks.every((ok) => ok(i))) out.push(i);
  }
  return out;
}

/** Sorts rows by a column (missing values last in both directions, ties by trial id ascending). */
export function sortRows(cols: PointColumns, rows: number[], key: string, order: 'asc' | 'desc'): number[] {
  const builtin: Record<string, Getter> = { id: (i) => cols.ids[i] ?? null, number: (i) => cols.numbers[i] ?? null };
  const get = builtin[key] ?? columnOf(cols, key);
  if (!get) throw new HttpError(400, `sort: no such column "${key}"`, 'sort');
  const sign = order === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === null || y === null) return x === y ? (cols.ids[a] as number) - (cols.ids[b] as number) : x === null ? 1 : -1;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return d !== 0 ? sign * d : (cols.ids[a] as number) - (cols.ids[b] as number);
  });
}
