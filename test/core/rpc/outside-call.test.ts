/**
 * rpc.call and erpc.call made by the node (from outside any process) to another node wait in
 * the node's table of pending spawn requests, keyed by the monitor ref, instead of in a
 * throwaway process per call (process/await-down.ts): one spawn request out, one DOWN back,
 * no local process. The semantics of §6 stay (rpc.test.ts, erpc.test.ts); here, what is
 * particular to that table: nothing is left behind by a call that answered, timed out or lost
 * its node.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { track } from '../../support/real-time.js';
import { dt } from '../../support/test-modules.js';
import { BadRpcError, type Node } from '../../../src/core/index.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

async function connect(clock: SimulatedClock, a: Node, b: Node): Promise<void> {
  const p = track(a.ping(b.name));
  for (let i = 0; i < 20 && !p.settled; i++) await clock.flush();
  expect(p.value).toBe('pong');
}

describe('rpc from outside any process', () => {
  it('starts no local process; an answered call leaves no pending request and no monitor on the callee', async ({ clock, simCluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    b.load(dt);
    await connect(clock, a, b);
    const before = a.runtime.processCount;
    const watchers = b.runtime.watchersFrom(a.name); // the services' own monitors
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [50]));
    await clock.flush();
    expect(a.runtime.processCount).toBe(before);
    expect(a.runtime.pendingSpawns.size).toBe(1);
    expect(b.runtime.watchersFrom(a.name)).toBe(watchers + 1);
    await clock.advance(50);
    await clock.flush();
    expect(p.value).toEqual(['slept', 50]);
    expect(a.runtime.pendingSpawns.size).toBe(0);
    expect(b.runtime.watchersFrom(a.name)).toBe(watchers);
  });

  it('a timed-out call drops its monitor on the callee: the worker ending later sends no DOWN, and the next call answers', async ({ clock, simCluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    b.load(dt);
    await connect(clock, a, b);
    const user = a.whereis('user')!;
    const watchers = b.runtime.watchersFrom(a.name);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [200], 100));
    await clock.advance(100);
    await clock.flush();
    expect((p.error as BadRpcError).reason).toBe('timeout');
    expect(a.runtime.pendingSpawns.size).toBe(0);
    await clock.flush(); // the demonitor's way to b
    expect(b.runtime.watchersFrom(a.name)).toBe(watchers);
    await clock.advance(200);
    await clock.flush();
    expect(a.processInfo(user)?.messageQueueLen).toBe(0);
    const q = track(a.erpc.call(b.name, 'erlang', 'node', []));
    for (let i = 0; i < 5 && !q.settled; i++) await clock.flush();
    expect(q.value).toBe(b.name);
  });

  it('concurrent calls to a node that goes down all reject nodedown, and leave nothing pending', async ({ clock, simCluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    b.load(dt);
    await connect(clock, a, b);
    const calls = Array.from({ length: 5 }, (_, i) => track(a.rpc.call(b.name, 'dt', 'sleeper', [1_000 + i])));
    await clock.flush();
    expect(a.runtime.pendingSpawns.size).toBe(5);
    await b.stop();
    for (let i = 0; i < 5 && calls.some((x) => !x.settled); i++) await clock.flush();
    for (const x of calls) {
      expect(x.error).toBeInstanceOf(BadRpcError);
      expect((x.error as BadRpcError).reason).toBe('nodedown');
    }
    expect(a.runtime.pendingSpawns.size).toBe(0);
  });
});
