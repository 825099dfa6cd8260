// The trial page: the network block by block, objective values, accelerator config (and mapping
// when present), a per-layer breakdown, and the export button when the server can export.
import { api } from './api.js';
import { arrow, fmt, h, table } from './dom.js';

function isMbconv(arch) {
  return arch && typeof arch.resolution === 'number' && Array.isArray(arch.stages) && arch.stages.every((s) => Array.isArray(s.blocks));
}

function block(b, i, active) {
  // Box width grows with the expansion ratio and its colour with the kernel size (CSS classes).
  return h(
    `div.block.k${b.kernel}.e${b.expand}${active ? '' : '.inactive'}`,
    { title: `block ${i + 1}${active ? '' : ' (inactive: beyond depth)'}`, dataset: { kernel: b.kernel, expand: b.expand } },
    h('div.op', {}, `MBConv${b.expand} ${b.kernel}×${b.kernel}`),
    h('div.bits', {}, `W${b.wbits} / A${b.abits}`),
  );
}

function network(arch) {
  if (!isMbconv(arch)) return h('pre.json', {}, JSON.stringify(arch, null, 2));
  const stages = arch.stages.map((s, si) =>
    h(
      'div.stage',
      {},
      h('div.stage-head', {}, `stage ${si + 1}`, h('span.muted', {}, ` depth ${s.depth} · width ×${s.width}`)),
      h('div.blocks', {}, s.blocks.map((b, bi) => block(b, bi, bi < s.depth))),
    ),
  );
  return h(
    'div.network',
    {},
    h('div.io', {}, `input ${arch.resolution}×${arch.resolution}`),
    h('div.io', {}, 'stem conv 3×3'),
    ...stages,
    h('div.io', {}, 'conv 1×1 → pool → FC'),
  );
}

/** Per-layer values stored as `layers.NAME.QUANTITY` (or `layer:`/`layer/`) in metrics or timings. */
function perLayer(trial) {
  const rows = new Map();
  const quantities = new Set();
  for (const source of [trial.metrics ?? {}, trial.timings ?? {}]) {
    for (const [k, v] of Object.entries(source)) {
      const m = /^layers?[.:/](.+)[.:/]([^.:/]+)$/.exec(k);
      if (!m) continue;
      quantities.add(m[2]);
      if (!rows.has(m[1])) rows.set(m[1], {});
      rows.get(m[1])[m[2]] = v;
    }
  }
  const hwLayers = trial.hw && (trial.hw.mapping ?? trial.hw.perLayer);
  if (rows.size === 0 && !hwLayers) return null;
  const qs = [...quantities];
  const parts = [];
  if (rows.size) parts.push(table(['layer', ...qs], [...rows].map(([name, vals]) => [name, ...qs.map((q) => fmt(vals[q]))])));
  if (hwLayers) parts.push(h('h3', {}, 'mapping'), h('pre.json', {}, JSON.stringify(hwLayers, null, 2)));
  return parts;
}

function keyValues(obj, skip = []) {
  return table(['', ''], Object.entries(obj).filter(([k]) => !skip.includes(k)).map(([k, v]) => [k, typeof v === 'object' && v !== null ? h('code', {}, JSON.stringify(v)) : fmt(v)]));
}

function exportBox(trialId) {
  const out = h('div.export-result#export-result');
  const button = h('button#export', {
    onclick: async () => {
      button.disabled = true;
      out.textContent = 'exporting…';
      try {
        const r = await api(`/trials/${trialId}/export`, { method: 'POST', body: JSON.stringify({}) });
        out.replaceChildren(h('p', {}, `bundle written to ${r.dir}`), h('ul', {}, r.files.map((f) => h('li', {}, f))));
      } catch (e) {
        out.replaceChildren(h('p.error', {}, `export failed: ${e.message}`));
      } finally {
        button.disabled = false;
      }
    },
  }, 'Export bundle');
  return h('div', {}, button, out);
}

export async function trialView({ view, crumbs }, id) {
  const { trial, experiment, exportable } = await api(`/trials/${id}`);
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / ', h('a', { href: `#/experiments/${experiment.id}` }, experiment.name), ` / trial #${trial.number}`);
  const objNames = new Set(experiment.objectives.map((o) => o.name));
  const objectiveRows = experiment.objectives.map((o) => [`${arrow(o.direction)} ${o.name}`, fmt(trial.metrics?.[o.name]), o.unit]);
  const other = Object.entries(trial.metrics ?? {}).filter(([k]) => !objNames.has(k) && !/^layers?[.:/]/.test(k));
  const layers = perLayer(trial);
  // Through h(), which skips null children (Element.append would print "null").
  view.append(h('div.trial', {},
    h('h1#trial-title', {}, `Trial #${trial.number}`, h('span.muted', {}, ` (id ${trial.id}) · `), h(`span.status.${trial.state}`, {}, trial.state),
      trial.feasible === false ? h('span.status.infeasible', {}, ' infeasible') : ''),
    exportable ? exportBox(trial.id) : null,
    trial.error ? h('p.error', {}, trial.error) : null,
    h('div.columns', {},
      h('section', {}, h('h2', {}, 'Objectives'), table(['objective', 'value', 'unit'], objectiveRows),
        other.length ? [h('h3', {}, 'Other metrics'), table(['metric', 'value'], other.map(([k, v]) => [k, fmt(v)]))] : null,
        trial.timings ? [h('h3', {}, 'Timings (ms)'), keyValues(Object.fromEntries(Object.entries(trial.timings).filter(([k]) => !/^layers?[.:/]/.test(k))))] : null),
      h('section', {}, h('h2', {}, 'Accelerator'), trial.hw ? keyValues(trial.hw, ['mapping', 'perLayer']) : h('p.muted', {}, 'no accelerator configuration (network-only search)')),
    ),
    h('h2', {}, 'Network'),
    network(trial.arch),
    layers ? [h('h2', {}, 'Per-layer breakdown'), ...layers] : null,
    h('p.muted', {}, `created ${trial.createdAt}${trial.finishedAt ? ` · finished ${trial.finishedAt}` : ''}${trial.key ? ` · key ${trial.key}` : ''}`),
  ));
}
