// Parallel coordinates over the objectives and the key design choices (resolution, depth, kernel,
// expand, bits, PE array, dataflow, precision, buffers). Brushing an axis turns into a filter the
// trials table (and its downloads) apply server-side over ALL finished trials; the lines drawn are
// at most MAX_LINES (every front trial plus an even sample of the rest), as the caption says.
import { h, label } from './dom.js';
import { COLORS } from './scatter.js';

const MAX_LINES = 3000;
const AXES = ['resolution', 'depth', 'kernel', 'expand', 'wbits', 'abits', 'pe_array', 'dataflow', 'precision', 'glb_kib', 'rf_words'];

/** The axes: objectives, then the design columns that have values in this experiment. */
export function parallelAxes(points) {
  const axes = points.objectives.map((o, k) => ({ name: o.name, label: label(o.name, o.unit, o.direction), kind: 'number', column: points.values[k] }));
  for (const name of AXES) {
    const d = points.design[name];
    const meta = points.designColumns.find((c) => c.name === name);
    if (!d || !meta) continue;
    if (d.kind === 'category') {
      if (d.levels.length) axes.push({ name, label: meta.label, kind: 'category', levels: orderLevels(name, d.levels), raw: d });
    } else if (d.values.some((v) => v !== null)) axes.push({ name, label: meta.label, kind: 'number', column: d.values });
  }
  return axes;
}

/** PE arrays sorted by PE count (16×16 after 8×32 …), other categories alphabetically. */
function orderLevels(name, levels) {
  const pes = (s) => s.split('×').reduce((a, b) => a * Number(b), 1);
  return name === 'pe_array' && levels.every((l) => /^\d+×\d+$/.test(l)) ? [...levels].sort((a, b) => pes(a) - pes(b) || a.localeCompare(b)) : [...levels].sort();
}

function sample(points) {
  const n = points.ids.length;
  if (n <= MAX_LINES) return points.ids.map((_, i) => i);
  const front = points.ids.map((_, i) => i).filter((i) => points.onFront[i]);
  const rest = Math.max(1, MAX_LINES - front.length);
  const stride = Math.ceil((n - front.length) / rest);
  const others = points.ids.map((_, i) => i).filter((i) => !points.onFront[i]).filter((_, k) => k % stride === 0);
  return [...others, ...front];
}

export function parallelOption(points, axes) {
  const rows = sample(points);
  const valueOf = (a, i) => {
    if (a.kind === 'category') {
      const code = a.raw.codes[i];
      return code === null ? null : a.raw.levels[code];
    }
    return a.column[i];
  };
  const line = (i) => axes.map((a) => valueOf(a, i));
  const groups = { infeasible: [], 'off the front': [], 'Pareto front': [] };
  for (const i of rows) groups[!points.feasible[i] ? 'infeasible' : points.onFront[i] ? 'Pareto front' : 'off the front'].push(line(i));
  const style = { infeasible: [COLORS.infeasible, 0.25, 1], 'off the front': [COLORS.dominated, 0.25, 1], 'Pareto front': [COLORS.front, 0.9, 2] };
  return {
    option: {
      animation: false,
      legend: { top: 0, left: 0 },
      parallel: { left: 60, right: 110, top: 90, bottom: 30, parallelAxisDefault: { nameLocation: 'end', nameGap: 10, nameTextStyle: { fontSize: 11, align: 'left' }, nameRotate: 25, realtime: false } },
      parallelAxis: axes.map((a, d) => ({
        dim: d, name: a.label, ...(a.kind === 'category' ? { type: 'category', data: a.levels } : { type: 'value', scale: true }),
      })),
      series: Object.entries(groups).map(([name, data]) => ({
        name, type: 'parallel', data, lineStyle: { color: style[name][0], opacity: style[name][1], width: style[name][2] },
        progressive: 1000, smooth: false, z: name === 'Pareto front' ? 5 : 1, inactiveOpacity: 0.03, activeOpacity: 1,
      })),
    },
    drawn: rows.length,
  };
}

/** The brushed intervals of every axis as a table filter (ranges, or the category values inside). */
export function brushFilter(chart, axes) {
  const spec = {};
  const option = chart.getModel();
  axes.forEach((a, d) => {
    const model = option.getComponent('parallelAxis', d);
    const intervals = model?.activeIntervals ?? [];
    if (!intervals.length) return;
    if (a.kind === 'category') {
      const keep = a.levels.filter((_, k) => intervals.some(([lo, hi]) => k >= lo - 0.5 && k <= hi + 0.5));
      spec[a.name] = keep;
    } else {
      spec[a.name] = [Math.min(...intervals.map((x) => x[0])), Math.max(...intervals.map((x) => x[1]))];
    }
  });
  return spec;
}

export function parallelCaption(drawn, total) {
  return h('p.muted#parallel-status', {}, drawn < total
    ? `drawing ${drawn.toLocaleString('en')} of ${total.toLocaleString('en')} finished trials (every front trial and an even sample of the rest); brushing filters all of them in the table below`
    : `${total.toLocaleString('en')} finished trials; drag along an axis to brush — the table below shows only trials inside every brushed range`);
}
