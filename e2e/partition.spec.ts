/**
 * Partitions made at the relay with the fixture (Playwright's offline mode does not cut
 * WebSockets): both sides see nodedown; after `heal()`, the next contact brings nodeup back.
 * Server-nodes joined by direct links (`{ direct: true }`) are cut too (issue 18).
 */
import type { Node } from '../src/core/node/node.js';
import type { NodeEvent } from '../src/core/net/node-events.js';
import { test, expect } from '../src/playwright/index.js';

/** Record `node`'s node events. */
function record(node: Node): NodeEvent[] {
  const events: NodeEvent[] = [];
  node.monitorNodes((ev) => events.push(ev), { nodedownReason: true });
  return events;
}

test('a partition between a tab and the rest gives nodedown on both sides; healing brings nodeup back', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab({ name: 'alice' });
  const b = await cluster.tab({ name: 'bob', context: 'new' });
  expect([a.name, b.name]).toEqual(['alice@erlmesh', 'bob@erlmesh']);
  for (const t of [a, b]) await expect.poll(() => t.nodes()).toHaveLength(2);
  const srvEvents = record(srv);
  const monA = await a.monitorNodes();
  const monB = await b.monitorNodes();

  cluster.partition(['alice'], [srv, b]);

  // Both sides of the cut see nodedown; the connection between srv and bob is untouched.
  await monA.waitFor('nodedown', srv.name);
  await monA.waitFor('nodedown', b.name);
  await monB.waitFor('nodedown', a.name);
  await expect.poll(() => srvEvents).toContainEqual(['nodedown', a.name, { nodedownReason: 'connection_closed' }]);
  expect(await a.nodes()).toEqual([]);
  expect(await b.nodes()).toEqual([srv.name]);
  expect(srv.nodes()).toEqual([b.name]);
  // While cut: no way through, either direction.
  expect(await a.ping(srv.name)).toBe('pang');
  expect(await srv.ping(a.name)).toBe('pang');
  const err = await a.rpc(srv.name, 'erlang', 'node', []).catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'badrpc', reason: 'nodedown' });
  // The relay membership is untouched: a partition is not a disconnect from the relay.
  expect(cluster.nodes()).toEqual([a.name, b.name, srv.name].sort());

  cluster.heal();

  // As in Erlang, the next contact reconnects.
  expect(await a.ping(srv.name)).toBe('pong');
  await monA.waitFor('nodeup', srv.name);
  await expect.poll(() => srvEvents).toContainEqual(['nodeup', a.name, {}]);
  expect(await b.ping(a.name)).toBe('pong');
  await monB.waitFor('nodeup', a.name);
  await monA.waitFor('nodeup', b.name);
  for (const t of [a, b]) await expect.poll(() => t.nodes()).toHaveLength(2);
  expect(await a.rpc(srv.name, 'erlang', 'node', [])).toBe(srv.name);
});

test('a partition between two server-nodes and a tab, seen from every side', async ({ cluster }) => {
  const x = await cluster.server('x');
  const y = await cluster.server('y');
  const t = await cluster.tab();
  await expect.poll(() => t.nodes()).toEqual([x.name, y.name]);
  const xEvents = record(x);
  const yEvents = record(y);
  const mon = await t.monitorNodes();

  cluster.partition([x], [y]);
  await expect.poll(() => xEvents).toContainEqual(['nodedown', y.name, { nodedownReason: 'connection_closed' }]);
  await expect.poll(() => yEvents).toContainEqual(['nodedown', x.name, { nodedownReason: 'connection_closed' }]);
  // The tab still reaches both.
  expect(await t.ping(x.name)).toBe('pong');
  expect(await t.ping(y.name)).toBe('pong');
  expect(await mon.events()).toEqual([]);

  cluster.heal();
  expect(await x.ping(y.name)).toBe('pong');
  await expect.poll(() => yEvents).toContainEqual(['nodeup', x.name, {}]);
});

test('server-nodes joined by direct links are cut as tabs are, and come back direct after heal', async ({ cluster }) => {
  const x = await cluster.server('x', { direct: true });
  const y = await cluster.server('y', { direct: true });
  const t = await cluster.tab({ name: 'tess' });
  await expect.poll(() => t.nodes()).toEqual([x.name, y.name]);
  await expect.poll(() => x.nodes().sort()).toEqual([t.name, y.name].sort());
  // x and y talk over their direct link: the relay holds channels only for the tab's two
  // links (t–x, t–y), none for x–y. (A count of routed frames would race with the tab's
  // own traffic.)
  expect(await x.rpc.call(y.name, 'erlang', 'node', [])).toBe(y.name);
  await expect.poll(() => cluster.relay.stats().channels).toBe(2);
  const xEvents = record(x);
  const yEvents = record(y);
  const mon = await t.monitorNodes();

  cluster.partition([x, t], [y]);
  await expect.poll(() => xEvents).toContainEqual(['nodedown', y.name, { nodedownReason: 'connection_closed' }]);
  await expect.poll(() => yEvents).toContainEqual(['nodedown', x.name, { nodedownReason: 'connection_closed' }]);
  await expect.poll(() => yEvents).toContainEqual(['nodedown', t.name, { nodedownReason: 'connection_closed' }]);
  await mon.waitFor('nodedown', y.name);
  expect(await x.ping(y.name)).toBe('pang');
  expect(await y.ping(x.name)).toBe('pang');
  expect(await t.ping(y.name)).toBe('pang');
  await expect(x.rpc.call(y.name, 'erlang', 'node', [])).rejects.toMatchObject({ reason: 'nodedown' });
  // The same side is untouched.
  expect(await x.ping(t.name)).toBe('pong');
  expect(xEvents.filter((e) => e[1] === t.name)).toEqual([]);

  cluster.heal();
  expect(await x.ping(y.name)).toBe('pong');
  expect(await t.ping(y.name)).toBe('pong');
  await expect.poll(() => yEvents).toContainEqual(['nodeup', x.name, {}]);
  expect(await y.rpc.call(x.name, 'erlang', 'node', [])).toBe(x.name);
  await expect.poll(() => cluster.relay.stats().channels).toBe(2); // direct again
});
