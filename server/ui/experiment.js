// The experiment page: how it ran (strategy, seed, budget, constraints, accelerator space, dataset,
// provenance of every metric), the scatter of any two objectives with THE front (from the API),
// parallel coordinates whose brushing filters the table, the hypervolume history over all
// objectives, a surrogate search's predictor fits, and the trials table. Everything redraws on live
// events while a search runs.
import { api, subscribe } from './api.js';
import { arrow, fmt, h, stateCounts } from './dom.js';
import { historyOption } from './history.js';
import { brushFilter, parallelAxes, parallelCaption, parallelOption } from './parallel.js';
import { isSurrogate } from './predicted.js';
import { canLog, colourSources, scatterOption } from './scatter.js';
import { surrogatePanel } from './surrogate.js';
import { trialsTable } from './trials-table.js';

function counts(e) {
  return stateCounts(e.trials).map(([k, n]) => h(`span.count.${k}`, { dataset: { state: k } }, `${n} ${k}`)).flatMap((x, i) => (i ? [', ', x] : [x]));
}

function summary(e) {
  const f = e.facts ?? {};
  const done = e.trials.finished + e.trials.failed;
  const hw = f.hardware ?? {};
  const accel = hw.mode === 'joint' ? `searched jointly${hw.areaBudgetMm2 !== null ? `, area budget ${fmt(hw.areaBudgetMm2)} mm²` : ', no area budget'}` : hw.mode === 'preset' ? `preset ${hw.preset}` : 'none (network only)';
  const opts = f.strategy?.options && Object.keys(f.strategy.options).length ? ` ${JSON.stringify(f.strategy.options)}` : '';
  const rows = [
    ['status', h(`span.status.${e.status}`, {}, e.status)],
    ['space', e.space],
    ['strategy', `${f.strategy?.name ?? '–'}${opts}`],
    ['seed', String(f.seed ?? e.seed)],
    ['budget', e.budget ? h('span', {}, h('progress', { max: 1, value: e.progress }), ` ${done} / ${e.budget} trials${f.batch ? ` (batches of ${f.batch})` : ''}`) : `${done} trials`],
    ['trials', h('span#trial-counts', {}, `${e.trials.total} (`, counts(e), ')')],
    ['objectives', e.objectives.map((o) => `${arrow(o.direction)}${o.name}${o.unit ? ` [${o.unit}]` : ''}`).join(', ')],
    ['constraints', f.constraints?.length ? f.constraints.join(', ') : 'none'],
    ['accelerator', accel],
    ['accuracy', f.accuracy ? `${f.accuracy.source}` : 'not measured'],
    ['dataset', f.dataset ?? '–'],
  ];
  const prov = Object.entries(f.provenance ?? {});
  return h('div.summary-box', {},
    h('dl.summary#summary', {}, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { fact: k } }, v)])),
    prov.length ? h('details.provenance#provenance', { open: true }, h('summary', {}, 'where each metric comes from'),
      h('table.grid', {}, h('tbody', {}, prov.map(([m, p]) => h('tr', {}, h('td', {}, m), h('td.prov', {}, p)))))) : null);
}

function select(id, text, options, selected, onchange) {
  return h('label', {}, `${text} `, h(`select#${id}`, { onchange }, options.map(([v, l]) => h('option', { value: v, selected: v === selected }, l))));
}

export async function experimentView({ view, crumbs, setCleanup }, id) {
  let exp = await api(`/experiments/${id}`);
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / ', exp.name);
  const objs = exp.objectives;
  const v = { xi: Math.max(0, objs.findIndex((o) => o.direction === 'min')), yi: 0, colourId: '', logX: false, logY: false, bestIndex: 0 };
  v.yi = objs.findIndex((_, i) => i !== v.xi);
  if (v.yi < 0) v.yi = v.xi;
  const summaryBox = h('div', {}, summary(exp));
  const scatterEl = h('div.chart#scatter');
  const parallelEl = h('div.chart#parallel');
  const parallelNote = h('div');
  const histEl = h('div.chart.small#history');
  const status = h('p.muted#scatter-status');
  const controls = h('div.controls');
  const tableBox = h('div#trials');
  const fits = isSurrogate(exp) ? surrogatePanel(exp) : null;
  view.append(h('h1', {}, exp.name), summaryBox,
    h('h2', {}, 'Pareto front'), controls, status, scatterEl,
    h('h2', {}, 'Parallel coordinates'), parallelNote, parallelEl,
    h('h2', {}, 'Hypervolume'), h('div.controls#history-controls'), histEl,
    ...(fits ? [h('h2', {}, 'Surrogate fits (predicted, not verified)'), fits.el] : []),
    h('h2', {}, 'Trials'), tableBox);

  const scatter = echarts.init(scatterEl, null, { renderer: 'canvas' });
  const parallel = echarts.init(parallelEl, null, { renderer: 'canvas' });
  const hist = echarts.init(histEl, null, { renderer: 'canvas' });
  window.nasUi = { scatter, parallel, history: hist };
  let points = null;
  let rows = [];
  let axes = [];
  let table = null;
  scatter.on('click', (p) => {
    const i = rows[p.seriesIndex]?.[p.dataIndex];
    if (i !== undefined) location.hash = `#/trials/${points.ids[i]}`;
  });
  let clearing = false;
  parallel.on('axisareaselected', () => {
    if (clearing) return;
    const spec = brushFilter(parallel, axes);
    window.nasUi.brush = spec;
    table?.setBrush(spec);
  });

  function renderControls() {
    const sources = colourSources(points);
    const opts = objs.map((o, i) => [String(i), o.name]);
    const logBox = (idn, text, key, values) => {
      const ok = canLog(values);
      if (!ok) v[key] = false;
      return h('label', { title: ok ? '' : 'needs positive values' }, h(`input#${idn}`, { type: 'checkbox', checked: v[key], disabled: !ok, onchange: (e) => { v[key] = e.target.checked; drawScatter(); } }), ` ${text}`);
    };
    controls.replaceChildren(
      select('axis-x', 'X', opts, String(v.xi), (e) => { v.xi = Number(e.target.value); renderControls(); drawScatter(); }),
      select('axis-y', 'Y', opts, String(v.yi), (e) => { v.yi = Number(e.target.value); renderControls(); drawScatter(); }),
      select('colour-by', 'colour', [['', 'front / off the front'], ...sources.map((s) => [s.id, s.label])], v.colourId, (e) => { v.colourId = e.target.value; drawScatter(); }),
      logBox('log-x', 'log X', 'logX', points.values[v.xi]),
      logBox('log-y', 'log Y', 'logY', points.values[v.yi]),
    );
  }

  function drawScatter() {
    if (!points || objs.length < 2) return;
    if (v.xi === v.yi) {
      status.textContent = 'Choose two different objectives.';
      return;
    }
    const colour = colourSources(points).find((s) => s.id === v.colourId) ?? null;
    const drawn = scatterOption(points, { ...v, colour });
    rows = drawn.rows;
    window.nasUi.drawn = drawn.drawn;
    scatter.setOption(drawn.option, { notMerge: true });
    const front = points.onFront.reduce((n, b) => n + b, 0);
    const feasible = points.feasible.filter(Boolean).length;
    status.textContent = `${points.ids.length} finished trials, ${feasible} feasible, ${front} on the Pareto front over all ${objs.length} objectives (${objs.map((o) => o.name).join(', ')}); front trials are drawn as outlined diamonds — in a 2-D view some of them look dominated because they win on an objective not plotted`;
    scatterEl.dataset.axes = `${objs[v.xi].name},${objs[v.yi].name}`;
    scatterEl.dataset.colour = v.colourId;
    scatterEl.dataset.log = `${v.logX ? 'x' : ''}${v.logY ? 'y' : ''}`;
    scatterEl.dataset.front = points.ids.filter((_, i) => points.onFront[i]).join(',');
  }

  function drawParallel() {
    // A live redraw keeps the user's brushes (the table keeps filtering by them).
    const before = axes.map((a, d) => [a.name, parallel.getModel()?.getComponent('parallelAxis', d)?.activeIntervals ?? []]);
    axes = parallelAxes(points);
    const p = parallelOption(points, axes);
    parallel.setOption(p.option, { notMerge: true });
    clearing = true;
    for (const [name, intervals] of before) {
      const d = axes.findIndex((a) => a.name === name);
      if (d >= 0 && intervals.length) parallel.dispatchAction({ type: 'axisAreaSelect', parallelAxisIndex: d, intervals });
    }
    clearing = false;
    parallelNote.replaceChildren(parallelCaption(p.drawn, points.ids.length));
    parallelEl.dataset.axes = axes.map((a) => a.name).join(',');
  }

  async function drawHistory() {
    const hv = await api(`/experiments/${id}/history`);
    const box = document.getElementById('history-controls');
    box?.replaceChildren(select('best-of', 'best so far of', objs.map((o, i) => [String(i), o.name]), String(v.bestIndex), (e) => { v.bestIndex = Number(e.target.value); hist.setOption(historyOption(hv, v.bestIndex), { notMerge: true }); }));
    hist.setOption(historyOption(hv, v.bestIndex), { notMerge: true });
    histEl.dataset.final = String(hv.samples.at(-1)?.hypervolume ?? 0);
  }

  async function reload() {
    points = await api(`/experiments/${id}/points`);
    renderControls();
    drawScatter();
    drawParallel();
    await drawHistory();
    await fits?.reload();
  }

  await reload();
  table = trialsTable(tableBox, exp, {
    metricNames: Object.keys(points.metrics),
    designColumns: points.designColumns,
    levels: Object.fromEntries(Object.entries(points.design).filter(([, d]) => d.kind === 'category').map(([k, d]) => [k, d.levels])),
    counts: () => exp.trials,
    onClearBrush: () => {
      clearing = true;
      axes.forEach((_, d) => parallel.dispatchAction({ type: 'axisAreaSelect', parallelAxisIndex: d, intervals: [] }));
      clearing = false;
      window.nasUi.brush = {};
      table.setBrush({});
    },
  });
  await table.load();
  const onResize = () => { scatter.resize(); parallel.resize(); hist.resize(); };
  window.addEventListener('resize', onResize);
  const unsubscribe = subscribe(`?experimentId=${id}&after=latest`, async () => {
    exp = await api(`/experiments/${id}`);
    summaryBox.replaceChildren(summary(exp));
    await reload();
    await table.load();
  }, 2000);
  setCleanup(() => {
    unsubscribe();
    window.removeEventListener('resize', onResize);
    scatter.dispose();
    parallel.dispose();
    hist.dispose();
    delete window.nasUi;
  });
}
