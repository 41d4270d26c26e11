/**
 * The bare tab-node page (`tab.html`) the Playwright fixture (`erlmesh/playwright`) opens.
 *
 * It exposes the browser entry as `window.erlmesh` (plus `RelayTransport` and `LocalLinks`,
 * for running the transport conformance suite in the page), and `window.erlmeshHarness` (see ./api.ts): start
 * a tab-node kept as `window.node`, run test code against it, record the messages of
 * registered "inbox" processes and the node's nodeup/nodedown events so tests can wait for
 * them. The outcome of starting shows in the page: `#status` is 'ready' once loaded,
 * 'running' with the node's name in `#node-name`, or the error code (e.g. `bad_cookie`) with
 * the message in `#error`.
 */
import * as entry from '../index.js';
import { RelayTransport } from '../../core/relay-client/relay-transport.js';
import { LocalLinks } from '../../core/relay-client/local-links.js';
import { matches } from './match.js';
import { type HarnessApi, type HarnessStartOptions, type WireError, type WireResult } from './api.js';

const { encodeTerm, decodeTerm } = entry;

window.erlmesh = Object.freeze({ ...entry, RelayTransport, LocalLinks });
window.node = undefined; // (an own property: never a DOM element named 'node')
window.__inboxes = {};
window.__nodeEvents = [];

const el = (id: string): HTMLElement => document.getElementById(id)!;

function setStatus(text: string): void {
  el('status').textContent = text;
  document.body.dataset.status = text;
}

function wireError(e: unknown): WireError {
  if (e instanceof Error) {
    const out: WireError = { name: e.name, message: e.message };
    if (e.stack !== undefined) out.stack = e.stack;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    if ('reason' in e) {
      try {
        out.reason = encodeTerm((e as { reason: unknown }).reason);
      } catch {
        // not a term: left out
      }
    }
    return out;
  }
  return { name: 'Error', message: String(e) };
}

function encodeLoose(v: unknown): string {
  try {
    return encodeTerm(v);
  } catch {
    return encodeTerm(String(v));
  }
}

function compile<F>(source: string): F {
  return new Function(`return (${source});`)() as F;
}

function node(): NonNullable<Window['node']> {
  if (!window.node) throw new entry.ErlmeshError('notalive', 'no tab-node: start it first (erlmeshHarness.start)');
  return window.node;
}

const harness: HarnessApi = {
  async start(opts: HarnessStartOptions) {
    setStatus('starting');
    el('error').textContent = '';
    try {
      const n = await entry.startNode({ ...opts });
      window.node = n;
      n.monitorNodes((ev) => window.__nodeEvents.push([ev, Date.now()]), { nodedownReason: true });
      el('node-name').textContent = n.name;
      setStatus('running');
      return { ok: true, name: n.name };
    } catch (e) {
      const error = wireError(e);
      setStatus(error.code ?? 'error');
      el('error').textContent = `${error.code ?? error.name}: ${error.message}`;
      return { ok: false, error };
    }
  },

  async run(source, argText): Promise<WireResult> {
    try {
      const fn = compile<(n: unknown, arg: unknown, e: unknown) => unknown>(source);
      const arg = argText === undefined ? undefined : decodeTerm(argText);
      const value = await fn(window.node, arg, window.erlmesh);
      return { ok: true, value: encodeLoose(value) };
    } catch (e) {
      return { ok: false, error: wireError(e) };
    }
  },

  async inbox(name) {
    try {
      const box = (window.__inboxes[name] ??= []);
      const n = node();
      const pid = n.spawn(async (self) => {
        for (;;) box.push(await self.receive());
      });
      n.register(name, pid);
      return { ok: true, value: encodeTerm(pid) };
    } catch (e) {
      return { ok: false, error: wireError(e) };
    }
  },

  messages(name) {
    return encodeLoose(window.__inboxes[name] ?? []);
  },

  findMessage(name, patternText, predicateSource, from) {
    const box = window.__inboxes[name] ?? [];
    const pattern = patternText === null ? undefined : decodeTerm(patternText);
    const pred = predicateSource === null ? undefined : compile<(m: unknown, e: unknown) => unknown>(predicateSource);
    for (let i = Math.max(0, from); i < box.length; i++) {
      const m = box[i];
      if (pred ? pred(m, window.erlmesh) : matches(pattern, m)) return encodeLoose([i, m]);
    }
    return null;
  },

  nodeEvents() {
    return encodeLoose(window.__nodeEvents);
  },

  findNodeEvent(kind, nodeName, from) {
    for (let i = Math.max(0, from); i < window.__nodeEvents.length; i++) {
      const row = window.__nodeEvents[i]!;
      const ev = row[0] as unknown[];
      if ((kind === null || ev[0] === kind) && (nodeName === null || ev[1] === nodeName)) return encodeLoose([i, ...row]);
    }
    return null;
  },

  status: setStatus,
};

window.erlmeshHarness = harness;
setStatus('ready');
