// Services: per service and operation, request rate, error %, p50/p95/p99 from the spans (and the RED metrics).
import { api, el, link, fmtMs, fmtNum, fmtPct, sparkline, timeParams, inputError, colourOf } from './core.js';

export function mount(view, params) {
  const body = el('div', {}, el('div', { class: 'empty loading' }, 'Loading…'));
  view.append(el('h1', {}, 'Services'), el('p', { class: 'muted' },
    'Server spans in the range; “metrics” columns count every request from the agent’s RED metrics, also unsampled ones. ',
    'Click a service or operation for its traces.'), body);
  const expanded = new Set(params.service ? [params.service] : []);
  return {
    async refresh() {
      let data;
      try {
        data = await api('services', timeParams());
      } catch (e) {
        if (inputError(body, e)) return;
        throw e;
      }
      const seconds = Math.max(1, (data.to - data.from) / 1000);
      if (!data.services.length) {
        body.replaceChildren(el('div', { class: 'empty' }, 'No spans or request metrics in this time range. Widen the range or run ./trailmark demo.'));
        return;
      }
      const rows = [];
      for (const s of data.services) {
        const m = s.metrics;
        const open = expanded.has(s.name);
        const tr = el('tr', { class: 'click svc' + (params.service === s.name ? ' sel' : ''), dataset: { service: s.name }, tabindex: '0' },
          el('td', {}, el('button', { type: 'button', class: 'tog', title: 'operations', 'aria-expanded': String(open),
            onclick: (ev) => { ev.stopPropagation(); open ? expanded.delete(s.name) : expanded.add(s.name); this.refresh(); } }, open ? '▾' : '▸'), ' ',
            el('i', { style: { display: 'inline-block', width: '8px', height: '8px', borderRadius: '2px', background: colourOf(s.name) } }), ' ',
            link('traces', { service: s.name }, s.name, { class: 'svcname' })),
          el('td', { class: 'num' }, fmtNum(s.count)),
          el('td', { class: 'num' }, (s.count / seconds).toFixed(2) + '/s'),
          el('td', { class: 'num' + (s.errors ? ' err' : '') }, fmtPct(s.errors, s.count)),
          el('td', { class: 'num' }, fmtMs(s.p50)), el('td', { class: 'num' }, fmtMs(s.p95)), el('td', { class: 'num' }, fmtMs(s.p99)),
          el('td', {}, sparkline(s.histogram || [])),
          el('td', { class: 'num' }, m ? fmtNum(m.requests) : '–'),
          el('td', { class: 'num' + (m && m.errors ? ' err' : '') }, m ? fmtPct(m.errors, m.requests) : '–'),
          el('td', {}, link('logs', { service: s.name }, 'logs'), ' · ', link('alerts', { service: s.name }, 'alerts')));
        tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') location.hash = tr.querySelector('a.svcname').getAttribute('href'); });
        rows.push(tr);
        if (open) {
          for (const o of s.operations) {
            rows.push(el('tr', { class: 'sub op', dataset: { service: s.name, operation: o.name } },
              el('td', {}, link('traces', { service: s.name, operation: o.name }, o.name)),
              el('td', { class: 'num' }, fmtNum(o.count)),
              el('td', { class: 'num' }, (o.count / seconds).toFixed(2) + '/s'),
              el('td', { class: 'num' + (o.errors ? ' err' : '') }, fmtPct(o.errors, o.count)),
              el('td', { class: 'num' }, fmtMs(o.p50)), el('td', { class: 'num' }, fmtMs(o.p95)), el('td', { class: 'num' }, fmtMs(o.p99)),
              el('td', {}, sparkline(o.histogram || [], { color: colourOf(s.name) })), el('td', {}), el('td', {}),
              el('td', {}, link('traces', { service: s.name, operation: o.name, status: 'error' }, 'errors'))));
          }
        }
      }
      const table = el('table', { id: 'services-table' },
        el('thead', {}, el('tr', {}, ['Service / operation', 'Spans', 'Rate', 'Error %', 'p50', 'p95', 'p99', 'Requests over time',
          'Requests (metrics)', 'Error % (metrics)', ''].map(h => el('th', { class: /Spans|Rate|Error|p\d|metrics/.test(h) ? 'num' : '' }, h)))),
        el('tbody', {}, rows));
      body.replaceChildren(table);
    },
  };
}
