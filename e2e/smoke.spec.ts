/**
 * The whole path in one test: the built tab page served over http, the relay on the same
 * server, a server-node, and a tab-node started in the page — all through the fixture.
 */
import { test, expect } from '../src/playwright/index.js';

test('a tab-node joins a server-node through the relay', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const tab = await cluster.tab();
  await expect(tab.page.locator('#status')).toHaveText('running');
  expect(tab.name).toMatch(/^tab-[a-z0-9]+@erlmesh$/);
  await expect(tab.page.locator('#node-name')).toHaveText(tab.name);
  expect(srv.nodes()).toContain(tab.name);
  expect(await tab.nodes()).toEqual([srv.name]);
  expect(await tab.rpc(srv.name, 'math', 'sqrt', [16])).toBe(4);
  expect(await srv.rpc.call(tab.name, 'erlang', 'node', [])).toBe(tab.name);
  // The relay's default URL in the page is its origin + /erlmesh: the cluster's relay.
  expect(await tab.page.evaluate(() => location.origin)).toBe(cluster.url);
  expect(cluster.relayUrl).toBe(`${cluster.url.replace(/^http/, 'ws')}/erlmesh`);
});

test.describe('without built pages', () => {
  test.use({ clusterOptions: { root: 'no/such/dir' } });

  test('cluster.tab() fails with a message saying to run npx vite build', async ({ cluster }) => {
    const err = (await cluster.tab().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('tab.html not found');
    expect(err.message).toContain('npx vite build');
    // Server-nodes do not need the pages.
    const srv = await cluster.server('srv');
    expect(cluster.nodes()).toEqual([srv.name]);
  });
});
