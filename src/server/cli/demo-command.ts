/**
 * `erlmesh demo`: one HTTP server that serves the demo page and hosts the relay (at
 * /erlmesh), plus a server-node `demo@<short host>` running kvs, so browser tabs opened on the
 * page have something to talk to. The page reads `GET /erlmesh/config.json` (relay, host,
 * naming mode, server-node) and joins with join tickets from `GET /erlmesh/ticket` (role
 * `demo`, names starting with `tab-`, 10 minutes, one per request): the page never holds the
 * cookie.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RELAY_PATH } from '../../core/relay-client/protocol.js';
import { startNode } from '../start-node.js';
import { startRelay, type RelayLogger } from '../relay/index.js';
import { fatal, messageOf, onTerminate, packageRoot, resolveCookie } from './common.js';
import type { Capabilities } from '../../core/interfaces/trust.js';
import { mintTicket } from '../tickets.js';
import { DEMO_TICKET_PATH, isLoopbackHost, withDemoConfig, withTicketEndpoint, type DemoConfig } from './demo-config.js';
import { demoPageRoot } from './demo-page.js';
import { listenFailure } from './relay-command.js';
import { staticHandler } from './static-files.js';

/** The role of the demo page's tabs, the name prefix their tickets allow, and the tickets' lifetime. */
export const DEMO_ROLE = 'demo';
export const DEMO_TAB_PREFIX = 'tab-';
export const DEMO_TICKET_TTL_MS = 10 * 60_000;
/**
 * What the demo's tabs may do on demo@ (and, in src/browser/demo/main.ts, on each other):
 * everything the page offers — rpc, remote spawn of shipped functions, links, exit signals.
 * A real application grants its roles much less.
 */
export const DEMO_CAPABILITIES: Capabilities = {
  [DEMO_ROLE]: { rpc: '*', spawn: '*', shipFunctions: true, global: true, pg: true, send: '*', link: true, exit: true },
};

export interface DemoCommandOptions {
  port: number;
  host: string;
  cookie?: string;
  /** Also log the routine: each tab joining and leaving the relay, the demo node's info lines. */
  verbose?: boolean;
}

/**
 * The demo's relay log: warnings and errors (a refused ticket, a slow or misbehaving tab) as
 * the relay's JSON lines on stderr; the routine (`listening`, a `registered` and a `left` per
 * tab) only when verbose, since every tab opened or reloaded makes one.
 */
export function demoRelayLogger(verbose: boolean, write: (line: string) => void = (l) => process.stderr.write(l)): RelayLogger {
  return (line) => {
    if (verbose || line.level !== 'info') write(`${JSON.stringify(line)}\n`);
  };
}

export async function runDemo(o: DemoCommandOptions): Promise<void> {
  let cookie: string;
  try {
    cookie = resolveCookie(o.cookie);
  } catch (e) {
    fatal(`erlmesh demo: ${messageOf(e)}`);
  }
  if (!isLoopbackHost(o.host)) {
    process.stderr.write(
      `erlmesh demo: warning: --host ${o.host} is not a loopback address; anyone who can reach this port ` +
        `can get a join ticket from ${DEMO_TICKET_PATH} and join the cluster as a '${DEMO_ROLE}' tab\n`,
    );
  }
  let page: string;
  try {
    page = demoPageRoot(packageRoot(), { say: (text) => process.stderr.write(`erlmesh demo: ${text}\n`) });
  } catch (e) {
    fatal(`erlmesh demo: ${messageOf(e)}`);
  }
  let config: DemoConfig | undefined;
  // Tickets only once the demo node is up (the page waits on config.json's 503 first anyway).
  const ticket = (): string | undefined =>
    config && mintTicket({ cookie, role: DEMO_ROLE, prefix: DEMO_TAB_PREFIX, ttlMs: DEMO_TICKET_TTL_MS });
  const server = http.createServer(
    withDemoConfig(() => config, withTicketEndpoint(ticket, staticHandler(page), { loopbackOnly: isLoopbackHost(o.host) })),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    fatal(await listenFailure(e, o.port, o.host));
  }
  const { port } = server.address() as AddressInfo;
  const relay = await startRelay({ server, cookie, logger: demoRelayLogger(o.verbose === true) });
  let node;
  try {
    node = await startNode({
      sname: 'demo',
      cookie,
      relay: relay.url,
      startRelay: false,
      capabilities: DEMO_CAPABILITIES,
      logger: (e) => {
        if (o.verbose || e.level !== 'info') process.stderr.write(`[${e.node}] ${e.text}\n`);
      },
    });
    await node.rpc.call(node.name, 'kvs', 'start', []);
    // The page gets join tickets, never the cookie; role 'demo' may do what the page offers.
    config = {
      relay: RELAY_PATH,
      host: node.name.slice(node.name.indexOf('@') + 1),
      mode: 'short',
      ticket: DEMO_TICKET_PATH,
      prefix: DEMO_TAB_PREFIX,
      server: node.name,
    };
  } catch (e) {
    await relay.close();
    server.close();
    fatal(`erlmesh demo: cannot start the demo node: ${messageOf(e)}`);
  }
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '[::1]' : o.host.includes(':') ? `[${o.host}]` : o.host;
  process.stdout.write(
    `erlmesh demo: open http://${host}:${port}/\n` +
      `erlmesh demo: relay ${relay.url}\n` +
      `erlmesh demo: node ${node.name} (kvs started)\n`,
  );
  const n = node;
  onTerminate(async () => {
    await n.stop();
    await relay.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
}
