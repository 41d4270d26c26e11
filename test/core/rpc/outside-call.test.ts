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
import { BadRpcError, Pid, Ref, type Node } from '../../../src/core/index.js';
import type { SignalFrame, SpawnSpec } from '../../../src/core/process/signals.js';
import { SpawnRequests } from '../../../src/core/process/spawn-requests.js';
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

describe('a pending call answered with a spawn_reply (as a BEAM node answers error_only requests)', () => {
  const caller = new Pid('a@vm', 9, 0, 1);
  const worker = new Pid('e@vm', 40, 0, 3);
  function requests() {
    const routed: SignalFrame[] = [];
    const spawns = new SpawnRequests({
      route: (s) => void routed.push(s),
      local: () => undefined,
      neverAlivePid: () => new Pid('a@vm', 99, 0, 1),
      applyExit: () => undefined,
      log: () => undefined,
    });
    return { spawns, routed };
  }
  const spec: SpawnSpec = { kind: 'mfa', module: 'erpc', fun: 'execute', args: ['erlang', 'node', []] };

  it('stays pending until the DOWN, whose reason goes to the call', () => {
    const { spawns } = requests();
    const ref = new Ref('a@vm', 1, 123);
    const got: unknown[] = [];
    spawns.requestErrorOnly(ref, caller, caller, 'e@vm', spec, (r) => got.push(r));
    spawns.reply({ t: 'spawn_reply', ref, to: caller, result: { ok: worker } });
    expect(spawns.pending.size).toBe(1);
    expect(got).toEqual([]);
    spawns.errorOnlyDown({ t: 'down', from: worker, to: caller, ref, reason: ['$erpc', 'return', 'e@vm'] }, undefined);
    expect(got).toEqual([['$erpc', 'return', 'e@vm']]);
    expect(spawns.pending.size).toBe(0);
  });

  it('a timeout after the spawn_reply demonitors the spawned pid', () => {
    const { spawns, routed } = requests();
    const ref = new Ref('a@vm', 1, 456);
    spawns.requestErrorOnly(ref, caller, caller, 'e@vm', spec, () => undefined);
    spawns.reply({ t: 'spawn_reply', ref, to: caller, result: { ok: worker } });
    expect(spawns.cancel(caller, ref)).toBe(true);
    expect(routed.at(-1)).toMatchObject({ t: 'demonitor', from: caller, to: worker, node: 'e@vm' });
  });
});
