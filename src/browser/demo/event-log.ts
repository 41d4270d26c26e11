/**
 * The event log: nodeup/nodedown (with reasons), spawns, output lines, signals, errors.
 * Newest first, capped.
 */
import { h, panel } from './dom.js';
import { clockTime } from './format.js';

export type LogKind = 'nodeup' | 'nodedown' | 'rpc' | 'spawn' | 'output' | 'signal' | 'ping' | 'error' | 'warning' | 'info';

export class EventLog {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLParagraphElement;

  constructor(private readonly cap = 200) {
    this.list = h('ol', { class: 'log', 'data-testid': 'event-log', 'aria-live': 'polite', 'aria-relevant': 'additions' });
    this.empty = h('p', { class: 'empty' }, 'Nothing yet.');
    const clear = h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => this.clear() }, 'Clear');
    this.element = panel('log', 'Event log', 'Newest first', this.empty, this.list);
    this.element.querySelector('.panel-head')!.append(clear);
  }

  /** Add an entry; `mono` text is a term or a process's output. */
  add(kind: LogKind, text: string, mono = false): void {
    const item = h(
      'li',
      { class: `log-entry log-${kind}`, 'data-kind': kind },
      h('time', { class: 'log-time' }, clockTime()),
      h('span', { class: 'tag' }, kind),
      h('span', { class: mono ? 'log-text mono' : 'log-text' }, text),
    );
    this.list.prepend(item);
    while (this.list.childElementCount > this.cap) this.list.lastElementChild!.remove();
    this.empty.hidden = true;
  }

  clear(): void {
    this.list.replaceChildren();
    this.empty.hidden = false;
  }
}
