// The 2-D scatter of two objectives. Front membership comes from the API (the front over ALL
// objectives, as the CLI prints it) and is drawn as outlined diamonds; nothing here recomputes
// dominance. Points can be coloured by a third objective, another metric or a design choice
// (accelerator dataflow, PE array, precision…), and either axis can switch to a log scale.
import { accelLabel, fmt, label, PALETTE } from './dom.js';

export const COLORS = { front: '#d1495b', dominated: '#3b7dd8', infeasible: '#b5b5b5' };

/** Every column the scatter can colour by: objectives, other metrics, design choices. */
export function colourSources(points) {
  const out = points.objectives.map((o, k) => ({ id: `o:${o.name}`, label: label(o.name, o.unit, o.direction), kind: 'number', values: points.values[k] }));
  for (const [name, values] of Object.entries(points.metrics)) out.push({ id: `m:${name}`, label: name, kind: 'number', values });
  for (const c of points.designColumns) {
    const d = points.design[c.name];
    if (!d) continue;
    if (d.kind === 'category') {
      if (d.levels.length > 0) out.push({ id: `d:${c.name}`, label: c.label, kind: 'category', levels: d.levels, values: d.codes });
    } else if (d.values.some((v) => v !== null)) out.push({ id: `d:${c.name}`, label: `${c.label}${c.unit ? ` [${c.unit}]` : ''}`, kind: 'number', values: d.values });
  }
  return out;
}

/** Whether an axis can be logarithmic: every plotted value must be positive. */
export function canLog(values) {
  return values.every((v) => v === null || v > 0);
}

function visualMap(source, values) {
  if (source.kind === 'category') {
    return {
      type: 'piecewise', seriesIndex: [1, 2], dimension: 2, top: 30, right: 0, itemWidth: 12, itemHeight: 10,
      pieces: source.levels.map((l, i) => ({ value: i, label: l, color: PALETTE[i % PALETTE.length] })), outOfRange: { color: COLORS.infeasible },
    };
  }
  const finite = values.filter((v) => v !== null && Number.isFinite(v));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return {
    type: 'continuous', seriesIndex: [1, 2], dimension: 2, min: lo, max: hi === lo ? lo + 1 : hi, calculable: false, right: 0, top: 'middle',
    text: [fmt(hi), fmt(lo)], inRange: { color: ['#2c7bb6', '#abd9e9', '#fdae61', '#d7191c'] }, outOfRange: { color: COLORS.infeasible }, itemHeight: 220,
  };
}

/**
 * Series data as flat Float64Arrays [x0, y0, c0, x1, …] with `rows[series][dataIndex]` mapping a
 * drawn point back to its trial. Series 0 = infeasible, 1 = feasible off the front, 2 = front.
 */
export function scatterOption(points, view) {
  const objs = points.objectives;
  const { xi, yi, colour, logX, logY } = view;
  const xs = points.values[xi];
  const ys = points.values[yi];
  const cs = colour?.values;
  const groups = [[], [], []];
  for (let i = 0; i < points.ids.length; i++) {
    if (xs[i] === null || ys[i] === null) continue;
    if ((logX && !(xs[i] > 0)) || (logY && !(ys[i] > 0))) continue;
    groups[!points.feasible[i] ? 0 : points.onFront[i] ? 2 : 1].push(i);
  }
  const rows = groups.map((g) => Int32Array.from(g));
  const flat = (g) => {
    const a = new Float64Array(g.length * 3);
    g.forEach((i, k) => {
      a[3 * k] = xs[i];
      a[3 * k + 1] = ys[i];
      a[3 * k + 2] = cs && cs[i] !== null && cs[i] !== undefined ? cs[i] : NaN;
    });
    return a;
  };
  // Per-point colours need the normal (non-"large") renderer; it still draws progressively.
  const large = !colour;
  const scatter = (name, g, size, color, extra = {}) => ({
    name, type: 'scatter', data: flat(g), dimensions: ['x', 'y', 'c'], encode: { x: 0, y: 1 }, symbolSize: size, itemStyle: { color },
    large, largeThreshold: 2000, progressive: 5000, progressiveThreshold: 10000, ...extra,
  });
  const axis = (o, log, gap) => ({ type: log ? 'log' : 'value', scale: true, name: `${label(o.name, o.unit, o.direction)}${log ? ' (log)' : ''}`, nameLocation: 'middle', nameGap: gap });
  const describe = (i) => {
    const lines = [`trial #${points.numbers[i]} (id ${points.ids[i]})${points.onFront[i] ? ' · on the front' : ''}${points.feasible[i] ? '' : ' · infeasible'}`];
    objs.forEach((o, k) => lines.push(`${o.name}: ${fmt(points.values[k][i])}${o.unit ? ` ${o.unit}` : ''}`));
    const d = Object.fromEntries(Object.entries(points.design).map(([k, c]) => [k, c.kind === 'category' ? (c.codes[i] === null ? null : c.levels[c.codes[i]]) : c.values[i]]));
    lines.push(`accelerator: ${accelLabel(d)}`);
    if (colour) lines.push(`${colour.label}: ${colour.kind === 'category' ? (cs[i] === null ? '–' : colour.levels[cs[i]]) : fmt(cs[i])}`);
    return lines.join('<br/>');
  };
  const option = {
    animation: false,
    legend: { top: 0, data: ['infeasible', 'off the front', 'Pareto front (all objectives)'] },
    grid: { left: 80, right: colour ? 130 : 30, top: 40, bottom: 60 },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const i = rows[p.seriesIndex]?.[p.dataIndex];
        return i === undefined ? '' : describe(i);
      },
    },
    xAxis: axis(objs[xi], logX, 30),
    yAxis: axis(objs[yi], logY, 60),
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }, { type: 'inside', yAxisIndex: 0 }],
    series: [
      scatter('infeasible', groups[0], 4, COLORS.infeasible),
      scatter('off the front', groups[1], 5, COLORS.dominated),
      scatter('Pareto front (all objectives)', groups[2], 11, COLORS.front, { large: false, z: 5, symbol: 'diamond', itemStyle: { color: COLORS.front, borderColor: '#111', borderWidth: 1.2 } }),
    ],
    ...(colour ? { visualMap: visualMap(colour, cs) } : {}),
  };
  return { option, rows, drawn: rows.reduce((n, r) => n + r.length, 0) };
}
