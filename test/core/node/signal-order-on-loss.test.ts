/**
 * Signal order across a lost connection (src/core/node/pending-node-downs.ts). When the
 * connection to b is lost, the DOWN and EXIT for b's processes are delivered in a microtask;
 * the first frame of a replacing connection must not overtake them. The race is driven
 * deterministically: the connection is dropped and, in the same synchronous turn, b's next
 * connection delivers a message, as a batch from the relay can.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import type { Node, Pid } from '../../../src/core/index.js';
import { idler, recorder, trapExits } from '../../support/in-process.js';

interface KernelInternals {
  conns: Map<string, unknown>;
  down(c: unknown, reason: string): void;
  env: { onSignal(s: unknown, peer: string, role: string | undefined): void };
}

const kernelOf = (n: Node): KernelInternals => (n as unknown as { net: KernelInternals }).net;

describe('signal order when a connection is lost and replaced', () => {
  it('DOWN and EXIT of the lost connection come before the first message of the next one', async ({ simCluster: c, clock }) => {
    const [a, b] = await c.startNodes('a', 'b');
    await clock.flush();
    const target: Pid = idler(b);
    const watcher = recorder(a, trapExits);
    const self = await watcher.self;
    self.link(target);
    self.monitor(target);
    await clock.flush();
    expect(a.nodes()).toEqual([b.name]);

    const net = kernelOf(a);
    net.down(net.conns.get(b.name), 'connection_closed');
    // b's replacing connection delivers its first frame in the same turn.
    net.env.onSignal({ t: 'send', to: watcher.pid, msg: 'from the next connection' }, b.name, undefined);
    await clock.flush();

    const tags = watcher.got.map((m) => (Array.isArray(m) ? m[0] : m));
    // The two signals of the loss (in either order: they come from one node-down), then the message.
    expect([...tags.slice(0, 2)].sort()).toEqual(['DOWN', 'EXIT']);
    expect(tags[2]).toBe('from the next connection');
    const exit = watcher.got.find((m) => Array.isArray(m) && m[0] === 'EXIT') as unknown[];
    const down = watcher.got.find((m) => Array.isArray(m) && m[0] === 'DOWN') as unknown[];
    expect(exit[2]).toBe('noconnection');
    expect(down[4]).toBe('noconnection');
  });

  it('a loss fires its DOWN exactly once, even when later signals flush it early', async ({ simCluster: c, clock }) => {
    const [a, b] = await c.startNodes('a', 'b');
    await clock.flush();
    const target: Pid = idler(b);
    const watcher = recorder(a);
    (await watcher.self).monitor(target);
    await clock.flush();
    const net = kernelOf(a);
    net.down(net.conns.get(b.name), 'connection_closed');
    for (let i = 0; i < 3; i++) net.env.onSignal({ t: 'send', to: watcher.pid, msg: i }, b.name, undefined);
    await clock.flush();
    expect(watcher.got.map((m) => (Array.isArray(m) ? m[0] : m))).toEqual(['DOWN', 0, 1, 2]);
  });
});
