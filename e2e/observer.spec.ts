/**
 * The observer page (issue 16), through the fixture's `cluster.observer()`: three tabs and a
 * server-node; the page shows all five nodes (the four and the observer's own hidden node); a
 * tab opened later appears, a closed tab leaves the list within a second (a bounded wait); a
 * process killed from the page is gone and its linked partner got the EXIT. While srv sends to
 * a tab, their edge shows a rate; the processes table shows kvs's initial call. A
 * ticket-holding observer is read-only and shows "refused" where the role may not ask.
 *
 * `ERLMESH_SCREENSHOTS=1 npx playwright test e2e/observer.spec.ts -g screenshots` refreshes
 * docs/observer.png and docs/observer-phone.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pid } from '../src/core/terms/pid.js';
import { startObserver } from '../src/server/observer/start-observer.js';
import { test, expect, inbox } from '../src/playwright/index.js';

test('lists every node, drops a closed tab, kills a process from the page', async ({ cluster, browser }) => {
  const srv = await cluster.server('srv');
  const tabs = [await cluster.tab(), await cluster.tab({ context: 'new' }), await cluster.tab()];
  const obs = await cluster.observer();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(obs.url);
    const rows = page.locator('[data-testid=node-row]');
    await expect(rows).toHaveCount(5);
    const shown = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-node')).sort());
    expect(shown).toEqual([srv.name, obs.node.name, ...tabs.map((t) => t.name)].sort());
    // The tabs answer the observer too: pick one and its processes come from the page's node.
    await page.locator(`[data-testid=node-row][data-node="${tabs[0]!.name}"]`).click();
    await expect(page.locator('[data-testid=process-row]').first()).toHaveAttribute('data-pid', new RegExp(`^<${tabs[0]!.name}\\.`));
    await expect(page.locator(`[data-testid=node-row][data-node="${tabs[0]!.name}"] .badge`).first()).toHaveText('tab');

    // Live, both ways: a tab opened now appears; a closed tab is gone within a second.
    const late = await cluster.tab();
    await expect(page.locator(`[data-testid=node-row][data-node="${late.name}"]`)).toHaveCount(1);
    await expect(rows).toHaveCount(6);
    await late.close();
    await tabs[2]!.close();
    await expect(page.locator(`[data-testid=node-row][data-node="${tabs[2]!.name}"]`)).toHaveCount(0, { timeout: 1_000 });
    await expect(rows).toHaveCount(4);

    // Traffic: srv sends to the tab's `user` (which drops what is not an io request) every 10 ms.
    let flowing = true;
    srv.spawn(async (self) => {
      while (flowing) {
        self.send(['user', tabs[0]!.name], ['tick', Date.now()]);
        await self.receive(() => false, 10);
      }
    });
    try {
      const [a, b] = [srv.name, tabs[0]!.name].sort();
      const rate = page.locator(`[data-testid=edge-rate][data-edge="${a} ${b}"]`);
      await expect(rate).toHaveText(/[1-9].*\/s$/);
      expect(Number(await rate.getAttribute('data-rate'))).toBeGreaterThan(0);
      await expect(rate).toHaveAttribute('data-via', 'relay');
    } finally {
      flowing = false;
    }

    // kvs's initial call, in its own column.
    await srv.rpc.call(srv.name, 'kvs', 'start', []);
    await page.locator(`[data-testid=node-row][data-node="${srv.name}"]`).click();
    const kvsRow = page.locator('[data-testid=process-row][data-name="kvs"]');
    await expect(kvsRow.locator('[data-testid=initial-call]')).toHaveText('kvs:loop/0');
    await expect(kvsRow).toHaveAttribute('data-pid', String(srv.whereis('kvs')));

    // On srv: a process that traps exits, linked to a victim; kill the victim from the page.
    const partner = inbox(srv, { trapExit: true, init: (self) => self.spawnLink(async (s) => void (await s.receive(() => false))) });
    const victim = (await partner.ready) as Pid;
    const victimRow = page.locator(`[data-testid=process-row][data-pid="${String(victim)}"]`);
    await victimRow.click();
    await expect(page.locator('[data-testid=process-links]')).toHaveText(String(partner.pid));
    await page.locator('[data-testid=kill]').click();
    await partner.waitFor(['EXIT', victim, 'killed']);
    expect(srv.isProcessAlive(victim)).toBe(false);
    await expect(victimRow).toHaveCount(0);
    await expect(page.locator('[data-testid=process-gone]')).toBeVisible();
  } finally {
    await context.close();
  }
});

test('a ticket-holding observer is read-only and shows "refused" where its role may not ask', async ({ cluster, browser }) => {
  const srv = await cluster.server('srv', { capabilities: { watcher: { rpc: { observer: ['nodeStats'] } } } });
  const node = await cluster.server('watch-1', { cookie: undefined, ticket: cluster.ticket({ role: 'watcher', prefix: 'watch-' }), hidden: true });
  const obs = await startObserver({ node, root: 'dist/public', peers: () => cluster.relay.names() });
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(obs.url);
    const srvRow = page.locator(`[data-testid=node-row][data-node="${srv.name}"]`);
    await expect(srvRow.locator('td').nth(1)).toHaveText('cookie');
    // nodeStats is the role's: srv's figures show.
    await expect(srvRow.locator('td').nth(3)).toHaveText(/^\d+$/);
    await expect(page.locator('[data-testid=status]')).toContainText('read-only');
    await srvRow.click();
    await expect(page.locator('[data-testid=processes-of]')).toContainText('refused');
    await expect(page.locator('[data-testid=names]')).toContainText('refused');
    // The API refuses kill and send too, whatever the page shows.
    const res = await page.request.post(`${obs.url}observer/api/kill`, { data: { node: srv.name, pid: 'x' } });
    expect(res.status()).toBe(403);
  } finally {
    await context.close();
    await obs.close();
  }
});

test('screenshots for the README', async ({ cluster, browser }) => {
  test.skip(!process.env.ERLMESH_SCREENSHOTS, 'set ERLMESH_SCREENSHOTS=1 to refresh docs/observer.png and docs/observer-phone.png');
  const docs = join(process.cwd(), 'docs');
  mkdirSync(docs, { recursive: true });
  const srv = await cluster.server('gandalf');
  await srv.rpc.call(srv.name, 'kvs', 'start', []);
  await srv.global.registerName('chat', srv.whereis('kvs')!);
  srv.pg.join('room', srv.whereis('kvs')!);
  const bilbo = await cluster.server('bilbo');
  // Traffic for the graph's rates: gandalf sends to bilbo's `user` 50 times a second.
  srv.spawn(async (self) => {
    for (;;) {
      self.send(['user', bilbo.name], ['tick']);
      await self.receive(() => false, 20);
    }
  });
  await cluster.tab({ name: 'tab-k3x9q2' });
  await cluster.tab({ name: 'tab-m7p2w8', context: 'new' });
  // Something to see in a mailbox: a worker that is slow to read.
  const slow = srv.spawn(async (self) => void (await self.receive(() => false)));
  srv.register('slow_worker', slow);
  for (let i = 0; i < 3; i++) srv.send(slow, ['job', i, { from: 'bilbo', size: 1024 * (i + 1) }]);
  const obs = await cluster.observer();
  for (const [size, file] of [
    [{ width: 1280, height: 900 }, 'observer.png'],
    [{ width: 375, height: 812 }, 'observer-phone.png'],
  ] as const) {
    const context = await browser.newContext({ viewport: size, deviceScaleFactor: size.width < 500 ? 2 : 1 });
    const page = await context.newPage();
    await page.goto(obs.url);
    await expect(page.locator('[data-testid=node-row]')).toHaveCount(5);
    await page.locator(`[data-testid=node-row][data-node="${srv.name}"]`).click();
    await page.locator('[data-testid=process-row][data-name="slow_worker"]').click();
    await expect(page.locator('[data-testid=process-messages] li')).toHaveCount(3);
    await expect(page.locator('[data-testid=global-names]')).toContainText('chat');
    await expect(page.locator(`[data-testid=edge-rate][data-edge="${bilbo.name} ${srv.name}"]`)).toHaveText(/[1-9]/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(docs, file) });
    await context.close();
  }
});
