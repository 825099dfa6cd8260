// Tiny DOM helpers. Text always goes through textContent (never innerHTML), so stored strings
// cannot inject markup, and the page needs no inline script or style.

/** h('div.cls#id', {attr: v, onclick: fn}, ...children) */
export function h(spec, attrs = {}, ...children) {
  const [tagAndClasses, id] = spec.split('#');
  const [tag, ...classes] = tagAndClasses.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (id) el.id = id;
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * Numbers with a fixed number of significant digits, so a column reads evenly (85.00 next to 84.40,
 * not 85 next to 84.4); integers that are counts stay integers.
 */
export function fmt(v, digits = 4) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(digits - 1);
    return v.toPrecision(digits);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A metric value with its standard error when the trial stores one as `<name>_se`. */
export function fmtSe(metrics, name, digits = 4) {
  const v = metrics?.[name];
  const se = metrics?.[`${name}_se`];
  if (typeof v !== 'number') return fmt(v, digits);
  if (typeof se !== 'number') return fmt(v, digits);
  // As many decimals as the standard error's first significant digit needs.
  const decimals = se > 0 ? Math.max(0, Math.min(6, 1 - Math.floor(Math.log10(se)))) : 2;
  return `${v.toFixed(decimals)} ± ${se.toFixed(decimals)}`;
}

export function table(headers, rows, cls = '') {
  return h(`table.grid${cls}`, {}, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h(typeof c === 'number' ? 'td.num' : 'td', {}, typeof c === 'number' ? fmt(c) : c))))));
}

export function arrow(direction) {
  return direction === 'max' ? '↑' : '↓';
}

/** "name [unit] ↑" for axis and column titles. */
export function label(name, unit, direction) {
  return `${name}${unit ? ` [${unit}]` : ''}${direction ? ` ${arrow(direction)}` : ''}`;
}

/** A short accelerator label from the design choices the API reports. */
export function accelLabel(d) {
  if (!d || d.pe_array === null || d.pe_array === undefined) return '–';
  return [d.pe_array, d.dataflow, d.precision].filter((x) => x !== null && x !== undefined).join(' ');
}

/** Trial counts by state, in a fixed order with any newer state (e.g. interrupted) after them. */
export function stateCounts(trials) {
  const order = ['finished', 'failed', 'running'];
  const keys = Object.keys(trials).filter((k) => k !== 'total');
  return [...order.filter((k) => keys.includes(k)), ...keys.filter((k) => !order.includes(k)).sort()].map((k) => [k, trials[k]]);
}

// Red is the front's colour, so categories start elsewhere.
export const PALETTE = ['#3b7dd8', '#2e9d5b', '#edae49', '#8e5fb8', '#00798c', '#e86a33', '#6b7280', '#b5838d', '#4f772d', '#d1495b'];

/**
 * One formatter per column: as many decimals as 4 significant digits of the column's largest
 * value need, applied to every row, so numbers line up (86.00 above 84.40).
 */
export function columnFormat(values) {
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const m = finite.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  if (finite.every((v) => Number.isInteger(v)) && m >= 1) return (v) => fmt(v);
  const decimals = m > 0 ? Math.max(0, Math.min(6, 3 - Math.floor(Math.log10(m)))) : 2;
  return (v) => (typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 1e6 ? v.toExponential(3) : v.toFixed(decimals)) : fmt(v));
}
