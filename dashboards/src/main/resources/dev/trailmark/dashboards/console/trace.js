// One trace: the waterfall (span tree, durations, critical path, attributes on click), its log lines from every
// service in time order, and the alerts whose sample is this trace.
import { api, el, link, fmtMs, fmtTime, inputError, colourOf, setQuiet, field } from './core.js';
import { logTable } from './logs.js';

/** ISO time with up to nanosecond digits → [epoch seconds, fraction of a second], so offsets keep sub-ms precision. */
function parseIso(s) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s || '');
  if (!m) return [Date.parse(s) / 1000 || 0, 0];
  return [Date.parse(m[1] + (m[3] || 'Z')) / 1000, m[2] ? Number('0.' + m[2]) : 0];
}

/** Orders spans as a tree (depth first, children by start) and marks the critical path. */
export function buildTree(spans) {
  const t0 = spans.length ? parseIso(spans.reduce((a, b) => (a.startTime < b.startTime ? a : b)).startTime) : [0, 0];
  const nodes = new Map();
  for (const s of spans) {
    const st = parseIso(s.startTime);
    const start = (st[0] - t0[0]) * 1000 + (st[1] - t0[1]) * 1000;
    const dur = (s.durationInNanos || 0) / 1e6;
    nodes.set(s.spanId, { span: s, start, end: start + dur, dur, children: [], depth: 0, crit: false });
  }
  const roots = [];
  for (const n of nodes.values()) {
    const p = n.span.parentSpanId && nodes.get(n.span.parentSpanId);
    if (p && p !== n) p.children.push(n); else roots.push(n);
  }
  for (const n of nodes.values()) n.children.sort((a, b) => a.start - b.start);
  roots.sort((a, b) => a.start - b.start);
  const order = [];
  const visit = (n, depth) => { n.depth = depth; order.push(n); n.children.forEach(c => visit(c, depth + 1)); };
  roots.forEach(r => visit(r, 0));
  // Critical path: from the root's end, repeatedly the child that finished last before the cursor (as Jaeger does).
  const mark = (n, cursor) => {
    n.crit = true;
    let c = Math.min(n.end, cursor);
    const kids = [...n.children].sort((a, b) => b.end - a.end);
    for (const k of kids) {
      if (k.start < c && k.end > n.start) {
        mark(k, c);
        c = k.start;
      }
    }
  };
  if (roots.length) mark(roots.reduce((a, b) => (a.end >= b.end ? a : b)), Infinity);
  const total = Math.max(0.001, ...order.map(n => n.end));
  return { order, total };
}

function attributes(span) {
  const rows = [];
  const add = (k, v) => rows.push(el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)));
  add('service', span.serviceName);
  add('name', span.name);
  add('kind', span.kind);
  add('duration', fmtMs(span.durationInNanos / 1e6));
  add('start', span.startTime);
  add('status', (span.status && span.status.code === 2 ? 'ERROR ' : span.status && span.status.code === 1 ? 'OK ' : 'UNSET ') + ((span.status && span.status.message) || ''));
  add('spanId', span.spanId);
  add('parentSpanId', span.parentSpanId || '(root)');
  for (const [k, v] of Object.entries(span)) {
    if (k.startsWith('span.attributes.') || k.startsWith('resource.attributes.')) add(k.replace(/^span\.attributes\./, '').replace(/@/g, '.'), v);
  }
  for (const ev of span.events || []) add('event ' + ev.name, JSON.stringify(ev.attributes || {}));
  return el('dl', { class: 'kv' }, rows);
}

export function mount(view, params) {
  const head = el('div', {}, el('div', { class: 'empty loading' }, 'Loading…'));
  const wfBox = el('div', {});
  const panel = el('div', { class: 'panel', id: 'span-detail' }, el('p', { class: 'muted' }, 'Click a span for its attributes.'));
  const logBox = el('div', {});
  const alertBox = el('div', {});
  view.append(head, el('div', { class: 'split' }, el('div', {}, wfBox), panel), alertBox, logBox);
  let shown = null;
  return {
    async refresh() {
      let data;
      try {
        data = await api('trace', { id: params.id });
      } catch (e) {
        if (inputError(head, e)) return;
        throw e;
      }
      const key = data.spans.length + ':' + data.logs.length + ':' + data.alerts.length;
      if (shown === key) return; // a finished trace does not change: nothing to redraw
      shown = key;
      const t0 = performance.now();
      const { order, total } = buildTree(data.spans);
      const services = [...new Set(data.spans.map(s => s.serviceName))];
      const root = order[0];
      const errors = data.spans.filter(s => s.status && s.status.code === 2).length;
      head.replaceChildren(...[
        el('h1', {}, 'Trace ', root ? `${root.span.serviceName} ${root.span.name}` : ''),
        el('div', { class: 'tracehead' },
          el('span', { class: 'mono', id: 'trace-id' }, data.traceId), el('span', { class: 'mono muted' }, data.xrayTraceId),
          root ? el('span', {}, fmtTime(root.span.startTime, true)) : null,
          el('span', {}, 'duration ', el('b', {}, fmtMs(total))),
          el('span', {}, el('b', {}, String(data.spans.length)), ' spans'),
          el('span', { class: errors ? 'err' : '' }, `${errors} errors`),
          el('span', {}, services.map(s => link('services', { service: s }, s, { class: 'chip', style: { borderLeft: '3px solid ' + colourOf(s) } }))),
          link('logs', { traceId: data.traceId, from: 'now-30d' }, `${data.logs.length} log lines in Logs`),
          data.alerts.length ? link('alerts', { traceId: data.traceId, from: 'now-30d' }, `${data.alerts.length} alerts`) : null),
        data.spansTruncated ? el('p', { class: 'err' }, 'This trace has more spans than the console shows (10,000).') : null].filter(Boolean));
      if (!order.length) {
        wfBox.replaceChildren(el('div', { class: 'empty' }, 'No spans stored for this trace (it may not have been sampled); its log lines are below.'));
      } else {
        wfBox.replaceChildren(waterfall(order, total, panel, params.span));
      }
      logBox.replaceChildren(el('h2', {}, `Log lines of this trace, every service, in time order (${data.logs.length}${data.logsTruncated ? ', first 2,000' : ''})`),
        data.logs.length ? logTable(data.logs, { trace: false, onSpan: (id) => select(wfBox, panel, order, id) })
          : el('div', { class: 'empty' }, 'No log lines carry this trace id.'));
      alertBox.replaceChildren(...(data.alerts.length ? [el('h2', {}, 'Alerts concerning this trace'), alertList(data.alerts)] : []));
      view.dataset.renderMs = String(Math.round(performance.now() - t0));
      view.dataset.spans = String(data.spans.length);
    },
  };
}

function waterfall(order, total, panel, selected) {
  const ticks = el('div', { class: 'ticks' });
  for (let i = 0; i <= 4; i++) {
    ticks.append(el('span', { style: { left: (i * 25) + '%', transform: i === 0 ? 'none' : i === 4 ? 'translateX(-100%)' : 'translateX(-50%)' } },
      fmtMs(total * i / 4)));
  }
  const box = el('div', { class: 'wf', id: 'waterfall' },
    el('div', { class: 'scale' }, el('div', { class: 'name' }, 'Service · operation'), ticks));
  const frag = document.createDocumentFragment();
  for (const n of order) {
    const s = n.span;
    const left = 100 * n.start / total;
    const width = Math.max(0.15, 100 * n.dur / total);
    const err = s.status && s.status.code === 2;
    const row = el('div', { class: 'row span' + (n.crit ? ' crit' : ''), tabindex: '0', dataset: { spanId: s.spanId, service: s.serviceName } },
      el('div', { class: 'name', style: { paddingLeft: (6 + n.depth * 14) + 'px' }, title: `${s.serviceName} ${s.name}` },
        el('span', { class: 'svc', style: { color: colourOf(s.serviceName) } }, s.serviceName), s.name, err ? el('span', { class: 'err' }, ' !') : null),
      el('div', { class: 'lane' },
        el('div', { class: 'bar' + (n.crit ? ' crit' : '') + (err ? ' error' : ''), style: { left: left + '%', width: width + '%', background: colourOf(s.serviceName) } }),
        el('span', { class: 'dur' + (left + width > 80 && left < 15 ? ' inside' : ''), style: left + width <= 80 ? { left: (left + width + 0.5) + '%' }
          : left >= 15 ? { right: (100 - left + 0.5) + '%' } : { left: (left + 0.5) + '%' } }, fmtMs(n.dur))));
    row.addEventListener('click', () => select(box.parentNode, panel, order, s.spanId));
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') select(box.parentNode, panel, order, s.spanId);
      if (ev.key === 'ArrowDown' && row.nextSibling) { ev.preventDefault(); row.nextSibling.focus(); }
      if (ev.key === 'ArrowUp' && row.previousSibling && row.previousSibling.classList.contains('row')) { ev.preventDefault(); row.previousSibling.focus(); }
    });
    frag.append(row);
  }
  box.append(frag);
  const legend = el('div', { class: 'legend' },
    el('span', {}, el('i', { style: { boxShadow: '0 0 0 2px var(--crit)', background: 'transparent' } }), 'critical path'),
    el('span', {}, el('i', { style: { background: 'var(--err)' } }), '! error status'),
    el('span', { class: 'muted' }, '↑↓ Enter: move and select'));
  if (selected) setTimeout(() => select(box.parentNode, panel, order, selected), 0);
  return el('div', {}, legend, box);
}

function select(wfParent, panel, order, spanId) {
  const n = order.find(o => o.span.spanId === spanId);
  if (!n) return;
  wfParent.querySelectorAll('.row.sel').forEach(r => r.classList.remove('sel'));
  const row = wfParent.querySelector(`.row[data-span-id="${spanId}"]`);
  if (row) { row.classList.add('sel'); }
  panel.replaceChildren(el('h2', {}, n.span.serviceName, ' · ', n.span.name), n.crit ? el('p', { class: 'muted' }, 'On the critical path.') : null,
    attributes(n.span), el('p', {}, link('logs', { traceId: n.span.traceId, q: null, from: 'now-30d' }, 'Log lines of this trace')));
  setQuiet({ span: spanId });
}

function alertList(alerts) {
  return el('table', { id: 'trace-alerts' }, el('tbody', {}, alerts.map(a => el('tr', {},
    el('td', { class: 'mono' }, fmtTime(a['@timestamp'])),
    el('td', {}, el('span', { class: 'sev sev-' + a.state }, a.state)),
    el('td', {}, el('span', { class: 'sev sev-' + a.severity }, a.severity)),
    el('td', {}, link('alerts', { alertId: a.alert_id, from: 'now-30d' }, field(a, 'rule.name') || 'alert')),
    el('td', {}, a.message || '')))));
}
