/**
 * Exit reasons and rpc results that cannot be encoded (issue 17, points 1 and 2;
 * docs/semantics.md, "Reasons that cannot travel"). A remote process that exits with a
 * function, a symbol, a class instance, a cyclic object, an Int32Array, or a term deeper than
 * superjson-1 carries: its monitor still gets one DOWN and its link one EXIT, with the parts
 * that cannot travel replaced by `['unencodable', description]`; an rpc or erpc of such a
 * result fails at once (no clock advance) naming the problem. On simulated time.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import type { TestCluster } from '../../support/cluster.js';
import { badrpc, rejection } from '../../support/errors.js';
import { idler, isDown, isExit, recorder } from '../../support/in-process.js';
import { connect, flushUntil, settled } from '../../support/simulated-time.js';
import { deepTerm } from '../../support/deep-terms.js';
import { defineModule, ErpcError, type Node, type Ref } from '../../../src/core/index.js';
import type { ProcessContext } from '../../../src/core/process/context.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import type { NodeOptions } from '../../../src/core/node/node.js';

/** Values the processes on b exit with, return or throw, by key (the nodes share this JS realm). */
const stored = new Map<string, unknown>();

export const bad = defineModule('bad', {
  exitWith: (self, key: string) => self.exit(stored.get(key)),
  returnIt: (_self, key: string) => stored.get(key),
  throwIt: (self, key: string) => self.throw(stored.get(key)),
  raise: (_self, key: string) => {
    throw stored.get(key);
  },
  done: () => 'done',
});

class Foo {
  x = 1;
}

function foo(): void {}

const DEEP = 1000;

/** Each bad kind: the value, and the reason a remote watcher sees instead (superjson-1 for `deep`). */
function kinds(): Array<{ kind: string; value: unknown; seen: unknown; placeholder: unknown; sj?: true }> {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  return [
    { kind: 'function', value: foo, seen: ['unencodable', 'function foo'], placeholder: ['unencodable', 'function foo'] },
    { kind: 'symbol', value: Symbol('x'), seen: ['unencodable', 'symbol Symbol(x)'], placeholder: ['unencodable', 'symbol Symbol(x)'] },
    { kind: 'class instance', value: ['shutdown', new Foo()], seen: ['shutdown', ['unencodable', 'instance of Foo']], placeholder: ['unencodable', 'instance of Foo'] },
    { kind: 'cyclic object', value: cyclic, seen: { a: 1, self: ['unencodable', 'cyclic object'] }, placeholder: ['unencodable', 'cyclic object'] },
    { kind: 'Int32Array', value: new Int32Array([1, 2]), seen: ['unencodable', 'instance of Int32Array'], placeholder: ['unencodable', 'instance of Int32Array'] },
    {
      kind: 'deep over superjson-1',
      value: deepTerm('array', DEEP),
      seen: 'deep',
      placeholder: ['unencodable', 'term nested deeper than 400'],
      sj: true,
    },
  ];
}

/** The innermost non-array of a nested array, and how deep it sits (no recursion: the term is deep). */
function innermost(t: unknown): [unknown, number] {
  let d = 0;
  while (Array.isArray(t) && t.length === 1) {
    t = t[0];
    d++;
  }
  return [t, d];
}

/** Whether `got` is what a watcher should see for `k`. */
function expectSeen(k: ReturnType<typeof kinds>[number], got: unknown): void {
  if (k.seen !== 'deep') {
    expect(got).toEqual(k.seen);
    return;
  }
  const [leaf, d] = innermost(got);
  expect(leaf).toEqual(k.placeholder);
  expect(d).toBeGreaterThan(300);
}

async function pair(clock: SimulatedClock, c: TestCluster, sj: boolean): Promise<[Node, Node]> {
  const opts: Partial<NodeOptions> = sj ? { encodings: ['superjson-1'] } : {};
  const a = await c.node('a', { modules: [bad], ...opts });
  const b = await c.node('b', { modules: [bad], ...opts });
  await connect(clock, a, b);
  return [a, b];
}

/**
 * After a first signal, make sure nothing else is on its way: a process on b that ends
 * normally, monitored; its DOWN comes after anything b sent before (the connection is ordered).
 */
async function drain(self: ProcessContext, b: Node): Promise<unknown[]> {
  const [, ref] = await self.spawnMonitor(b.name, 'bad', 'done', []);
  await self.receive((m) => isDown(m) && ref.equals((m as unknown[])[1] as Ref));
  return self.flush();
}

/** Run `body` on `node` to its end on simulated time, without moving the clock. */
async function runSim<T>(clock: SimulatedClock, node: Node, body: (self: ProcessContext) => Promise<T>): Promise<T> {
  const t0 = clock.now();
  const r = await settled(clock, node.run(body));
  expect(clock.now()).toBe(t0);
  if ('error' in r && r.error !== undefined) throw r.error;
  return r.value as T;
}

describe('a remote exit reason that cannot be encoded still reaches links and monitors (issue 17, point 1)', () => {
  for (const k of kinds()) {
    it(`${k.kind}: one DOWN, one EXIT, a non-trapping link dies; nothing logged about encoding`, async ({ clock, simCluster: c }) => {
      const [a, b] = await pair(clock, c, k.sj === true);
      const key = `exit-${k.kind}`;
      stored.set(key, k.value);

      const [down, afterDown] = await runSim(clock, a, async (self) => {
        await self.spawnMonitor(b.name, 'bad', 'exitWith', [key]);
        const m = (await self.receive(isDown)) as unknown[];
        return [m, await drain(self, b)] as const;
      });
      expectSeen(k, down[4]);
      expect(afterDown).toEqual([]);

      const [exit, afterExit] = await runSim(clock, a, async (self) => {
        self.trapExit(true);
        const p = await self.spawnLink(b.name, 'bad', 'exitWith', [key]);
        const m = (await self.receive(isExit)) as unknown[];
        expect((m[1] as typeof p).equals(p)).toBe(true);
        return [m, await drain(self, b)] as const;
      });
      expectSeen(k, exit[2]);
      expect(afterExit.filter(isExit)).toEqual([]);

      const died = await runSim(clock, a, async (self) => {
        const victim = self.spawn(async (s) => {
          await s.spawnLink(b.name, 'bad', 'exitWith', [key]);
          await s.receive(() => false);
        });
        self.monitor(victim);
        return (await self.receive(isDown)) as unknown[];
      });
      expectSeen(k, died[4]);

      for (const n of [a, b]) expect(c.logs(n)).not.toMatch(/cannot encode|uncaught/i);
    });
  }
});

describe('an rpc result that cannot be encoded fails at once (issue 17, point 2)', () => {
  for (const k of kinds()) {
    it(`${k.kind}: rpc.call rejects BadRpcError ['EXIT', placeholder], erpc.call raises error placeholder`, async ({ clock, simCluster: c }) => {
      const [a, b] = await pair(clock, c, k.sj === true);
      const key = `rpc-${k.kind}`;
      stored.set(key, k.value);
      const t0 = clock.now();
      for (const f of ['returnIt', 'throwIt']) {
        const r = await settled(clock, badrpc(a.rpc.call(b.name, 'bad', f, [key])));
        expect((r.value as { reason: unknown }).reason).toEqual(['EXIT', k.placeholder]);
        const e = await settled(clock, rejection(a.erpc.call(b.name, 'bad', f, [key]), ErpcError));
        expect((e.value as ErpcError).class).toBe('error');
        expect((e.value as ErpcError).reason).toEqual(k.placeholder);
      }
      expect(clock.now()).toBe(t0);
    });
  }
});

describe('an rpc error or exit reason that cannot be encoded is repaired in place (issue 17, point 2)', () => {
  it("a raised instance: rpc BadRpcError ['EXIT', ['exception', placeholder]], erpc error ['exception', placeholder]", async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c, false);
    stored.set('raise', new Foo());
    stored.set('exit', [foo, 'x']);
    const P = ['unencodable', 'instance of Foo'];
    const r = await settled(clock, badrpc(a.rpc.call(b.name, 'bad', 'raise', ['raise'])));
    expect((r.value as { reason: unknown }).reason).toEqual(['EXIT', ['exception', P]]);
    const e = await settled(clock, rejection(a.erpc.call(b.name, 'bad', 'raise', ['raise']), ErpcError));
    expect([(e.value as ErpcError).class, (e.value as ErpcError).reason]).toEqual(['error', ['exception', P]]);
    const x = await settled(clock, rejection(a.erpc.call(b.name, 'bad', 'exitWith', ['exit']), ErpcError));
    expect([(x.value as ErpcError).class, (x.value as ErpcError).reason]).toEqual(['exit', ['exception', [['unencodable', 'function foo'], 'x']]]);
  });
});

describe('a message that cannot be encoded is refused at the send call (issue 17)', () => {
  it('send and exit/2 to a remote pid throw badarg; the connection stays up', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c, false);
    const p = idler(b);
    const codes = await runSim(clock, a, async (self) => {
      const out: string[] = [];
      for (const f of [() => self.send(p, ['x', foo]), () => self.exit(p, Symbol('x')), () => self.send(p, new Foo())]) {
        try {
          f();
          out.push('sent');
        } catch (e) {
          out.push((e as { code?: string }).code ?? String(e));
        }
      }
      return out;
    });
    expect(codes).toEqual(['badarg', 'badarg', 'badarg']);
    expect(a.nodes()).toEqual([b.name]);
    expect(b.isProcessAlive(p)).toBe(true);
  });

  it('over superjson-1, a too deep message queued during the handshake is dropped and logged; the next one arrives', async ({ clock, simCluster: c }) => {
    const a = await c.node('a', { modules: [bad], encodings: ['superjson-1'] });
    const b = await c.node('b', { modules: [bad], encodings: ['superjson-1'] });
    const r = recorder(b);
    await runSim(clock, a, async (self) => {
      self.send(r.pid, deepTerm('array', DEEP));
      self.send(r.pid, 'after');
    });
    await flushUntil(clock, () => r.got.length > 0);
    expect(r.got).toEqual(['after']);
    expect(c.logs(a)).toMatch(/A message queued for b@\S+ cannot be sent \(cannot encode term: nested deeper than 400.*\); dropped/);
    expect(a.nodes()).toEqual([b.name]);
  });
});
