/**
 * Cookies: a tab with the wrong cookie is refused at the relay, visibly and without hanging;
 * the cluster cookie can be fixed with `clusterOptions`.
 */
import { test, expect, type TabStartError } from '../src/playwright/index.js';

test('a tab with the wrong cookie is refused with a visible bad_cookie', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const good = await cluster.tab();
  const err = (await cluster.tab({ cookie: 'not-the-cookie', name: 'mallory' }).catch((e: unknown) => e)) as TabStartError;
  expect(err).toBeInstanceOf(Error);
  expect(err.code).toBe('bad_cookie');
  // The page says so.
  await expect(err.page.locator('#status')).toHaveText('bad_cookie');
  await expect(err.page.locator('#error')).toContainText('bad_cookie');
  expect(await err.page.evaluate(() => window.node)).toBeUndefined();
  // Nobody sees it; the cluster is unaffected.
  expect(cluster.nodes()).toEqual([good.name, srv.name].sort());
  expect(srv.nodes()).toEqual([good.name]);
  expect(await good.ping('mallory@erlmesh')).toBe('pang');
  // The right cookie in another tab still works.
  const ok = await cluster.tab({ name: 'mallory' });
  expect(ok.name).toBe('mallory@erlmesh');
  await expect(ok.page.locator('#status')).toHaveText('running');
  await expect(ok.page.locator('#node-name')).toHaveText('mallory@erlmesh');
});

test.describe('with a fixed cookie', () => {
  test.use({ clusterOptions: { cookie: 'fixed-cookie-123' } });

  test('clusterOptions.cookie is the cookie of every node', async ({ cluster }) => {
    expect(cluster.cookie).toBe('fixed-cookie-123');
    const srv = await cluster.server('srv');
    const tab = await cluster.tab();
    expect(srv.getCookie()).toBe('fixed-cookie-123');
    expect(await tab.evaluate((node) => node.getCookie())).toBe('fixed-cookie-123');
    expect(await tab.ping(srv.name)).toBe('pong');
  });
});

test('the random per-test cookie differs between tests', async ({ cluster }) => {
  expect(cluster.cookie).toMatch(/^[0-9a-f]{24}$/);
  expect(cluster.cookie).not.toBe('fixed-cookie-123');
});
