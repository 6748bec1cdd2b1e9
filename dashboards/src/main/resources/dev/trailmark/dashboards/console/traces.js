// Traces: search by service, operation, duration, status, attribute and trace id (X-Ray or 32-hex form).
import { api, el, href, link, fmtMs, fmtTime, timeParams, filterForm, inputError, colourOf } from './core.js';

export function mount(view, params) {
  const list = el('div', {}, el('div', { class: 'empty loading' }, 'Loading…'));
  const fields = [
    { name: 'traceId', label: 'Trace id', placeholder: '1-5759e988-… or 32 hex', type: 'search', class: 'wide' },
    { name: 'service', label: 'Service', options: [] },
    { name: 'operation', label: 'Operation', placeholder: 'GET /checkout' },
    { name: 'minMs', label: 'Min ms', class: 'narrow' },
    { name: 'maxMs', label: 'Max ms', class: 'narrow' },
    { name: 'status', label: 'Status', options: ['error', 'ok'] },
    { name: 'attr', label: 'Attribute', placeholder: 'http.status_code=409' },
  ];
  const formBox = el('div', {}, filterForm(fields, params));
  view.append(el('h1', {}, 'Traces'), formBox, list);
  let services = null;
  return {
    async refresh() {
      if (!services) {
        try {
          services = (await api('services', timeParams())).services.map(s => s.name);
          fields[1].options = services;
          const fresh = filterForm(fields, params);
          // Only swap the form when the user is not typing in it.
          if (!formBox.contains(document.activeElement)) formBox.replaceChildren(fresh);
        } catch (e) { /* the list below reports it */ }
      }
      let data;
      try {
        data = await api('traces', { ...timeParams(), ...pick(params, ['traceId', 'service', 'operation', 'minMs', 'maxMs', 'status', 'attr']) });
      } catch (e) {
        if (inputError(list, e)) return;
        throw e;
      }
      if (!data.traces.length) {
        list.replaceChildren(el('div', { class: 'empty' }, 'No traces match in this time range.'));
        return;
      }
      const max = Math.max(...data.traces.map(t => t.durationMs), 1);
      const rows = data.traces.map(t => {
        const tr = el('tr', { class: 'click trace', tabindex: '0', dataset: { traceId: t.traceId } },
          el('td', { class: 'mono' }, fmtTime(t.start, true)),
          el('td', {}, link('trace', { id: t.traceId }, t.root || '(root span not stored)', { class: 'tracelink' })),
          el('td', {}, t.services.map(s => el('span', { class: 'chip', style: { borderLeft: '3px solid ' + colourOf(s) } }, s))),
          el('td', { class: 'num' }, t.spans),
          el('td', { class: 'num' + (t.errors ? ' err' : '') }, t.errors),
          el('td', { style: { width: '22%' } }, el('div', { style: { display: 'flex', alignItems: 'center', gap: '6px' } },
            el('div', { style: { height: '8px', borderRadius: '2px', background: t.errors ? 'var(--err)' : 'var(--accent)',
              width: Math.max(1, 100 * t.durationMs / max) + '%' } }),
            el('span', { class: 'num' }, fmtMs(t.durationMs)))),
          el('td', { class: 'mono muted' }, t.xrayTraceId));
        tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') location.hash = href('trace', { id: t.traceId }); });
        tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') location.hash = href('trace', { id: t.traceId }); });
        return tr;
      });
      list.replaceChildren(el('p', { class: 'muted' }, `${data.traces.length} most recent traces with a matching span`),
        el('table', { id: 'traces-table' }, el('thead', {}, el('tr', {}, ['Start', 'Root', 'Services', 'Spans', 'Errors', 'Duration', 'X-Ray id']
          .map(h => el('th', { class: /Spans|Errors/.test(h) ? 'num' : '' }, h)))), el('tbody', {}, rows)));
    },
  };
}

export function pick(o, keys) {
  const out = {};
  for (const k of keys) if (o[k]) out[k] = o[k];
  return out;
}
