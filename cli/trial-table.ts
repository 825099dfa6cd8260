/**
 * Trials as a text table, shared by the search's Pareto front and `nas trials ls`: one column per
 * objective with its unit in the header and fixed decimals per column (every row of a column has the
 * same number of decimals, chosen for four significant digits of its largest value, so `85.00` sits
 * above `84.40`, never `85`); `value ± se` where a trial carries a standard error for the objective
 * (metric `<name>_se`); and the accelerator spelled out column by column, with area and EDP, plus a
 * legend line that says what the abbreviations mean. A surrogate search's prediction (made before the
 * trial was verified) gets its own PREDICTED column, labelled as such, never mixed with the verified
 * values.
 */
import type { HwConfig, Metrics, Objective } from '../core/types.ts';
import { accelArch, archAreaMm2, type AccelConfig } from '../hardware/index.ts';
import type { TrialRecord } from '../storage/types.ts';
import { predictionOf } from '../platform/surrogate-report.ts';
import { formatTable, type Column } from './context.ts';

/** Decimals that show four significant digits of the column's largest magnitude (0–6). */
export function columnDecimals(values: readonly (number | null | undefined)[]): number {
  let max = 0;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  if (max === 0) return 2;
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(max))));
}

const fixed = (v: number | null | undefined, d: number): string | null => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : null);

/** A numeric column: header with unit, fixed decimals over all `rows`, optional `± se` in the same decimals. */
export function numberColumn<T>(header: string, rows: readonly T[], get: (r: T) => number | null | undefined, se?: (r: T) => number | null | undefined): Column<T> {
  const d = columnDecimals(rows.map(get));
  // the error in the value's decimals (90.44 ± 0.42, not ± 0.4158), more only where it would read 0
  const dse = se ? Math.max(d, ...rows.map((r) => { const e = se(r); return typeof e === 'number' && e > 0 && Number.isFinite(e) ? Math.min(6, -Math.floor(Math.log10(e))) : 0; })) : d;
  return {
    header,
    align: 'right',
    get: (r) => {
      const v = fixed(get(r), d);
      const e = se ? fixed(se(r), dse) : null;
      return v === null ? null : e === null ? v : `${v} ± ${e}`;
    },
  };
}

const unitOf = (o: Objective) => (o.unit ? ` [${o.unit}]` : '');
const arrow = (o: Objective) => (o.direction === 'max' ? '↑' : '↓');

/** One column per objective, e.g. `↑accuracy [%]`; a metric `<name>_se` adds `± se`. */
export function objectiveColumns(objectives: readonly Objective[], rows: readonly TrialRecord[]): Column<TrialRecord>[] {
  return objectives.map((o) => {
    const seName = `${o.name}_se`;
    const hasSe = rows.some((t) => typeof t.metrics?.[seName] === 'number');
    return numberColumn(`${arrow(o)}${o.name}${unitOf(o)}`, rows, (t) => t.metrics?.[o.name], hasSe ? (t) => t.metrics?.[seName] : undefined);
  });
}

const isAccel = (hw: HwConfig | null): hw is AccelConfig => hw !== null && typeof hw['peRows'] === 'number' && typeof hw['peCols'] === 'number';

function areaOf(t: TrialRecord): number | null {
  const m: Metrics | null = t.metrics;
  if (typeof m?.['area_mm2'] === 'number') return m['area_mm2'];
  return isAccel(t.hw) ? archAreaMm2(accelArch(t.hw)) : null;
}

function edpOf(t: TrialRecord): number | null {
  const m = t.metrics;
  if (typeof m?.['edp_uj_ms'] === 'number') return m['edp_uj_ms'];
  return typeof m?.['energy_uj'] === 'number' && typeof m['hw_latency_ms'] === 'number' ? m['energy_uj'] * m['hw_latency_ms'] : null;
}

/** The accelerator of each trial spelled out, with area and EDP (absent when no trial has one). */
export function acceleratorColumns(rows: readonly TrialRecord[], objectives: readonly Objective[]): Column<TrialRecord>[] {
  if (!rows.some((t) => isAccel(t.hw))) return [];
  const shown = new Set(objectives.map((o) => o.name));
  const hw = <K extends keyof AccelConfig>(k: K) => (t: TrialRecord) => (isAccel(t.hw) ? String(t.hw[k]) : null);
  return [
    { header: 'PE', get: (t) => (isAccel(t.hw) ? `${t.hw.peRows}×${t.hw.peCols}` : null), align: 'right' },
    { header: 'DATAFLOW', get: hw('dataflow') },
    { header: 'PREC', get: hw('precision') },
    { header: 'RF', get: hw('rfWords'), align: 'right' },
    { header: 'GLB [KiB]', get: hw('glbKiB'), align: 'right' },
    { header: 'DRAM [GB/s]', get: hw('dramGBps'), align: 'right' },
    ...(shown.has('area_mm2') ? [] : [numberColumn('area [mm²]', rows, areaOf)]),
    ...(shown.has('edp_uj_ms') ? [] : [numberColumn('EDP [µJ·ms]', rows, edpOf)]),
  ];
}

/** What the accelerator columns mean (printed above a table that has them). */
export const ACCELERATOR_LEGEND = [
  'accelerator: PE = processing-element array rows×cols · DATAFLOW ws / os / rs = weight- / output- / row-stationary · PREC int8, int16 or',
  '  bitfusion (2-bit bricks: more products per cycle at fewer bits) · RF = register-file words per PE · GLB = global buffer · DRAM = off-chip',
  '  bandwidth · area and EDP (energy × latency) from the analytic cost model at 1 GHz',
].join('\n');

export interface TrialTableOptions {
  /** Add a STATE column (trial lists; the front holds finished trials only). */
  readonly state?: boolean;
  readonly error?: boolean;
}

/** The surrogate's predicted accuracy (GP mean ± sd) when some row has one, else no column. */
function predictedColumns(rows: readonly TrialRecord[]): Column<TrialRecord>[] {
  if (!rows.some((t) => predictionOf(t) !== null)) return [];
  return [numberColumn('PREDICTED accuracy [%]', rows, (t) => predictionOf(t)?.mean, (t) => predictionOf(t)?.sd)];
}

/** What the ± of a verified accuracy and the PREDICTED column mean, for the tables that have them. */
function valueLegend(rows: readonly TrialRecord[], objectives: readonly Objective[], predicted: boolean): string {
  const se = objectives.some((o) => rows.some((t) => typeof t.metrics?.[`${o.name}_se`] === 'number'));
  return [
    ...(se ? ['verified values: ± their standard error (accuracy: binomial, on the validation images)'] : []),
    ...(predicted ? ["PREDICTED: the surrogate's estimate (GP mean ± sd) made before the trial was verified — not a measurement"] : []),
  ].map((l) => `${l}\n`).join('');
}

/** The table, preceded by the accelerator legend when it has accelerator columns and followed by what its ± mean. */
export function trialTable(rows: readonly TrialRecord[], objectives: readonly Objective[], opts: TrialTableOptions = {}): string {
  const accel = acceleratorColumns(rows, objectives);
  const predicted = predictedColumns(rows);
  const columns: Column<TrialRecord>[] = [
    { header: '#', get: (t) => t.number, align: 'right' },
    ...(opts.state ? [{ header: 'STATE', get: (t: TrialRecord) => t.state + (t.feasible === false ? ' (infeasible)' : '') }] : []),
    ...objectiveColumns(objectives, rows),
    ...predicted,
    ...accel,
    ...(opts.error ? [{ header: 'ERROR', get: (t: TrialRecord) => t.error }] : []),
  ];
  const legend = valueLegend(rows, objectives, predicted.length > 0);
  return `${accel.length > 0 ? `${ACCELERATOR_LEGEND}\n` : ''}${formatTable(rows, columns)}${legend ? `\n${legend.trimEnd()}` : ''}`;
}
