/**
 * The selected process: links, monitors both ways, group leader, the first queued messages
 * (at most 10, 4 KB in all); and, for a cookie-holding observer, Kill and Send.
 */
import { field, h } from '../demo/dom.js';
import { api, type ProcessDetail } from './api.js';
import { bytes } from './format.js';

export class ProcessPanel {
  readonly el: HTMLElement;
  private readonly info = h('div', { 'data-testid': 'process-detail' });
  private readonly status = h('p', { class: 'hint', 'data-testid': 'action-status', 'aria-live': 'polite' });
  private target: { node: string; key: string; pid: string } | undefined;

  constructor(
    private readonly control: () => boolean,
    private readonly changed: () => void,
  ) {
    const message = h('input', { type: 'text', placeholder: `['hello', 42]  or  plain text`, 'data-testid': 'send-input', autocomplete: 'off' });
    const act = async (what: 'kill' | 'send') => {
      const t = this.target;
      if (!t) return;
      try {
        await api.act(what, t.node, t.key, what === 'send' ? message.value : undefined);
        this.status.textContent = what === 'kill' ? `killed ${t.pid}` : `sent to ${t.pid}`;
        this.changed();
      } catch (e) {
        this.status.textContent = `${what}: ${e instanceof Error ? e.message : String(e)}`;
      }
    };
    const actions = h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'kill', onclick: () => void act('kill') }, 'Kill'),
      field('Message', message),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'send', onclick: () => void act('send') }, 'Send'),
    );
    this.el = h('div', null, this.info, actions, this.status);
    this.actions = actions;
  }

  private readonly actions: HTMLElement;

  /** Show `detail` of the process `key` on `node` (null: it is gone). */
  show(node: string, key: string, pid: string, detail: ProcessDetail | null, refused: string | undefined): void {
    this.target = { node, key, pid };
    this.actions.hidden = !this.control() || detail === null;
    if (refused !== undefined) return void this.info.replaceChildren(h('p', { class: 'refused' }, `${pid}: ${refused}`));
    if (detail === null) return void this.info.replaceChildren(h('p', { class: 'gone', 'data-testid': 'process-gone' }, `${pid} is gone`));
    const list = (items: string[]) => (items.length ? h('span', { class: 'mono' }, items.join(', ')) : h('span', { class: 'muted' }, 'none'));
    this.info.replaceChildren(
      h('h3', { class: 'mono' }, pid, detail.name ? ` (${detail.name})` : ''),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, 'links'),
        h('dd', { 'data-testid': 'process-links' }, list(detail.linked.map((p) => p.pid))),
        h('dt', null, 'monitors'),
        h('dd', null, list(detail.monitoring)),
        h('dt', null, 'monitored by'),
        h('dd', null, list(detail.monitoredByPids.map((p) => p.pid))),
        h('dt', null, 'group leader'),
        h('dd', { class: 'mono' }, detail.groupLeader.pid),
        h('dt', null, 'mailbox'),
        h('dd', null, `${detail.queue} queued${detail.maxMailbox !== null ? ` (limit ${detail.maxMailbox}, ${detail.dropped} dropped)` : ''}, ~${bytes(detail.memory)}${detail.trapExit ? ', traps exits' : ''}`),
      ),
      detail.messages.length
        ? h('ol', { class: 'messages mono', 'data-testid': 'process-messages' }, ...detail.messages.map((m) => h('li', null, m)))
        : h('p', { class: 'muted' }, 'No queued messages.'),
      h('p', { class: 'muted' }, detail.messagesOmitted > 0 ? `… and ${detail.messagesOmitted} more` : ''),
    );
  }

  clear(text: string): void {
    this.target = undefined;
    this.actions.hidden = true;
    this.info.replaceChildren(h('p', { class: 'muted' }, text));
  }
}
