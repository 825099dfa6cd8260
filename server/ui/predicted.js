// A surrogate search's predictions, shown apart from verified values: a trial's `predicted` holds
// what the strategy expected before the candidate was verified — `{ round, rule, accuracy: { mean,
// sd, source } }` — never a measurement. Everything here is labelled "predicted" and drawn in its
// own style (italic, dashed) so it cannot be read as a verified number.
import { h } from './dom.js';

const RULES = {
  'initial-design': 'initial design (chosen before any prediction)',
  'ucb-max': 'upper confidence bound on accuracy',
  'ucb-capped': 'upper confidence bound on accuracy under a random cost cap',
  'ucb-hvi': 'hypervolume improvement of the upper confidence bound',
  diversity: 'diversity share',
  fill: 'fill (nearest untried neighbour)',
};

export function ruleTitle(rule) {
  return RULES[rule] ?? rule;
}

/** The prediction of `metric` a trial carries, with its round and rule; null when it has none. */
export function predictionOf(t, metric = 'accuracy') {
  const p = t?.predicted;
  if (!p || typeof p !== 'object') return null;
  const m = p[metric];
  const value = m && typeof m.mean === 'number' ? { mean: m.mean, sd: typeof m.sd === 'number' ? m.sd : null, source: m.source ?? null } : null;
  return { round: p.round ?? null, rule: p.rule ?? null, value };
}

/** Whether the experiment was searched by the surrogate strategy (the only one that predicts). */
export function isSurrogate(exp) {
  return (exp.facts?.strategy?.name ?? exp.config?.strategy?.name) === 'surrogate';
}

function meanSd(v, digits = 2) {
  return `${v.mean.toFixed(digits)}${v.sd !== null ? ` ± ${v.sd.toFixed(digits)}` : ''}`;
}

/** "where it came from" for a tooltip: round, rule and source. */
function provenance(p) {
  const src = p.value?.source === 'verified network' ? 'the verified accuracy of the same network (with another accelerator)' : 'the predictor (mean ± one predicted standard deviation)';
  return `predicted before verification, not measured — round ${p.round}, ${ruleTitle(p.rule)}${p.value ? `; from ${src}` : ''}`;
}

/** The table cell: mean ± sd and "r3 ucb-hvi", italic; the initial design has no prediction. */
export function predictedCell(p) {
  if (!p) return h('span.muted', {}, '–');
  if (!p.value) return h('span.predicted.muted', { title: provenance(p) }, p.rule === 'initial-design' ? 'initial design' : '–');
  return h('span.predicted', { title: provenance(p), dataset: { round: p.round, rule: p.rule } },
    meanSd(p.value), h('span.tag', {}, ` r${p.round} ${p.rule}${p.value.source === 'verified network' ? ' (verified net)' : ''}`));
}

/** The trial page's box beside the verified accuracy: what was predicted, when and by which rule. */
export function predictionBox(t, metric, unit) {
  const p = predictionOf(t, metric);
  if (!p) return null;
  return h('section.prediction#prediction', { dataset: { round: p.round ?? '', rule: p.rule ?? '' } },
    h('h3', {}, `Predicted ${metric} (surrogate, round ${p.round}, ${p.rule})`),
    p.value
      ? h('p', {}, h('span.predicted.big', {}, `${meanSd(p.value)}${unit ? ` ${unit}` : ''}`),
        h('span.muted', {}, ` — ${p.value.source === 'verified network' ? 'the same network\'s verified accuracy (measured with another accelerator)' : 'predictor mean ± one predicted standard deviation'}`))
      : h('p.muted', {}, 'none: this trial belongs to the initial design, chosen before the predictor was fitted'),
    h('p.muted', {}, `Made before the trial was verified, by ${ruleTitle(p.rule)}; not a measurement. The verified value is in the objectives table.`));
}
