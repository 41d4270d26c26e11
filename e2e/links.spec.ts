/**
 * Links across tabs and servers, and what closing a tab does to them: the tab-node stops on
 * pagehide, its peers see nodedown, and processes linked to its processes get
 * `['EXIT', pid, 'noconnection']`.
 *
 * The time from `tab.close()` to the server's nodedown callback is printed (measured, not
 * asserted): `tab-close→nodedown: N ms`.
 */
import type { Node } from '../src/core/node/node.js';
import type { Pid } from '../src/core/terms/pid.js';
import { test, expect, inbox, ANY, type Tab } from '../src/playwright/index.js';

/** Resolves with the time (performance.now()) and info of `node`'s nodedown of `peer`. */
function nodedownOf(node: Node, peer: string): Promise<{ at: number; info: unknown }> {
  return new Promise((resolve) => {
    const off = node.monitorNodes(
      (ev) => {
        if (ev[0] === 'nodedown' && ev[1] === peer) {
          off();
          resolve({ at: performance.now(), info: ev[2] });
        }
      },
      { nodedownReason: true },
    );
  });
}

/** When the last `closeAndMeasure` called `tab.close()` (Date.now(), comparable with the pages' clocks). */
let closedAtWall = 0;

/** Close `tab`, wait (bounded) for `node`'s nodedown of it, and print how long it took. */
async function closeAndMeasure(tab: Tab, node: Node, label: string): Promise<unknown> {
  const down = nodedownOf(node, tab.name);
  closedAtWall = Date.now();
  const t0 = performance.now();
  await tab.close();
  const { at, info } = await Promise.race([
    down,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no nodedown of ${tab.name} on ${node.name} within 5 s`)), 5_000)),
  ]);
  console.log(`tab-close→nodedown: ${(at - t0).toFixed(1)} ms (${label})`);
  return info;
}

test('a process spawned from the server into a tab, linked: closing the tab gives EXIT noconnection on the server', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const tab = await cluster.tab();
  // A server-side process, trapping exits, spawnLinks a process into the tab and records its messages.
  const box = inbox(srv, {
    trapExit: true,
    init: (self) =>
      self.spawnLink(tab.name, async (s) => {
        const from = (await s.receive()) as Pid;
        s.send(from, ['running on', s.node.name]);
        await s.receive();
      }),
  });
  const child = (await box.ready) as Pid;
  expect(child.node).toBe(tab.name);
  srv.send(child, box.pid);
  expect(await box.waitFor(['running on', ANY])).toEqual(['running on', tab.name]);

  const info = await closeAndMeasure(tab, srv, 'server spawned into tab');
  expect(info).toEqual({ nodedownReason: 'connection_closed' });
  await box.waitFor(['EXIT', child, 'noconnection']);
  expect(srv.nodes()).not.toContain(tab.name);
  // The tab-node stopped itself on pagehide: its relay socket closed cleanly (1000), not
  // dropped by the page going away (1001) or the renderer dying (1006).
  await expect.poll(() => cluster.relayLog().find((l) => l.event === 'left' && l.name === tab.name)?.code).toBe('1000');
});

test('a process spawned from a tab onto the server, linked: closing the tab gives EXIT noconnection on the server', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const recorder = inbox(srv, { name: 'recorder' });
  const tab = await cluster.tab();
  // In the tab: a process that spawnLinks onto the server a process that traps exits and
  // forwards everything it gets to the server's 'recorder'.
  const [tabPid, srvPid] = await tab.evaluate(
    (node, srvName) =>
      new Promise<[Pid, Pid]>((resolve) => {
        node.spawn(async (self) => {
          const child = await self.spawnLink(srvName, async (s) => {
            s.trapExit(true);
            s.send('recorder', ['ready', s.pid]);
            for (;;) s.send('recorder', await s.receive());
          });
          resolve([self.pid, child]);
          await self.receive(() => false);
        });
      }),
    srv.name,
  );
  expect(tabPid.node).toBe(tab.name);
  expect(srvPid.node).toBe(srv.name);
  await recorder.waitFor(['ready', srvPid]);

  await closeAndMeasure(tab, srv, 'tab spawned onto server');
  await recorder.waitFor(['EXIT', tabPid, 'noconnection']);
});

test('tab to tab: tab A spawns a linked process on tab B; closing B gives EXIT noconnection and nodedown in A', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const a = await cluster.tab();
  const b = await cluster.tab({ context: 'new' });
  await a.inbox('probe');
  const child = await a.evaluate(
    (node, bName) =>
      new Promise<Pid>((resolve) => {
        node.spawn(async (self) => {
          self.trapExit(true);
          const c = await self.spawnLink(bName, async (s) => {
            const from = await s.receive();
            s.send(from as Pid, ['hello from', s.node.name, s.pid]);
            await s.receive();
          });
          self.send(c, self.pid);
          resolve(c);
          for (;;) self.send('probe', await self.receive());
        });
      }),
    b.name,
  );
  expect(child.node).toBe(b.name);
  expect(await a.waitForMessage('probe', ['hello from', ANY, ANY])).toEqual(['hello from', b.name, child]);

  const mon = await a.monitorNodes();
  await closeAndMeasure(b, srv, 'tab B closed, seen by the server');
  await a.waitForMessage('probe', ['EXIT', child, 'noconnection']);
  const { event, at } = await mon.waitFor('nodedown', b.name);
  console.log(`tab-close→nodedown: ${at - closedAtWall} ms (tab B closed, seen by tab A; page clock, ms resolution)`);
  expect(event).toEqual(['nodedown', b.name, { nodedownReason: 'connection_closed' }]);
  await expect.poll(() => a.nodes()).toEqual([srv.name]);
});

test('closing one of several tabs: every other node sees nodedown, the rest of the mesh stays up', async ({ cluster }) => {
  const srv = await cluster.server('srv');
  const tabs = [await cluster.tab(), await cluster.tab(), await cluster.tab({ context: 'new' })];
  const [gone, ...stay] = tabs as [Tab, Tab, Tab];
  for (const t of tabs) await expect.poll(() => t.nodes()).toHaveLength(3);
  const marks = await Promise.all(stay.map((t) => t.monitorNodes()));
  await closeAndMeasure(gone, srv, 'one of three tabs');
  for (const m of marks) {
    const { at } = await m.waitFor('nodedown', gone.name);
    console.log(`tab-close→nodedown: ${at - closedAtWall} ms (one of three tabs, seen by another tab; page clock, ms resolution)`);
  }
  for (const t of stay) {
    expect(await t.nodes()).toEqual([srv.name, stay.find((x) => x !== t)!.name].sort());
    expect(await t.ping(srv.name)).toBe('pong');
  }
});
