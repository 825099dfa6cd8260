// Sortable, filterable, paged trials table backed by the server's paging (never the whole list).
import { api } from './api.js';
import { arrow, fmt, h } from './dom.js';

const PAGE = 50;

export function trialsTable(box, experimentId, objectives) {
  const state = { sort: 'number', order: 'asc', offset: 0, filter: '' };
  const columns = [
    { key: 'number', label: '#', get: (t) => t.number },
    { key: 'state', label: 'state', get: (t) => t.state },
    { key: null, label: 'feasible', get: (t) => t.feasible },
    ...objectives.map((o) => ({ key: o.name, label: `${o.name} ${arrow(o.direction)}`, get: (t) => t.metrics?.[o.name] ?? null })),
    { key: 'finishedAt', label: 'finished', get: (t) => t.finishedAt },
  ];

  async function load() {
    const q = new URLSearchParams({ sort: state.sort, order: state.order, limit: String(PAGE), offset: String(state.offset) });
    if (state.filter === 'feasible') q.set('feasible', 'true');
    else if (state.filter === 'infeasible') q.set('feasible', 'false');
    else if (state.filter) q.set('state', state.filter);
    const page = await api(`/experiments/${experimentId}/trials?${q}`);
    render(page);
  }

  function sortBy(key) {
    if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
    else {
      state.sort = key;
      state.order = objectives.find((o) => o.name === key)?.direction === 'max' ? 'desc' : 'asc';
    }
    state.offset = 0;
    void load();
  }

  function render(page) {
    const head = columns.map((c) =>
      h(
        'th',
        c.key ? { class: 'sortable', dataset: { sort: c.key }, onclick: () => sortBy(c.key), 'aria-sort': state.sort === c.key ? (state.order === 'asc' ? 'ascending' : 'descending') : undefined } : {},
        c.label,
        state.sort === c.key ? (state.order === 'asc' ? ' ▲' : ' ▼') : '',
      ),
    );
    const rows = page.items.map((t) =>
      h('tr.clickable', { dataset: { trial: t.id }, onclick: () => (location.hash = `#/trials/${t.id}`) }, columns.map((c) => h('td', {}, fmt(c.get(t))))),
    );
    const filter = h(
      'select#trial-filter',
      { onchange: (e) => { state.filter = e.target.value; state.offset = 0; void load(); } },
      [['', 'all'], ['finished', 'finished'], ['failed', 'failed'], ['running', 'running'], ['feasible', 'feasible'], ['infeasible', 'infeasible']].map(([v, l]) =>
        h('option', { value: v, selected: state.filter === v }, l),
      ),
    );
    const last = Math.max(0, Math.ceil(page.total / PAGE) - 1) * PAGE;
    const pager = h(
      'div.pager',
      {},
      h('label', {}, 'show ', filter),
      h('button#page-prev', { disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); void load(); } }, '‹ prev'),
      h('span', {}, ` ${page.total === 0 ? 0 : state.offset + 1}–${Math.min(page.total, state.offset + PAGE)} of ${page.total} `),
      h('button#page-next', { disabled: state.offset >= last, onclick: () => { state.offset += PAGE; void load(); } }, 'next ›'),
    );
    box.replaceChildren(pager, h('table.grid.trials', {}, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
  }

  return { load };
}
