/**
 * Helpers for tests on a SimulatedClock: flush until something holds, connect two nodes,
 * await a promise's settlement.
 */
import { expect } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import type { SimulatedClock } from '../../src/core/testing/simulated-clock.js';
import { track } from './real-time.js';

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
