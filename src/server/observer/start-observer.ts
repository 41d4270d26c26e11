/**
 * `startObserver`: serve the observer page for a node (best a hidden one) on an HTTP port.
 * The page (public/observer.html, src/browser/observer) polls the JSON API of routes.ts; the
 * node asks the cluster through the `observer` module every node loads. While no page polls,
 * the observer asks nothing.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErlmeshError } from '../../core/base/errors.js';
import { packageRoot } from '../package-info.js';
import { demoPageRoot } from '../cli/demo-page.js';
import { staticHandler } from '../cli/static-files.js';
import { Collector } from './collector.js';
import { observerApi } from './routes.js';
import type { Observer, ObserverOptions } from './types.js';

/** The page's file in the built pages directory. */
export const OBSERVER_PAGE = 'observer.html';

/**
 * Serve the observer page for `node`; resolves once it listens.
 *
 * @example
 * import { startNode, startObserver } from 'erlmesh/server';
 * const node = await startNode({ sname: 'observer', hidden: true });
 * const obs = await startObserver({ node, port: 8081 });
 * console.log(`open ${obs.url}`);   // http://127.0.0.1:8081/
 */
export async function startObserver(o: ObserverOptions): Promise<Observer> {
  const { node } = o;
  if (!node || typeof node.rpc?.call !== 'function') throw new ErlmeshError('badarg', 'startObserver: `node` must be a started node');
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ErlmeshError('badarg', `startObserver: port must be 0..65535, got ${String(o.port)}`);
  if (!node.isAlive()) throw new ErlmeshError('notalive', 'startObserver: the node is not distributed (nonode@nohost has no cluster to show)');
  const root = o.root ?? demoPageRoot(packageRoot(), { page: OBSERVER_PAGE });
  const collector = new Collector(node, o.peers, o.relay);
  const api = observerApi(node, collector, o.control ?? node.role === undefined);
  const files = staticHandler(root);
  const server = http.createServer((req, res) => {
    void api(req, res).then(
      (handled) => {
        if (handled) return;
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/' || path === '/index.html') req.url = `/${OBSERVER_PAGE}`;
        files(req, res);
      },
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      },
    );
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/`,
    port: bound,
    close: async () => {
      await collector.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
