/**
 * `startNode` for server-nodes (Node.js): the core node plus platform defaults — the host
 * name, the cookie from `~/.erlang.cookie`, the relay at ws://127.0.0.1:4369 (started here
 * when none answers, as a node starts epmd), and direct links to other server-nodes.
 */
import { hostname } from 'node:os';
import { startNode as startCoreNode } from '../core/node/start-node.js';
import type { Node } from '../core/node/node.js';
import type { NodeOptions } from '../core/node/options.js';
import { ErlmeshError } from '../core/base/errors.js';
import { RelayTransport } from '../core/relay-client/relay-transport.js';
import { RELAY_PATH } from '../core/relay-client/protocol.js';
import { readOrCreateCookie } from './cookie.js';
import { startDirectLinks } from './transports/direct-links.js';
import { NodeWebSocket } from './transports/ws-channel.js';
import { startRelay, type Relay } from './relay/index.js';
import { loadServerModules } from './modules.js';

export const DEFAULT_RELAY = 'ws://127.0.0.1:4369';

export interface ServerNodeOptions extends NodeOptions {
  /** The relay URL (default ws://127.0.0.1:4369); the /erlmesh path is added when missing. */
  relay?: string;
  /** Start a relay here when none answers at a loopback `relay` URL (default true). */
  startRelay?: boolean;
  /** Listen for direct links from other server-nodes (default true); `{ host, port }` to choose where. */
  direct?: boolean | { host?: string; port?: number };
  /** Path of the cookie file when `cookie` is not given (default ~/.erlang.cookie). */
  cookieFile?: string;
}

/** The short host name, as Erlang's `-sname` uses. */
export function shortHostname(): string {
  return hostname().split('.')[0] || 'localhost';
}

/** The relay URL with its path. */
export function relayUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = RELAY_PATH;
  return u.toString();
}

function isLoopback(url: string): boolean {
  const h = new URL(url).hostname;
  return h === '127.0.0.1' || h === 'localhost' || h === '[::1]' || h === '::1';
}

/**
 * Start a server-node. With a `transport` (e.g. a `MemoryNetwork`'s, from `erlmesh/testing`)
 * the node uses it and nothing else: no relay, no direct links.
 *
 * @example
 * import { startNode } from 'erlmesh/server';
 * const node = await startNode({ sname: 'gandalf' });        // gandalf@myhost, relay on :4369
 * await node.rpc.call('bilbo@myhost', 'kvs', 'lookup', ['weather']);
 */
export async function startNode(opts: ServerNodeOptions = {}): Promise<Node & { relay?: Relay }> {
  const named = opts.sname !== undefined || opts.name !== undefined;
  if (!named) return startCoreNode(opts);
  const logger = opts.logger;
  const log = (level: 'info' | 'warning' | 'error', text: string) => {
    if (logger === false) return;
    if (logger) logger({ level, node: String(opts.sname ?? opts.name), text });
    else if (level !== 'info') console.error(text);
  };
  // A ticket holder has no cookie (and starts no relay: a relay needs the cookie).
  const cookie = opts.ticket !== undefined ? undefined : (opts.cookie ?? readOrCreateCookie(opts.cookieFile, (t) => log('warning', t)));
  const auth = cookie !== undefined ? { cookie } : { ticket: opts.ticket };
  const host = opts.host ?? (opts.sname !== undefined ? shortHostname() : undefined);
  if (opts.transport !== undefined) {
    // An explicit transport wins (a MemoryNetwork's, a custom one): no relay is dialled or
    // started and no direct links listen; the node still gets the cookie file and the
    // server modules.
    const node = await startCoreNode({ ...opts, ...auth, host, transport: opts.transport });
    loadServerModules(node);
    return node;
  }
  const url = relayUrl(opts.relay ?? DEFAULT_RELAY);
  const direct =
    // Ticket holders connect over the relay only: it attests their name (see handshake.ts).
    opts.direct === false || opts.ticket !== undefined
      ? undefined
      : await startDirectLinks(typeof opts.direct === 'object' ? opts.direct : {});
  const transportFor = () =>
    new RelayTransport({
      url,
      ...auth,
      WebSocket: NodeWebSocket,
      clock: opts.clock,
      crypto: opts.crypto,
      direct,
      log,
    });
  let relay: Relay | undefined;
  let node: Node;
  try {
    node = await startCoreNode({ ...opts, ...auth, host, transport: transportFor() });
  } catch (e) {
    const unreachable = e instanceof ErlmeshError && e.code === 'relay_unreachable';
    if (!unreachable || opts.startRelay === false || !isLoopback(url) || cookie === undefined) {
      await direct?.close();
      throw e;
    }
    const u = new URL(url);
    relay = await startRelay({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80), cookie, logger: false });
    node = await startCoreNode({ ...opts, ...auth, host, transport: transportFor() });
  }
  loadServerModules(node);
  if (relay) {
    const r = relay;
    const stop = node.stop.bind(node);
    node.stop = async () => {
      await stop();
      await r.close();
    };
  }
  return Object.assign(node, { relay });
}
