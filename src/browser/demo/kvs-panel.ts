/**
 * The kvs panel: pick a node, call `kvs.start` / `store` / `lookup` there by rpc, see each
 * call and its result as Erlang prints it (`true`, `['ok', 'fine']`, `undefined`), errors
 * plainly (`badrpc: nodedown`, `badrpc: ['EXIT', …]`).
 */
import { BadRpcError, ErlmeshError, type Node } from '../index.js';
import { field, h, panel } from './dom.js';
import { describeError, quoted, show } from './format.js';
import type { EventLog } from './event-log.js';
import type { NodeDirectory } from './node-directory.js';
import { NodePicker } from './node-picker.js';

const RPC_TIMEOUT_MS = 10_000;
const HISTORY = 6;

export function kvsPanel(node: Node, dir: NodeDirectory, log: EventLog, server: string): HTMLElement {
  const picker = new NodePicker(dir, 'kvs-node', dir.has(server) ? server : node.name);
  const key = h('input', { type: 'text', name: 'kvs-key', value: 'weather', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'kvs-key' });
  const value = h('input', { type: 'text', name: 'kvs-value', value: 'fine', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'kvs-value' });
  const results = h('ol', { class: 'results', 'data-testid': 'kvs-results', 'aria-live': 'polite' });
  const empty = h('p', { class: 'empty' }, 'Start kvs on a node, store a key there, look it up from another tab.');

  const call = (fun: 'start' | 'store' | 'lookup', args: string[]) => {
    const target = picker.value;
    const text = `rpc.call(${quoted(target)}, 'kvs', '${fun}', [${args.map(quoted).join(', ')}])`;
    const out = h('div', { class: 'result-value mono pending', 'data-testid': 'kvs-result' }, '…');
    for (const old of results.querySelectorAll('[data-testid="kvs-result"]')) old.removeAttribute('data-testid');
    const item = h('li', { class: 'result' }, h('div', { class: 'result-call mono' }, text), out);
    results.prepend(item);
    while (results.childElementCount > HISTORY) results.lastElementChild!.remove();
    empty.hidden = true;
    node.rpc.call(target, 'kvs', fun, args, RPC_TIMEOUT_MS).then(
      (r) => {
        out.textContent = show(r);
        out.className = 'result-value mono ok';
        log.add('rpc', `kvs.${fun}(${args.map(quoted).join(', ')}) on ${target} → ${show(r)}`);
      },
      (e: unknown) => {
        const err = describeError(e);
        out.textContent = err.text;
        out.className = 'result-value mono error';
        const hint = hintFor(fun, e) ?? err.detail;
        if (hint) item.append(h('div', { class: 'result-hint' }, hint));
        log.add('error', `kvs.${fun} on ${target}: ${err.text}`);
      },
    );
  };

  const button = (label: string, testid: string, onclick: () => void, primary = false) =>
    h('button', { type: 'button', class: primary ? 'btn btn-primary' : 'btn', 'data-testid': testid, onclick }, label);

  return panel(
    'kvs',
    'Key-value store',
    'The book’s kvs, called by rpc on any node',
    h(
      'div',
      { class: 'form-grid' },
      field('Node', picker.select),
      field('Key', key),
      field('Value', value),
    ),
    h(
      'div',
      { class: 'button-row' },
      button('Start', 'kvs-start', () => call('start', [])),
      button('Store', 'kvs-store', () => call('store', [key.value, value.value]), true),
      button('Lookup', 'kvs-lookup', () => call('lookup', [key.value]), true),
    ),
    empty,
    results,
  );
}

/** A plain word about the errors users meet first. */
function hintFor(fun: string, e: unknown): string | undefined {
  if (!(e instanceof BadRpcError)) return undefined;
  const r = e.reason;
  if (r === 'nodedown') return 'That node is not reachable (it has gone, or never existed).';
  if (r === 'timeout') return `No answer within ${RPC_TIMEOUT_MS / 1000} s.`;
  const inner = Array.isArray(r) && r[0] === 'EXIT' && Array.isArray(r[1]) && r[1][0] === 'exception' ? (r[1][1] as unknown) : undefined;
  const code = inner instanceof ErlmeshError ? inner.code : (inner as { code?: unknown } | undefined)?.code;
  if (code === 'badarg') return fun === 'start' ? 'kvs is already running on that node.' : 'kvs is not running on that node: press Start first.';
  return undefined;
}
