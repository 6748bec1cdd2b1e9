// Metrics: any series from metrics-* charted by one of its dimensions.
import uPlot from '/vendor/uplot/dist/uPlot.esm.js';
import { api, el, href, timeParams, inputError, update, colourOf, fmtNum } from './core.js';

export function mount(view, params) {
  const filter = el('input', { type: 'search', placeholder: 'filter metrics (/)', id: 'metric-filter', autocomplete: 'off' });
  const list = el('div', { class: 'metriclist', id: 'metric-list' });
  const controls = el('div', { class: 'toolbar' });
  const chartBox = el('div', { class: 'chart', id: 'metric-chart' }, el('div', { class: 'empty' }, 'Choose a metric.'));
  view.append(el('h1', {}, 'Metrics'),
    el('div', { class: 'metrics' }, el('div', {}, filter, list), el('div', {}, controls, chartBox)));
  let names = [];
  let plot = null;
  let plotKey = '';
  const ro = new ResizeObserver(() => { if (plot) plot.setSize({ width: chartBox.clientWidth - 12, height: 320 }); });
  ro.observe(chartBox);
  const drawList = () => {
    const f = filter.value.toLowerCase();
    list.replaceChildren(...names.filter(m => m.name.toLowerCase().includes(f)).map(m =>
      el('a', { href: href('metrics', { metric: m.name, by: m.dimensions.includes(params.by) ? params.by : (m.dimensions.includes('service') ? 'service' : null) }),
        class: m.name === params.metric ? 'on' : '', title: `${m.namespace} · ${m.unit} · ${m.points} points · dimensions: ${m.dimensions.join(', ')}` }, m.name)));
  };
  filter.addEventListener('input', drawList);
  filter.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { const a = list.querySelector('a'); if (a) location.hash = a.getAttribute('href'); } });
  return {
    async refresh() {
      try {
        names = (await api('metrics/names', timeParams())).metrics;
      } catch (e) {
        if (inputError(list, e)) return;
        throw e;
      }
      drawList();
      if (!names.length) { chartBox.replaceChildren(el('div', { class: 'empty' }, 'No metrics in this time range.')); return; }
      const m = names.find(n => n.name === params.metric);
      if (!m) return;
      const dimSel = el('select', { id: 'metric-by' }, el('option', { value: '' }, '(all together)'), ...m.dimensions.map(d => el('option', { value: d }, d)));
      dimSel.value = params.by || '';
      dimSel.addEventListener('change', () => update({ by: dimSel.value || null }));
      const statSel = el('select', { id: 'metric-stat' }, ...['avg', 'sum', 'min', 'max'].map(s => el('option', { value: s }, s)));
      statSel.value = params.stat || 'avg';
      statSel.addEventListener('change', () => update({ stat: statSel.value }));
      const where = el('input', { type: 'text', id: 'metric-where', placeholder: 'dimension=value', value: params.where || '' });
      where.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') update({ where: where.value.trim() || null }); });
      if (!controls.contains(document.activeElement)) {
        controls.replaceChildren(el('b', {}, m.name), el('span', { class: 'muted' }, `${m.namespace} · ${m.unit}`),
          el('label', {}, 'by ', dimSel), el('label', {}, 'stat ', statSel), el('label', {}, 'where ', where));
      }
      let s;
      try {
        s = await api('metrics/series', { ...timeParams(), name: m.name, by: params.by, stat: params.stat, where: params.where });
      } catch (e) {
        if (inputError(chartBox, e)) return;
        throw e;
      }
      if (!s.series.length) { chartBox.replaceChildren(el('div', { class: 'empty' }, 'No points for this selection.')); plot = null; plotKey = ''; return; }
      const data = [s.times.map(t => t / 1000), ...s.series.map(x => x.values)];
      const key = m.name + '|' + s.series.map(x => x.label).join(',');
      if (plot && key === plotKey) { plot.setData(data); return; } // same series: update in place, no redraw flicker
      plotKey = key;
      if (plot) plot.destroy();
      const dark = matchMedia('(prefers-color-scheme: dark)').matches;
      const axis = { stroke: dark ? '#8f98a8' : '#687185', grid: { stroke: dark ? '#2e343e' : '#eceef2' }, ticks: { stroke: dark ? '#2e343e' : '#dde1e8' } };
      plot = new uPlot({
        width: chartBox.clientWidth - 12, height: 320,
        series: [{}, ...s.series.map(x => ({ label: x.label, stroke: colourOf(x.label), width: 1.5, spanGaps: false, value: (u, v) => v == null ? '–' : fmtNum(v) }))],
        axes: [axis, { ...axis, size: 60 }],
        scales: { x: { time: true } },
      }, data, chartBox.appendChild(document.createElement('div')));
      chartBox.replaceChildren(plot.root);
    },
    dispose() { ro.disconnect(); if (plot) plot.destroy(); },
  };
}
