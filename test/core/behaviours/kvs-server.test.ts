/**
 * kvs_server: the book's kvs as a gen server (src/core/book/kvs-server.ts). Same results as
 * the plain-process kvs (S28): store → true, lookup → ['ok', v] | undefined; locally, by rpc
 * from another node, by genServer.call with [name, node], and under a supervisor.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { behaviourNodes, eventually } from '../../support/behaviours.js';
import { kvsServer } from '../../../src/core/book/kvs-server.js';
import { BadRpcError, CallError, genServer, type Node, Pid, supervisor } from '../../../src/core/index.js';

describe('kvs_server (the book kvs as a genServer)', () => {
  async function cluster(c: TestCluster): Promise<[Node, Node, Node]> {
    return behaviourNodes(c, ['a', 'b', 'c'], [kvsServer]);
  }

  it('locally: start, store → true, lookup → ["ok", v], tuple key, missing key → undefined, second start', async ({ cluster: c }) => {
    const [a] = await cluster(c);
    const started = (await a.rpc.call(a.name, 'kvs_server', 'start', [])) as ['ok', Pid];
    expect(started[0]).toBe('ok');
    expect(a.whereis('kvs_server')?.equals(started[1])).toBe(true);
    const kvs = (f: string, args: unknown[]): Promise<unknown> => a.rpc.call(a.name, 'kvs_server', f, args);
    expect(await kvs('store', ['weather', 'fine'])).toBe(true);
    expect(await kvs('lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(await kvs('store', [['location', 'joe'], 'Stockholm'])).toBe(true);
    expect(await kvs('lookup', [['location', 'joe']])).toEqual(['ok', 'Stockholm']);
    expect(await kvs('lookup', ['nothing'])).toBeUndefined();
    const again = (await kvs('start', [])) as ['error', ['already_started', Pid]];
    expect(again[0]).toBe('error');
    expect(again[1][1].equals(started[1])).toBe(true);
  });

  it('by rpc from another node, and by genServer.call with [name, node]', async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    expect((await a.rpc.call(b.name, 'kvs_server', 'start', []))[0]).toBe('ok');
    expect(await a.rpc.call(b.name, 'kvs_server', 'store', ['weather', 'fine'])).toBe(true);
    expect(await cc.rpc.call(b.name, 'kvs_server', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(await genServer.call(cc, ['kvs_server', b.name], ['lookup', 'weather'])).toEqual(['ok', 'fine']);
    expect(await genServer.call(a, ['kvs_server', b.name], ['store', 'k', 1])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs_server', 'lookup', ['k'])).toEqual(['ok', 1]);
    expect(await a.rpc.call(b.name, 'kvs_server', 'lookup', ['missing'])).toBeUndefined();
  });

  it('where kvs_server is not running, lookup fails: rpc gives EXIT with a noproc CallError', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const e = await a.rpc.call(b.name, 'kvs_server', 'lookup', ['weather']).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BadRpcError);
    const [tag, [kind, err]] = (e as BadRpcError).reason as ['EXIT', ['exception', CallError]];
    expect([tag, kind]).toEqual(['EXIT', 'exception']);
    expect((err as CallError).code).toBe('noproc');
    await expect(genServer.call(a, ['kvs_server', b.name], ['lookup', 'x'])).rejects.toMatchObject({ code: 'noproc' });
  });

  it('under a supervisor on another node: restarted (empty) after a crash, under the same name', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const [, sup] = (await supervisor.start(a, {
      children: [{ id: 'kvs', start: { ...genServer.childStart('kvs_server', [], { name: 'kvs_server' }), node: b.name } }],
    })) as ['ok', Pid];
    expect(await a.rpc.call(b.name, 'kvs_server', 'store', ['weather', 'fine'])).toBe(true);
    const old = b.whereis('kvs_server')!;
    b.exit(old, 'kill');
    await eventually(() => {
      const now = b.whereis('kvs_server');
      return now !== undefined && !now.equals(old);
    });
    expect(await a.rpc.call(b.name, 'kvs_server', 'lookup', ['weather'])).toBeUndefined();
    expect(await a.rpc.call(b.name, 'kvs_server', 'store', ['weather', 'rain'])).toBe(true);
    expect(await genServer.call(a, ['kvs_server', b.name], ['lookup', 'weather'])).toEqual(['ok', 'rain']);
    expect((await supervisor.whichChildren(a, sup))[0]!.pid).toBeInstanceOf(Pid);
  });
});
