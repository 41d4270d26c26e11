/**
 * `startNode` for server-nodes (Node.js): the core node plus platform defaults — the host
 * name, the cookie from `~/.erlang.cookie`, the relay at ws://127.0.0.1:4367 (started here
 * when nothing listens there, as a node starts epmd), and direct links to other server-nodes.
 * When the relay cannot be reached, the error says who holds its port (epmd, something else,
 * nobody): see relay-probe.ts.
 */
import { hostname } from 'node:os';
import { startNodeWith } from '../core/node/start-node.js';
import type { Node } from '../core/node/node.js';
import type { NodeOptions } from '../core/node/options.js';
import { ErlmeshError } from '../core/base/errors.js';
import { RelayTransport } from '../core/relay-client/relay-transport.js';
import { RELAY_PATH } from '../core/relay-client/protocol.js';
import { checkRelayUrl } from '../core/relay-client/relay-url.js';
import { checkRelayUrls } from '../core/relay-client/relay-urls.js';
import { readOrCreateCookie } from './cookie.js';
import { startDirectLinks } from './transports/direct-links.js';
import { NodeWebSocket } from './transports/ws-channel.js';
import { defaultRelayPort, startRelay, type Relay } from './relay/index.js';
import { probeRelay, relayProbeError } from './relay-probe.js';
import { loadServerModules } from './modules.js';
import { attachBeam, checkBeamOptions, type BeamOptions } from './beam/attach.js';
import { serveBeamGateways } from './beam/gateway-service.js';

/** The default relay URL (port 4367: epmd keeps 4369; $ERLMESH_RELAY_PORT overrides it, see defaultRelayUrl). */
export const DEFAULT_RELAY = 'ws://127.0.0.1:4367';

/**
 * ws://127.0.0.1:<port>, the port being $ERLMESH_RELAY_PORT when set, else 4367.
 *
 * @example
 * defaultRelayUrl(); // 'ws://127.0.0.1:4367'
 * await probeRelay(defaultRelayUrl());
 */
export function defaultRelayUrl(): string {
  return `ws://127.0.0.1:${defaultRelayPort()}`;
}

/**
 * What the server-node `startNode` takes: the core `NodeOptions` plus the relay, direct links
 * and the cookie file.
 *
 * @example
 * const opts: ServerNodeOptions = { sname: 'worker', relay: 'ws://10.0.0.5:4367', startRelay: false, direct: { port: 0 } };
 * const node = await startNode(opts);
 */
export interface ServerNodeOptions extends NodeOptions {
  /**
   * The relay URL (default ws://127.0.0.1:4367, or the port in $ERLMESH_RELAY_PORT); the
   * /erlmesh path is added when missing. A list is failover: the node registers with the first
   * relay that answers and, when its relay goes, reconnects to the next one round the list,
   * under the same name with a new creation (an empty list or a bad URL is `badarg`).
   * @example
   * await startNode({ sname: 'worker', relay: ['ws://10.0.0.5:4367', 'ws://10.0.0.6:4367'], startRelay: false });
   */
  relay?: string | readonly string[];
  /** Start a relay here when none answers at a loopback `relay` URL (default true; not with a list). */
  startRelay?: boolean;
  /** Listen for direct links from other server-nodes (default true); `{ host, port }` to choose where. */
  direct?: boolean | { host?: string; port?: number };
  /** Path of the cookie file when `cookie` is not given (default ~/.erlang.cookie). */
  cookieFile?: string;
  /**
   * Also be an Erlang node (docs/beam-interop.md): listen for Erlang distribution and
   * register at epmd (started when none runs), so that `erl` nodes ping, rpc, send, link and
   * monitor this node and list it in `nodes()` (hidden when `hidden` is set, here or in
   * `beam`), and this node reaches them. Default false.
   */
  beam?: boolean | BeamOptions;
}

/** The keys ServerNodeOptions adds to NodeOptions (not unknown to the core's check). */
const SERVER_KEYS = ['relay', 'startRelay', 'direct', 'cookieFile', 'beam'] as const;
const startCoreNode = (o: ServerNodeOptions): Promise<Node> => startNodeWith(o, SERVER_KEYS);

/** The short host name, as Erlang's `-sname` uses. */
export function shortHostname(): string {
  return hostname().split('.')[0] || 'localhost';
}

/** The relay URL with its path. */
export function relayUrl(url: string): string {
  const u = new URL(checkRelayUrl(url));
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
 * const node = await startNode({ sname: 'gandalf' });        // gandalf@myhost, relay on :4367
 * await node.rpc.call('bilbo@myhost', 'kvs', 'lookup', ['weather']);
 */
export async function startNode(opts: ServerNodeOptions = {}): Promise<Node & { relay?: Relay }> {
  const beam = checkBeamOptions(opts.beam);
  const node = await startServerNode(opts);
  if (beam) {
    try {
      // A hidden node (`hidden: true`, as erl -hidden) is hidden to BEAM too, unless beam.hidden says otherwise.
      await attachBeam(node, { hidden: opts.hidden === true, ...beam });
    } catch (e) {
      await node.stop();
      throw e;
    }
    if (beam.gateway) {
      const service = serveBeamGateways(node, { ...(beam.epmdPort !== undefined ? { epmdPort: beam.epmdPort } : {}), ...(beam.host !== undefined ? { host: beam.host } : {}), ...(beam.allow ? { allow: beam.allow } : {}) });
      const stop = node.stop.bind(node);
      node.stop = async () => {
        await service.close();
        await stop();
      };
    }
  }
  return node;
}

async function startServerNode(opts: ServerNodeOptions): Promise<Node & { relay?: Relay }> {
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
  const urls = checkRelayUrls(opts.relay ?? defaultRelayUrl()).map(relayUrl);
  const url = urls[0]!;
  const direct =
    // Ticket holders connect over the relay only: it attests their name (see handshake.ts).
    opts.direct === false || opts.ticket !== undefined
      ? undefined
      : await startDirectLinks(typeof opts.direct === 'object' ? opts.direct : {});
  const transportFor = () =>
    new RelayTransport({
      url: urls,
      ...auth,
      WebSocket: NodeWebSocket,
      clock: opts.clock,
      crypto: opts.crypto,
      direct,
      log,
    });
  let relay: Relay | undefined;
  let node: Node;
  // A server-node with direct links meshes as before (handshakes and ticks on its direct links):
  // the relay's membership is for nodes it carries the traffic of, unless asked for.
  const membership = opts.membership ?? direct === undefined;
  try {
    node = await startCoreNode({ ...opts, ...auth, host, membership, transport: transportFor() });
  } catch (e) {
    const unreachable = e instanceof ErlmeshError && e.code === 'relay_unreachable';
    try {
      if (!unreachable || urls.length > 1) throw e;
      // Who is there? Nobody: start a relay (when allowed); epmd or another program: say so.
      const found = await probeRelay(url);
      if (found.kind !== 'none' || opts.startRelay === false || !isLoopback(url) || cookie === undefined) throw relayProbeError(url, found, e);
      relay = await startLocalRelay(url, cookie);
      node = await startCoreNode({ ...opts, ...auth, host, membership, transport: transportFor() });
    } catch (e2) {
      await relay?.close();
      await direct?.close();
      throw e2;
    }
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

/**
 * Start a relay for the loopback `url` in this process; undefined when another relay took the
 * port meanwhile (another node starting at the same time: use that one). When something else
 * took it, the error names it.
 */
async function startLocalRelay(url: string, cookie: string): Promise<Relay | undefined> {
  const { hostname, port } = new URL(url);
  const p = Number(port || 80);
  try {
    return await startRelay({ host: hostname.replace(/^\[|\]$/g, ''), port: p, cookie, logger: false });
  } catch (e) {
    if ((e as { code?: unknown })?.code !== 'EADDRINUSE') throw e;
    const found = await probeRelay(url);
    if (found.kind === 'relay') return undefined;
    throw found.kind === 'none'
      ? new ErlmeshError('relay_port_in_use', `cannot start a relay at ${url}: port ${p} is already in use`, { url })
      : relayProbeError(url, found, e);
  }
}
