/**
 * Issue 15, the browser path: tabs of one browser context talk over BroadcastChannel instead
 * of through the relay (the tab `startNode`'s `broadcast`, on by default), with the relay's
 * semantics: order per pair, nodedown and `noconnection` when a tab goes, and the role of a
 * ticket holder enforced as on the relay. "Direct" is checked at the relay: it routes no frame
 * while the pair talks (and, as a control, it does route them with `broadcast: false`).
 */
import { test, expect, ANY, type Tab } from '../src/playwright/index.js';

const N = 500;

/**
 * How long a pair may take to be carried by the BroadcastChannel link: a connection opens on
 * the relay and moves at once, within 1 s; a move that misses that bound (a loaded machine)
 * is retried in the background 1, 2, 4, 8 and 16 s apart (core/relay-client/migrations.ts),
 * so the fifth retry comes ~31 s after the first miss. A fresh-clone CI run (2026-12-04) saw
 * a pair still on the relay after 20 s once; 18 reruns, alone, under load and in the full
 * suite, did not.
 */
const MOVE_WINDOW_MS = 40_000;
const seq = Array.from({ length: N }, (_, i) => ['n', i]);

test('two tabs of one context exchange sequenced messages over BroadcastChannel: the relay routes none of them', async ({ cluster }) => {
  const routed = () => cluster.relay.stats().framesRouted;
  const a = await cluster.tab({ name: 'bca' });
  const b = await cluster.tab({ name: 'bcb' });
  await a.inbox('seq');
  await b.inbox('seq');
  expect(await a.ping(b.name)).toBe('pong');
  await onLocalLink(a, b);
  const before = routed();
  // both ways at once
  await Promise.all([
    a.evaluate((node, to) => { for (let i = 0; i < 500; i++) node.send(['seq', to], ['n', i]); }, b.name),
    b.evaluate((node, to) => { for (let i = 0; i < 500; i++) node.send(['seq', to], ['n', i]); }, a.name),
  ]);
  await b.waitForMessage('seq', ['n', N - 1]);
  await a.waitForMessage('seq', ['n', N - 1]);
  expect(await b.messages('seq')).toEqual(seq);
  expect(await a.messages('seq')).toEqual(seq);
  expect(routed()).toBe(before);

  // Control: the same exchange with broadcast off goes through the relay, and the counter sees it.
  const c = await cluster.tab({ name: 'bcc', broadcast: false });
  const d = await cluster.tab({ name: 'bcd', broadcast: false });
  await d.inbox('seq');
  expect(await c.ping(d.name)).toBe('pong');
  const mid = routed();
  await c.evaluate((node, to) => { for (let i = 0; i < 500; i++) node.send(['seq', to], ['n', i]); }, d.name);
  await d.waitForMessage('seq', ['n', N - 1]);
  expect(await d.messages('seq')).toEqual(seq);
  expect(routed()).toBeGreaterThan(mid);
});

test('a tab closed: the other sees nodedown at once and its monitor fires noconnection', async ({ cluster }) => {
  const a = await cluster.tab({ name: 'stay' });
  const b = await cluster.tab({ name: 'goes' });
  await a.inbox('down');
  const target = await b.evaluate((node) => node.spawn(async (self) => void (await self.receive())));
  await warmUp(a, b); // a connection the relay vouches for opens its channels on first use
  await onLocalLink(a, b);
  const before = cluster.relay.stats().framesRouted;
  await a.evaluate((node, pid) => {
    node.spawn(async (self) => {
      self.monitor(pid);
      self.send('down', await self.receive());
    });
  }, target);
  // the monitor has reached b (a process there answers after it), over the local link
  expect(await a.evaluate((node, to) => node.rpc.call(to, 'erlang', 'node', []), b.name)).toBe(b.name);
  expect(cluster.relay.stats().framesRouted).toBe(before);

  await b.close();
  await a.waitForNodeEvent('nodedown', 'goes@erlmesh');
  await a.waitForMessage('down', ['DOWN', ANY, 'process', ANY, 'noconnection']);
  expect(await a.nodes()).toEqual([]);
});

test('a tab that crashes: the relay sees its socket go, and the other tab drops the local link (nodedown, noconnection)', async ({ cluster }) => {
  const a = await cluster.tab({ name: 'survivor' });
  const b = await cluster.tab({ name: 'crasher' });
  await a.inbox('down');
  const target = await b.evaluate((node) => node.spawn(async (self) => void (await self.receive())));
  await a.evaluate((node, pid) => {
    node.spawn(async (self) => {
      self.monitor(pid);
      self.send('down', await self.receive());
    });
  }, target);
  expect(await a.evaluate((node, to) => node.rpc.call(to, 'erlang', 'node', []), b.name)).toBe(b.name);
  // A renderer crash sends nothing on the BroadcastChannel; no pagehide runs.
  await b.page.goto('chrome://crash').catch(() => undefined);
  await a.waitForNodeEvent('nodedown', 'crasher@erlmesh');
  await a.waitForMessage('down', ['DOWN', ANY, 'process', ANY, 'noconnection']);
});

test("a ticket-holding tab's role is enforced on the direct path", async ({ cluster }) => {
  const page = await cluster.page();
  // A trusted tab (the cookie) that lets role 'guest' call erlang:node and nothing else.
  const host = await page.evaluate(async ({ cookie, relay }) => {
    const node = await window.erlmesh.startNode({ cookie, relay, sname: 'host', host: 'erlmesh', capabilities: { guest: { rpc: { erlang: ['node'] } } } });
    (window as unknown as { host: unknown }).host = node;
    return node.name;
  }, { cookie: cluster.cookie, relay: cluster.relayUrl });
  const guest = await cluster.tab({ name: 'tab-guest', ticket: { role: 'guest' } });
  expect(await guest.rpc(host, 'erlang', 'node')).toBe(host);
  // Count from when the pair is on BroadcastChannel (at once, or after a background retry on a loaded machine).
  const hostVia = () =>
    page.evaluate(async (peer) => {
      const node = (window as unknown as { host: { name: string; rpc: { call(n: string, m: string, f: string, a: unknown[]): Promise<unknown> } } }).host;
      const s = (await node.rpc.call(node.name, 'observer', 'nodeStats', [])) as { links: Array<{ peer: string; via: string }> };
      return s.links.find((l) => l.peer === peer)?.via;
    }, guest.name);
  await expect.poll(hostVia, { timeout: MOVE_WINDOW_MS }).toBe('broadcast');
  await expect.poll(() => linkVia(guest, host), { timeout: MOVE_WINDOW_MS }).toBe('broadcast');
  const before = cluster.relay.stats().framesRouted;
  const refused = await guest.evaluate(async (node, to) => {
    try {
      return ['returned', await node.rpc.call(to, 'erlang', 'nodes', [])];
    } catch (e) {
      return ['refused', (e as { reason?: unknown }).reason];
    }
  }, host);
  expect(refused).toEqual(['refused', ['EXIT', 'not_allowed']]);
  expect(await guest.rpc(host, 'erlang', 'node')).toBe(host);
  // the host sees the guest with its role, and none of this went through the relay
  expect(await page.evaluate(() => (window as unknown as { host: { nodes(): string[] } }).host.nodes())).toContain(guest.name);
  expect(cluster.relay.stats().framesRouted).toBe(before);
});

test('a partition at the relay cuts the BroadcastChannel path too; after heal the pair is back on it', async ({ cluster }) => {
  const a = await cluster.tab({ name: 'left' });
  const b = await cluster.tab({ name: 'right' });
  expect(await a.ping(b.name)).toBe('pong');
  cluster.partition([a], [b]);
  await a.waitForNodeEvent('nodedown', b.name);
  await b.waitForNodeEvent('nodedown', a.name);
  expect(await a.ping(b.name)).toBe('pang');
  expect(await b.ping(a.name)).toBe('pang');
  cluster.heal();
  expect(await a.ping(b.name)).toBe('pong');
  await warmUp(a, b);
  await onLocalLink(a, b); // back on BroadcastChannel: at once, or after a background retry on a loaded machine
  const before = cluster.relay.stats().framesRouted;
  expect(await a.evaluate((node, to) => node.rpc.call(to, 'erlang', 'node', []), b.name)).toBe(b.name);
  expect(cluster.relay.stats().framesRouted).toBe(before);
});

/**
 * One rpc each way: with the relay's membership, a pair is up on the relay's word and each
 * side opens its channel through the relay on its first send, then moves it onto the local
 * link; after this, what the pair sends goes over the local link only.
 */
/**
 * Until both ends say their connection is carried by the BroadcastChannel link (nodeStats'
 * `via`). A connection opens on the relay and moves at once; when the move does not complete
 * within its bound (a loaded machine), it stays on the relay and moves on a background retry
 * (MOVE_WINDOW_MS).
 */
async function onLocalLink(a: Tab, b: Tab): Promise<void> {
  await expect.poll(() => linkVia(a, b.name), { timeout: MOVE_WINDOW_MS }).toBe('broadcast');
  await expect.poll(() => linkVia(b, a.name), { timeout: MOVE_WINDOW_MS }).toBe('broadcast');
}

/** What carries `x`'s connection to `to` (its observer nodeStats: relay, broadcast, …). */
function linkVia(x: Tab, to: string): Promise<string | undefined> {
  return x.evaluate(async (node, peer) => {
    const s = (await node.rpc.call(node.name, 'observer', 'nodeStats', [])) as { links: Array<{ peer: string; via: string }> };
    return s.links.find((l) => l.peer === peer)?.via;
  }, to);
}

async function warmUp(a: Tab, b: Tab): Promise<void> {
  expect(await a.evaluate((node, to) => node.rpc.call(to, 'erlang', 'node', []), b.name)).toBe(b.name);
  expect(await b.evaluate((node, to) => node.rpc.call(to, 'erlang', 'node', []), a.name)).toBe(a.name);
}
