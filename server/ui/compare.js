// Comparing experiments: their fronts (over the objectives they share) overlaid on one scatter and
// their hypervolume histories on ONE normalisation and reference point, stated on the page, so the
// numbers are comparable across experiments.
import { api } from './api.js';
import { fmt, h, label, PALETTE, table } from './dom.js';
import { hvSubtitle } from './history.js';

function frontOption(c, xi, yi) {
  const [x, y] = [c.objectives[xi], c.objectives[yi]];
  return {
    animation: false,
    legend: { top: 0 },
    grid: { left: 80, right: 30, top: 40, bottom: 60 },
    tooltip: { trigger: 'item', formatter: (p) => `${p.seriesName} · trial #${p.data[2]}<br/>${x.name}: ${fmt(p.data[0])}<br/>${y.name}: ${fmt(p.data[1])}` },
    xAxis: { type: 'value', scale: true, name: label(x.name, x.unit, x.direction), nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', scale: true, name: label(y.name, y.unit, y.direction), nameLocation: 'middle', nameGap: 60 },
    series: c.experiments.map((e, k) => ({
      name: e.name, type: 'scatter', symbol: ['diamond', 'circle', 'triangle', 'rect'][k % 4], symbolSize: 10, itemStyle: { color: PALETTE[k % PALETTE.length], borderColor: '#111', borderWidth: 0.8 },
      data: e.front.map((f) => [f.values[x.name], f.values[y.name], f.number]),
    })),
  };
}

function historyOption(c) {
  return {
    animation: false,
    title: { text: 'Hypervolume on a common reference point', subtext: hvSubtitle(c.hypervolume), textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 11, width: 1000, overflow: 'break', lineHeight: 14 } },
    legend: { top: 0, right: 0 },
    grid: { left: 70, right: 30, top: 95, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: 'finished trials', nameLocation: 'middle', nameGap: 25 },
    yAxis: { type: 'value', name: 'hypervolume (normalised)', nameLocation: 'middle', nameGap: 50, min: 0 },
    series: c.experiments.map((e, k) => ({ name: e.name, type: 'line', step: 'end', showSymbol: false, itemStyle: { color: PALETTE[k % PALETTE.length] }, data: e.history.map((s) => [s.seen, s.hypervolume]) })),
  };
}

export async function compareView({ view, crumbs, setCleanup }, ids) {
  const c = await api(`/compare?ids=${ids.join(',')}`);
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / compare ', c.experiments.map((e) => e.name).join(' · '));
  let xi = Math.max(0, c.objectives.findIndex((o) => o.direction === 'min'));
  let yi = c.objectives.findIndex((_, i) => i !== xi);
  const frontEl = h('div.chart#compare-front');
  const histEl = h('div.chart.small#compare-history');
  const opts = (sel) => c.objectives.map((o, i) => h('option', { value: i, selected: i === sel }, o.name));
  const draw = () => front.setOption(frontOption(c, xi, yi), { notMerge: true });
  const rows = c.experiments.map((e) => [h('a', { href: `#/experiments/${e.id}` }, e.name), e.status, e.finished, e.front.length, h('span', { dataset: { hv: e.id } }, fmt(e.hypervolume))]);
  view.append(
    h('h1', {}, 'Compare experiments'),
    h('p.muted#compare-note', {}, `Fronts over the ${c.objectives.length} objectives the experiments share (${c.objectives.map((o) => o.name).join(', ')}). ${hvSubtitle(c.hypervolume)}.`),
    table(['experiment', 'status', 'finished trials', 'front size', 'hypervolume'], rows, '#compare-table'),
    h('h2', {}, 'Fronts'),
    h('div.controls', {}, h('label', {}, 'X ', h('select#compare-x', { onchange: (e) => { xi = Number(e.target.value); draw(); } }, opts(xi))),
      h('label', {}, 'Y ', h('select#compare-y', { onchange: (e) => { yi = Number(e.target.value); draw(); } }, opts(yi)))),
    frontEl, h('h2', {}, 'Hypervolume history'), histEl,
  );
  const front = echarts.init(frontEl);
  const hist = echarts.init(histEl);
  draw();
  hist.setOption(historyOption(c));
  window.nasUi = { compare: c, front, history: hist };
  const onResize = () => { front.resize(); hist.resize(); };
  window.addEventListener('resize', onResize);
  setCleanup(() => {
    window.removeEventListener('resize', onResize);
    front.dispose();
    hist.dispose();
    delete window.nasUi;
  });
}
