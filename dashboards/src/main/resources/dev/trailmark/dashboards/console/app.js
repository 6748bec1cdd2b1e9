// The console's router: one page at a time, mounted from the URL; the time picker and auto-refresh drive them all.
import { readState, update, onApiHealth, isFailing } from './core.js';

// Each page's module (and its library: Cytoscape for the map, uPlot for metrics) loads when the page is first opened.
const PAGES = {
  services: () => import('./services.js'), map: () => import('./map.js'), traces: () => import('./traces.js'),
  trace: () => import('./trace.js'), logs: () => import('./logs.js'), metrics: () => import('./metrics.js'),
  audit: () => import('./audit.js'), alerts: () => import('./alerts.js'),
};
const NAV = { trace: 'traces' };
const main = document.getElementById('main');
const rangeSel = document.getElementById('range');
const refreshSel = document.getElementById('refresh');
const updated = document.getElementById('updated');
let current = null;
let timer = null;
let retry = null;

async function refresh() {
  const page = current;
  // One refresh at a time per page; a page mounted meanwhile starts its own at once.
  if (!page || page.busy) return;
  page.busy = true;
  try {
    await page.refresh();
    if (page === current) updated.textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    // the banner says it; the page keeps what it had
  } finally {
    page.busy = false;
  }
}

let mounting = 0;

async function mount() {
  const { page, params } = readState();
  const generation = ++mounting;
  const mod = await (PAGES[page] || PAGES.services)();
  if (generation !== mounting) return; // the URL changed again while the module loaded
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.dataset.page === (NAV[page] || page)));
  const from = params.from || 'now-1h';
  if (![...rangeSel.options].some(o => o.value === from)) {
    rangeSel.append(new Option('custom', from));
  }
  rangeSel.value = from;
  refreshSel.value = params.refresh || '';
  if (current && current.dispose) current.dispose();
  const view = document.createElement('div');
  view.id = 'page-' + page;
  main.replaceChildren(view);
  current = mod.mount(view, params);
  document.title = 'Trailmark · ' + (document.querySelector('#nav a.active')?.textContent || page);
  schedule();
  refresh();
}

function schedule() {
  clearInterval(timer);
  const r = readState().params.refresh;
  const ms = { '5s': 5e3, '10s': 1e4, '30s': 3e4, '1m': 6e4 }[r];
  if (ms) timer = setInterval(refresh, ms);
}

rangeSel.addEventListener('change', () => update({ from: rangeSel.value, to: null }));
refreshSel.addEventListener('change', () => update({ refresh: refreshSel.value || null }));
document.getElementById('reload').addEventListener('click', refresh);
window.addEventListener('hashchange', mount);

// While OpenSearch (or this server) is down, retry every 5 s even with auto-refresh off, so the page recovers.
onApiHealth((message) => {
  clearInterval(retry);
  if (message) retry = setInterval(() => { if (isFailing()) refresh(); else clearInterval(retry); }, 5000);
});

document.addEventListener('keydown', (ev) => {
  const t = ev.target;
  const typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
  if (ev.key === 'Escape' && typing) { t.blur(); return; }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === '/') {
    const search = main.querySelector('input[type=search], input[type=text]');
    if (search) { ev.preventDefault(); search.focus(); search.select(); }
  } else if (ev.key === 'r') {
    refresh();
  } else if (ev.key === 't') {
    rangeSel.focus();
  } else if (/^[1-7]$/.test(ev.key)) {
    const a = document.querySelectorAll('#nav a')[Number(ev.key) - 1];
    if (a) location.hash = a.getAttribute('href') + (location.hash.includes('?') ? '?' + keepTime() : '');
  }
});

function keepTime() {
  const p = readState().params;
  return new URLSearchParams(Object.fromEntries(['from', 'to', 'refresh'].filter(k => p[k]).map(k => [k, p[k]]))).toString();
}

mount();
