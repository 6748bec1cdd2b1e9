// Alerts: the notices of the alert runner (alerts-*), firing and resolved, with links to the service and the trace.
import { el, fmtTime, pre, field, link } from './core.js';
import { listing } from './listing.js';

export function mount(view, params) {
  return listing({
    title: 'Alerts',
    endpoint: 'alerts',
    intro: 'Notices of the alert rules: one when an episode fires, one when it resolves (same alert id).',
    search: 'message, rule, key',
    facets: [['State', 'state'], ['Severity', 'severity'], ['Rule', 'rule']],
    filters: ['state', 'severity', 'rule', 'service', 'alertId', 'traceId'],
    empty: 'No alerts in this time range.',
    columns: [
      ['Time', d => el('span', { class: 'mono' }, fmtTime(d['@timestamp']))],
      ['State', d => el('span', { class: 'sev sev-' + d.state }, d.state)],
      ['Severity', d => el('span', { class: 'sev sev-' + d.severity }, d.severity)],
      ['Rule', d => field(d, 'rule.name')],
      ['Key', d => d.query_key ? `${d.query_key}=${d.key}` : ''],
      ['Matches', d => String(d.match_count ?? '')],
      ['Message', d => d.message || ''],
      ['Links', d => el('span', {},
        field(d, 'resource.service.name') ? link('services', { service: field(d, 'resource.service.name') }, field(d, 'resource.service.name')) : null,
        field(d, 'sample.traceId') ? [' ', link('trace', { id: field(d, 'sample.traceId') }, 'trace', { class: 'tracelink' })] : null)],
    ],
    detail: (d) => el('div', {},
      el('h2', {}, field(d, 'rule.name') || 'alert'),
      el('dl', { class: 'kv' }, ...[['alert id', d.alert_id], ['state', d.state], ['severity', d.severity], ['rule type', field(d, 'rule.type')],
        ['index', d.index], ['window', `${fmtTime(field(d, 'window.start'))} → ${fmtTime(field(d, 'window.end'))}`], ['matches', d.match_count]]
        .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v ?? '–'))])),
      el('p', {}, d.message || ''),
      field(d, 'sample.traceId') ? el('p', {}, link('trace', { id: field(d, 'sample.traceId') }, 'Open the sample trace'), ' · ',
        link('logs', { traceId: field(d, 'sample.traceId'), from: 'now-30d' }, 'its log lines')) : null,
      el('p', {}, link('alerts', { alertId: d.alert_id, from: 'now-30d' }, 'Every notice of this episode')),
      el('h2', {}, 'Delivery'),
      el('table', {}, el('tbody', {}, (d.delivery || []).map(x => el('tr', {}, el('td', {}, x.alerter), el('td', {}, x.status),
        el('td', { class: 'num' }, String(x.attempts ?? '')), el('td', { class: 'err' }, x.error || ''))))),
      el('h2', {}, 'Whole notice'), pre(d)),
  }, view, params);
}
