/**
 * An rpc timeout fires on time whatever the connection does (issue 17.8): with the peer
 * frozen (its frames held, its connection still up, no nodedown yet), rpc.call and erpc.call
 * with a 2 s timeout settle with 'timeout' when the 2 s have passed, not when the
 * connection is finally given up.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { BadRpcError } from '../../../src/core/index.js';

describe('timeouts with a frozen peer', () => {
  it('rpc.call and erpc.call time out on time while the peer is frozen', async ({ simCluster: c, clock }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const pong = a.ping(b.name);
    await clock.flush();
    expect(await pong).toBe('pong');
    c.net.freeze(b.name);
    const settled: string[] = [];
    const call = a.rpc.call(b.name, 'erlang', 'node', [], 2_000).then(
      () => settled.push('rpc: answered'),
      (e: unknown) => settled.push(`rpc: ${e instanceof BadRpcError ? String(e.reason) : String(e)}`),
    );
    const ecall = a.erpc.call(b.name, 'erlang', 'node', [], 2_000).then(
      () => settled.push('erpc: answered'),
      (e: unknown) => settled.push(`erpc: ${String((e as { reason?: unknown }).reason ?? e)}`),
    );
    await clock.advance(1_999);
    expect(settled).toEqual([]);
    await clock.advance(1);
    await clock.flush();
    expect(settled.sort()).toEqual(['erpc: erpc,timeout', 'rpc: timeout']); // erpc raises error {erpc, timeout}
    expect(a.nodes()).toEqual([b.name]); // still connected: the timeout did not wait for a nodedown
    await Promise.all([call, ecall]);
  });
});
