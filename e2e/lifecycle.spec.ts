/**
 * The tab lifecycle: leaving the page stops the node (peers see nodedown at once), and a page
 * restored from the back-forward cache comes back as a new incarnation of the same name.
 * Whether headless Chromium puts a page in the bfcache is not under the test's control, so
 * the restore path is driven with the real PageTransitionEvents the browser would fire.
 */
import { test, expect } from '../src/playwright/index.js';

test('pagehide stops the node; a bfcache pageshow restores it as a new incarnation (same name, greater creation)', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const tab = await cluster.tab({ name: 'host' });
  const events: unknown[] = [];
  srv.monitorNodes((e) => events.push(e));

  // A second node in the same page, with the lifecycle wiring, named so we can follow it.
  const first = await tab.evaluate(
    async (_node, cookie, erlmesh) => {
      const w = window as unknown as { bf: { name: string; creation: number }[]; bfNode: unknown };
      w.bf = [];
      const n = await erlmesh.startNode({
        cookie,
        host: 'erlmesh',
        sname: 'bf',
        onRestore: (again) => w.bf.push({ name: again.name, creation: again.creation }),
      });
      w.bfNode = n;
      return { name: n.name, creation: n.creation };
    },
    cluster.cookie,
  );
  expect(first.name).toBe('bf@erlmesh');
  await expect.poll(() => srv.nodes()).toContain('bf@erlmesh');

  await tab.page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
  await expect.poll(() => events).toContainEqual(['nodedown', 'bf@erlmesh']);

  await tab.page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  const restored = await tab.page.waitForFunction(() => (window as unknown as { bf: unknown[] }).bf[0]).then((h) => h.jsonValue());
  expect(restored).toMatchObject({ name: 'bf@erlmesh' });
  expect((restored as { creation: number }).creation).toBeGreaterThan(first.creation);
  await expect.poll(() => events.filter((e) => (e as unknown[])[0] === 'nodeup' && (e as unknown[])[1] === 'bf@erlmesh').length).toBeGreaterThan(0);
  // the new incarnation answers
  expect(await srv.rpc.call('bf@erlmesh', 'erlang', 'node', [])).toBe('bf@erlmesh');

  // a pageshow that is not a bfcache restore (persisted false) starts nothing
  await tab.page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })));
  expect(await tab.page.evaluate(() => (window as unknown as { bf: unknown[] }).bf.length)).toBe(1);
});

test('a reload: peers see the old tab-node go down at once, and the reloaded page starts a new one', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const tab = await cluster.tab();
  const before = tab.name;
  const events: unknown[] = [];
  srv.monitorNodes((e) => events.push(e), { nodedownReason: true });
  await tab.page.reload();
  await expect.poll(() => events).toContainEqual(['nodedown', before, { nodedownReason: 'connection_closed' }]);
  expect(srv.nodes()).not.toContain(before);
});
