/**
 * A failed rpc as OTP 25 reports it (docs/semantics.md §6), checked on `erl`:
 * - rpc:call of a function that returns or throws `{'EXIT', R}` gives `{badrpc, {'EXIT', R}}`
 *   (rpc's RPCIFY turns the tuple into a badrpc), in call, async_call/yield, nb_yield and
 *   multicall alike;
 * - the failure is the caller's business: neither node logs anything for it (erpc's
 *   spawn_request does not log the `** Can not start … **` line erlang:spawn does);
 * - BadRpcError's message prints its reason.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import type { TestCluster } from '../../support/cluster.js';
import { badrpc } from '../../support/errors.js';
import { dt } from '../../support/test-modules.js';
import { track } from '../../support/real-time.js';
import { BadRpcError, defineModule, type Node } from '../../../src/core/index.js';

/** Functions that return or throw Erlang's `{'EXIT', R}`, and one that returns a look-alike. */
const exits = defineModule('exits', {
  returnsExit: (_self, r: unknown) => ['EXIT', r],
  throwsExit: (self, r: unknown) => self.throw(['EXIT', r]),
  returnsLongerTuple: () => ['EXIT', 'a', 'b'],
});

async function pair(c: TestCluster): Promise<[Node, Node]> {
  const [a, b] = await c.startNodes('a', 'b');
  b.load(dt);
  b.load(exits);
  a.load(exits);
  return [a, b];
}

describe("rpc: a function's {'EXIT', R} is a badrpc (issue 12, point 14)", () => {
  it("rpc.call of a function returning ['EXIT', 'foo'] rejects BadRpcError ['EXIT', 'foo']", async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    const e = await badrpc(a.rpc.call(b.name, 'exits', 'returnsExit', ['foo']));
    expect(e.reason).toEqual(['EXIT', 'foo']);
  });

  it("rpc.call of a function throwing ['EXIT', 'foo'] (self.throw) rejects BadRpcError ['EXIT', 'foo']", async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    const e = await badrpc(a.rpc.call(b.name, 'exits', 'throwsExit', ['foo']));
    expect(e.reason).toEqual(['EXIT', 'foo']);
  });

  it("the same on the caller's own node", async ({ cluster: c }) => {
    const [a] = await pair(c);
    expect((await badrpc(a.rpc.call(a.name, 'exits', 'returnsExit', [['x', 1]]))).reason).toEqual(['EXIT', ['x', 1]]);
  });

  it("yield, nbYield and multicall convert it too; a 3-element ['EXIT', …] array is a plain result", async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    const e = await badrpc(a.rpc.yield(a.rpc.asyncCall(b.name, 'exits', 'returnsExit', ['y'])));
    expect(e.reason).toEqual(['EXIT', 'y']);
    const nb = await badrpc(a.rpc.nbYield(a.rpc.asyncCall(b.name, 'exits', 'throwsExit', ['n']), 5_000));
    expect(nb.reason).toEqual(['EXIT', 'n']);
    const m = await a.rpc.multicall([b.name, a.name], 'exits', 'returnsExit', ['m']);
    expect(m.badNodes).toEqual([]);
    expect(m.results.map((r) => (r as BadRpcError).reason)).toEqual([
      ['EXIT', 'm'],
      ['EXIT', 'm'],
    ]);
    expect(await a.rpc.call(b.name, 'exits', 'returnsLongerTuple', [])).toEqual(['EXIT', 'a', 'b']);
  });
});

describe('rpc: a failed call is reported to the caller only (issue 12, point 12)', () => {
  it('BadRpcError.message prints the reason', async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    expect((await badrpc(a.rpc.call(b.name, 'dt', 'exiter', ['bye']))).message).toBe("badrpc: ['EXIT', 'bye']");
    expect((await badrpc(a.rpc.call(b.name, 'nosuchmod', 'f', [1]))).message).toBe("badrpc: ['EXIT', ['undef', ['nosuchmod', 'f', [1]]]]");
    expect((await badrpc(a.rpc.call(b.name, 'dt', 'errorer', []))).message).toMatch(/^badrpc: \['EXIT', \['exception', TypeError: bad arith/);
    expect((await badrpc(a.rpc.call('zz@vm', 'erlang', 'node', []))).message).toBe('badrpc: nodedown');
  });

  it('no node logs or prints anything for calls that raise, exit, are undefined or find no node', async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    await badrpc(a.rpc.call(b.name, 'dt', 'errorer', []));
    await badrpc(a.rpc.call(b.name, 'dt', 'exiter', ['bye']));
    await badrpc(a.rpc.call(b.name, 'nosuchmod', 'f', [1]));
    await badrpc(a.rpc.call('zz@vm', 'erlang', 'node', []));
    await a.erpc.call('zz@vm', 'erlang', 'node', []).catch(() => 'failed');
    for (const n of [a, b]) {
      expect(c.logs(n), `log of ${n.name}`).toBe('');
      expect(c.output(n), `output of ${n.name}`).toBe('');
    }
  });

  it('a call whose node goes down mid-call is a nodedown and logs nothing', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(c);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [5_000]));
    await clock.flush();
    expect(p.settled).toBe(false);
    await b.stop();
    for (let i = 0; i < 5 && !p.settled; i++) await clock.flush();
    expect((p.error as BadRpcError).reason).toBe('nodedown');
    expect(c.logs(a)).not.toContain('Can not start');
  });
});
