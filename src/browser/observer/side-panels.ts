/** The names panel (registered, global, pg as the selected node sees them) and the relay panel. */
import { h } from '../demo/dom.js';
import type { NamesView, RelayView } from './api.js';

function rows(items: Array<[string, string]>, empty: string): HTMLElement {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'kv' }, ...items.map(([k, v]) => h('li', null, h('span', { class: 'mono' }, k), ' ', h('span', { class: 'mono muted' }, v))));
}

export function renderNames(box: HTMLElement, names: NamesView | undefined, note: string | undefined): void {
  if (!names) return void box.replaceChildren(h('p', { class: note === 'refused' ? 'refused' : 'muted' }, note ?? '…'));
  box.replaceChildren(
    h('h3', null, 'Registered'),
    rows(names.registered.map((r) => [r.name, r.pid?.pid ?? '']), 'none'),
    h('h3', null, 'Global'),
    h('div', { 'data-testid': 'global-names' }, rows(names.global.map((r) => [r.name, r.pid?.pid ?? '']), 'none')),
    h('h3', null, 'pg groups'),
    rows(names.pg.map((g) => [g.group, g.members.map((m) => m.pid).join(', ')]), 'none'),
  );
}

export function renderRelay(box: HTMLElement, relay: RelayView | null): void {
  if (!relay) return void box.replaceChildren(h('p', { class: 'muted' }, 'No relay view (the observer was started without one).'));
  const stats = relay.stats ? Object.entries(relay.stats).map(([k, v]): [string, string] => [k, String(v)]) : [];
  const parts = [
    h('p', null, h('span', { class: 'mono' }, relay.url ?? ''), relay.version ? ` · erlmesh ${relay.version}` : ''),
    stats.length ? rows(stats, '') : null,
    relay.names
      ? h('div', { 'data-testid': 'relay-names' }, h('h3', null, `Registered at the relay (${relay.names.length})`), rows(relay.names.map((p) => [p.name, [p.hidden ? 'hidden' : '', p.role ? `role ${p.role}` : ''].filter(Boolean).join(', ')]), 'none'))
      : null,
    relay.note ? h('p', { class: 'muted' }, relay.note) : null,
  ];
  box.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}
