// Logs: query text, service, level, trace id; newest first, paged with search_after (no 10,000-line wall); live tail.
import { api, el, href, link, fmtTime, fmtNum, timeParams, filterForm, inputError, readState, update } from './core.js';
import { pick } from './traces.js';

const LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];
const LEVEL_COLOUR = { FATAL: 'var(--err)', ERROR: 'var(--err)', WARN: 'var(--warn)', INFO: 'var(--info)', DEBUG: 'var(--debug)', TRACE: 'var(--debug)' };

/** Rows of log lines; each line links to its trace (or, inside a trace, to its span). */
export function logRows(lines, { trace = true, onSpan = null, fresh = false } = {}) {
  const rows = [];
  for (const l of lines) {
    const tr = el('tr', { class: 'line' + (fresh ? ' new' : ''), tabindex: '0', dataset: { id: l.id, traceId: l.traceId || '' } },
      el('td', { class: 'ts', title: l.timestamp }, fmtTime(l.timestamp, true)),
      el('td', { class: 'lvl' }, l.level ? el('span', { class: 'sev sev-' + l.level }, l.level) : ''),
      el('td', { class: 'svc' }, l.service ? link('services', { service: l.service }, l.service) : ''),
      el('td', { class: 'body' }, l.body),
      el('td', { class: 'tr' }, l.traceId
        ? (trace ? link('trace', { id: l.traceId }, 'trace', { class: 'tracelink', title: l.traceId })
          : (onSpan && l.spanId ? el('a', { href: '#', class: 'spanlink', onclick: (ev) => { ev.preventDefault(); onSpan(l.spanId); } }, 'span') : ''))
        : ''));
    const toggle = () => {
      const next = tr.nextSibling;
      if (next && next.classList.contains('detail')) { next.remove(); return; }
      const d = el('tr', { class: 'detail' }, el('td', { colspan: '5' }, el('dl', { class: 'kv' },
        el('dt', {}, 'index'), el('dd', {}, l.index), el('dt', {}, 'logger'), el('dd', {}, l.logger || '–'),
        el('dt', {}, 'traceId'), el('dd', {}, l.traceId || '–'), el('dt', {}, 'spanId'), el('dd', {}, l.spanId || '–'),
        ...Object.entries(flatten(l.attributes || {})).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))));
      tr.after(d);
    };
    tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') toggle(); });
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') toggle(); });
    rows.push(tr);
  }
  return rows;
}

export function logTable(lines, opts) {
  return el('table', { class: 'loglines' }, el('tbody', {}, logRows(lines, opts)));
}

function flatten(o, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, prefix + k + '.', out);
    else out[prefix + k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function histogram(times, byLevel) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'hist');
  svg.setAttribute('viewBox', `0 0 ${Math.max(1, times.length)} 100`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const levels = Object.keys(byLevel).sort((a, b) => LEVELS.indexOf(a) - LEVELS.indexOf(b));
  const totals = times.map((_, i) => levels.reduce((s, l) => s + (byLevel[l][i] || 0), 0));
  const max = Math.max(1, ...totals);
  times.forEach((t, i) => {
    let y = 100;
    for (const l of levels.slice().reverse()) {
      const v = byLevel[l][i] || 0;
      if (!v) continue;
      const h = 96 * v / max;
      y -= h;
      const r = document.createElementNS(ns, 'rect');
      r.setAttribute('x', i + 0.1); r.setAttribute('width', 0.8); r.setAttribute('y', y); r.setAttribute('height', h);
      r.setAttribute('fill', LEVEL_COLOUR[l] || 'var(--accent)');
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${fmtTime(t)} ${l}: ${v}`;
      r.append(title);
      svg.append(r);
    }
  });
  return svg;
}

export function mount(view, params) {
  const size = Math.min(500, Math.max(10, Number(params.size) || 100));
  const fields = [
    { name: 'q', label: 'Search (/)', placeholder: 'words in the message, "phrases", -not', type: 'search', class: 'wide' },
    { name: 'service', label: 'Service', options: [] },
    { name: 'level', label: 'Level', options: LEVELS },
    { name: 'traceId', label: 'Trace id', placeholder: '1-… or 32 hex', type: 'search' },
  ];
  const tailBtn = el('button', { type: 'button', id: 'tail', 'aria-pressed': params.tail ? 'true' : 'false', title: 'Live tail: new lines appear on top every 2 s' },
    params.tail ? '■ Stop tail' : '▶ Live tail');
  tailBtn.addEventListener('click', () => update({ tail: params.tail ? null : '1' }));
  const formBox = el('div', {}, filterForm(fields, params, [tailBtn]));
  const summary = el('div', { class: 'muted', id: 'log-summary' });
  const hist = el('div', {});
  const tbody = el('tbody', {});
  const table = el('table', { class: 'loglines', id: 'log-table' },
    el('thead', {}, el('tr', {}, ['Time', 'Level', 'Service', 'Message', ''].map(h => el('th', {}, h)))), tbody);
  const moreBtn = el('button', { type: 'button', id: 'older' }, 'Older lines');
  const moreInfo = el('span', { class: 'muted', id: 'shown' });
  const more = el('div', { class: 'more' }, moreBtn, moreInfo);
  const box = el('div', {}, el('div', { class: 'empty loading' }, 'Loading…'));
  view.append(el('h1', {}, 'Logs'), formBox, summary, hist, box);
  const query = () => ({ ...timeParams(), ...pick(params, ['q', 'service', 'level', 'traceId']), size });
  let next = null;
  let paged = false;
  let total = 0;
  const seen = new Set();
  let newest = null;
  let tailTimer = null;
  let services = null;

  const shownText = () => { moreInfo.textContent = `${fmNum(seen.size)} of ${fmNum(total)} lines shown`; moreBtn.hidden = !next; };
  const fmNum = (n) => fmtNum(n);

  moreBtn.addEventListener('click', async () => {
    if (!next) return;
    moreBtn.disabled = true;
    try {
      const data = await api('logs', { ...query(), after: next });
      next = data.next || null;
      paged = true;
      const fresh = data.lines.filter(l => !seen.has(l.id));
      fresh.forEach(l => seen.add(l.id));
      tbody.append(...logRows(fresh));
      shownText();
    } catch (e) { /* banner */ } finally { moreBtn.disabled = false; }
  });

  async function tail() {
    if (!newest) return;
    try {
      const data = await api('logs', { ...pick(params, ['q', 'service', 'level', 'traceId']), since: newest, from: newest, to: 'now', size: 500 });
      const fresh = data.lines.filter(l => !seen.has(l.id));
      if (!fresh.length) return;
      fresh.forEach(l => seen.add(l.id));
      newest = fresh[0].timestamp > newest ? fresh[0].timestamp : newest;
      total += fresh.length;
      tbody.prepend(...logRows(fresh, { fresh: true }));
      shownText();
    } catch (e) { /* banner; retried on the next tick */ }
  }
  if (params.tail) tailTimer = setInterval(tail, 2000);

  return {
    async refresh() {
      if (!services) {
        try {
          services = (await api('services', timeParams())).services.map(s => s.name);
          fields[1].options = services;
          if (!formBox.contains(document.activeElement)) formBox.replaceChildren(filterForm(fields, params, [tailBtn]));
        } catch (e) { /* reported below */ }
      }
      if (paged || params.tail && newest) return; // paging or tailing: keep what the reader is looking at
      let data;
      try {
        data = await api('logs', query());
      } catch (e) {
        if (inputError(box, e)) return;
        throw e;
      }
      total = data.total;
      next = data.next || null;
      seen.clear();
      data.lines.forEach(l => seen.add(l.id));
      newest = data.lines.length ? data.lines[0].timestamp : (newest || new Date().toISOString());
      summary.textContent = `${fmtNum(data.total)} lines match, newest first`;
      hist.replaceChildren(histogram(data.histogramTimes || [], data.histogram || {}));
      tbody.replaceChildren(...logRows(data.lines));
      shownText();
      if (!data.lines.length) box.replaceChildren(el('div', { class: 'empty' }, 'No log lines match in this time range.'));
      else if (box.firstChild !== table) box.replaceChildren(table, more);
    },
    dispose() { clearInterval(tailTimer); },
  };
}
