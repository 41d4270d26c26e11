/**
 * Shared helpers of the behaviour tests: a cluster whose nodes load the gen_server and
 * supervisor modules (plus test modules), a probe process collecting messages, and promise
 * tracking for simulated-time tests.
 */
import { expect } from 'vitest';
import { TestCluster, eventually } from './cluster.js';
import { genServerModule, supervisorModule } from '../../src/core/behaviours/index.js';
import type { ErlModule } from '../../src/core/modules/module.js';
import type { Node } from '../../src/core/node/node.js';
import type { Pid } from '../../src/core/terms/pid.js';
import type { SimulatedClock } from '../../src/core/testing/simulated-clock.js';

export { eventually };

/** Start nodes with the behaviour modules (and `mods`) loaded. */
export async function behaviourNodes<N extends string[]>(c: TestCluster, names: [...N], mods: ErlModule[] = []): Promise<{ [K in keyof N]: Node }> {
  const out: Node[] = [];
  for (const n of names) {
    const node = await c.node(n);
    node.load(genServerModule);
    node.load(supervisorModule);
    for (const m of mods) node.load(m);
    out.push(node);
  }
  return out as { [K in keyof N]: Node };
}

/** A process registered as 'probe' on `node` that records every message. */
export function probe(node: Node): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = node.spawn(async (self) => {
    for (;;) got.push(await self.receive());
  });
  node.register('probe', pid);
  return { pid, got };
}

/** Track whether a promise has settled, without awaiting it (the one of real-time.ts). */
export { track } from './real-time.js';

/** Let work that needs no simulated time run until `cond` holds (bounded). */
export async function flushUntil(clock: SimulatedClock, cond: () => boolean, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds && !cond(); i++) await clock.flush();
  expect(cond()).toBe(true);
}

/** Await a promise expected to reject; return the rejection. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function rejection(p: Promise<unknown>): Promise<any> {
  let v: unknown;
  try {
    v = await p;
  } catch (e) {
    return e;
  }
  throw new Error(`expected a rejection, got ${String(v)}`);
}
