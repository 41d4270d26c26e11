/**
 * Issue 7: untrusted tabs. A tab admitted with a join ticket (it never holds the cookie) may do
 * to a server-node exactly what its role allows there, and gets Erlang-shaped refusals for the
 * rest; the server logs each refusal; a forged or expired ticket does not get in.
 */
import { test, expect } from '../src/playwright/index.js';
import type { LogEntry } from '../src/core/node/node.js';

const SRV = 'srv@erlmesh';

test('a ticket tab uses kvs on the server, and is refused other modules, shipped functions and global names', async ({ cluster }) => {
  const logs: LogEntry[] = [];
  const srv = await cluster.server('srv', {
    capabilities: { guest: { rpc: { kvs: ['store', 'lookup'] } } },
    logger: (e) => logs.push(e),
  });
  expect(await srv.rpc.call(SRV, 'kvs', 'start', [])).toBe(true);
  const tab = await cluster.tab({ ticket: { role: 'guest' } });
  expect(tab.name).toMatch(/^tab-/);

  const seen = await tab.evaluate(async (node) => {
    const out: Record<string, unknown> = { role: node.role, nodes: node.nodes() };
    const caught = async (f: () => Promise<unknown>): Promise<unknown> => {
      try {
        return ['returned', await f()];
      } catch (e) {
        const x = e as { code?: string; reason?: unknown; class?: string };
        return { code: x.code, reason: x.reason, class: x.class };
      }
    };
    out.store = await node.rpc.call('srv@erlmesh', 'kvs', 'store', ['weather', 'fine']);
    out.lookup = await node.rpc.call('srv@erlmesh', 'kvs', 'lookup', ['weather']);
    out.otherModule = await caught(() => node.rpc.call('srv@erlmesh', 'file', 'list_dir', ['.']));
    out.shippedFn = await caught(() => node.erpc.call('srv@erlmesh', (self: { node: { name: string } }) => self.node.name));
    const pid = node.spawn(async (self) => {
      await self.receive();
    });
    out.global = await caught(() => node.global.registerName('mine', pid));
    out.down = await new Promise((resolve) => {
      node.spawn(async (self) => {
        const [, ref] = await self.spawnMonitor('srv@erlmesh', 'dist_demo', 'loop', []);
        const down = await self.receive((m: unknown[]) => m[0] === 'DOWN' && ref.equals(m[1]), 10_000);
        resolve((down as unknown[])[4]);
      });
    });
    return out;
  });

  expect(seen.role).toBe('guest');
  expect(seen.nodes).toEqual([SRV]);
  expect(seen.store).toBe(true);
  expect(seen.lookup).toEqual(['ok', 'fine']);
  expect(seen.otherModule).toEqual({ code: 'badrpc', reason: ['EXIT', 'not_allowed'], class: undefined });
  expect(seen.shippedFn).toEqual({ code: 'erpc', reason: ['erpc', 'not_allowed'], class: 'error' });
  expect(seen.global).toMatchObject({ code: 'not_allowed' });
  expect(seen.down).toBe('not_allowed');
  // The server stored what the tab was allowed to store, and no global name appeared.
  expect(await srv.rpc.call(SRV, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
  await srv.global.sync();
  expect(srv.global.registeredNames()).not.toContain('mine');
  // Each refusal left a line in the server's log, naming the tab and its role.
  const refusals = logs.filter((l) => l.text.includes(tab.name) && l.text.includes('guest')).map((l) => l.text);
  expect(refusals.some((t) => t.includes('file'))).toBe(true);
  expect(refusals.length).toBeGreaterThanOrEqual(3);
});

test('forged, expired and out-of-prefix tickets are refused with their codes', async ({ cluster }) => {
  await cluster.server('srv');
  const good = cluster.ticket({ role: 'guest', prefix: 'tab-' });
  const [tag, payload, key] = good.split('.');
  const flipped = key!.slice(0, -1) + (key!.endsWith('0') ? '1' : '0');
  await expect(cluster.tab({ ticket: `${tag}.${payload}.${flipped}` })).rejects.toMatchObject({ code: 'ticket_forged' });
  await expect(cluster.tab({ ticket: cluster.ticket({ now: Date.now() - 60 * 60_000, ttlMs: 60_000 }) })).rejects.toMatchObject({
    code: 'ticket_expired',
  });
  await expect(cluster.tab({ name: 'admin', ticket: good })).rejects.toMatchObject({ code: 'name_not_allowed' });
  // Not a ticket at all: the tab's startNode refuses it before dialling the relay.
  await expect(cluster.tab({ ticket: 'em1.not-a-ticket' })).rejects.toMatchObject({ code: 'ticket_malformed' });
  const refused = cluster.relayLog().filter((l) => l.event === 'refused').map((l) => l.code);
  expect(refused.sort()).toEqual(['name_not_allowed', 'ticket_expired', 'ticket_forged']);
});
