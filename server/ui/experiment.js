// The experiment page: summary, Pareto scatter (any two objectives), hypervolume / best-so-far and
// a sortable, paged trials table. The scatter takes every finished trial in one columnar request
// and draws it with ECharts' large mode and progressive rendering, so 50,000 points stay fluid.
import { api, subscribe } from './api.js';
import { arrow, fmt, h } from './dom.js';
import { trialsTable } from './trials-table.js';

const COLORS = { front: '#d1495b', dominated: '#3b7dd8', infeasible: '#b5b5b5' };

function axisName(o) {
  return `${o.name}${o.unit ? ` [${o.unit}]` : ''} ${arrow(o.direction)}`;
}

/**
 * Series data as flat Float64Arrays [x0, y0, x1, y1, …] (ECharts' fastest large-scatter input) with
 * `rows[series][dataIndex]` mapping a drawn point back to its trial for tooltip and click.
 */
function scatterOption(points, front, xi, yi) {
  const objs = points.objectives;
  const onFront = new Set(front.front.map((f) => f.id));
  const groups = [[], [], []]; // infeasible, dominated, front
  const xs = points.values[xi];
  const ys = points.values[yi];
  for (let i = 0; i < points.ids.length; i++) {
    if (xs[i] === null || ys[i] === null) continue;
    groups[!points.feasible[i] ? 0 : onFront.has(points.ids[i]) ? 2 : 1].push(i);
  }
  const rows = groups.map((g) => Int32Array.from(g));
  const flat = (g) => {
    const a = new Float64Array(g.length * 2);
    g.forEach((i, k) => { a[2 * k] = xs[i]; a[2 * k + 1] = ys[i]; });
    return a;
  };
  const line = front.front.map((f) => [f.values[objs[xi].name], f.values[objs[yi].name]]).sort((a, b) => a[0] - b[0]);
  const scatter = (name, g, size, color) => ({
    name, type: 'scatter', data: flat(g), dimensions: ['x', 'y'], symbolSize: size, itemStyle: { color },
    large: true, largeThreshold: 2000, progressive: 10000, progressiveThreshold: 20000,
  });
  const option = {
    animation: false,
    legend: { top: 0 },
    grid: { left: 70, right: 30, top: 40, bottom: 60 },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const i = rows[p.seriesIndex]?.[p.dataIndex];
        if (i === undefined) return '';
        return `trial #${points.numbers[i]} (id ${points.ids[i]})<br/>${objs[xi].name}: ${fmt(xs[i])}<br/>${objs[yi].name}: ${fmt(ys[i])}<br/>${p.seriesName}`;
      },
    },
    xAxis: { type: 'value', scale: true, name: axisName(objs[xi]), nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', scale: true, name: axisName(objs[yi]), nameLocation: 'middle', nameGap: 50 },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }, { type: 'inside', yAxisIndex: 0 }],
    series: [
      scatter('infeasible', groups[0], 4, COLORS.infeasible),
      scatter('dominated', groups[1], 5, COLORS.dominated),
      { ...scatter('Pareto front', groups[2], 9, COLORS.front), large: false, z: 5 },
      { name: 'front line', type: 'line', data: line, showSymbol: false, silent: true, lineStyle: { color: COLORS.front, width: 1 }, z: 4, tooltip: { show: false } },
    ],
  };
  return { option, rows, drawn: rows.reduce((n, r) => n + r.length, 0) };
}

function historyOption(hist, yi) {
  const objs = hist.objectives;
  return {
    animation: false,
    legend: { top: 0 },
    grid: { left: 60, right: 70, top: 40, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: 'finished trials', nameLocation: 'middle', nameGap: 25 },
    yAxis: [
      { type: 'value', name: `hypervolume (${hist.hypervolume.x} × ${hist.hypervolume.y})`, scale: true },
      { type: 'value', name: `best ${objs[yi].name}`, scale: true, position: 'right' },
    ],
    series: [
      { name: 'hypervolume', type: 'line', showSymbol: false, data: hist.samples.map((s) => [s.seen, s.hypervolume]) },
      { name: `best ${objs[yi].name}`, type: 'line', step: 'end', showSymbol: false, yAxisIndex: 1, data: hist.samples.filter((s) => s.best[yi] !== null).map((s) => [s.seen, s.best[yi]]) },
    ],
  };
}

function summary(e) {
  const done = e.trials.finished + e.trials.failed;
  return h(
    'dl.summary',
    {},
    h('dt', {}, 'status'), h('dd', {}, h(`span.status.${e.status}`, {}, e.status)),
    h('dt', {}, 'space'), h('dd', {}, e.space),
    h('dt', {}, 'trials'), h('dd', {}, `${e.trials.total} (${e.trials.finished} finished, ${e.trials.failed} failed, ${e.trials.running} running)`),
    h('dt', {}, 'progress'), h('dd', {}, e.budget ? h('span', {}, h('progress', { max: 1, value: e.progress }), ` ${done} / ${e.budget}`) : `${done}`),
    h('dt', {}, 'objectives'), h('dd', {}, e.objectives.map((o) => `${arrow(o.direction)}${o.name}`).join(', ')),
  );
}

function select(id, label, objs, selected, onchange) {
  const s = h(`select#${id}`, { onchange }, objs.map((o, i) => h('option', { value: i, selected: i === selected }, o.name)));
  return h('label', {}, `${label} `, s);
}

export async function experimentView({ view, crumbs, setCleanup }, id) {
  const exp = await api(`/experiments/${id}`);
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / ', exp.name);
  const objs = exp.objectives;
  let xi = Math.max(0, objs.findIndex((o) => o.direction === 'min'));
  let yi = objs.findIndex((_, i) => i !== xi);
  if (yi < 0) yi = xi;
  const summaryBox = h('div', {}, summary(exp));
  const scatterEl = h('div.chart#scatter');
  const histEl = h('div.chart.small#history');
  const status = h('p.muted#scatter-status');
  const tableBox = h('div#trials');
  const xs = select('axis-x', 'X', objs, xi, (e) => { xi = Number(e.target.value); void drawScatter(); });
  const ys = select('axis-y', 'Y', objs, yi, (e) => { yi = Number(e.target.value); void drawScatter(); });
  view.append(h('h1', {}, exp.name), summaryBox, h('h2', {}, 'Pareto front'), h('div.controls', {}, xs, ys), status, scatterEl, h('h2', {}, 'Hypervolume and best so far'), histEl, h('h2', {}, 'Trials'), tableBox);

  const scatter = echarts.init(scatterEl, null, { renderer: 'canvas' });
  const hist = echarts.init(histEl, null, { renderer: 'canvas' });
  let rows = [];
  scatter.on('click', (p) => {
    const i = rows[p.seriesIndex]?.[p.dataIndex];
    if (i !== undefined && p.seriesIndex < 3) location.hash = `#/trials/${points.ids[i]}`;
  });
  window.nasUi = { scatter, history: hist };
  let points = null;

  async function drawScatter() {
    if (!points || objs.length < 2) return;
    if (xi === yi) {
      status.textContent = 'Choose two different objectives.';
      return;
    }
    const t0 = performance.now();
    const axes = new URLSearchParams({ x: objs[xi].name, y: objs[yi].name });
    const [front, hv] = await Promise.all([
      api(`/experiments/${id}/pareto?${axes}`),
      api(`/experiments/${id}/history?${axes}`),
    ]);
    const drawn = scatterOption(points, front, xi, yi);
    rows = drawn.rows;
    window.nasUi.drawn = drawn.drawn;
    scatter.setOption(drawn.option, { notMerge: true });
    hist.setOption(historyOption(hv, yi), { notMerge: true });
    status.textContent = `${front.counts.finished} finished trials, ${front.counts.feasible} feasible, ${front.counts.front} on the front (${Math.round(performance.now() - t0)} ms)`;
    scatterEl.dataset.axes = `${objs[xi].name},${objs[yi].name}`;
    scatterEl.dataset.front = front.front.map((f) => f.id).join(',');
  }

  async function reload() {
    points = await api(`/experiments/${id}/points`);
    await drawScatter();
  }

  const table = trialsTable(tableBox, id, objs);
  await Promise.all([reload(), table.load()]);
  const onResize = () => { scatter.resize(); hist.resize(); };
  window.addEventListener('resize', onResize);
  const unsubscribe = subscribe(`?experimentId=${id}&after=latest`, async () => {
    summaryBox.replaceChildren(summary(await api(`/experiments/${id}`)));
    await reload();
    await table.load();
  }, 3000);
  setCleanup(() => {
    unsubscribe();
    window.removeEventListener('resize', onResize);
    scatter.dispose();
    hist.dispose();
    delete window.nasUi;
  });
}
