/**
 * `startNode` in a browser tab: the same core node, over the browser's WebSocket to the relay.
 *
 * - A tab without a given name gets `tab-<random>@<host>`, unique in the cluster (it retries
 *   with a new suffix if the relay says the name is taken), in the same naming mode as the
 *   server-nodes: pass the `host` the servers use (the demo page reads it from the server).
 * - Leaving the page (`pagehide`: close, reload, navigation, or entering the back-forward
 *   cache) stops the node, so peers see nodedown at once rather than after ticks. A page
 *   restored from the back-forward cache starts a new incarnation of the node (same name, a
 *   greater creation) and hands it to `onRestore`.
 * - After a relay restart the transport reconnects with capped exponential backoff.
 * - Tabs of this browser that use the same relay talk over BroadcastChannel instead of
 *   through the relay (`broadcast`, on by default): each connection still opens through the
 *   relay, which admits and attests both tabs, then moves onto a local link
 *   (src/core/relay-client/local-links.ts); `broadcast: false` keeps everything on the relay.
 * - An untrusted page joins with a join `ticket` (minted by a server that holds the cookie)
 *   instead of the cookie: as a function, it is called before each relay registration and
 *   each handshake, so the page can fetch short-lived tickets as it goes.
 */
import { startNodeWith } from '../core/node/start-node.js';
import type { Node } from '../core/node/node.js';
import type { NodeOptions } from '../core/node/options.js';
import { ErlmeshError } from '../core/base/errors.js';
import { RelayTransport } from '../core/relay-client/relay-transport.js';
import { RELAY_PATH } from '../core/relay-client/protocol.js';
import type { WebSocketCtor } from '../core/relay-client/websocket-like.js';
import { LocalLinks, type BroadcastChannelCtor } from '../core/relay-client/local-links.js';
import { tabCrypto } from './crypto.js';

/**
 * What the tab-node `startNode` takes: the core options without `transport`, plus the relay,
 * the naming of a generated name and the page lifecycle.
 *
 * @example
 * const opts: TabNodeOptions = { relay: 'wss://example.com/erlmesh', host: 'example', ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) };
 * const node = await startNode(opts); // tab-x1y2z3@example
 */
export interface TabNodeOptions extends Omit<NodeOptions, 'transport'> {
  /**
   * Relay URL; default: this page's origin with ws(s): and the /erlmesh path. A list is
   * failover: when its relay goes, the tab reconnects to the next one round the list, under the
   * same name with a new creation (an empty list or a bad URL is `badarg`).
   */
  relay?: string | readonly string[];
  /** The cluster cookie, for a trusted page. Or `ticket`. */
  cookie?: string;
  /** Host part for a generated name (default: the page's host name; `localhost` for an IP address in short mode). */
  host?: string;
  /** Name mode of a generated name: 'short' (default) or 'long'. */
  mode?: 'short' | 'long';
  /** Name prefix of a generated name (default 'tab'). */
  prefix?: string;
  WebSocket?: WebSocketCtor;
  /** Wire pagehide/pageshow (default true in a page). */
  lifecycle?: boolean;
  /** Called with the new node when the page comes back from the back-forward cache. */
  onRestore?: (node: Node) => void;
  /** Reconnect backoff after the relay is lost. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Talk to tabs of this browser on the same relay over BroadcastChannel rather than through
   * the relay (default true where BroadcastChannel exists). Same-origin scripts can read that
   * bus: see docs/security.md.
   */
  broadcast?: boolean;
}

function defaultRelay(): string {
  const loc = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!loc) throw new ErlmeshError('badarg', 'relay: no URL given and no page location to derive it from');
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${RELAY_PATH}`;
}

function randomSuffix(): string {
  const b = new Uint8Array(4);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(36).padStart(2, '0')).join('').slice(0, 6);
}

/**
 * The host part of a generated name when none is given, from the page's host name: in short
 * mode its first label (`demo.example.com` → `demo`), but `localhost` for an IP address (a
 * page of `127.0.0.1` would otherwise be `tab-…@127`) or no name; in long mode the name itself
 * when it can be a long name's host (a dot or an IP address), else `127.0.0.1`. A page whose
 * cluster names its hosts otherwise passes `host` (the demo page: its server's host).
 */
export function defaultTabHost(pageHostname: string | undefined, mode: 'short' | 'long'): string {
  const h = pageHostname ?? '';
  // A long name's host has a dot or a colon (else it would be a short name).
  if (mode === 'long') return h.includes('.') || h.includes(':') ? h : '127.0.0.1';
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
  return h === '' || ip ? 'localhost' : h.split('.')[0]!;
}

function generatedName(opts: TabNodeOptions): { sname?: string; name?: string } {
  const loc = (globalThis as { location?: { hostname: string } }).location;
  const mode = opts.mode ?? 'short';
  const host = opts.host ?? defaultTabHost(loc?.hostname, mode);
  const full = `${opts.prefix ?? 'tab'}-${randomSuffix()}@${host}`;
  return mode === 'long' ? { name: full } : { sname: full };
}

async function startOnce(opts: TabNodeOptions): Promise<Node> {
  const WS = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (!WS) throw new ErlmeshError('badarg', 'no WebSocket in this environment; pass one as the WebSocket option');
  const named = opts.sname !== undefined || opts.name !== undefined;
  for (let attempt = 0; ; attempt++) {
    const names = named ? { sname: opts.sname, name: opts.name } : generatedName(opts);
    const transport = new RelayTransport({
      url: opts.relay ?? defaultRelay(),
      ...(opts.ticket !== undefined ? { ticket: opts.ticket } : { cookie: opts.cookie }),
      WebSocket: WS,
      clock: opts.clock,
      crypto: opts.crypto ?? tabCrypto(),
      backoff: opts.backoff,
      local: localLinks(opts),
      log: (level, text) => (level === 'info' ? undefined : console.warn(text)),
    });
    try {
      return await startNodeWith({ ...opts, ...names, crypto: opts.crypto ?? tabCrypto(), transport }, TAB_KEYS);
    } catch (e) {
      if (!named && e instanceof ErlmeshError && e.code === 'name_taken' && attempt < 3) continue;
      throw e;
    }
  }
}

/** The keys TabNodeOptions adds to NodeOptions (not unknown to the core's check). */
const TAB_KEYS = ['relay', 'mode', 'prefix', 'WebSocket', 'lifecycle', 'onRestore', 'backoff', 'broadcast'] as const;

/**
 * The local links of a tab (`broadcast`). All tabs of the origin share one bus, whatever URL
 * each names its relay by (`localhost` or `127.0.0.1`, a path behind a proxy): a link carries a
 * connection only once the token it names has come through the relayed channel between the
 * two nodes, so tabs on different relays or clusters never use one (local-links.ts).
 */
function localLinks(opts: TabNodeOptions): LocalLinks | undefined {
  if (opts.broadcast !== undefined && typeof opts.broadcast !== 'boolean') throw new ErlmeshError('badarg', 'broadcast must be true or false');
  const Bus = (globalThis as { BroadcastChannel?: BroadcastChannelCtor }).BroadcastChannel;
  if (opts.broadcast === false || typeof Bus !== 'function') return undefined;
  return new LocalLinks({ scope: 'tabs', BroadcastChannel: Bus, clock: opts.clock, crypto: opts.crypto ?? tabCrypto() });
}

/**
 * Start a tab-node.
 *
 * @example
 * import { startNode } from 'erlmesh/browser';
 * const node = await startNode({ cookie, host: 'myhost' });   // tab-k3x9q2@myhost
 * await node.rpc.call('demo@myhost', 'kvs', 'lookup', ['weather']);
 * // an untrusted page: a ticket from its server, never the cookie
 * const guest = await startNode({ ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()), host: 'myhost' });
 * guest.role  // 'guest'
 */
export async function startNode(opts: TabNodeOptions): Promise<Node> {
  let node = await startOnce(opts);
  const win = globalThis as unknown as {
    addEventListener?: (type: string, fn: (ev: { persisted?: boolean }) => void) => void;
  };
  if (opts.lifecycle !== false && typeof win.addEventListener === 'function') {
    const fixedName = { sname: opts.sname, name: opts.name };
    win.addEventListener('pagehide', () => {
      void node.stop();
    });
    win.addEventListener('pageshow', (ev) => {
      if (!ev.persisted) return;
      // Back from the back-forward cache: the old incarnation was stopped on pagehide.
      const again = fixedName.sname || fixedName.name ? opts : { ...opts, sname: undefined, name: undefined, ...nameOf(node, opts) };
      void startOnce(again).then((n) => {
        node = n;
        opts.onRestore?.(n);
      });
    });
  }
  return node;
}

/** Keep the same name for a restored incarnation. */
function nameOf(node: Node, opts: TabNodeOptions): { sname?: string; name?: string } {
  return (opts.mode ?? 'short') === 'long' ? { name: node.name } : { sname: node.name };
}
