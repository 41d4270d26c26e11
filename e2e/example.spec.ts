/**
 * Testing many tabs with Playwright: a spec to copy.
 *
 * In your project, import from the package instead:
 *
 *   import { test, expect, ANY, inbox } from 'erlmesh/playwright';
 *
 * and point playwright.config.ts at a Chromium (`use.launchOptions.executablePath`) if
 * Playwright cannot download its own. Build the pages first (`npx vite build`: the fixture
 * serves `dist/public/tab.html`).
 *
 * Per test, the `cluster` fixture gives a relay on a free port with a random cookie; you add
 * server-nodes (in the test process) and tab-nodes (in browser pages). Every node is named
 * `<name>@erlmesh`. Everything is torn down after the test.
 */
import { test, expect, ANY, inbox } from '../src/playwright/index.js';

test('tabs and a server-node: rpc, messages, a partition, and closing a tab', async ({ cluster }) => {
  // A server-node (an erlmesh Node in this process) and two tab-nodes, the second in its own
  // browser context (as if in another browser).
  const srv = await cluster.server('srv');
  const alice = await cluster.tab({ name: 'alice' });
  const bob = await cluster.tab({ name: 'bob', context: 'new' });
  await expect.poll(() => alice.nodes()).toEqual(['bob@erlmesh', 'srv@erlmesh']);

  // rpc from a tab, and from the server into a tab.
  await srv.rpc.call(srv.name, 'kvs', 'start', []);
  expect(await alice.rpc('srv@erlmesh', 'kvs', 'store', ['weather', 'fine'])).toBe(true);
  expect(await bob.rpc('srv@erlmesh', 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
  expect(await srv.rpc.call(bob.name, 'math', 'sqrt', [16])).toBe(4);

  // Any code against the tab's node: evaluate(fn(node, arg, erlmesh), arg). The function is
  // shipped to the page as source, so it must not use the test's variables: pass them as arg.
  // Terms (pids included) come back intact.
  const pid = await alice.evaluate((node, greeting) => node.spawn(async (self) => {
    const from = await self.receive();
    self.send(from, [greeting, self.node.name]);
  }), 'hello');
  expect(pid.node).toBe('alice@erlmesh');

  // Messages to a process: an inbox records what a registered process receives.
  await bob.inbox('probe');
  srv.send(pid, ['probe', 'bob@erlmesh']);
  expect(await bob.waitForMessage('probe', ['hello', ANY])).toEqual(['hello', 'alice@erlmesh']);
  // …and the same on a server-node.
  const box = inbox(srv, { name: 'probe' });
  await alice.evaluate((node) => node.send(['probe', 'srv@erlmesh'], 'hi'));
  await box.waitFor('hi');

  // Cut alice off at the relay (Playwright's offline mode does not cut WebSockets).
  const watch = await alice.monitorNodes();
  cluster.partition(['alice'], ['srv', 'bob']);
  await watch.waitFor('nodedown', 'srv@erlmesh');
  expect(await alice.ping('srv@erlmesh')).toBe('pang');
  cluster.heal();
  expect(await alice.ping('srv@erlmesh')).toBe('pong'); // as in Erlang: the next contact reconnects
  await watch.waitFor('nodeup', 'srv@erlmesh');

  // Closing a tab stops its node (pagehide): the others see nodedown at once.
  const bobWatch = await bob.monitorNodes();
  await alice.close();
  await bobWatch.waitFor('nodedown', 'alice@erlmesh');
  await expect.poll(() => srv.nodes()).toEqual(['bob@erlmesh']);
});

test('a tab with the wrong cookie is refused', async ({ cluster }) => {
  const err = await cluster.tab({ cookie: 'wrong' }).catch((e) => e);
  expect(err.code).toBe('bad_cookie');
  await expect(err.page.locator('#status')).toHaveText('bad_cookie');
});
