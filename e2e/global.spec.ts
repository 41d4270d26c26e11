/**
 * Issue 5: global names across tabs and servers. A tab registers a global name; a server-node
 * and another tab reach it by name; the name disappears everywhere when the tab closes.
 */
import { test, expect } from '../src/playwright/index.js';

test('a tab registers a global name; a server and another tab reach it; it goes when the tab closes', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const owner = await cluster.tab({ name: 'owner' });
  const other = await cluster.tab({ name: 'other', context: 'new' });
  await expect.poll(() => other.nodes()).toEqual(['owner@erlmesh', 'srv@erlmesh']);

  // The owner tab registers a process of its own under a cluster-wide name.
  await owner.inbox('probe');
  const answer = await owner.evaluate(async (node) => {
    const pid = node.whereis('probe')!;
    return node.global.registerName('greeter', pid);
  });
  expect(answer).toBe('yes');

  // The server finds it (after sync, as Erlang's tests must) and sends to it by name.
  await srv.global.sync();
  const pid = srv.global.whereisName('greeter');
  expect(pid?.node).toBe('owner@erlmesh');
  srv.global.send('greeter', ['from', srv.name]);
  await owner.waitForMessage('probe', ['from', 'srv@erlmesh']);

  // So does the other tab.
  const seen = await other.evaluate(async (node) => {
    await node.global.sync();
    node.global.send('greeter', ['from', node.name]);
    return node.global.whereisName('greeter')?.node;
  });
  expect(seen).toBe('owner@erlmesh');
  await owner.waitForMessage('probe', ['from', 'other@erlmesh']);
  expect(await owner.messages('probe')).toEqual([
    ['from', 'srv@erlmesh'],
    ['from', 'other@erlmesh'],
  ]);

  // The owner tab closes: the name disappears on every node.
  await owner.close();
  await expect.poll(() => srv.global.whereisName('greeter')).toBeUndefined();
  await expect
    .poll(() => other.evaluate((node) => node.global.registeredNames().includes('greeter')))
    .toBe(false);
  expect(() => srv.global.send('greeter', 'late')).toThrow(expect.objectContaining({ code: 'badarg' }));
});

test('pg groups span tabs and servers, and a closed tab leaves its groups', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab({ name: 'a' });
  const b = await cluster.tab({ name: 'b' });
  await expect.poll(() => a.nodes()).toEqual(['b@erlmesh', 'srv@erlmesh']);
  for (const t of [a, b]) {
    await t.inbox('member');
    await t.evaluate((node) => node.pg.join('room', node.whereis('member')!));
  }
  await expect.poll(() => srv.pg.getMembers('room').map((p) => p.node).sort()).toEqual(['a@erlmesh', 'b@erlmesh']);
  for (const p of srv.pg.getMembers('room')) srv.send(p, 'hello room');
  await a.waitForMessage('member', 'hello room');
  await b.waitForMessage('member', 'hello room');
  await b.close();
  await expect.poll(() => srv.pg.getMembers('room').map((p) => p.node)).toEqual(['a@erlmesh']);
});
