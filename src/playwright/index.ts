/**
 * erlmesh/playwright: a Playwright fixture for tests with many tabs.
 *
 * `test` is Playwright's `test` with a `cluster` fixture. Per test it starts an http server on
 * 127.0.0.1 (a free port) serving the built tab page (`dist/public/tab.html`: run
 * `npx vite build` first), the relay on that same server with a random cookie, and then
 * whatever the test asks for: server-nodes in the test process (`cluster.server('srv')`) and
 * tab-nodes in browser pages (`cluster.tab()`), in the test's browser context or in fresh ones.
 * After the test it closes the tabs and the contexts it made, stops the server-nodes, the
 * relay and the http server.
 *
 * Every node is named `<name>@erlmesh` (short names, one host), so tabs and servers mix.
 * Partitions are made at the relay (`cluster.partition(['a'], ['b'])`, `cluster.heal()`):
 * Playwright's offline mode does not cut WebSockets. They cut tabs and server-nodes alike,
 * direct links between server-nodes included.
 *
 * @example
 * import { test, expect, ANY } from 'erlmesh/playwright';
 *
 * test('a tab stores, another looks up', async ({ cluster }) => {
 *   const srv = await cluster.server('srv');
 *   await srv.rpc.call(srv.name, 'kvs', 'start', []);
 *   const a = await cluster.tab();
 *   const b = await cluster.tab({ context: 'new' });
 *   expect(await a.rpc(srv.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
 *   expect(await b.rpc(srv.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
 *   await b.inbox('probe');
 *   srv.send(['probe', b.name], ['hello', srv.name]);
 *   await b.waitForMessage('probe', ['hello', ANY]);
 * });
 *
 * Options: `test.use({ clusterOptions: { cookie: 'fixed', host: 'myhost', root: 'build/pages' } })`.
 *
 * @module erlmesh/playwright
 */
import { test as base, expect } from '@playwright/test';
import { startCluster, type Cluster, type ClusterOptions } from './cluster.js';

/**
 * Playwright's `test` with the `cluster` fixture (and its `clusterOptions`).
 *
 * @example
 * test('a tab pings the server', async ({ cluster }) => {
 *   const srv = await cluster.server('srv');
 *   const tab = await cluster.tab();
 *   expect(await tab.ping(srv.name)).toBe('pong');
 * });
 */
export const test = base.extend<{ cluster: Cluster; clusterOptions: ClusterOptions }>({
  /** Options of the `cluster` fixture (see `ClusterOptions`); set with `test.use({ clusterOptions })`. */
  clusterOptions: [{}, { option: true }],
  cluster: async ({ browser, context, clusterOptions }, use, testInfo) => {
    const cluster = await startCluster({ browser, context, options: clusterOptions });
    try {
      await use(cluster);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        // What the relay saw (registrations, refusals, departures with close codes, partitions).
        const body = cluster.relayLog().map((l) => JSON.stringify(l)).join('\n');
        await testInfo.attach('erlmesh-relay-log', { body, contentType: 'text/plain' }).catch(() => undefined);
      }
      await cluster.dispose();
    }
  },
});

export { expect };
export { ANY } from '../browser/harness/api.js';
export type { ErlmeshGlobal } from '../browser/harness/api.js';
export { startCluster } from './cluster.js';
export type { RelayLogLine } from '../server/relay/index.js';
export type { Cluster, ClusterOptions, ClusterDeps, OwnedCluster, TabOptions, TabStartError, NodeRef, TicketSpec } from './cluster.js';
export { Tab } from './tab.js';
export { inbox } from './inbox.js';
export type { Inbox, InboxOptions } from './inbox.js';
export type { MessageMatcher, MessagePattern, NodeEventMonitor, SeenNodeEvent, TabError, WaitOptions } from './tab.js';
export type { ClusterObserver, ClusterObserverOptions } from './observer.js';
