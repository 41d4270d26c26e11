/**
 * `erlmesh demo`: one HTTP server that serves the demo page and hosts the relay (at
 * /erlmesh), plus a server-node `demo@<short host>` running kvs, so browser tabs opened on the
 * page have something to talk to. The page reads `GET /erlmesh/config.json` (relay, host,
 * naming mode, cookie, server-node) to start its tab-node in the same cluster.
 */
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RELAY_PATH } from '../../core/relay/protocol.js';
import { startNode } from '../node.js';
import { startRelay } from '../relay/index.js';
import { fatal, messageOf, onTerminate, packageRoot, resolveCookie } from './common.js';
import { isLoopbackHost, withDemoConfig, type DemoConfig } from './demo-config.js';
import { listenFailure } from './relay-command.js';
import { staticHandler } from './static-files.js';

export interface DemoCommandOptions {
  port: number;
  host: string;
  cookie?: string;
}

/** The built page (dist/public/), else the sources (public/), else none. */
function pageRoot(): string | undefined {
  const root = packageRoot();
  return [join(root, 'dist', 'public'), join(root, 'public')].find((d) => existsSync(d));
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
        `can read the cluster cookie from /erlmesh/config.json and join the cluster\n`,
    );
  }
  let config: DemoConfig | undefined;
  const server = http.createServer(withDemoConfig(() => config, staticHandler(pageRoot())));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    fatal(listenFailure(e, o.port, o.host));
  }
  const { port } = server.address() as AddressInfo;
  const relay = await startRelay({ server, cookie });
  let node;
  try {
    node = await startNode({
      sname: 'demo',
      cookie,
      relay: relay.url,
      startRelay: false,
      logger: (e) => {
        if (e.level !== 'info') process.stderr.write(`[${e.node}] ${e.text}\n`);
      },
    });
    await node.rpc.call(node.name, 'kvs', 'start', []);
    // The page gets the cookie itself: acceptable for this local demo (127.0.0.1 by default);
    // a later issue replaces it with signed join tickets.
    config = { relay: RELAY_PATH, host: node.name.slice(node.name.indexOf('@') + 1), mode: 'short', cookie, server: node.name };
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
