import { describe, it, expect, afterEach } from 'vitest';
import { TestCluster } from '../../support/cluster.js';

describe('smoke', () => {
  let c: TestCluster;
  afterEach(async () => c?.stop());
  it('ping, kvs over rpc, remote spawn', async () => {
    c = new TestCluster();
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    expect(a.nodes()).toEqual(['b@vm']);
    expect(await a.rpc.call(b.name, 'kvs', 'start', [])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await a.rpc.call(b.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(await a.rpc.call(b.name, 'math', 'sqrt', [16])).toBe(4);
    await a.rpc.call(b.name, 'io', 'format', ['hello ~p~n', [42]]);
    expect(c.output(a)).toContain('hello 42');
  });
});
