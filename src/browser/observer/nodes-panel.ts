/**
 * The nodes panel: every node the observer is connected to (itself, servers, tabs; hidden
 * ones marked), with role, uptime, processes, total mailbox and memory; click one to select it.
 */
import { h } from '../demo/dom.js';
import type { NodeEntry } from './api.js';
import { bytes, kindOf, uptime } from './format.js';

export function renderNodes(list: HTMLElement, nodes: NodeEntry[], selected: string | undefined, select: (name: string) => void): void {
  const rows = nodes.map((n) => {
    const s = n.stats;
    const kind = kindOf(n);
    const cells = s
      ? [uptime(s.uptimeMs), String(s.processCount), String(s.mailboxTotal), bytes(s.memory?.heapUsed)]
      : [n.error === 'refused' ? 'refused' : (n.error ?? '…'), '', '', ''];
    return h(
      'tr',
      {
        class: `node-row${n.name === selected ? ' selected' : ''}`,
        'data-testid': 'node-row',
        'data-node': n.name,
        tabindex: 0,
        'aria-selected': n.name === selected ? 'true' : 'false',
        onclick: () => select(n.name),
        onkeydown: (ev: Event) => {
          if ((ev as KeyboardEvent).key === 'Enter') select(n.name);
        },
      },
      h(
        'td',
        { class: 'node-name' },
        h('span', { class: 'mono' }, n.name),
        ' ',
        h('span', { class: `badge badge-${kind === 'observer' ? 'this' : kind === '?' ? 'hidden' : kind}` }, kind),
        n.hidden ? h('span', { class: 'badge badge-hidden' }, 'hidden') : null,
      ),
      h('td', { 'data-label': 'role' }, n.role),
      ...cells.map((c, i) => h('td', { class: `num${n.error === 'refused' && i === 0 ? ' refused' : ''}`, 'data-label': ['uptime', 'procs', 'mailbox', 'memory'][i]! }, c)),
    );
  });
  list.replaceChildren(...rows);
}

export function nodesTable(): { table: HTMLElement; body: HTMLElement } {
  const body = h('tbody', { 'data-testid': 'node-list' });
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid nodes-grid' },
      h('thead', null, h('tr', null, ...['node', 'role', 'uptime', 'procs', 'mailbox', 'memory'].map((t, i) => h('th', i > 1 ? { class: 'num' } : null, t)))),
      body,
    ),
  );
  return { table, body };
}
