// The experiments list: status, trial counts by state (whatever states the API reports) and
// progress, refreshed by live events; tick two or more to compare their fronts.
import { api, subscribe } from './api.js';
import { arrow, fmt, h, stateCounts } from './dom.js';

function progressBar(e) {
  const done = e.trials.finished + e.trials.failed;
  if (e.progress === null) return h('span.muted', {}, `${done} done`);
  return h('span', {}, h('progress', { max: 1, value: e.progress, title: `${Math.round(e.progress * 100)}%` }), ` ${done} / ${e.budget}`);
}

function render(list, picked, onPick) {
  if (list.length === 0) return h('p.muted', {}, 'No experiments yet: run `nas search` and come back.');
  const states = [...new Set(list.flatMap((e) => stateCounts(e.trials).map(([k]) => k)))];
  return h('table.grid.experiments', {},
    h('thead', {}, h('tr', {}, ['', 'ID', 'Name', 'Space', 'Status', 'Progress', 'Trials', ...states, 'Objectives', 'Created'].map((x) => h('th', {}, x)))),
    h('tbody', {}, list.map((e) => h('tr', { dataset: { id: e.id, status: e.status } },
      h('td', {}, h('input', { type: 'checkbox', title: 'compare', checked: picked.has(e.id), dataset: { compare: e.id }, onchange: (ev) => onPick(e.id, ev.target.checked) })),
      h('td', {}, e.id),
      h('td', {}, h('a', { href: `#/experiments/${e.id}` }, e.name)),
      h('td', {}, e.space),
      h('td', {}, h(`span.status.${e.status}`, {}, e.status)),
      h('td', {}, progressBar(e)),
      h('td.num', { dataset: { count: 'total' } }, e.trials.total),
      ...states.map((k) => h('td.num', { dataset: { count: k } }, e.trials[k] ?? 0)),
      h('td', {}, e.objectives.map((o) => `${arrow(o.direction)}${o.name}`).join(' ')),
      h('td', {}, fmt(e.createdAt))))));
}

export async function experimentsView({ view, crumbs, setCleanup }) {
  crumbs.append('experiments');
  const picked = new Set();
  const holder = h('div');
  const compare = h('button#compare', { disabled: true, onclick: () => (location.hash = `#/compare/${[...picked].sort((a, b) => a - b).join(',')}`) }, 'Compare selected');
  view.append(h('h1', {}, 'Experiments'), h('div.controls', {}, compare, h('span.muted', {}, 'tick two or more experiments with shared objectives')), holder);
  let list = [];
  const onPick = (id, on) => {
    if (on) picked.add(id); else picked.delete(id);
    compare.disabled = picked.size < 2;
  };
  const load = async () => {
    list = await api('/experiments');
    holder.replaceChildren(render(list, picked, onPick));
  };
  await load();
  setCleanup(subscribe('?after=latest', () => load().catch(() => {})));
}
