/**
 * A cluster of tabs and a server-node: membership, and kvs (Programming Erlang ch. 14) on the
 * server and inside a tab, reached by rpc from servers and tabs.
 */
import { test, expect } from '../src/playwright/index.js';

test('three tabs and a server-node all see the same four nodes', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab();
  const b = await cluster.tab();
  const c = await cluster.tab({ context: 'new' });
  const all = [srv.name, a.name, b.name, c.name].sort();
  expect(new Set(all).size).toBe(4);
  for (const n of all) expect(n).toMatch(/@erlmesh$/);
  expect(cluster.nodes()).toEqual(all);

  const others = (self: string) => all.filter((n) => n !== self);
  await expect.poll(() => [...srv.nodes()].sort()).toEqual(others(srv.name));
  for (const t of [a, b, c]) await expect.poll(() => t.nodes()).toEqual(others(t.name));
});

test('kvs started on the server: stored from tab A, looked up from tab B', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  expect(await srv.rpc.call(srv.name, 'kvs', 'start', [])).toBe(true);
  const a = await cluster.tab();
  const b = await cluster.tab({ context: 'new' });
  expect(await a.rpc(srv.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
  expect(await a.rpc(srv.name, 'kvs', 'store', [['tuple', 'key'], new Map([['x', 1n]])])).toBe(true);
  expect(await b.rpc(srv.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
  expect(await b.rpc(srv.name, 'kvs', 'lookup', [['tuple', 'key']])).toEqual(['ok', new Map([['x', 1n]])]);
  expect(await b.rpc(srv.name, 'kvs', 'lookup', ['nothing'])).toBeUndefined();
});

test('kvs running inside a tab, called by rpc from the server and from another tab', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const host = await cluster.tab();
  const other = await cluster.tab();
  // Started by the tab itself: the registered kvs process lives in the page.
  expect(await host.evaluate((node) => node.rpc.call(node.name, 'kvs', 'start', []))).toBe(true);
  expect(await host.evaluate((node) => node.whereis('kvs')?.node)).toBe(host.name);

  expect(await srv.rpc.call(host.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
  expect(await other.rpc(host.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
  expect(await other.rpc(host.name, 'kvs', 'store', ['weather', 'rain'])).toBe(true);
  expect(await srv.rpc.call(host.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'rain']);
  // A call to a tab where kvs never started fails as in Erlang: {badrpc, {'EXIT', …}}.
  const err = await srv.rpc.call(other.name, 'kvs', 'lookup', ['weather']).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'badrpc' });
});
