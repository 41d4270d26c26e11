/**
 * The demo page (public/index.html, served by `erlmesh demo`): this tab becomes a node of the
 * demo cluster and shows its name, the live node list, a kvs panel, a remote-spawn panel and
 * an event log.
 */
import { startNode, type Node } from '../index.js';
import { loadConfig, relayUrl, ticketFetcher, type DemoConfig } from './config.js';
import { h } from './dom.js';
import { EventLog } from './event-log.js';
import { describeError } from './format.js';
import { kvsPanel } from './kvs-panel.js';
import { NodeDirectory } from './node-directory.js';
import { nodesPanel } from './nodes-panel.js';
import { spawnPanel } from './spawn-panel.js';

async function main(app: HTMLElement): Promise<void> {
  status(app, 'Connecting to the demo cluster…');
  let config: DemoConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    const err = describeError(e);
    return fatal(app, 'Could not read the demo configuration.', `${err.detail ?? err.text}. Is this page served by `, h('code', null, 'erlmesh demo'), ' (', h('code', null, 'npm start'), ')?');
  }
  let node: Node;
  try {
    node = await startNode({
      ticket: ticketFetcher(config.ticket),
      // Other tabs (role 'demo' too) may do to this one what the page offers: rpc, remote
      // spawn of shipped functions, links and exit signals (as demo@ allows them).
      capabilities: { demo: { rpc: '*', spawn: '*', shipFunctions: true, global: true, pg: true, send: '*', link: true, exit: true } },
      prefix: config.prefix.replace(/-$/, ''),
      host: config.host,
      mode: config.mode,
      relay: relayUrl(config.relay, location.href),
      output: false,
      logger: false,
      // Back from the back-forward cache: a new incarnation; the simplest honest view is a fresh page.
      onRestore: () => location.reload(),
    });
  } catch (e) {
    const err = describeError(e);
    const why = err.detail ? `${err.detail.replace(/\.?$/, '.')} ` : '';
    return fatal(app, `Could not start this tab’s node: ${err.text}`, `${why}Is `, h('code', null, 'erlmesh demo'), ' still running?');
  }
  render(app, node, config);
}

function render(app: HTMLElement, node: Node, config: DemoConfig): void {
  const log = new EventLog();
  const dir = new NodeDirectory(node);
  node.onLog((e) => {
    if (e.level !== 'info') log.add(e.level === 'error' ? 'error' : 'warning', e.text);
  });
  dir.subscribe((ev) => {
    if (!ev) return;
    const what = ev.hidden ? 'hidden node' : 'node';
    if (ev.kind === 'nodeup') log.add('nodeup', `${what} ${ev.name} is up`);
    else log.add('nodedown', `${what} ${ev.name} is down${ev.reason ? ` (${ev.reason})` : ''}`);
  });
  const header = h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }),
      h('span', null, 'erlmesh'),
      h('span', { class: 'brand-sub' }, 'Erlang distribution in the browser'),
    ),
    h(
      'div',
      { class: 'identity' },
      h('p', { class: 'identity-label' }, 'This tab is the node'),
      h('h1', { class: 'self-name mono', 'data-testid': 'self-name' }, node.name),
      h(
        'p',
        { class: 'identity-meta' },
        `${config.mode} names · relay ${new URL(relayUrl(config.relay, location.href)).pathname} · server node `,
        h('span', { class: 'mono' }, config.server),
      ),
    ),
  );
  const main = h(
    'main',
    { class: 'panels' },
    // On wide screens the first column holds the node list and the log; narrower, the
    // wrapper dissolves (display: contents) and the panels stack: nodes, kvs, spawn, log.
    h('div', { class: 'col col-side' }, nodesPanel(node, dir, log), log.element),
    kvsPanel(node, dir, log, config.server),
    spawnPanel(node, dir, log, config.server),
  );
  app.replaceChildren(header, main);
  app.removeAttribute('aria-busy');
  log.add('info', `started ${node.name}; connected to ${node.nodes().length} node(s)`);
}

function status(app: HTMLElement, text: string): void {
  app.setAttribute('aria-busy', 'true');
  app.replaceChildren(h('p', { class: 'status' }, text));
}

function fatal(app: HTMLElement, title: string, ...detail: Array<string | HTMLElement>): void {
  app.removeAttribute('aria-busy');
  app.replaceChildren(h('div', { class: 'fatal', role: 'alert', 'data-testid': 'fatal' }, h('h1', null, title), h('p', null, ...detail)));
}

void main(document.getElementById('app')!);
