// The per-layer accelerator breakdown of a trial (the numbers the export bundle's accelerator.json
// holds): a stacked bar of energy by storage level per layer with cycles on a second axis, and a
// table with cycles, latency, energy by level, utilisation and the mapping of every layer.
import { columnFormat, fmt, h, PALETTE } from './dom.js';

export function breakdownOption(b) {
  const names = b.layers.map((l) => l.layer);
  const levels = b.levels;
  return {
    animation: false,
    title: { text: `Energy by storage level and cycles per layer — ${b.accelerator}`, subtext: `cycles at ${b.clockGHz} GHz · energy in µJ (MAC = datapath incl. leakage) · ${b.provenance}`, left: 0, top: 0, textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 11 } },
    legend: { top: 45, left: 0 },
    grid: { left: 70, right: 80, top: 90, bottom: 110 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: names, axisLabel: { rotate: 60, fontSize: 10, interval: 0 } },
    yAxis: [
      { type: 'value', name: 'energy [µJ]', nameLocation: 'middle', nameGap: 50 },
      { type: 'value', name: `cycles (${b.clockGHz} GHz)`, position: 'right', splitLine: { show: false } },
    ],
    series: [
      ...levels.map((lv, k) => ({ name: lv, type: 'bar', stack: 'energy', itemStyle: { color: PALETTE[k % PALETTE.length] }, data: b.layers.map((l) => (l.energyByLevelPj[lv] ?? 0) / 1e6) })),
      { name: 'cycles', type: 'line', yAxisIndex: 1, showSymbol: true, symbolSize: 4, itemStyle: { color: '#111' }, data: b.layers.map((l) => l.cycles) },
    ],
  };
}

export function breakdownTable(b) {
  const uj = (pj) => pj / 1e6;
  const cols = [
    ['MACs', (l) => l.macs],
    [`cycles @ ${b.clockGHz} GHz`, (l) => l.cycles],
    ['latency [ms]', (l) => l.latencyMs],
    ['energy [µJ]', (l) => uj(l.energyPj)],
    ...b.levels.map((lv) => [`${lv} [µJ]`, (l) => uj(l.energyByLevelPj[lv] ?? 0)]),
    ['utilisation [%]', (l) => 100 * l.utilization],
  ];
  const fmts = cols.map(([, get]) => columnFormat(b.layers.map(get)));
  const total = { macs: b.layers.reduce((s, l) => s + l.macs, 0), cycles: b.totals.cycles, latencyMs: b.totals.latencyMs, energyPj: b.totals.energyPj,
    energyByLevelPj: Object.fromEntries(b.levels.map((lv) => [lv, b.layers.reduce((s, l) => s + (l.energyByLevelPj[lv] ?? 0), 0)])),
    utilization: b.layers.reduce((s, l) => s + l.macs, 0) / Math.max(1, b.layers.reduce((s, l) => s + l.macs / Math.max(l.utilization, 1e-12), 0)) };
  const row = (l, name, mapping) => h('tr', {}, h('td', {}, name), cols.map(([, get], k) => h('td.num', {}, fmts[k](get(l)))), h('td', {}, mapping));
  return h('div', {}, h('p.muted', {}, `utilisation: ${b.units.utilization}`), h('table.grid.breakdown#breakdown-table', {},
    h('thead', {}, h('tr', {}, h('th', {}, 'layer'), cols.map(([t]) => h('th', {}, t)), h('th', {}, 'mapping (loop nest)'))),
    h('tbody', {}, b.layers.map((l) => row(l, l.layer, h('details', {}, h('summary', {}, l.mapping.split('\n').find((x) => /Spatial/.test(x))?.trim() ?? 'show'), h('pre.mapping', {}, l.mapping))))),
    h('tfoot', {}, row(total, 'total', `area ${fmt(b.totals.areaMm2)} mm² · PE array ${b.peArray}`))));
}
