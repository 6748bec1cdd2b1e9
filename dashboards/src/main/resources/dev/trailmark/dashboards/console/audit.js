// Audit: findings and remediation records from audit-findings-*, with the triggering event and the outcome.
import { el, fmtTime, pre, field } from './core.js';
import { listing } from './listing.js';

const kv = (pairs) => el('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
  .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))]));

/** arn:aws:sts::123:assumed-role/Developer/alice → Developer/alice (the whole ARN is in the tooltip and the detail). */
const shortActor = (arn) => !arn ? '–' : arn.replace(/^arn:aws:(sts|iam)::\d+:(assumed-role\/|user\/|role\/)?/, '');

export function mount(view, params) {
  return listing({
    title: 'Audit findings',
    endpoint: 'findings',
    intro: 'One record per decision of the audit rules: what was found, and what remediation did (or would do in dry-run).',
    search: 'title, resource, rule, actor',
    facets: [['Severity', 'severity'], ['Rule', 'rule'], ['Outcome', 'decision']],
    filters: ['severity', 'rule', 'decision', 'account', 'region', 'resource'],
    empty: 'No audit findings in this time range (./trailmark demo replays CloudTrail samples through the rules).',
    columns: [
      ['Time', d => el('span', { class: 'mono' }, fmtTime(d['@timestamp']))],
      ['Severity', d => el('span', { class: 'sev sev-' + d.severity }, d.severity)],
      ['Rule', d => d.ruleId],
      ['Finding', d => d.title],
      ['Resource', d => el('span', {}, el('span', { class: 'muted' }, d.resourceType || ''), ' ', el('span', { class: 'mono' }, d.resourceId || ''))],
      ['Account / region', d => el('span', {}, d.accountId || '–', el('br'), el('span', { class: 'muted' }, d.region || '–'))],
      ['Actor', d => el('span', { title: field(d, 'finding.actor') || '' }, shortActor(field(d, 'finding.actor')))],
      ['Remediation', d => el('span', { class: 'chip' }, d.decision + (d.dryRun ? ' (dry-run)' : ''))],
    ],
    detail: (d) => el('div', {},
      el('h2', {}, d.title || d.ruleId),
      kv([['severity', d.severity], ['rule', d.ruleId], ['resource', `${d.resourceType} ${d.resourceId}`], ['account', d.accountId],
        ['region', d.region], ['time', d['@timestamp']], ['record', d.recordId]]),
      el('h2', {}, 'Triggering event'),
      kv([['source', field(d, 'finding.source')], ['event', field(d, 'finding.eventName')], ['event id', field(d, 'finding.eventId')],
        ['event time', field(d, 'finding.eventTime')], ['actor', field(d, 'finding.actor')]]),
      el('h2', {}, 'Remediation'),
      kv([['outcome', d.decision], ['reason', d.reason], ['action', d.action], ['plan', d.plan], ['dry-run', d.dryRun], ['attempt', d.attempt]]),
      d.before ? el('h2', {}, 'Before') : null, d.before ? pre(d.before) : null,
      d.after ? el('h2', {}, 'After') : null, d.after ? pre(d.after) : null,
      el('h2', {}, 'Whole record'), pre(d)),
  }, view, params);
}
