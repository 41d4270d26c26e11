/**
 * Tabs in one browser context (like tabs of one window: shared storage) and in separate
 * contexts (like separate browsers) form one cluster all the same.
 */
import { test, expect } from '../src/playwright/index.js';

test('tabs in the same context share storage and all join the mesh', async ({ cluster, context }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab();
  const b = await cluster.tab({ context: 'shared' });
  expect(a.context).toBe(context);
  expect(b.context).toBe(context);
  await a.page.evaluate(() => localStorage.setItem('seen', 'a'));
  expect(await b.page.evaluate(() => localStorage.getItem('seen'))).toBe('a');
  await expect.poll(() => a.nodes()).toEqual([srv.name, b.name].sort());
  await expect.poll(() => b.nodes()).toEqual([srv.name, a.name].sort());
  expect(await a.rpc(b.name, 'erlang', 'node', [])).toBe(b.name);
  expect(await b.rpc(a.name, 'math', 'sqrt', [81])).toBe(9);
});

test('tabs in separate contexts do not share storage and all join the mesh', async ({ cluster, browser }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab({ context: 'new' });
  const b = await cluster.tab({ context: 'new' });
  const own = await browser.newContext();
  try {
    const c = await cluster.tab({ context: own });
    expect(new Set([a.context, b.context, c.context]).size).toBe(3);
    await a.page.evaluate(() => localStorage.setItem('seen', 'a'));
    expect(await b.page.evaluate(() => localStorage.getItem('seen'))).toBeNull();
    for (const t of [a, b, c]) {
      await expect.poll(() => t.nodes()).toEqual([srv.name, a.name, b.name, c.name].filter((n) => n !== t.name).sort());
    }
    expect(await a.rpc(c.name, 'erlang', 'node', [])).toBe(c.name);
    expect(await c.rpc(b.name, 'erlang', 'node', [])).toBe(b.name);
    // A message from one context's tab to another's, by registered name.
    await b.inbox('probe');
    await a.evaluate((node, to) => node.send(['probe', to], ['hi', node.name]), b.name);
    expect(await b.waitForMessage('probe', ['hi', a.name])).toEqual(['hi', a.name]);
  } finally {
    await own.close(); // ours: the fixture closes only the contexts it made
  }
});

test('a mix: two tabs in the test context and one in a fresh context', async ({ cluster, context }) => {
  const a = await cluster.tab();
  const b = await cluster.tab();
  const c = await cluster.tab({ context: 'new' });
  expect(c.context).not.toBe(context);
  const names = [a.name, b.name, c.name];
  for (const t of [a, b, c]) await expect.poll(() => t.nodes()).toEqual(names.filter((n) => n !== t.name).sort());
  expect(await c.evaluate((node, peers) => Promise.all(peers.map((p) => node.ping(p))), [a.name, b.name])).toEqual(['pong', 'pong']);
});
