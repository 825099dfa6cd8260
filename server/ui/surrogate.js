// The experiment page's "surrogate fits" panel (surrogate searches only): per round, how well the
// accuracy predictor fitted the verified networks (held-out Kendall τ and RMSE of a k-fold cross-
// validation), how many candidates the inner search scored on predictions, the predicted front, the
// batch by acquisition rule and the accelerator pool; and the prospective check — every prediction
// made before its trial was verified, against the verified value.
import { api } from './api.js';
import { h } from './dom.js';

const num = (v, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');
const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(0)} %` : '–');
const RULES = ['ucb-max', 'ucb-capped', 'ucb-hvi', 'diversity', 'fill'];

function batchText(b) {
  if (!b) return '–';
  const parts = RULES.filter((r) => b[r]).map((r) => `${r} ${b[r]}`);
  return `${b.size}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function poolCell(p) {
  if (!p) return h('span.muted', {}, 'no accelerator');
  const change = [p.added?.length ? `${p.added.length} new` : '', p.removed?.length ? `${p.removed.length} dropped` : ''].filter(Boolean).join(', ');
  const usage = Array.isArray(p.usage) ? `; predicted-front members per accelerator: ${p.usage.join(' / ')}` : '';
  const list = (name, xs) => (xs?.length ? `\n${name}:\n${xs.join('\n')}` : '');
  return h('span', { title: `${list('members', p.members)}${list('added this round', p.added)}${list('dropped this round', p.removed)}${usage}`.trim() },
    `${p.members.length} accelerator${p.members.length === 1 ? '' : 's'}${change ? ` (${change})` : ''}`);
}

function roundsTable(rounds, unit) {
  const headers = ['round', 'verified networks', 'held-out τ', `held-out RMSE${unit ? ` [${unit === '%' ? 'pt' : unit}]` : ''}`, 'mean predicted sd', 'cross-validation', 'candidates searched', 'predicted front', 'batch (by rule)', 'accelerator pool'];
  const numeric = new Set(['round', 'verified networks', 'held-out τ', headers[3], 'mean predicted sd', 'candidates searched', 'predicted front']);
  return h('div.table-scroll', {}, h('table.grid#surrogate-rounds', {},
    h('thead', {}, h('tr', {}, headers.map((x) => h(numeric.has(x) ? 'th.num' : 'th', {}, x)))),
    h('tbody', {}, rounds.map((r) => h('tr', { dataset: { round: r.round } },
      h('td.num', {}, r.round),
      h('td.num', {}, r.verifiedNetworks ?? r.trainSize ?? '–'),
      h('td.num', { dataset: { fit: 'tau' } }, num(r.cv?.kendallTau)),
      h('td.num', { dataset: { fit: 'rmse' } }, num(r.cv?.rmse)),
      h('td.num', {}, num(r.cv?.meanSd)),
      h('td', {}, r.cv ? `${r.cv.folds}-fold on ${r.cv.samples}` : h('span.muted', {}, 'too few networks')),
      h('td.num', { dataset: { fit: 'evaluations' } }, typeof r.evaluations === 'number' ? r.evaluations.toLocaleString('en-US') : '–'),
      h('td.num', {}, r.predictedFront ?? '–'),
      h('td', {}, batchText(r.batch)),
      h('td', {}, poolCell(r.pool)))))));
}

function prospectiveText(p, unit) {
  if (!p) return h('p.muted#surrogate-check', {}, 'Prospective check: no trial verified after a prediction yet.');
  const u = unit === '%' ? ' pt' : unit ? ` ${unit}` : '';
  return h('p#surrogate-check', { dataset: { n: p.n } },
    h('strong', {}, 'Prospective check'), ` — ${p.n} trials, each predicted before it was verified: RMSE ${num(p.rmse)}${u}, Kendall τ ${num(p.kendallTau)}, `,
    `${pct(p.within1sd)} within 1 predicted sd, ${pct(p.within2sd)} within 2 sd `,
    h('span.muted', {}, '(a calibrated predictor: ≈ 68 % and 95 %)'));
}

/** The panel element and its reload (on live events). */
export function surrogatePanel(exp) {
  const unit = exp.objectives.find((o) => o.name === 'accuracy')?.unit ?? '';
  const box = h('section#surrogate', {}, h('p.muted', {}, 'loading the surrogate’s fits…'));
  async function reload() {
    const s = await api(`/experiments/${exp.id}/surrogate`);
    const note = h('p.muted', {}, `Each round the predictor of ${s.predicted} is refitted on every verified network; held-out τ and RMSE come from a k-fold cross-validation on them. These are predictions, kept apart from the verified trial values.`);
    box.replaceChildren(note, s.rounds.length ? roundsTable(s.rounds, unit) : h('p.muted', {}, 'No round has been fitted yet (the initial design is being verified).'), prospectiveText(s.prospective, unit));
    box.dataset.rounds = String(s.rounds.length);
  }
  return { el: box, reload };
}
