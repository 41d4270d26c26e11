/**
 * `erlmesh observer`: a hidden node (`observer<pid>@<host>` unless `--sname`/`--name` says
 * otherwise) joins the cluster at the relay and serves the observer page
 * (src/server/observer) on `--host`:`--port`; it prints the URL. With the cookie the page may
 * kill processes and send them messages, and shows the relay's registered names and counters
 * (its loopback admin interface); with `--ticket` it is read-only, and each node answers what
 * the ticket's role may ask (`rpc: { observer: [...] }`), the rest shows as "refused".
 */
import type { Node } from '../../core/node/node.js';
import { RelayTransport } from '../../core/relay-client/relay-transport.js';
import { startObserver } from '../observer/start-observer.js';
import type { Observer, RelayView } from '../observer/types.js';
import { probeRelay } from '../relay-probe.js';
import { defaultRelayUrl, relayUrl, shortHostname, startNode } from '../start-node.js';
import { NodeWebSocket } from '../transports/ws-channel.js';
import { adminRequest } from './admin-command.js';
import { fatal, messageOf, normalizeRelayUrl, onTerminate, resolveCookie } from './common.js';
import { isLoopbackHost } from './demo-config.js';
import { startFailure } from './node-command.js';
import { listenFailure } from './relay-command.js';

export interface ObserverCommandOptions {
  relay?: string;
  cookie?: string;
  ticket?: string;
  port: number;
  host: string;
  sname?: string;
  name?: string;
}

/** The relay panel's view for the CLI: identity for anyone; names and counters with the cookie. */
export function cliRelayView(url: string, cookie: string | undefined): () => Promise<RelayView> {
  let cached: { at: number; view: Promise<RelayView> } | undefined;
  const fetchView = async (): Promise<RelayView> => {
    const probe = await probeRelay(url, 1_000);
    const base: RelayView = { url, ...(probe.kind === 'relay' ? { version: probe.info.version } : {}) };
    if (probe.kind !== 'relay') return { ...base, note: 'this relay has no admin interface here (it runs inside another server, e.g. `erlmesh demo`)' };
    if (cookie === undefined) return { ...base, note: 'registered names and counters need the cookie (this observer holds a ticket)' };
    try {
      const [names, stats] = await Promise.all([adminRequest(url, cookie, 'names', 2_000), adminRequest(url, cookie, 'stats', 2_000)]);
      return { ...base, names: names.names as RelayView['names'], stats: stats.stats as RelayView['stats'] };
    } catch (e) {
      return { ...base, note: `names and counters: ${messageOf(e)}` };
    }
  };
  return () => {
    if (!cached || Date.now() - cached.at > 2_000) cached = { at: Date.now(), view: fetchView() };
    return cached.view;
  };
}

export async function runObserver(o: ObserverCommandOptions): Promise<void> {
  if (o.sname !== undefined && o.name !== undefined) fatal('erlmesh observer: give either --sname or --name, not both');
  let url: string;
  let cookie: string | undefined;
  try {
    url = relayUrl(normalizeRelayUrl(o.relay ?? defaultRelayUrl()));
    if (o.ticket !== undefined && o.cookie !== undefined) throw new Error('give either --cookie or --ticket, not both');
    if (o.ticket === undefined) cookie = resolveCookie(o.cookie);
  } catch (e) {
    fatal(`erlmesh observer: ${messageOf(e)}`);
  }
  if (!isLoopbackHost(o.host)) {
    process.stderr.write(
      `erlmesh observer: warning: --host ${o.host} is not a loopback address; anyone who can reach this port sees every node ` +
        `and process of the cluster${o.ticket === undefined ? ', and can kill processes and send them messages' : ''}\n`,
    );
  }
  const naming = o.name !== undefined ? { name: o.name } : { sname: o.sname ?? `observer${process.pid}` };
  const fullName = naming.name ?? `${naming.sname}@${shortHostname()}`;
  const auth = o.ticket !== undefined ? { ticket: o.ticket } : { cookie: cookie! };
  const transport = new RelayTransport({ url, ...auth, WebSocket: NodeWebSocket, log: (level, text) => level !== 'info' && process.stderr.write(`erlmesh observer: ${text}\n`) });
  let node: Node;
  try {
    node = await startNode({ ...naming, ...auth, hidden: true, transport, output: false, logger: false });
  } catch (e) {
    fatal(startFailure(e, fullName, url));
  }
  let observer: Observer;
  try {
    observer = await startObserver({ node, port: o.port, host: o.host, peers: () => transport.knownPeers(), relay: cliRelayView(url, cookie) });
  } catch (e) {
    await node.stop();
    // A socket error (EADDRINUSE, …) in the listen's words; anything else (no page built) as is.
    const code = (e as { code?: unknown }).code;
    fatal(typeof code === 'string' && /^E[A-Z]+$/.test(code) ? await listenFailure(e, o.port, o.host) : `erlmesh observer: ${messageOf(e)}`);
  }
  process.stdout.write(
    `erlmesh observer: open ${observer.url}\n` +
      `erlmesh observer: hidden node ${node.name} at ${url}${o.ticket !== undefined ? ` (ticket role ${node.role ?? '?'}: read-only)` : ''}\n`,
  );
  onTerminate(async () => {
    await observer.close();
    await node.stop();
  });
}
