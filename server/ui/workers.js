// The workers page (#/workers): every `nas worker` on the PostgreSQL work queue — host, pid, kinds,
// concurrency, the job in hand, heartbeat age, busy/idle/stale/gone, results written, versions — and
// the queue depth per kind. Heartbeats are not stored events, so the page polls; between polls the
// ages keep counting from the server's figure so a stalled worker is seen ageing, not frozen.
import { api } from './api.js';
import { h } from './dom.js';

const POLL_MS = 2000;
const TICK_MS = 250;
const START = 'nas worker --db postgres://user@host:5432/nas';

function age(ms) {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

function jobLink(j, names) {
  if (j.kind === 'eval') {
    const name = names[j.experimentId] ?? `experiment ${j.experimentId}`;
    return h('a', { href: `#/experiments/${j.experimentId}`, title: j.key }, `${name} · step ${j.step} · #${j.index}`);
  }
  if (j.kind === 'lut') return h('span', { title: j.key }, `LUT timing on ${j.device} (${j.space}) #${j.index}`);
  if (j.kind === 'map') return h('span', { title: j.key }, `mapping ${j.request.slice(0, 8)} layer ${j.layer}`);
  return h('code', {}, j.key);
}

function short(text, max = 12) {
  return h('code', { title: text }, text.length > max ? `${text.slice(0, max)}…` : text);
}

function headRow(names, numeric) {
  return h('thead', {}, h('tr', {}, names.map((x) => h(numeric.includes(x) ? 'th.num' : 'th', {}, x))));
}

function depthTable(depth) {
  const kinds = Object.keys(depth);
  const states = ['queued', 'running', 'done', 'failed'];
  return h('table.grid#queue-depth', {},
    headRow(['job kind', ...states], states),
    h('tbody', {}, kinds.map((k) => h('tr', { dataset: { kind: k } }, h('td', {}, k), states.map((s) => h('td.num', { dataset: { state: s } }, depth[k][s]))))));
}

// A worker's row, and its note (why it refuses jobs) on a full-width row beneath, where it can be read.
function workerRows(w, data, ageCell, width) {
  const otherCode = data.codeVersion && w.codeVersion !== data.codeVersion;
  const row = h('tr', { dataset: { worker: w.id, activity: w.activity } },
    h('td', {}, h(`span.status.w-${w.activity}`, { title: w.activity === 'gone' ? 'exited cleanly' : w.activity === 'stale' ? `no heartbeat for over ${data.liveWindowMs / 1000} s: dead or cut off; its jobs return to the queue when their leases expire` : '' }, w.activity)),
    h('td', {}, w.host), h('td.num', {}, w.pid),
    h('td', {}, w.kinds.join(', '), w.device ? h('span.muted', {}, ` @${w.device}`) : null),
    h('td.num', {}, w.concurrency),
    h('td', { dataset: { jobs: w.currentJobs.length } }, w.jobs.length ? w.jobs.map((j) => jobLink(j, data.experiments ?? {})).flatMap((x, i) => (i ? [h('br'), x] : [x])) : h('span.muted', {}, '–')),
    ageCell,
    h('td.num', { dataset: { count: 'done' } }, w.done - w.failed),
    h('td.num', { dataset: { count: 'failed' } }, w.failed),
    h('td.num', { dataset: { count: 'refused' } }, w.refused),
    h('td', {}, short(w.codeVersion, 20), otherCode ? h('span.warn', { title: `this UI server runs ${data.codeVersion}` }, ' ≠ server') : null),
    h('td', {}, w.checkpoints.length ? w.checkpoints.map((c) => short(c)).flatMap((x, i) => (i ? [' ', x] : [x])) : h('span.muted', {}, 'none')),
    h('td', {}, w.backend));
  return w.note ? [row, h('tr.note', { dataset: { noteOf: w.id } }, h('td', { colspan: width }, `note: ${w.note}`))] : [row];
}

function render(data, ages) {
  if (!data.postgres) {
    return h('div.empty#workers-empty', {},
      h('p', {}, 'Workers need a PostgreSQL store: this UI reads an SQLite file, which has no work queue and is one machine\'s.'),
      h('p', {}, 'Put the experiments on PostgreSQL and point the UI, the search and the workers at it:'),
      h('pre', {}, `nas ui --db postgres://user@host:5432/nas\nnas search --db postgres://user@host:5432/nas …\n${START}`));
  }
  const parts = [];
  if (data.depth) parts.push(h('h2', {}, 'Queue depth (jobs per kind and state)'), depthTable(data.depth));
  parts.push(h('h2', {}, 'Registered workers'));
  if (data.workers.length === 0) {
    parts.push(h('div.empty#workers-empty', {},
      h('p', {}, 'No worker has registered with this database. Start one on any machine that reaches it (it needs only the URL and, for supernet scoring, the checkpoint):'),
      h('pre', {}, `${START}\n${START} --kinds eval --concurrency 2\n${START} --kinds lut --device pi4`),
      h('p.muted', {}, 'Until one is live, ', h('code', {}, 'nas search'), ' evaluates every candidate itself.')));
    return h('div', {}, parts);
  }
  const headers = ['state', 'host', 'pid', 'kinds', 'concurrency', 'current job', 'heartbeat', 'done', 'failed', 'refused', 'code version', 'checkpoint sha256', 'backend'];
  parts.push(h('div.table-scroll', {}, h('table.grid.workers#workers', {},
    headRow(headers, ['pid', 'concurrency', 'heartbeat', 'done', 'failed', 'refused']),
    h('tbody', {}, data.workers.flatMap((w) => workerRows(w, data, ages.cell(w), headers.length))))));
  parts.push(h('p.muted', {}, `done: results written; failed: evaluation errors among them; refused: queued jobs it may not run (another code version, checkpoint or device). `
    + `A worker is stale when its last heartbeat is over ${data.liveWindowMs / 1000} s old; gone workers exited cleanly and are listed for a day.`));
  return h('div', {}, parts);
}

/** Heartbeat cells that keep ageing between polls (from the server's age, by this page's clock). */
function ageClock() {
  let cells = [];
  return {
    cell(w) {
      const td = h('td.num.age', { dataset: { ms: w.heartbeatAgeMs } });
      cells.push({ td, base: w.heartbeatAgeMs, at: performance.now(), stopped: w.activity === 'gone' });
      return td;
    },
    reset() {
      cells = [];
    },
    tick() {
      const now = performance.now();
      for (const c of cells) {
        const ms = c.stopped ? c.base : c.base + (now - c.at);
        c.td.dataset.ms = String(Math.round(ms));
        c.td.textContent = c.stopped ? `last ${age(ms)}` : age(ms);
      }
    },
  };
}

export async function workersView({ view, crumbs, setCleanup }) {
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / workers');
  const holder = h('div');
  const updated = h('span.updated#workers-updated');
  const live = document.getElementById('live');
  view.append(h('h1', {}, 'Workers ', updated), holder);
  const ages = ageClock();
  const load = async () => {
    const data = await api('/workers');
    ages.reset();
    holder.replaceChildren(render(data, ages));
    ages.tick();
    if (data.postgres) updated.textContent = `updated ${new Date().toLocaleTimeString()}, every ${POLL_MS / 1000} s`;
    live?.classList.toggle('on', data.postgres);
    return data;
  };
  const first = await load();
  if (!first.postgres) return;
  // A hidden tab does not poll (the ages jump to the truth on the next visible poll).
  const poll = setInterval(() => !document.hidden && load().catch((e) => {
    updated.textContent = `update failed: ${e.message}`;
    live?.classList.remove('on');
  }), POLL_MS);
  const tick = setInterval(() => ages.tick(), TICK_MS);
  setCleanup(() => {
    clearInterval(poll);
    clearInterval(tick);
    live?.classList.remove('on');
  });
}
