// The trial page: objective values (± standard error where stored; a surrogate's prediction beside
// them, labelled as such), accelerator and design choices,
// front membership, the network block by block, the per-layer accelerator breakdown (stacked bar
// and table), and export with a choice of formats and a zip download. A running trial updates live.
import { api, subscribe } from './api.js';
import { breakdownOption, breakdownTable } from './breakdown.js';
import { arrow, fmt, fmtSe, h, table } from './dom.js';
import { predictionBox } from './predicted.js';

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
  if (rows.size === 0) return null;
  const qs = [...quantities];
  return [h('h3', {}, 'Per-layer figures stored with the trial'), table(['layer', ...qs], [...rows].map(([name, vals]) => [name, ...qs.map((q) => fmt(vals[q]))]))];
}

function keyValues(obj, skip = []) {
  return table(['', ''], Object.entries(obj).filter(([k]) => !skip.includes(k)).map(([k, v]) => [k, typeof v === 'object' && v !== null ? h('code', {}, JSON.stringify(v)) : fmt(v)]));
}

function exportBox(trialId, formats, bundle) {
  const out = h('div.export-result#export-result');
  const boxes = formats.map((f) => h('label', {}, h('input', { type: 'checkbox', checked: true, value: f, dataset: { format: f } }), ` ${f === 'tfjs' ? 'TF.js' : f.toUpperCase()}`));
  const link = (href) => h('a.button#download-bundle', { href, download: '' }, 'Download .zip');
  if (bundle) out.replaceChildren(link(bundle));
  const button = h('button#export', {
    onclick: async () => {
      const chosen = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (chosen.length === 0) {
        out.replaceChildren(h('p.error', {}, 'choose at least one format'));
        return;
      }
      button.disabled = true;
      out.textContent = `exporting ${chosen.join(', ')}… (building the model takes a few seconds)`;
      try {
        const r = await api(`/trials/${trialId}/export`, { method: 'POST', body: JSON.stringify({ formats: chosen }) });
        out.replaceChildren(h('p', {}, `bundle written to ${r.dir} `, link(r.download)), h('ul', {}, r.files.map((f) => h('li', {}, f))));
      } catch (e) {
        out.replaceChildren(h('p.error', {}, `export failed: ${e.message}`));
      } finally {
        button.disabled = false;
      }
    },
  }, 'Export bundle');
  return h('section.export', {}, h('h2', {}, 'Export'), h('div.controls', {}, 'formats ', ...boxes, button), out);
}

async function breakdownSection(trialId, charts) {
  const box = h('section#breakdown', {}, h('h2', {}, 'Per-layer accelerator breakdown'), h('p.muted', {}, 'mapping every layer…'));
  void (async () => {
    try {
      const b = await api(`/trials/${trialId}/breakdown`);
      const el = h('div.chart.tall#breakdown-chart');
      box.replaceChildren(h('h2', {}, 'Per-layer accelerator breakdown'), el, breakdownTable(b));
      const chart = echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(breakdownOption(b));
      charts.push(chart);
      box.dataset.ready = 'true';
    } catch (e) {
      box.replaceChildren(h('h2', {}, 'Per-layer accelerator breakdown'), h('p.muted', {}, e.message));
      box.dataset.ready = 'error';
    }
  })();
  return box;
}

async function render(view, id, charts) {
  const { trial, experiment, exportable, exportFormats, breakdown, onFront, design, bundle } = await api(`/trials/${id}`);
  const objNames = new Set(experiment.objectives.map((o) => o.name));
  const objectiveRows = experiment.objectives.map((o) => [`${arrow(o.direction)} ${o.name}`, fmtSe(trial.metrics, o.name), o.unit]);
  const other = Object.entries(trial.metrics ?? {}).filter(([k]) => !objNames.has(k) && !/^layers?[.:/]/.test(k) && !k.endsWith('_se'));
  const layers = perLayer(trial);
  const designRows = Object.entries(design).filter(([, v]) => v !== null).map(([k, v]) => [k, typeof v === 'number' ? v : String(v)]);
  view.replaceChildren(h('div.trial', {},
    h('h1#trial-title', {}, `Trial #${trial.number}`, h('span.muted', {}, ` (id ${trial.id}) · `), h(`span.status.${trial.state}`, { dataset: { state: trial.state } }, trial.state),
      trial.feasible === false ? h('span.status.infeasible', {}, ' infeasible') : '',
      onFront ? h('span.status.front#on-front', { title: 'on the Pareto front over all objectives' }, ' ★ Pareto front') : ''),
    trial.error ? h('p.error', {}, trial.error) : null,
    h('div.columns', {},
      h('section', {}, h('h2', {}, 'Objectives'), table(['objective', trial.predicted ? 'verified value (± SE)' : 'value', 'unit'], objectiveRows),
        predictionBox(trial, 'accuracy', experiment.objectives.find((o) => o.name === 'accuracy')?.unit),
        other.length ? [h('h3', {}, 'Other metrics'), table(['metric', 'value'], other.map(([k, v]) => [k, fmtSe(trial.metrics, k)]))] : null,
        trial.timings ? [h('h3', {}, 'Timings (ms)'), keyValues(Object.fromEntries(Object.entries(trial.timings).filter(([k]) => !/^layers?[.:/]/.test(k))))] : null),
      h('section', {}, h('h2', {}, 'Accelerator'), trial.hw ? keyValues(trial.hw, ['mapping', 'perLayer']) : h('p.muted', {}, design.pe_array ?? 'no accelerator configuration (network-only search)')),
      h('section', {}, h('h2', {}, 'Design choices'), table(['choice', 'value'], designRows)),
    ),
    exportable ? exportBox(trial.id, exportFormats, bundle) : null,
    h('h2', {}, 'Network'),
    network(trial.arch),
    breakdown ? await breakdownSection(trial.id, charts) : null,
    layers,
    h('p.muted.wrap', {}, `created ${trial.createdAt}${trial.finishedAt ? ` · finished ${trial.finishedAt}` : ''}${trial.key ? ` · key ${trial.key}` : ''}`),
  ));
  return { trial, experiment };
}

export async function trialView({ view, crumbs, setCleanup }, id) {
  const charts = [];
  const { trial, experiment } = await render(view, id, charts);
  crumbs.append(h('a', { href: '#/' }, 'experiments'), ' / ', h('a', { href: `#/experiments/${experiment.id}` }, experiment.name), ` / trial #${trial.number}`);
  // A trial still running updates itself when the search commits it.
  let unsubscribe = () => {};
  if (trial.state === 'running') {
    unsubscribe = subscribe(`?experimentId=${experiment.id}&after=latest`, async () => {
      const now = await api(`/trials/${id}`);
      if (now.trial.state !== 'running') {
        unsubscribe();
        charts.splice(0).forEach((c) => c.dispose());
        await render(view, id, charts);
      }
    });
  }
  const onResize = () => charts.forEach((c) => c.resize());
  window.addEventListener('resize', onResize);
  setCleanup(() => {
    unsubscribe();
    window.removeEventListener('resize', onResize);
    charts.forEach((c) => c.dispose());
  });
}
