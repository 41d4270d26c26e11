/**
 * A node's processes, sortable by any column (click its heading; again to reverse): pid,
 * registered name, initial call, mailbox, links, monitors, monitored by, messages received
 * since the observer first listed it, memory estimate. Click a row to select the process.
 */
import { h } from '../demo/dom.js';
import type { ProcessRow } from './api.js';
import { bytes, initialCall, sortRows } from './format.js';

/** A row as the table sorts it: the initial call printed (`kvs:loop/0`), so it sorts as text. */
type Row = ProcessRow & { call: string };

type Key = keyof Pick<Row, 'pid' | 'name' | 'call' | 'queue' | 'links' | 'monitors' | 'monitoredBy' | 'received' | 'memory'>;

const COLUMNS: Array<{ key: Key; label: string; num: boolean; title?: string }> = [
  { key: 'pid', label: 'pid', num: false },
  { key: 'name', label: 'name', num: false },
  { key: 'call', label: 'initial call', num: false, title: 'what the process was started with: module:function/arity, or the JS function' },
  { key: 'queue', label: 'mailbox', num: true },
  { key: 'links', label: 'links', num: true },
  { key: 'monitors', label: 'monitors', num: true },
  { key: 'monitoredBy', label: 'monitored by', num: true },
  { key: 'received', label: 'received', num: true, title: 'messages delivered since the observer first listed the process' },
  { key: 'memory', label: 'memory', num: true, title: 'an estimate: the process record, its links and monitors, its queued messages' },
];

export class ProcessesTable {
  readonly el: HTMLElement;
  private readonly head = h('tr');
  private readonly body = h('tbody', { 'data-testid': 'process-list' });
  private rows: Row[] = [];
  private sortKey: Key = 'pid';
  private dir: 1 | -1 = 1;

  constructor(
    private readonly selectedKey: () => string | undefined,
    private readonly select: (row: ProcessRow) => void,
  ) {
    this.el = h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', null, this.head), this.body));
    this.renderHead();
  }

  show(rows: ProcessRow[]): void {
    this.rows = rows.map((r) => ({ ...r, call: initialCall(r.initialCall) }));
    this.renderBody();
  }

  private renderHead(): void {
    this.head.replaceChildren(
      ...COLUMNS.map((c) =>
        h(
          'th',
          { class: c.num ? 'num sortable' : 'sortable', title: c.title, 'data-sort': c.key, 'aria-sort': c.key === this.sortKey ? (this.dir === 1 ? 'ascending' : 'descending') : 'none' },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              onclick: () => {
                if (this.sortKey === c.key) this.dir = this.dir === 1 ? -1 : 1;
                else [this.sortKey, this.dir] = [c.key, c.num ? -1 : 1];
                this.renderHead();
                this.renderBody();
              },
            },
            c.label,
            c.key === this.sortKey ? (this.dir === 1 ? ' ▲' : ' ▼') : '',
          ),
        ),
      ),
    );
  }

  private renderBody(): void {
    const selected = this.selectedKey();
    this.body.replaceChildren(
      ...sortRows(this.rows, this.sortKey, this.dir).map((r) =>
        h(
          'tr',
          {
            class: `process-row${r.pid.key === selected ? ' selected' : ''}`,
            'data-testid': 'process-row',
            'data-pid': r.pid.pid,
            'data-name': r.name ?? '',
            tabindex: 0,
            onclick: () => this.select(r),
            onkeydown: (ev: Event) => {
              if ((ev as KeyboardEvent).key === 'Enter') this.select(r);
            },
          },
          h('td', { class: 'mono' }, r.pid.pid),
          h('td', { class: 'mono' }, r.name ?? ''),
          h('td', { class: 'mono call', 'data-testid': 'initial-call' }, r.call),
          h('td', { class: `num${r.queue > 0 ? ' warn' : ''}` }, String(r.queue)),
          h('td', { class: 'num' }, String(r.links)),
          h('td', { class: 'num' }, String(r.monitors)),
          h('td', { class: 'num' }, String(r.monitoredBy)),
          h('td', { class: 'num' }, r.received === null ? '—' : String(r.received)),
          h('td', { class: 'num' }, bytes(r.memory)),
        ),
      ),
    );
  }
}
