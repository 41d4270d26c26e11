/**
 * The harness of the bad-input table (issue 17, acceptance): every JS value kind, sent five ways
 * between two nodes on simulated time, each way's outcome written as a short string, and a check
 * that nothing is left behind (processes, links, monitors) after each case.
 */
import { expect } from 'vitest';
import type { TestCluster } from '../../support/cluster.js';
import { connect, flushUntil } from '../../support/simulated-time.js';
import { track } from '../../support/real-time.js';
import { isDown } from '../../support/in-process.js';
import { BadRpcError, ErlmeshError, defineModule, type Node, type Pid } from '../../../src/core/index.js';
import type { ProcessContext } from '../../../src/core/process/context.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

/** Values the processes on b return or exit with, by key (both nodes share this JS realm). */
export const stored = new Map<string, unknown>();

export const badInputs = defineModule('bad_inputs', {
  echo: (_self, x: unknown) => x,
  returnIt: (_self, key: string) => stored.get(key),
  exitWith: (self, key: string) => self.exit(stored.get(key)),
});

/** How one attempt ended: `delivered` (with the value the other side got) or a short outcome string. */
export type Outcome = { delivered: unknown } | string;

/** A short name for what was thrown: `code:<ErlmeshError code>`, `badrpc:<reason>` or `raw:<class>: message`. */
export function describeError(e: unknown): string {
  if (e instanceof BadRpcError) return `badrpc:${JSON.stringify(e.reason)}`;
  if (e instanceof ErlmeshError) return `code:${e.code}`;
  if (e instanceof Error) return `raw:${e.constructor.name}: ${e.message}`;
  return `raw:${String(e)}`;
}

/** Run `p` to its end without moving the clock; `hang` when it does not settle. */
async function noAdvance<T>(clock: SimulatedClock, p: Promise<T>): Promise<{ value?: T; error?: unknown } | 'hang'> {
  const t0 = clock.now();
  const t = track(p);
  await flushUntil(clock, () => t.settled, 100);
  expect(clock.now()).toBe(t0);
  return t.settled ? t : 'hang';
}

/** What the nodes hold that a case could leave behind. */
function snapshot(nodes: Node[]): unknown {
  return nodes.map((n) => ({
    processes: n.runtime.processCount,
    relations: n.runtime
      .processes()
      .map((p) => `${p.pid.toString()} l${p.linksIfAny?.size ?? 0} m${p.monitorsIfAny?.size ?? 0} w${p.watchersIfAny?.size ?? 0} n${p.nodeMonitorsIfAny?.size ?? 0}`)
      .sort(),
    watchersFrom: nodes.filter((o) => o !== n).map((o) => n.runtime.watchersFrom(o.name)),
  }));
}

/** A process on `node` that collects what it is sent until `'end'`, then returns it and exits. */
function collector(node: Node, out: { got?: unknown[] }): Pid {
  const body = async (s: ProcessContext) => {
    const got: unknown[] = [];
    for (;;) {
      const m = await s.receive();
      if (m === 'end') break;
      got.push(m);
    }
    out.got = got;
  };
  return node.spawn(body);
}

export interface Pair {
  a: Node;
  b: Node;
  clock: SimulatedClock;
}

export async function pair(clock: SimulatedClock, c: TestCluster): Promise<Pair> {
  const a = await c.node('a', { modules: [badInputs] });
  const b = await c.node('b', { modules: [badInputs] });
  await connect(clock, a, b);
  return { a, b, clock };
}

export type Way = 'local send' | 'remote send' | 'rpc argument' | 'rpc result' | 'remote exit reason';
export const WAYS: Way[] = ['local send', 'remote send', 'rpc argument', 'rpc result', 'remote exit reason'];

/** Try one way with `make()`'s value; the outcome, after checking nothing is left behind. */
export async function attempt({ a, b, clock }: Pair, way: Way, make: () => unknown): Promise<Outcome> {
  const before = snapshot([a, b]);
  const out = await attemptOnly({ a, b, clock }, way, make);
  await flushUntil(clock, () => JSON.stringify(snapshot([a, b])) === JSON.stringify(before));
  expect(snapshot([a, b]), `${way}: something left behind`).toEqual(before);
  expect(a.nodes()).toEqual([b.name]);
  return out;
}

async function attemptOnly({ a, b, clock }: Pair, way: Way, make: () => unknown): Promise<Outcome> {
  switch (way) {
    case 'local send':
    case 'remote send': {
      const box: { got?: unknown[] } = {};
      const to = collector(way === 'local send' ? a : b, box);
      let thrown: unknown;
      const r = await noAdvance(
        clock,
        a.run((self) => {
          try {
            self.send(to, make());
          } catch (e) {
            thrown = e;
          }
          self.send(to, 'end');
        }),
      );
      if (r === 'hang') return 'hang';
      if (r.error !== undefined) return describeError(r.error);
      await flushUntil(clock, () => box.got !== undefined);
      if (box.got === undefined) return 'hang';
      if (thrown !== undefined) {
        expect(box.got, 'a refused message must not arrive').toEqual([]);
        return describeError(thrown);
      }
      expect(box.got).toHaveLength(1);
      return { delivered: box.got[0] };
    }
    case 'rpc argument':
    case 'rpc result': {
      const key = `k${Math.random()}`;
      let p: Promise<unknown>;
      try {
        if (way === 'rpc argument') p = a.rpc.call(b.name, 'bad_inputs', 'echo', [make()]);
        else {
          stored.set(key, make());
          p = a.rpc.call(b.name, 'bad_inputs', 'returnIt', [key]);
        }
      } catch (e) {
        return `sync ${describeError(e)}`;
      }
      const r = await noAdvance(clock, p);
      stored.delete(key);
      if (r === 'hang') return 'hang';
      return 'error' in r && r.error !== undefined ? describeError(r.error) : { delivered: r.value };
    }
    case 'remote exit reason': {
      const key = `k${Math.random()}`;
      stored.set(key, make());
      const r = await noAdvance(
        clock,
        a.run(async (self) => {
          await self.spawnMonitor(b.name, 'bad_inputs', 'exitWith', [key]);
          return (await self.receive(isDown)) as unknown[];
        }),
      );
      stored.delete(key);
      if (r === 'hang') return 'hang';
      if (r.error !== undefined) return describeError(r.error);
      return { delivered: (r.value as unknown[])[4] };
    }
  }
}
