/**
 * `cluster.observer()`: the observer page (erlmesh/server's `startObserver`) for a fixture's
 * cluster, through a hidden server-node in the test process, with the relay's names and
 * counters read from the relay itself; so a test can look at (or take a picture of) the
 * whole cluster.
 */
import type { Node } from '../core/node/node.js';
import type { Relay } from '../server/relay/index.js';
import { startObserver } from '../server/observer/start-observer.js';
import type { Observer } from '../server/observer/types.js';
import { findPageRoot, notBuiltError } from './pages.js';

/**
 * Options of `cluster.observer()`.
 *
 * @example
 * const obs = await cluster.observer({ name: 'watcher', port: 0 });
 */
export interface ClusterObserverOptions {
  /** The hidden node's short name (default 'observer'). */
  name?: string;
  /** HTTP port of the page (default 0: a free one). */
  port?: number;
}

/**
 * A running observer of a fixture's cluster: the page's URL, and its hidden node.
 *
 * @example
 * const obs: ClusterObserver = await cluster.observer();
 * await page.goto(obs.url);
 * expect(obs.node.name).toBe('observer@erlmesh');
 */
export interface ClusterObserver extends Observer {
  /** The hidden node the observer asks the cluster through. */
  readonly node: Node;
}

/** @internal start the observer for the fixture (its node from `server`, stopped with the cluster) */
export async function startClusterObserver(
  o: ClusterObserverOptions,
  deps: { candidates: string[]; relay: Relay; relayUrl: string; server: (sname: string, opts: { hidden: true }) => Promise<Node> },
): Promise<ClusterObserver> {
  const root = findPageRoot(deps.candidates, 'observer.html');
  if (root === undefined) throw notBuiltError(deps.candidates, 'observer.html');
  const node = await deps.server(o.name ?? 'observer', { hidden: true });
  const obs = await startObserver({
    node,
    port: o.port ?? 0,
    root,
    peers: () => deps.relay.names(),
    relay: () => ({ url: deps.relayUrl, names: deps.relay.names(), stats: { ...deps.relay.stats() } }),
  });
  return Object.assign(obs, { node });
}
