// The experiments list: status, trial counts and progress, refreshed by live events.
import { api, subscribe } from './api.js';
import { arrow, fmt, h } from './dom.js';

function progressBar(e) {
  if (e.progress === null) return h('span.muted', {}, `${e.trials.finished + e.trials.failed} done`);
  const bar = h('progress', { max: 1, value: e.progress, title: `${Math.round(e.progress * 100)}%` });
  return h('span', {}, bar, ` ${e.trials.finished + e.trials.failed} / ${e.budget}`);
}

function render(list) {
  if (list.length === 0) return h('p.muted', {}, 'No experiments yet: run `nas search` and come back.');
  return h(
    'table.grid.experiments',
    {},
    h('thead', {}, h('tr', {}, ['ID', 'Name', 'Space', 'Status', 'Progress', 'Trials', 'Failed', 'Running', 'Objectives', 'Created'].map((x) => h('th', {}, x)))),
    h(
      'tbody',
      {},
      list.map((e) =>
        h(
          'tr',
          { dataset: { id: e.id } },
          h('td', {}, e.id),
          h('td', {}, h('a', { href: `#/experiments/${e.id}` }, e.name)),
          h('td', {}, e.space),
          h('td', {}, h(`span.status.${e.status}`, {}, e.status)),
          h('td', {}, progressBar(e)),
          h('td.num', {}, e.trials.total),
          h('td.num', {}, e.trials.failed),
          h('td.num', {}, e.trials.running),
          h('td', {}, e.objectives.map((o) => `${arrow(o.direction)}${o.name}`).join(' ')),
          h('td', {}, fmt(e.createdAt)),
        ),
      ),
    ),
  );
}

export async function experimentsView({ view, crumbs, setCleanup }) {
  crumbs.append('experiments');
  const holder = h('div');
  view.append(h('h1', {}, 'Experiments'), holder);
  const load = async () => holder.replaceChildren(render(await api('/experiments')));
  await load();
  setCleanup(subscribe('?after=latest', () => load().catch(() => {})));
}
