/**
 * The book's examples (Programming Erlang ch. 14, §10 of docs/semantics.md): S28.
 * kvs over rpc and by direct message, dist_demo's remote loop, and nl (shipping a module).
 */
import { describe, expect } from 'vitest';
import { it, type ClusterFactory } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { badrpc } from '../../support/errors.js';
import { track } from '../../support/real-time.js';
import { BadRpcError, defineModule, type Node, Pid, TIMEOUT } from '../../../src/core/index.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

/** reason must be ['EXIT', ['exception', e]]; returns e. */
function exceptionOf(reason: unknown): Error & { code?: string } {
  expect(Array.isArray(reason)).toBe(true);
  const r = reason as unknown[];
  expect(r[0]).toBe('EXIT');
  const inner = r[1] as unknown[];
  expect(Array.isArray(inner)).toBe(true);
  expect(inner[0]).toBe('exception');
  expect(inner[1]).toBeInstanceOf(Error);
  return inner[1] as Error & { code?: string };
}

describe('kvs (S28, §10)', () => {
  async function cluster(c: TestCluster): Promise<[Node, Node, Node]> {
    return [await c.node('a'), await c.node('b'), await c.node('c')];
  }

  it("S28: the book's walkthrough: start, second start badarg, store, lookup, tuple key, missing key", async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    expect(await a.rpc.call(b.name, 'kvs', 'start', [])).toBe(true);
    expect(b.whereis('kvs')).toBeInstanceOf(Pid);

    const again = await badrpc(a.rpc.call(b.name, 'kvs', 'start', []));
    // The error crossed the wire: it is rebuilt as an Error keeping name, message and code.
    const e = exceptionOf(again.reason);
    expect(e.code).toBe('badarg');

    expect(await a.rpc.call(b.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);

    expect(await a.rpc.call(b.name, 'kvs', 'store', [['location', 'joe'], 'Stockholm'])).toBe(true);
    const key = ['location', 'joe'];
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', [key])).toEqual(['ok', 'Stockholm']);
    // A structurally equal but distinct array finds it too.
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', [['location', 'joe']])).toEqual(['ok', 'Stockholm']);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', [['location', 'mike']])).toBeUndefined();

    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['nosuchkey'])).toBeUndefined();

    // store overwrites
    expect(await a.rpc.call(b.name, 'kvs', 'store', ['weather', 'rain'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'rain']);

    // Keys of different kinds are different keys, even when one's text is the other's encoding.
    const encodedOne = JSON.stringify({ json: 1 });
    expect(await a.rpc.call(b.name, 'kvs', 'store', [1, 'number'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'store', ['1', 'string'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', [1])).toEqual(['ok', 'number']);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['1'])).toEqual(['ok', 'string']);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', [encodedOne])).toBeUndefined();
  });

  it('S28: lookup and store on a node where kvs was never started reject with badarg', async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    await a.rpc.call(b.name, 'kvs', 'start', []);
    const l = await badrpc(a.rpc.call(cc.name, 'kvs', 'lookup', ['weather']));
    expect(exceptionOf(l.reason).code).toBe('badarg');
    const s = await badrpc(a.rpc.call(cc.name, 'kvs', 'store', ['weather', 'fine']));
    expect(exceptionOf(s.reason).code).toBe('badarg');
  });

  it("S28: from a process on a, ['kvs', b] ! [self, ['lookup','weather']] gets ['kvs', ['ok','fine']]", async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    await a.rpc.call(b.name, 'kvs', 'start', []);
    await a.rpc.call(b.name, 'kvs', 'store', ['weather', 'fine']);
    const asker = a.spawn(async (self) => {
      self.send(['kvs', 'b@vm'], [self.pid, ['lookup', 'weather']]);
      const reply = await self.receive();
      self.exit(['reply', reply]);
    });
    expect(await a.exitReason(asker)).toEqual(['reply', ['kvs', ['ok', 'fine']]]);
  });

  it('S28: a value stored from a is visible from a third node c', async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    await a.rpc.call(b.name, 'kvs', 'start', []);
    expect(await a.rpc.call(b.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await cc.rpc.call(b.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(await cc.rpc.call(b.name, 'kvs', 'store', ['from', 'c'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['from'])).toEqual(['ok', 'c']);
  });
});

describe('dist_demo (S28, §10)', () => {
  const oops = defineModule('oops', {
    fail: () => {
      throw new RangeError('oops');
    },
  });

  async function withLoop(clusters: ClusterFactory, clock?: SimulatedClock): Promise<{ a: Node; b: Node; loop: Pid; rpc: (m: string, f: string, args: unknown[]) => Promise<unknown> }> {
    const c = clusters(clock ? { clock } : {});
    const [a, b] = await c.startNodes('a', 'b');
    await c.node('c');
    b.load(oops);
    const loop = (await a.rpc.call(a.name, 'dist_demo', 'start', [b.name])) as Pid;
    // erpc, not rpc: dist_demo.rpc returns the loop's `catch` value, ['EXIT', …] included, and
    // rpc.call would turn that into a BadRpcError (as rpc:call turns {'EXIT', R} into a badrpc).
    const rpc = (m: string, f: string, args: unknown[]) => a.erpc.call(a.name, 'dist_demo', 'rpc', [loop, m, f, args]);
    return { a, b, loop, rpc };
  }

  it('S28: dist_demo.start(b) spawns the loop on b; rpc(pid, erlang, node) → b, rpc(math.sqrt(16)) → 4', async ({ clusters }) => {
    const { b, loop, rpc } = await withLoop(clusters);
    expect(loop).toBeInstanceOf(Pid);
    expect(loop.node).toBe(b.name);
    expect(await rpc('erlang', 'node', [])).toBe(b.name);
    expect(await rpc('math', 'sqrt', [16])).toBe(4);
    expect(b.isProcessAlive(loop)).toBe(true);
  });

  it('S28: dist_demo started from a process via the module function, rpc from that process', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const p = a.spawn(async (self) => {
      const loop = (await self.node.apply(self, 'dist_demo', 'start', ['b@vm'])) as Pid;
      const where = await self.node.apply(self, 'dist_demo', 'rpc', [loop, 'erlang', 'node', []]);
      self.exit(['done', loop, where]);
    });
    const [tag, loop, where] = (await a.exitReason(p)) as [string, Pid, string];
    expect(tag).toBe('done');
    expect(loop.node).toBe(b.name);
    expect(where).toBe(b.name);
  });

  it("S28: an erroring function → ['EXIT', ['exception', e]], and the loop keeps serving", async ({ clusters }) => {
    const { b, loop, rpc } = await withLoop(clusters);
    const r = await rpc('oops', 'fail', []);
    const e = exceptionOf(r);
    expect(e.name).toBe('RangeError');
    expect(e.message).toBe('oops');
    expect(b.isProcessAlive(loop)).toBe(true);
    expect(await rpc('erlang', 'node', [])).toBe(b.name);
  });

  it("S28: an undefined function → ['EXIT', ['undef', [m, f, args]]]", async ({ clusters }) => {
    const { b, loop, rpc } = await withLoop(clusters);
    expect(await rpc('nosuch', 'f', [])).toEqual(['EXIT', ['undef', ['nosuch', 'f', []]]]);
    expect(b.isProcessAlive(loop)).toBe(true);
  });

  it('S28: a throw returns its value', async ({ clusters }) => {
    const { rpc } = await withLoop(clusters);
    expect(await rpc('erlang', 'throw', ['t'])).toBe('t');
  });

  it("S28: exit(e) inside the loop → ['EXIT', 'e'] (catch exit(e)), and the loop stays alive", async ({ clusters }) => {
    // In the book, `catch exit(e)` evaluates to {'EXIT', e}: the loop catches the exit and
    // keeps running. dist_demo.rpc has no timeout, so the call is bounded by an rpc timeout on
    // simulated time; a dead loop shows up as 'timeout' instead of a hang.
    const clock = new SimulatedClock();
    const { b, loop, rpc } = await withLoopOnClock(clusters, clock);
    const r = track(rpc('erlang', 'exit', ['e']).catch((e) => ['rejected', e instanceof BadRpcError ? e.reason : e]));
    await clock.advance(1_000);
    await clock.flush();
    expect(r.settled).toBe(true);
    expect(r.value).toEqual(['EXIT', 'e']);
    expect(b.isProcessAlive(loop)).toBe(true);
  });

  async function withLoopOnClock(clusters: ClusterFactory, clock: SimulatedClock) {
    const c = clusters({ clock });
    const [a, b] = await c.startNodes('a', 'b');
    await c.node('c');
    const started = track(a.rpc.call(a.name, 'dist_demo', 'start', [b.name]));
    for (let i = 0; i < 50 && !started.settled; i++) await clock.flush();
    expect(started.error).toBeUndefined();
    const loop = started.value as Pid;
    const rpc = (m: string, f: string, args: unknown[]) => a.erpc.call(a.name, 'dist_demo', 'rpc', [loop, m, f, args], 1_000);
    return { a, b, loop, rpc };
  }

  it('S28: a loop request sent by hand gets [loopPid, response]', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const loop = (await a.rpc.call(a.name, 'dist_demo', 'start', [b.name])) as Pid;
    const p = a.spawn(async (self) => {
      self.send(loop, ['rpc', self.pid, 'math', 'pow', [2, 10]]);
      const m = await self.receive(undefined, 1_000);
      self.exit(m === TIMEOUT ? 'timeout' : ['got', m]);
    });
    const r = (await a.exitReason(p)) as [string, [Pid, unknown]];
    expect(r[0]).toBe('got');
    expect(r[1][0].equals(loop)).toBe(true);
    expect(r[1][1]).toBe(1024);
  });
});

describe('nl: shipping a module (S28)', () => {
  it('S28: a.nl(mod) loads the module on b and c; rpc.call(c, mod, …) works', async ({ cluster: c }) => {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    expect(await a.ping(b.name)).toBe('pong');
    expect(await a.ping(cc.name)).toBe('pong');
    const shipped = defineModule('shipped', {
      double: (_self, x: number) => x * 2,
      where: (self) => ['at', self.node.name],
      hello: async (self, who: string) => `hello ${who} from ${self.node.name}`,
    });
    // Not there before nl.
    const before = await badrpc(a.rpc.call(cc.name, 'shipped', 'double', [1]));
    expect(before.reason).toEqual(['EXIT', ['undef', ['shipped', 'double', [1]]]]);

    const r = await a.nl(shipped);
    expect(r.badNodes).toEqual([]);
    expect(r.nodes).toContain(b.name);
    expect(r.nodes).toContain(cc.name);
    expect(a.loadedModules()).toContain('shipped');
    expect(cc.loadedModules()).toContain('shipped');

    expect(await a.rpc.call(cc.name, 'shipped', 'double', [21])).toBe(42);
    expect(await a.rpc.call(cc.name, 'shipped', 'where', [])).toEqual(['at', cc.name]);
    expect(await a.rpc.call(b.name, 'shipped', 'hello', ['joe'])).toBe(`hello joe from ${b.name}`);
  });

  it('S28: method-shorthand module functions survive shipping', async ({ cluster: c }) => {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    await a.ping(b.name);
    await a.ping(cc.name);
    const shorthand = defineModule('shorthand', {
      async hello(self, x: string) {
        await Promise.resolve();
        return `hi ${x} on ${self.node.name}`;
      },
      plain(_self, n: number) {
        return n + 1;
      },
    });
    const r = await a.nl(shorthand);
    expect(r.badNodes).toEqual([]);
    expect(r.nodes).toEqual(expect.arrayContaining([b.name, cc.name]));
    expect(await a.rpc.call(cc.name, 'shorthand', 'hello', ['joe'])).toBe(`hi joe on ${cc.name}`);
    expect(await a.rpc.call(b.name, 'shorthand', 'plain', [1])).toBe(2);
  });
});
