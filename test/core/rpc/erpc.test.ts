/**
 * S20: erpc's exception shapes (docs/semantics.md §6, second table), JS-adapted: a call
 * rejects an ErpcError whose `class` and `reason` are Erlang's Class:Reason.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { BadRpcError, defineModule, ErpcError } from '../../../src/core/index.js';
import { rejection } from '../../support/errors.js';
import { dt } from '../../support/test-modules.js';

/** A worker that another process kills with an exit signal, and one that exits by itself. */
const victims = defineModule('victims', {
  killedBy: async (self, r: unknown) => {
    const me = self.pid;
    self.spawn((s) => s.exit(me, r));
    await self.receive(() => false); // until the signal comes
  },
  exitsAfterAwait: async (self, r: unknown) => {
    await Promise.resolve();
    self.exit(r);
  },
});

describe('S20: erpc exception shapes', () => {
  it('S20: value, error, exit, throw, undef, noconnection', async ({ cluster: c }) => {
    const a = await c.node('a');
    const b = await c.node('b', { modules: [dt] });
    expect(await a.erpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);

    const err = await rejection(a.erpc.call(b.name, 'dt', 'errorer', []), ErpcError);
    expect(err.code).toBe('erpc');
    expect(err.class).toBe('error');
    expect((err.reason as unknown[])[0]).toBe('exception');
    expect(((err.reason as unknown[])[1] as Error).name).toBe('TypeError');

    const ex = await rejection(a.erpc.call(b.name, 'dt', 'exiter', ['bye']), ErpcError);
    expect([ex.class, ex.reason]).toEqual(['exit', ['exception', 'bye']]);

    const th = await rejection(a.erpc.call(b.name, 'dt', 'thrower', ['ball']), ErpcError);
    expect([th.class, th.reason]).toEqual(['throw', 'ball']);

    const un = await rejection(a.erpc.call(b.name, 'nosuchmod', 'f', []), ErpcError);
    expect([un.class, un.reason]).toEqual(['error', ['exception', 'undef', ['nosuchmod', 'f', []]]]);

    const nc = await rejection(a.erpc.call('zz@vm', 'erlang', 'node', []), ErpcError);
    expect([nc.class, nc.reason]).toEqual(['error', ['erpc', 'noconnection']]);
  });

  it('S20: a timeout is error:{erpc,timeout} on simulated time', async ({ clock, simCluster: c }) => {
    const a = await c.node('a');
    const b = await c.node('b', { modules: [dt] });
    expect(await a.ping(b.name)).toBe('pong');
    const p = rejection(a.erpc.call(b.name, 'dt', 'sleeper', [2000], 100), ErpcError);
    await clock.advance(100);
    const e = await p;
    expect([e.class, e.reason]).toEqual(['error', ['erpc', 'timeout']]);
  });

  it('S20: erpc.call(b, fun) runs the function on b; a fun that cannot compile is error badfun', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.erpc.call(b.name, (self) => self.node.name)).toBe(b.name);
    expect(await a.erpc.call(b.name, async (self) => (await self.node.rpc.call(self.node.name, 'math', 'sqrt', [81])) as number)).toBe(9);
    const noFree = await rejection(a.erpc.call(b.name, () => (globalThis as { notThere?: () => 1 }).notThere!()), ErpcError);
    expect(noFree.class).toBe('error');
    expect(((noFree.reason as unknown[])[1] as Error).name).toBe('TypeError');
  });

  it('S20: cast is ok; multicall gives one row per node, in order', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(a.erpc.cast('zz@vm', 'erlang', 'node', [])).toBe('ok');
    expect(await a.erpc.multicall([b.name, 'zz@vm', a.name], 'erlang', 'node', [])).toEqual([
      ['ok', b.name],
      ['error', ['erpc', 'noconnection']],
      ['ok', a.name],
    ]);
  });

  it("S20: a worker killed by an exit signal R is exit ['signal', R]; its own exit(R) is exit ['exception', R] (issue 12, point 15)", async ({ cluster: c }) => {
    // On erl: erpc:call(B, M, F, A) where another process does exit(Worker, boom) raises
    // exit:{signal,boom} (kill: {signal,killed}); a function calling exit(x) raises exit:{exception,x}.
    const a = await c.node('a');
    const b = await c.node('b', { modules: [victims] });
    const sig = await rejection(a.erpc.call(b.name, 'victims', 'killedBy', ['boom']), ErpcError);
    expect([sig.class, sig.reason]).toEqual(['exit', ['signal', 'boom']]);
    const killed = await rejection(a.erpc.call(b.name, 'victims', 'killedBy', ['kill']), ErpcError);
    expect([killed.class, killed.reason]).toEqual(['exit', ['signal', 'killed']]);
    const own = await rejection(a.erpc.call(b.name, 'victims', 'exitsAfterAwait', ['x']), ErpcError);
    expect([own.class, own.reason]).toEqual(['exit', ['exception', 'x']]);
    const fun = await rejection(a.erpc.call(b.name, (self) => self.exit('y')), ErpcError);
    expect([fun.class, fun.reason]).toEqual(['exit', ['exception', 'y']]);
    expect(await a.erpc.multicall([b.name, b.name], 'victims', 'killedBy', ['boom'])).toEqual([
      ['exit', ['signal', 'boom']],
      ['exit', ['signal', 'boom']],
    ]);
    // rpc:call gives {badrpc,{'EXIT',R}} for both.
    const r1 = await rejection(a.rpc.call(b.name, 'victims', 'killedBy', ['boom']), BadRpcError);
    const r2 = await rejection(a.rpc.call(b.name, 'victims', 'exitsAfterAwait', ['boom']), BadRpcError);
    expect([r1.reason, r2.reason]).toEqual([
      ['EXIT', 'boom'],
      ['EXIT', 'boom'],
    ]);
  });
});
