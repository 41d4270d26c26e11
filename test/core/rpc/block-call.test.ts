/**
 * rpc.blockCall (Erlang's rpc:block_call/4,5; issue 12, point 17), on simulated time. Checked
 * on erl (OTP 25): three concurrent block_calls of a 200 ms function to one node take 600 ms,
 * three calls 200 ms; a call is not held up by a running block_call; a block_call that timed
 * out ({badrpc,timeout}) keeps the next one waiting until its function returns; results and
 * errors are call's ({badrpc,{'EXIT',R}}, a throw's value, {badrpc,nodedown}).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { badrpc } from '../../support/errors.js';
import { dt } from '../../support/test-modules.js';
import { track } from '../../support/real-time.js';
import { connect, flushUntil } from '../../support/simulated-time.js';
import { BadRpcError, defineModule, type Node } from '../../../src/core/index.js';
import type { RpcApi } from '../../../src/core/interfaces/rpc-api.js';
import type { TestCluster } from '../../support/cluster.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

/** A function that waits until it is killed, telling `tell` (a registered name on the caller) first. */
const parked = defineModule('parked', {
  park: async (self, tell: [string, string]) => {
    self.send(tell, ['parked', self.pid]);
    await self.receive(() => false);
  },
});

async function pair(clock: SimulatedClock, c: TestCluster): Promise<[Node, Node]> {
  const [a, b] = await c.startNodes('a', 'b');
  b.load(dt);
  b.load(parked);
  await connect(clock, a, b);
  return [a, b];
}

/** Which of `ps` have settled. */
const settledOf = (ps: Array<{ settled: boolean }>): boolean[] => ps.map((p) => p.settled);

describe('rpc.blockCall', () => {
  it('block calls to one node run one after another; calls run side by side', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const blocks = [1, 2, 3].map(() => track(a.rpc.blockCall(b.name, 'dt', 'sleeper', [100])));
    const calls = [1, 2, 3].map(() => track(a.rpc.call(b.name, 'dt', 'sleeper', [100])));
    await clock.advance(100);
    await clock.flush();
    expect(settledOf(calls)).toEqual([true, true, true]);
    expect(settledOf(blocks)).toEqual([true, false, false]);
    await clock.advance(100);
    await clock.flush();
    expect(settledOf(blocks)).toEqual([true, true, false]);
    await clock.advance(100);
    await clock.flush();
    expect(settledOf(blocks)).toEqual([true, true, true]);
    expect(blocks.map((p) => p.value)).toEqual([
      ['slept', 100],
      ['slept', 100],
      ['slept', 100],
    ]);
  });

  it('a call is not held up by a running block call', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const long = track(a.rpc.blockCall(b.name, 'dt', 'sleeper', [1_000]));
    const quick = track(a.rpc.call(b.name, 'erlang', 'node', []));
    await flushUntil(clock, () => quick.settled);
    expect(quick.value).toBe(b.name);
    expect(long.settled).toBe(false);
  });

  it('a timed-out block call rejects timeout, and holds its turn until its function returns', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const first = track(a.rpc.blockCall(b.name, 'dt', 'sleeper', [300], 50));
    await clock.advance(50);
    await clock.flush();
    expect((first.error as BadRpcError).reason).toBe('timeout');
    const next = track(a.rpc.blockCall(b.name, 'dt', 'sleeper', [10]));
    await clock.advance(249);
    await clock.flush();
    expect(next.settled).toBe(false); // the first sleeper runs until 300
    await clock.advance(11);
    await clock.flush();
    expect(next.value).toEqual(['slept', 10]);
  });

  it('a worker killed while it holds the turn passes it on', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const inbox: unknown[] = [];
    a.register('inbox', a.spawn(async (self) => {
      for (;;) inbox.push(await self.receive());
    }));
    const victim = track(a.rpc.blockCall(b.name, 'parked', 'park', [['inbox', a.name]]));
    const next = track(a.rpc.blockCall(b.name, 'erlang', 'node', []));
    await flushUntil(clock, () => inbox.length > 0);
    expect(next.settled).toBe(false);
    const [, worker] = inbox[0] as [string, Parameters<Node['exit']>[0]];
    b.exit(worker, 'boom');
    await flushUntil(clock, () => next.settled);
    expect((victim.error as BadRpcError).reason).toEqual(['EXIT', 'boom']);
    expect(next.value).toBe(b.name);
  });

  it("results and rejections are call's; a failed block call does not block the next", async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const all = track(
      Promise.all([
        badrpc(a.rpc.blockCall(b.name, 'dt', 'exiter', ['bye'])),
        a.rpc.blockCall(b.name, 'dt', 'thrower', ['ball']),
        badrpc(a.rpc.blockCall(b.name, 'nosuchmod', 'f', [1])),
        a.rpc.blockCall(b.name, 'dt', 'returnsBadrpc', []),
        badrpc(a.rpc.blockCall('zz@vm', 'erlang', 'node', [])),
        a.rpc.blockCall(b.name, 'dt', 'echo', [7]),
      ]),
    );
    await flushUntil(clock, () => all.settled);
    const [exit, thrown, undef, returned, nodedown, echo] = all.value as [BadRpcError, unknown, BadRpcError, unknown, BadRpcError, unknown];
    expect(exit.reason).toEqual(['EXIT', 'bye']);
    expect(exit.message).toBe("badrpc: ['EXIT', 'bye']");
    expect(thrown).toBe('ball');
    expect(undef.reason).toEqual(['EXIT', ['undef', ['nosuchmod', 'f', [1]]]]);
    expect(returned).toEqual(['badrpc', 'x']);
    expect(nodedown.reason).toBe('nodedown');
    expect(echo).toEqual([b.name, 7]);
  });

  it("block calls to the caller's own node are serialised too (OTP 25 runs them in rex)", async ({ clock, simCluster: c }) => {
    const [a] = await pair(clock, c);
    a.load(dt);
    const ps = [1, 2].map(() => track(a.rpc.blockCall(a.name, 'dt', 'sleeper', [100])));
    await clock.advance(100);
    await clock.flush();
    expect(settledOf(ps)).toEqual([true, false]);
    await clock.advance(100);
    await clock.flush();
    expect(settledOf(ps)).toEqual([true, true]);
  });

  it('is part of RpcApi, and checks its arguments as call does', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(clock, c);
    const api: RpcApi = a.rpc;
    expect(typeof api.blockCall).toBe('function');
    await expect(api.blockCall(b.name, 'dt', 'echo', 'notalist' as unknown as unknown[])).rejects.toMatchObject({ code: 'badarg' });
    await expect(api.blockCall(b.name, 'dt', 'echo', [], -1)).rejects.toMatchObject({ code: 'badarg' });
  });
});
