import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';

describe('smoke', () => {
  it('ping, kvs over rpc, remote spawn', async ({ cluster: c }) => {
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
