/**
 * Big messages (issue 17, point 4) over a real relay and real direct links on 127.0.0.1: they
 * travel in fragments (src/core/net/fragments.ts), the connection stays up, small messages
 * keep flowing past them, and a message over maxMessageBytes fails at the sender.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErlmeshError, type Node, type NodeEvent, type Pid } from '../../src/core/index.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';

const mesh = new RelayNodes('big-cookie');
afterEach(() => mesh.stop());

/** A process on `n` that logs every message it gets as `[tag, summary]`, in arrival order. */
function sink(n: Node, tag: string, log: unknown[][], summary: (m: unknown) => unknown = (m) => m): Pid {
  return n.spawn(async (self) => {
    for (;;) log.push([tag, summary(await self.receive(() => true))]);
  });
}

function watch(n: Node): NodeEvent[] {
  const events: NodeEvent[] = [];
  n.monitorNodes((e) => events.push(e));
  return events;
}

describe('big messages', () => {
  it('a 10 MB string through the relay arrives intact; small messages to other processes overtake it, those to the same process wait; the connection stays up', async () => {
    await mesh.startRelay();
    const a = await mesh.node('ra', { direct: false });
    const b = await mesh.node('rb', { direct: false });
    expect(await a.ping(b.name)).toBe('pong');
    const evA = watch(a);
    const evB = watch(b);
    const big = 'x'.repeat(10 * 1024 * 1024 - 7) + 'the end';
    const log: unknown[][] = [];
    const r1 = sink(b, 'r1', log, (m) => (typeof m === 'string' && m.length > 100 ? m === big : m));
    const r2 = sink(b, 'r2', log);
    // from another process of a: small messages to r2 while the big one to r1 is in transit
    const other = a.spawn(async (self) => {
      await self.receive((m) => m === 'go');
      for (let i = 0; i < 20; i++) self.send(r2, i);
    });
    a.send(r1, big);
    a.send(other, 'go');
    a.send(r1, 'after big');
    await eventually(() => log.length === 22, 20_000);
    const order = log.map(([t, m]) => `${String(t)}:${String(m)}`);
    // r1's messages in the order sent; the big one intact
    expect(order.filter((s) => s.startsWith('r1'))).toEqual(['r1:true', 'r1:after big']);
    expect(order.filter((s) => s.startsWith('r2'))).toEqual(Array.from({ length: 20 }, (_, i) => `r2:${i}`));
    // every small message to r2 arrived before the big one to r1 was complete
    expect(order.indexOf('r1:true')).toBeGreaterThan(order.indexOf('r2:19'));
    expect(await a.ping(b.name)).toBe('pong');
    expect(await b.ping(a.name)).toBe('pong');
    expect([...evA, ...evB]).toEqual([]);
  });

  it('a 64 MB message over a direct link arrives intact and the link stays up', async () => {
    const relay = await mesh.startRelay();
    const a = await mesh.node('da');
    const b = await mesh.node('db');
    expect(await a.ping(b.name)).toBe('pong');
    const routed = relay.stats().framesRouted;
    const evA = watch(a);
    const evB = watch(b);
    const big = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    big[big.length - 1] = 42;
    const log: unknown[][] = [];
    const check = (m: unknown): unknown => {
      if (!(m instanceof Uint8Array)) return m;
      if (m.length !== big.length || m[m.length - 1] !== 42) return false;
      for (let i = 0; i < m.length; i += 4096) if (m[i] !== ((i / 4096) & 0xff)) return false;
      return true;
    };
    const r = sink(b, 'r', log, check);
    const t0 = performance.now();
    a.send(r, big);
    a.send(r, 'after');
    await eventually(() => log.length === 2, 60_000);
    const ms = performance.now() - t0;
    console.info(`64 MB over a direct link: ${ms.toFixed(0)} ms (${((64 / ms) * 1000).toFixed(0)} MB/s)`);
    expect(log).toEqual([
      ['r', true],
      ['r', 'after'],
    ]);
    expect(await a.ping(b.name)).toBe('pong');
    expect([...evA, ...evB]).toEqual([]);
    // it went over the direct link, not the relay
    expect(relay.stats().framesRouted - routed).toBeLessThan(100);
  }, 90_000);

  it('a message over maxMessageBytes (the receiver’s) fails at the sender with message_too_large; the connection stays', async () => {
    await mesh.startRelay();
    const a = await mesh.node('la', { direct: false });
    const b = await mesh.node('lb', { direct: false, maxMessageBytes: 1024 * 1024 });
    expect(await a.ping(b.name)).toBe('pong');
    const evA = watch(a);
    const log: unknown[][] = [];
    const r = sink(b, 'r', log, (m) => (typeof m === 'string' ? m.length : m));
    let caught: unknown;
    try {
      a.send(r, 'y'.repeat(2 * 1024 * 1024));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ErlmeshError);
    expect((caught as ErlmeshError).code).toBe('message_too_large');
    // under the limit (but fragmented) still goes, and so does a small one
    a.send(r, 'z'.repeat(900 * 1024));
    a.send(r, 'small');
    await eventually(() => log.length === 2);
    expect(log).toEqual([
      ['r', 900 * 1024],
      ['r', 5],
    ]);
    expect(await a.ping(b.name)).toBe('pong');
    expect(evA).toEqual([]);
  });
});
