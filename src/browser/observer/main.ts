/**
 * The observer page (public/observer.html, served by `erlmesh observer` / `startObserver`):
 * the live cluster — nodes, a graph of their connections, the selected node's processes and
 * names, the selected process, the relay's view. It polls the observer's JSON API: the
 * cluster every 400 ms (each look at the nodes' connection counters gives the edges' rates),
 * the selected node and process once a second.
 */
import { h, panel } from '../demo/dom.js';
import { api, type ClusterView, type ProcessRow } from './api.js';
import { kindOf } from './format.js';
import { renderGraph } from './graph.js';
import { EdgeRates } from './rates.js';
import { nodesTable, renderNodes } from './nodes-panel.js';
import { ProcessPanel } from './process-panel.js';
import { ProcessesTable } from './processes-panel.js';
import { renderNames, renderRelay } from './side-panels.js';

const CLUSTER_MS = 400;
const DETAIL_MS = 1_000;

interface State {
  cluster: ClusterView | undefined;
  node: string | undefined;
  proc: { key: string; pid: string } | undefined;
}

function main(app: HTMLElement): void {
  const state: State = { cluster: undefined, node: undefined, proc: undefined };
  const rates = new EdgeRates();
  const status = h('p', { class: 'identity-meta', 'data-testid': 'status', 'aria-live': 'polite' }, 'Connecting…');
  const selfName = h('h1', { class: 'self-name mono', 'data-testid': 'observer-name' }, '…');
  const nodes = nodesTable();
  const count = h('span', { class: 'count', 'data-testid': 'node-count' }, '0');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'graph');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'The cluster: nodes and their connections');
  const procTitle = h('p', { class: 'panel-sub', 'data-testid': 'processes-of' }, 'Select a node.');
  const table = new ProcessesTable(() => state.proc?.key, (r) => selectProcess(r));
  const detail = new ProcessPanel(() => state.cluster?.control === true, () => void refreshDetail());
  detail.clear('Select a process.');
  const names = h('div', { 'data-testid': 'names' });
  const relay = h('div', { 'data-testid': 'relay' });

  const selectNode = (name: string) => {
    if (state.node === name) return;
    state.node = name;
    state.proc = undefined;
    table.show([]);
    procTitle.textContent = `on ${name}`;
    detail.clear('Select a process.');
    renderCluster();
    void refreshDetail();
  };
  const selectProcess = (r: ProcessRow) => {
    state.proc = { key: r.pid.key, pid: r.pid.pid };
    void refreshDetail();
  };

  const renderCluster = () => {
    const c = state.cluster;
    if (!c) return;
    selfName.textContent = c.observer;
    count.textContent = String(c.nodes.length);
    renderNodes(nodes.body, c.nodes, state.node, selectNode);
    const edges = c.edges.map((e) => ({ ...e, rate: rates.of(e.a, e.b) }));
    renderGraph(svg, c.nodes.map((n) => ({ name: n.name, kind: kindOf(n), self: n.self })), edges, state.node, selectNode);
    renderRelay(relay, c.relay);
  };

  const refreshCluster = async () => {
    try {
      state.cluster = await api.cluster();
      rates.update(state.cluster.nodes);
      status.textContent = `${state.cluster.nodes.length} nodes · updated ${new Date().toLocaleTimeString()}${state.cluster.control ? '' : ' · read-only (ticket)'}`;
      if (state.node && !state.cluster.nodes.some((n) => n.name === state.node)) {
        procTitle.textContent = `${state.node} is down`;
        table.show([]);
      }
      renderCluster();
    } catch (e) {
      status.textContent = `The observer does not answer: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  const refreshDetail = async () => {
    const node = state.node;
    if (!node || !state.cluster?.nodes.some((n) => n.name === node)) return;
    const [procs, nameView] = await Promise.all([api.processes(node).catch(errorAnswer), api.names(node).catch(errorAnswer)]);
    if (state.node !== node) return;
    if (procs.ok) {
      const { total, processes } = procs.value;
      procTitle.textContent = `on ${node} · ${total} processes${processes.length < total ? ` (the first ${processes.length} shown)` : ''}`;
      table.show(procs.value.processes);
    } else {
      procTitle.textContent = `on ${node}: ${procs.error}`;
      table.show([]);
    }
    renderNames(names, nameView.ok ? nameView.value : undefined, nameView.ok ? undefined : nameView.error);
    const p = state.proc;
    if (!p) return;
    const d = await api.process(node, p.key).catch(errorAnswer);
    if (state.proc?.key !== p.key) return;
    if (d.ok) detail.show(node, p.key, p.pid, d.value, undefined);
    else detail.show(node, p.key, p.pid, null, d.error);
  };

  app.removeAttribute('aria-busy');
  app.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('span', null, 'erlmesh'), h('span', { class: 'brand-sub' }, 'observer')),
      h('div', { class: 'identity' }, h('p', { class: 'identity-label' }, 'Observing through the hidden node'), selfName, status),
    ),
    h(
      'main',
      { class: 'panels obs-panels' },
      withCount(panel('nodes', 'Nodes', 'live: nodeup and nodedown as they happen', nodes.table), count),
      panel('graph', 'Cluster', 'connections and their traffic: frames a second, both ways', svg),
      panel('processes', 'Processes', null, procTitle, table.el),
      panel('process', 'Process', null, detail.el),
      panel('names', 'Names', 'registered, global and pg, as the selected node sees them', names),
      panel('relay', 'Relay', null, relay),
    ),
  );
  const loop = (f: () => Promise<void>, ms: number) => {
    const tick = () => void f().finally(() => setTimeout(tick, ms));
    tick();
  };
  loop(refreshCluster, CLUSTER_MS);
  loop(refreshDetail, DETAIL_MS);
}

/** A panel with `count` beside its title. */
function withCount(p: HTMLElement, count: HTMLElement): HTMLElement {
  p.querySelector('h2')?.append(' ', count);
  return p;
}

function errorAnswer(e: unknown): { ok: false; refused: false; error: string } {
  return { ok: false, refused: false, error: e instanceof Error ? e.message : String(e) };
}

main(document.getElementById('app')!);
