// Service map: the edges of otel-v1-apm-service-map with calls, error % and p95 from the spans in the range.
import cytoscape from '/vendor/cytoscape/dist/cytoscape.esm.min.mjs';
import { api, el, href, fmtMs, fmtNum, fmtPct, timeParams, inputError, colourOf } from './core.js';

export function mount(view) {
  const info = el('p', { class: 'muted' }, 'Click a service for its row in Services, an edge for the traces between the two.');
  const box = el('div', { id: 'cy' });
  const note = el('div', {});
  view.append(el('h1', {}, 'Service map'), info, note, box);
  let cy = null;
  let shape = '';
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const fg = dark ? '#dfe3ea' : '#1d2330';
  const line = dark ? '#5b6576' : '#9aa3b2';
  return {
    async refresh() {
      let data;
      try {
        data = await api('map', timeParams());
      } catch (e) {
        if (inputError(note, e)) return;
        throw e;
      }
      if (!data.nodes.length) {
        note.replaceChildren(el('div', { class: 'empty' }, 'No service-map edges yet: they appear once a sampled trace crosses two services.'));
        return;
      }
      note.replaceChildren();
      // A node without spans of its own is a database or an AWS service (a queue): its calls are on the edges into it.
      const nodes = data.nodes.map(n => ({ data: { id: n.name,
        label: n.count ? `${n.name}\n${fmtNum(n.count)} spans · ${fmtPct(n.errors, n.count)} err · p95 ${fmtMs(n.p95)}` : n.name,
        colour: colourOf(n.name), error: n.errors > 0 ? 1 : 0 } }));
      const edges = data.edges.map(e => ({ data: { id: e.source + '>' + e.target, source: e.source, target: e.target,
        label: `${fmtNum(e.count)} calls · ${fmtPct(e.errors, e.count)} err · p95 ${fmtMs(e.p95)}`,
        operation: e.operations.length === 1 ? e.operations[0] : '', error: e.errors > 0 ? 1 : 0 } }));
      const newShape = JSON.stringify([nodes.map(n => n.data.id), edges.map(e => e.data.id)]);
      if (cy && newShape === shape) {
        // Same graph: update the labels in place, so a refresh does not move or redraw anything.
        for (const d of [...nodes, ...edges]) cy.getElementById(d.data.id).data(d.data);
        return;
      }
      shape = newShape;
      if (cy) cy.destroy();
      cy = cytoscape({
        container: box,
        elements: [...nodes, ...edges],
        wheelSensitivity: 0.3,
        layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.3, padding: 30 },
        style: [
          { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', color: fg, 'font-size': 11,
            'text-wrap': 'wrap', 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 8, width: 34, height: 34,
            'border-width': 2, 'border-color': line } },
          { selector: 'node[error = 1]', style: { 'border-color': '#d1353b', 'border-width': 3 } },
          { selector: 'edge', style: { width: 2, 'line-color': line, 'target-arrow-color': line, 'target-arrow-shape': 'triangle',
            'curve-style': 'bezier', label: 'data(label)', 'font-size': 10, color: fg, 'text-background-color': dark ? '#1b1f26' : '#f5f6f8',
            'text-background-opacity': 1, 'text-background-padding': 2 } },
          { selector: 'edge[error = 1]', style: { 'line-color': '#d1353b', 'target-arrow-color': '#d1353b' } },
        ],
      });
      cy.on('tap', 'node', (ev) => { location.hash = href('services', { service: ev.target.id() }); });
      cy.on('tap', 'edge', (ev) => {
        const d = ev.target.data();
        location.hash = href('traces', { service: d.target, operation: d.operation || null });
      });
    },
    dispose() { if (cy) cy.destroy(); },
  };
}
