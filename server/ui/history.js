// Hypervolume over all objectives and best-so-far, against the number of finished trials, with the
// normalisation and reference point the API used written on the chart itself.
import { fmt } from './dom.js';

export function hvSubtitle(hv) {
  const ref = `(${hv.reference.map(String).join(', ')})`;
  return `hypervolume over ${hv.objectives.join(' × ')}; ${hv.normalisation.method}; reference point ${ref}; maximum ${fmt(hv.maxPossible)}`;
}

export function historyOption(hist, bestIndex) {
  const objs = hist.objectives;
  const best = objs[bestIndex];
  return {
    animation: false,
    title: { text: 'Hypervolume and best so far', subtext: hvSubtitle(hist.hypervolume), left: 0, top: 0, textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 11, width: 1000, overflow: 'break', lineHeight: 14 } },
    legend: { top: 0, right: 0 },
    grid: { left: 70, right: 80, top: 95, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: 'finished trials', nameLocation: 'middle', nameGap: 25, minInterval: 1 },
    yAxis: [
      { type: 'value', name: 'hypervolume (normalised)', nameLocation: 'middle', nameGap: 50, min: 0, axisLabel: { formatter: (v) => fmt(v) } },
      { type: 'value', name: `best ${best.name}${best.unit ? ` [${best.unit}]` : ''}`, min: 'dataMin', max: 'dataMax', position: 'right', splitLine: { show: false }, axisLabel: { formatter: (v) => fmt(v) } },
    ],
    series: [
      { name: 'hypervolume', type: 'line', step: 'end', showSymbol: false, data: hist.samples.map((s) => [s.seen, s.hypervolume]) },
      { name: `best ${best.name}`, type: 'line', step: 'end', showSymbol: false, yAxisIndex: 1, data: hist.samples.filter((s) => s.best[bestIndex] !== null).map((s) => [s.seen, s.best[bestIndex]]) },
    ],
  };
}
