/**
 * The nodes panel: every node this tab knows (this tab, servers, other tabs; hidden ones
 * marked), updated on nodeup/nodedown, each with a ping button; and a ping-by-name form.
 */
import type { Node } from '../index.js';
import { field, h, panel } from './dom.js';
import { KIND_LABEL } from './format.js';
import type { EventLog } from './event-log.js';
import type { NodeDirectory, NodeInfo } from './node-directory.js';

export function nodesPanel(node: Node, dir: NodeDirectory, log: EventLog): HTMLElement {
  const list = h('ul', { class: 'nodes', 'data-testid': 'node-list' });
  const count = h('span', { class: 'count', 'data-testid': 'node-count' });
  /** Last ping results, kept across re-renders. */
  const results = new Map<string, 'pong' | 'pang' | 'pinging'>();

  const render = () => {
    const nodes = dir.list();
    count.textContent = String(nodes.length);
    list.replaceChildren(...nodes.map((n) => row(n)));
  };

  const row = (n: NodeInfo): HTMLLIElement => {
    const result = h('span', { class: 'ping-result', 'data-testid': 'ping-result', 'aria-live': 'polite' });
    const showResult = () => {
      const r = results.get(n.name);
      result.textContent = r === 'pinging' ? '…' : (r ?? '');
      result.className = `ping-result ${r ?? ''}`;
    };
    showResult();
    const button = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small',
        'aria-label': `Ping ${n.name}`,
        'data-testid': 'ping-button',
        onclick: () => {
          results.set(n.name, 'pinging');
          showResult();
          void ping(node, n.name, log).then((r) => {
            results.set(n.name, r);
            showResult();
          });
        },
      },
      'Ping',
    );
    return h(
      'li',
      { class: `node node-${n.kind}`, 'data-testid': 'node-item', 'data-node': n.name, 'data-kind': n.kind },
      h('span', { class: 'node-name mono' }, n.name),
      h(
        'span',
        { class: 'node-badges' },
        h('span', { class: `badge badge-${n.kind}` }, KIND_LABEL[n.kind]),
        n.hidden ? h('span', { class: 'badge badge-hidden' }, 'hidden') : null,
      ),
      h('span', { class: 'node-actions' }, result, button),
    );
  };

  // Ping any node by name: the way to see 'pang'.
  const input = h('input', { type: 'text', name: 'ping-name', placeholder: `nobody@${dir.self.split('@')[1]}`, autocomplete: 'off', spellcheck: 'false', 'data-testid': 'ping-name' });
  const formResult = h('output', { class: 'ping-result', 'data-testid': 'ping-name-result' });
  const form = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const name = input.value.trim();
        if (!name) return;
        formResult.textContent = '…';
        formResult.className = 'ping-result';
        void ping(node, name, log).then((r) => {
          const why = r === 'pang' ? node.lastConnectError(name) : undefined;
          formResult.textContent = why ? `${r} (${why})` : r;
          formResult.className = `ping-result ${r}`;
        });
      },
    },
    field('Ping a node by name', input),
    h('button', { type: 'submit', class: 'btn' }, 'Ping'),
    formResult,
  );

  dir.subscribe((ev) => {
    if (ev?.kind === 'nodedown') results.delete(ev.name);
    render();
  });
  const title = panel('nodes', 'Nodes', 'Live: updated on nodeup and nodedown', list, form);
  title.querySelector('h2')!.append(' ', count);
  return title;
}

async function ping(node: Node, name: string, log: EventLog): Promise<'pong' | 'pang'> {
  let r: 'pong' | 'pang';
  try {
    r = await node.ping(name);
  } catch {
    r = 'pang';
  }
  const why = r === 'pang' ? node.lastConnectError(name) : undefined;
  log.add(r === 'pong' ? 'ping' : 'error', `ping ${name}: ${r}${why ? ` (${why})` : ''}`);
  return r;
}
