// The columns of the trials table: the objectives (with ± standard error where the trial stores
// `<name>_se`), the accelerator, the cost figures a co-design reader compares (area, EDP, params,
// MACs), a surrogate's predicted accuracy (labelled, apart from the verified one), other metrics
// and the design choices. Which ones show is the user's choice, kept per experiment in localStorage.
import { accelLabel, arrow, columnFormat, fmt, fmtSe, h } from './dom.js';
import { isSurrogate, predictedCell, predictionOf } from './predicted.js';

const KEY_METRICS = ['area_mm2', 'edp_uj_ms', 'params_k', 'macs_m'];
const DESIGN_NUMERIC = ['resolution', 'depth', 'kernel', 'expand', 'wbits', 'abits', 'pes', 'glb_kib', 'rf_words', 'dram_gbps'];

/** Column descriptors: key (sort/filter name), label, kind, get(trial, design), shown by default. */
export function buildColumns(exp, metricNames, designColumns) {
  const units = exp.facts?.units ?? {};
  const objNames = new Set(exp.objectives.map((o) => o.name));
  const unit = (n) => (units[n] ? ` [${units[n]}]` : '');
  const accUnit = exp.objectives.find((o) => o.name === 'accuracy')?.unit ?? units.accuracy;
  const cols = [
    { id: 'number', key: 'number', label: '#', kind: 'int', get: (t) => t.number, show: true, fixed: true },
    { id: 'state', key: 'state', label: 'state', kind: 'state', get: (t) => t.state, show: true },
    { id: 'feasible', key: null, label: 'feasible', kind: 'bool', get: (t) => t.feasible, show: true },
    { id: 'front', key: null, label: 'front', kind: 'front', get: (t, x) => x.onFront, show: true, title: 'on the Pareto front over all objectives' },
    ...exp.objectives.map((o) => ({
      id: `m:${o.name}`, key: o.name, label: `${o.name}${o.unit ? ` [${o.unit}]` : ''} ${arrow(o.direction)}${o.name === 'accuracy' && isSurrogate(exp) ? ' verified' : ''}`, kind: 'metric', name: o.name, direction: o.direction, show: true,
      get: (t) => t.metrics?.[o.name] ?? null, se: (t) => t.metrics?.[`${o.name}_se`],
    })),
    ...(objNames.has('accuracy') || metricNames.includes('accuracy') ? [{
      id: 'predicted:accuracy', key: null, label: `predicted accuracy${accUnit ? ` [${accUnit}]` : ''} (surrogate, round, rule)`, kind: 'predicted',
      show: isSurrogate(exp), get: (t) => predictionOf(t, 'accuracy'),
      title: 'what the surrogate predicted before the trial was verified (mean ± sd), with its round and acquisition rule — not a measurement',
    }] : []),
    { id: 'accel', key: 'pes', label: 'accelerator', kind: 'text', get: (t, x) => accelLabel(x.design), show: true, title: 'PE rows×cols, dataflow, precision (sorts by PE count)' },
    ...KEY_METRICS.filter((n) => !objNames.has(n)).map((n) => ({ id: `m:${n}`, key: n, label: `${n}${unit(n)}`, kind: 'metric', name: n, show: true, get: (t) => t.metrics?.[n] ?? null })),
    ...metricNames.filter((n) => !objNames.has(n) && !KEY_METRICS.includes(n) && !n.endsWith('_se')).map((n) => ({ id: `m:${n}`, key: n, label: `${n}${unit(n)}`, kind: 'metric', name: n, show: false, get: (t) => t.metrics?.[n] ?? null })),
    ...designColumns.map((c) => ({ id: `d:${c.name}`, key: c.name, label: `${c.label}${c.unit ? ` [${c.unit}]` : ''}`, kind: c.kind === 'number' ? 'design' : 'text', name: c.name, show: false, get: (t, x) => x.design?.[c.name] ?? null })),
    { id: 'evaluateMs', key: null, label: 'evaluation [ms]', kind: 'metric', show: false, get: (t) => t.timings?.evaluateMs ?? null },
    { id: 'finishedAt', key: 'finishedAt', label: 'finished', kind: 'text', show: false, get: (t) => t.finishedAt },
  ];
  return cols;
}

/** Filterable columns: numeric ones get [min, max], categorical ones a set of values. */
export function filterableColumns(exp, metricNames, designColumns, units = {}) {
  const objNames = exp.objectives.map((o) => o.name);
  const numeric = [...objNames, ...metricNames.filter((n) => !objNames.includes(n) && !n.endsWith('_se'))].map((n) => ({ name: n, label: `${n}${units[n] ? ` [${units[n]}]` : ''}`, kind: 'number' }));
  const design = designColumns.map((c) => ({ name: c.name, label: c.label, kind: DESIGN_NUMERIC.includes(c.name) ? 'number' : 'category' }));
  return [...numeric, ...design];
}

/** The table cell of a column for one trial, formatted with the column's shared formatter. */
export function cell(col, t, extra, format) {
  const v = col.get(t, extra);
  switch (col.kind) {
    case 'state':
      return h(`span.status.${v}`, {}, v);
    case 'predicted':
      return predictedCell(v);
    case 'front':
      return v ? h('span.front-star', { title: 'on the Pareto front over all objectives' }, '★') : '';
    case 'bool':
      return fmt(v);
    case 'metric':
    case 'design':
      if (col.se && typeof col.se(t) === 'number') return fmtSe(t.metrics, col.name);
      return format ? format(v) : fmt(v);
    default:
      return v === null || v === undefined ? '–' : String(v);
  }
}

export function formatters(cols, trials, extras) {
  return new Map(cols.filter((c) => c.kind === 'metric' || c.kind === 'design').map((c) => [c.id, columnFormat(trials.map((t, i) => c.get(t, extras[i])))]));
}
