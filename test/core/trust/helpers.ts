/**
 * Test seam for capabilities until join tickets land: make `callee` treat `peer` as a ticket
 * holder acting in `role`, both for the signals it receives (`_remoteSignal`) and for what the
 * name services ask (`net.roleOf`). Call it before the two nodes connect.
 */
import { expect } from 'vitest';
import type { Node } from '../../../src/core/node/node.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { track } from '../../helpers/time.js';

type RoleOf = (node: string) => string | undefined | null;

export function forceRole(callee: Node, peer: string, role: string): void {
  const net = (callee as unknown as { net: { roleOf: RoleOf } }).net;
  const roleOf = net.roleOf.bind(net);
  net.roleOf = (n) => {
    const r = roleOf(n);
    return n === peer && r !== null ? role : r;
  };
  const remote = callee._remoteSignal.bind(callee);
  callee._remoteSignal = (s, p, r) => remote(s, p, p === peer ? role : r);
}

/** Settle work on simulated time: flush until `done()` or `rounds` flushes. */
export async function flushUntil(clock: SimulatedClock, done: () => boolean, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await clock.flush();
}

/** Connect a to b on simulated time. */
export async function connect(clock: SimulatedClock, a: Node, b: Node): Promise<void> {
  const p = track(a.ping(b.name));
  await flushUntil(clock, () => p.settled);
  expect(p.value).toBe('pong');
}

/** The value `p` settles with, flushing simulated time until it does. */
export async function settled<T>(clock: SimulatedClock, p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const t = track(p);
  await flushUntil(clock, () => t.settled, 200);
  expect(t.settled).toBe(true);
  return t;
}
