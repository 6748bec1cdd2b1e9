// Shared pieces of every page: URL state, the API client with its error banner, formatting and small DOM helpers.

/** The page and its parameters, read from the URL's hash (#/page?key=value…), so that a link shares the view. */
export function readState() {
  const h = location.hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const page = (q < 0 ? h : h.slice(0, q)) || 'services';
  const params = Object.fromEntries(new URLSearchParams(q < 0 ? '' : h.slice(q + 1)));
  return { page, params };
}

const KEEP = ['from', 'to', 'refresh'];

/** The URL of a page; the time range and auto-refresh carry over unless given. */
export function href(page, params = {}) {
  const cur = readState().params;
  const p = new URLSearchParams();
  for (const k of KEEP) if (cur[k] && !(k in params)) p.set(k, cur[k]);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return '#/' + page + (s ? '?' + s : '');
}

/** Changes parameters of the current page (null removes one). */
export function update(patch, replace = false) {
  const { page, params } = readState();
  const next = { ...params, ...patch };
  for (const k of Object.keys(next)) if (next[k] === null || next[k] === '' || next[k] === undefined) delete next[k];
  const p = new URLSearchParams(next).toString();
  const url = '#/' + page + (p ? '?' + p : '');
  if (replace) { history.replaceState(null, '', url); window.dispatchEvent(new HashChangeEvent('hashchange')); }
  else location.hash = url;
}

/** The time range as the API takes it (relative values are resolved by the server at each call). */
export function timeParams() {
  const { params } = readState();
  return { from: params.from || 'now-1h', to: params.to || 'now' };
}

/** Resolves from/to to epoch millis in the browser (for charts' axes). */
export function resolveTime(v, now = Date.now()) {
  if (!v || v === 'now') return now;
  const m = /^now-(\d+)([smhdw])$/.exec(v);
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2]];
  if (/^\d+$/.test(v)) return Number(v);
  return Date.parse(v);
}

const banner = () => document.getElementById('banner');
let failing = false;
const errorListeners = new Set();
/** Called with (message|null) whenever the API starts or stops failing. */
export function onApiHealth(fn) { errorListeners.add(fn); }

/** GET /api/<path> as JSON. Failures show the banner (the page keeps what it showed) and are thrown to the caller. */
export async function api(path, params = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const url = '/api/' + path + (p.toString() ? '?' + p : '');
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch (e) {
    fail('The console server does not answer (' + e.message + '). Retrying…');
    throw new ApiError('console unreachable', 0);
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const msg = (body && body.error) || ('HTTP ' + res.status);
    if (res.status >= 500) fail(msg + ' — the page keeps the last data it had and retries.');
    throw new ApiError(msg, res.status);
  }
  if (failing) recover();
  partialAnswer(path, body && body.incomplete);
  return body;
}

/** The endpoints whose last answer OpenSearch gave only in part, with why. */
const partial = new Map();

/** Says on the banner that what the page shows is incomplete, for as long as an endpoint's last answer was. */
function partialAnswer(path, reason) {
  if (reason) partial.set(path, reason); else partial.delete(path);
  if (failing) return;
  const b = banner();
  if (partial.size) {
    b.textContent = 'Incomplete results: OpenSearch answered only in part (' + partial.values().next().value + ').';
    b.hidden = false;
  } else if (!b.hidden) {
    b.hidden = true;
    b.textContent = '';
  }
}

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

function fail(message) {
  failing = true;
  const b = banner();
  b.textContent = message;
  b.hidden = false;
  errorListeners.forEach(fn => fn(message));
}

function recover() {
  failing = false;
  banner().hidden = true;
  banner().textContent = '';
  errorListeners.forEach(fn => fn(null));
  partialAnswer(null, null);
}
export const isFailing = () => failing;

/** Shows a 4xx message (bad input) without treating it as an outage. */
export function inputError(container, e) {
  if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
    container.replaceChildren(el('div', { class: 'empty err' }, e.message));
    return true;
  }
  return false;
}

/** Creates an element: el('a', {href, class, onclick}, child, …). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(e.style, v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

export const link = (page, params, text, attrs = {}) => el('a', { href: href(page, params), ...attrs }, text);

export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1) return ms.toFixed(2) + ' ms';
  if (ms < 10) return ms.toFixed(1) + ' ms';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(2) + ' s';
  return (ms / 60000).toFixed(1) + ' min';
}

export function fmtNum(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 2 : 0 });
}

export function fmtPct(part, whole) {
  if (!whole) return '–';
  const p = 100 * part / whole;
  return (p === 0 ? '0' : p < 0.1 ? '<0.1' : p.toFixed(p < 10 ? 1 : 0)) + ' %';
}

export function fmtTime(t, withMs = false) {
  const d = new Date(typeof t === 'string' ? Date.parse(t) : t);
  if (Number.isNaN(d.getTime())) return String(t);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return day + ' ' + time + (withMs ? '.' + pad(d.getMilliseconds(), 3) : '');
}

/** A small SVG sparkline of counts. */
export function sparkline(values, { width = 120, height = 24, color = 'var(--accent)' } = {}) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  if (!values || !values.length) return svg;
  const max = Math.max(1, ...values);
  const step = width / Math.max(1, values.length - 1);
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`);
  const area = document.createElementNS(ns, 'path');
  area.setAttribute('d', `M0,${height} L${pts.join(' L')} L${width},${height} Z`);
  area.setAttribute('fill', color);
  area.setAttribute('fill-opacity', '0.15');
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', color);
  line.setAttribute('stroke-width', '1.2');
  svg.append(area, line);
  return svg;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];
const colours = new Map();
/** A stable colour per service name. */
export function colourOf(name) {
  if (!colours.has(name)) {
    let h = 0;
    for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    colours.set(name, PALETTE[h % PALETTE.length]);
  }
  return colours.get(name);
}

/** A chip row of facet values that toggle one URL parameter. */
export function facetGroup(label, param, counts, current) {
  const g = el('div', { class: 'group', dataset: { facet: param } }, el('span', {}, label));
  const keys = Object.keys(counts || {});
  if (!keys.length) g.append(el('span', { class: 'muted' }, 'none'));
  for (const k of keys) {
    const on = current === k;
    g.append(el('a', { class: 'chip' + (on ? ' on' : ''), href: '#', onclick: (ev) => { ev.preventDefault(); update({ [param]: on ? null : k }); } },
      `${k} ${counts[k]}`));
  }
  return g;
}

/** A <form> toolbar whose fields map to URL parameters; Enter or the button applies them. */
export function filterForm(fields, params, extra = []) {
  const inputs = {};
  const form = el('form', { class: 'toolbar', onsubmit: (ev) => {
    ev.preventDefault();
    const patch = {};
    for (const [name, input] of Object.entries(inputs)) patch[name] = input.value.trim() || null;
    update(patch);
  } });
  for (const f of fields) {
    let input;
    if (f.options) {
      input = el('select', { name: f.name, id: 'f-' + f.name }, el('option', { value: '' }, f.any || 'any'),
        ...f.options.map(o => el('option', { value: o }, o)));
      if (params[f.name] && !f.options.includes(params[f.name])) input.append(el('option', { value: params[f.name] }, params[f.name]));
      input.value = params[f.name] || '';
      input.addEventListener('change', () => form.requestSubmit());
    } else {
      input = el('input', { type: f.type || 'text', name: f.name, id: 'f-' + f.name, placeholder: f.placeholder || '',
        class: f.class || '', autocomplete: 'off', spellcheck: 'false' });
      input.value = params[f.name] || '';
    }
    inputs[f.name] = input;
    form.append(el('label', { for: 'f-' + f.name }, f.label, input));
  }
  form.append(el('button', { type: 'submit', class: 'primary' }, 'Apply'), ...extra);
  return form;
}

/** Pretty JSON for detail panels. */
export const pre = (obj) => el('pre', { class: 'json' }, JSON.stringify(obj, null, 2));

/** Changes URL parameters without re-mounting the page (a selection inside it). */
export function setQuiet(patch) {
  const { page, params } = readState();
  const next = { ...params, ...patch };
  for (const k of Object.keys(next)) if (next[k] === null || next[k] === undefined || next[k] === '') delete next[k];
  const p = new URLSearchParams(next).toString();
  history.replaceState(null, '', '#/' + page + (p ? '?' + p : ''));
}

/** A field of a document written either nested ({rule: {name}}) or with a dotted key ("rule.name"). */
export function field(doc, path) {
  if (doc == null) return undefined;
  if (path in doc) return doc[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (doc[head] && typeof doc[head] === 'object') {
      const v = field(doc[head], path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}
