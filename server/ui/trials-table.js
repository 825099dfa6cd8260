// The trials table: server-side paging, sorting and filtering (state, feasibility, front, metric and
// design ranges, parallel-coordinates brushing), a column chooser kept per experiment, and CSV /
// JSON downloads of exactly the filtered set. Never holds more than one page of records.
import { api, query } from './api.js';
import { buildColumns, cell, filterableColumns, formatters } from './columns.js';
import { h, stateCounts } from './dom.js';

const PAGE = 50;

/** Intersection of two conditions on one column ([min, max] ranges or value sets). */
function both(a, b) {
  if (!a) return b;
  if (!b) return a;
  const isRange = (c) => c.length === 2 && c.every((x) => x === null || typeof x === 'number');
  if (isRange(a) && isRange(b)) {
    const lo = [a[0], b[0]].filter((x) => x !== null);
    const hi = [a[1], b[1]].filter((x) => x !== null);
    return [lo.length ? Math.max(...lo) : null, hi.length ? Math.min(...hi) : null];
  }
  return a.filter((x) => b.includes(x));
}

export function trialsTable(box, exp, meta) {
  const storeKey = `nas-ui:columns:${exp.id}`;
  const columns = buildColumns(exp, meta.metricNames, meta.designColumns);
  const saved = JSON.parse(localStorage.getItem(storeKey) ?? 'null');
  if (Array.isArray(saved)) for (const c of columns) c.show = c.fixed || saved.includes(c.id);
  const filterable = filterableColumns(exp, meta.metricNames, meta.designColumns, exp.facts?.units);
  const state = { sort: 'number', order: 'asc', offset: 0, status: '', front: false, ranges: {}, brush: {} };
  const filterRows = h('div.filters#filters');
  const body = h('div');

  function filterSpec() {
    const spec = {};
    for (const src of [state.ranges, state.brush]) for (const [k, c] of Object.entries(src)) spec[k] = both(spec[k], c);
    return spec;
  }

  function params() {
    const p = { filter: filterSpec() };
    if (state.front) p.front = 'true';
    if (state.status === 'feasible') p.feasible = 'true';
    else if (state.status === 'infeasible') p.feasible = 'false';
    else if (state.status) p.state = state.status;
    return p;
  }

  let latest = 0;
  async function load() {
    // Responses can overtake each other while filters change quickly: only the newest request renders.
    const mine = ++latest;
    const page = await api(`/experiments/${exp.id}/trials${query({ ...params(), sort: state.sort, order: state.order, limit: PAGE, offset: state.offset })}`);
    if (mine !== latest) return;
    render(page);
    box.dataset.total = String(page.total);
  }

  function sortBy(key) {
    if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
    else {
      state.sort = key;
      state.order = exp.objectives.find((o) => o.name === key)?.direction === 'max' ? 'desc' : 'asc';
    }
    state.offset = 0;
    void load();
  }

  function chooser() {
    return h('details.chooser#column-chooser', {}, h('summary', {}, 'columns'),
      h('div.chooser-list', {}, columns.filter((c) => !c.fixed).map((c) => h('label', {},
        h('input', { type: 'checkbox', checked: c.show, dataset: { col: c.id }, onchange: (e) => {
          c.show = e.target.checked;
          localStorage.setItem(storeKey, JSON.stringify(columns.filter((x) => x.show).map((x) => x.id)));
          void load();
        } }), ` ${c.label}`))));
  }

  function filterRow(f, cond) {
    const remove = h('button.small', { title: 'remove filter', onclick: () => { delete state.ranges[f.name]; renderFilters(); reload(); } }, '×');
    if (f.kind === 'category') {
      const levels = meta.levels[f.name] ?? [];
      return h('div.filter', { dataset: { filter: f.name } }, h('span.filter-name', {}, f.label), levels.map((l) => h('label', {},
        h('input', { type: 'checkbox', checked: cond.includes(l), onchange: (e) => {
          const set = new Set(state.ranges[f.name]);
          if (e.target.checked) set.add(l); else set.delete(l);
          state.ranges[f.name] = [...set];
          reload();
        } }), ` ${l}`)), remove);
    }
    const input = (i, ph) => h('input.num', { type: 'number', step: 'any', placeholder: ph, value: cond[i] ?? '', dataset: { bound: i === 0 ? 'min' : 'max' }, onchange: (e) => {
      const v = e.target.value === '' ? null : Number(e.target.value);
      state.ranges[f.name] = i === 0 ? [v, state.ranges[f.name]?.[1] ?? null] : [state.ranges[f.name]?.[0] ?? null, v];
      reload();
    } });
    return h('div.filter', { dataset: { filter: f.name } }, h('span.filter-name', {}, f.label), input(0, 'min'), ' – ', input(1, 'max'), remove);
  }

  function renderFilters() {
    const add = h('select#add-filter', { onchange: (e) => {
      const f = filterable.find((x) => x.name === e.target.value);
      if (!f) return;
      state.ranges[f.name] = f.kind === 'category' ? [...(meta.levels[f.name] ?? [])] : [null, null];
      renderFilters();
    } }, h('option', { value: '' }, '+ filter on…'), filterable.filter((f) => !(f.name in state.ranges)).map((f) => h('option', { value: f.name }, f.label)));
    const brushed = Object.keys(state.brush);
    filterRows.replaceChildren(
      ...Object.entries(state.ranges).map(([name, cond]) => filterRow(filterable.find((f) => f.name === name) ?? { name, label: name, kind: 'number' }, cond)),
      h('div.filter-bar', {}, add, brushed.length ? h('span.muted#brush-note', {}, ` brushed in parallel coordinates: ${brushed.join(', ')} `) : null,
        brushed.length ? h('button.small#clear-brush', { onclick: () => meta.onClearBrush?.() }, 'clear brush') : null),
    );
  }

  function reload() {
    state.offset = 0;
    void load();
  }

  function downloads() {
    const p = params();
    return h('span.downloads', {}, 'download ',
      h('a#download-csv', { href: `/api/experiments/${exp.id}/download${query({ ...p, format: 'csv' })}`, download: '' }, 'CSV'), ' · ',
      h('a#download-json', { href: `/api/experiments/${exp.id}/download${query({ ...p, format: 'json' })}`, download: '' }, 'JSON'));
  }

  function render(page) {
    const shown = columns.filter((c) => c.show);
    const extras = page.items.map((t) => ({ design: t.design, onFront: t.onFront }));
    const fmts = formatters(shown, page.items, extras);
    const head = shown.map((c) =>
      h('th', c.key ? { class: 'sortable', title: c.title, dataset: { sort: c.key }, onclick: () => sortBy(c.key), 'aria-sort': state.sort === c.key ? (state.order === 'asc' ? 'ascending' : 'descending') : undefined } : { title: c.title },
        c.label, state.sort === c.key ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''));
    const rows = page.items.map((t, i) =>
      h('tr.clickable', { dataset: { trial: t.id, state: t.state }, onclick: () => (location.hash = `#/trials/${t.id}`) },
        shown.map((c) => h(['metric', 'design', 'int', 'predicted'].includes(c.kind) ? 'td.num' : 'td', { dataset: { col: c.id } }, cell(c, t, extras[i], fmts.get(c.id))))));
    const statuses = [['', 'all'], ...stateCounts(meta.counts()).map(([k]) => [k, k]), ['feasible', 'feasible'], ['infeasible', 'infeasible']];
    const status = h('select#trial-filter', { onchange: (e) => { state.status = e.target.value; reload(); } }, statuses.map(([v, l]) => h('option', { value: v, selected: state.status === v }, l)));
    const front = h('label', {}, h('input#front-only', { type: 'checkbox', checked: state.front, onchange: (e) => { state.front = e.target.checked; reload(); } }), ' front only');
    const last = Math.max(0, Math.ceil(page.total / PAGE) - 1) * PAGE;
    const pager = h('div.pager', {},
      h('label', {}, 'show ', status), front, chooser(),
      h('button#page-prev', { disabled: state.offset === 0, onclick: () => { state.offset = Math.max(0, state.offset - PAGE); void load(); } }, '‹ prev'),
      h('span#page-range', {}, ` ${page.total === 0 ? 0 : state.offset + 1}–${Math.min(page.total, state.offset + PAGE)} of ${page.total} `),
      h('button#page-next', { disabled: state.offset >= last, onclick: () => { state.offset += PAGE; void load(); } }, 'next ›'),
      downloads());
    body.replaceChildren(pager, h('div.table-scroll', {}, h('table.grid.trials', {}, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows))));
  }

  box.replaceChildren(filterRows, body);
  renderFilters();
  return {
    load,
    /** Brushing in parallel coordinates: replaces the brushed conditions and reloads. */
    setBrush(spec) {
      state.brush = spec;
      renderFilters();
      reload();
    },
  };
}
