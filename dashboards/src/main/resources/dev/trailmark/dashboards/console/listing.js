// A filtered, faceted list of documents with a detail panel: the audit findings and the alerts pages.
import { api, el, timeParams, inputError, facetGroup, filterForm, setQuiet, fmtNum } from './core.js';
import { pick } from './traces.js';

/**
 * cfg: { title, endpoint, intro, facets: [[label, param]], filters: [params passed through], search placeholder,
 *        columns: [[header, doc => node]], detail: doc => node, empty }
 */
export function listing(cfg, view, params) {
  const facetBox = el('div', { class: 'facets' });
  const list = el('div', {}, el('div', { class: 'empty loading' }, 'Loading…'));
  const panel = el('div', { class: 'panel', id: cfg.endpoint + '-detail' }, el('p', { class: 'muted' }, 'Click a row for its detail.'));
  view.append(el('h1', {}, cfg.title), el('p', { class: 'muted' }, cfg.intro),
    filterForm([{ name: 'q', label: 'Search (/)', placeholder: cfg.search, type: 'search', class: 'wide' }], params),
    facetBox, el('div', { class: 'split' }, list, panel));
  let selected = params.sel || null;
  return {
    async refresh() {
      let data;
      try {
        data = await api(cfg.endpoint, { ...timeParams(), ...pick(params, ['q', ...cfg.filters]), size: 200 });
      } catch (e) {
        if (inputError(list, e)) return;
        throw e;
      }
      facetBox.replaceChildren(...cfg.facets.map(([label, param]) => facetGroup(label, param, data.facets[param], params[param])),
        el('span', { class: 'muted', id: cfg.endpoint + '-total' }, `${fmtNum(data.total)} in range`));
      if (!data.items.length) {
        list.replaceChildren(el('div', { class: 'empty' }, cfg.empty));
        return;
      }
      const show = (item, tr) => {
        list.querySelectorAll('tr.sel').forEach(r => r.classList.remove('sel'));
        tr.classList.add('sel');
        selected = item.id;
        setQuiet({ sel: item.id });
        panel.replaceChildren(cfg.detail(item.source, item));
      };
      const rows = data.items.map(item => {
        const tr = el('tr', { class: 'click item', tabindex: '0', dataset: { id: item.id } }, cfg.columns.map(([, f]) => el('td', {}, f(item.source))));
        tr.addEventListener('click', (ev) => { if (ev.target.tagName !== 'A') show(item, tr); });
        tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') show(item, tr); });
        return [item, tr];
      });
      list.replaceChildren(el('table', { id: cfg.endpoint + '-table', class: 'items' },
        el('thead', {}, el('tr', {}, cfg.columns.map(([h]) => el('th', {}, h)))), el('tbody', {}, rows.map(r => r[1]))));
      const again = rows.find(([item]) => item.id === selected);
      if (again) show(...again);
    },
  };
}
