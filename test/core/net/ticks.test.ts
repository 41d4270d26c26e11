/**
 * Net ticks (S8), all on a SimulatedClock: a frozen peer is dropped with net_tick_timeout after
 * 4–5 silent tick intervals, healthy idle connections stay up, and a node with no connections
 * keeps no tick timer.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { sorted, watch } from '../../support/membership.js';
import { recorder } from '../../support/in-process.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import type { Node, Pid } from '../../../src/core/index.js';

const TICK = 1000;

// ----- helpers ---------------------------------------------------------------------------

/** Let async work settle without moving simulated time, until `cond` holds (bounded). */
async function settleUntil(clock: SimulatedClock, cond: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await clock.flush();
  }
  throw new Error(`condition not met after ${rounds} flushes: ${cond.toString()}`);
}

/** Three nodes a, b, c in a full mesh on a simulated clock, all with tickMs = TICK. */
async function mesh(c: TestCluster, clock: SimulatedClock): Promise<[Node, Node, Node]> {
  const a = await c.node('a', { tickMs: TICK });
  const b = await c.node('b', { tickMs: TICK });
  const cc = await c.node('c', { tickMs: TICK });
  expect(await a.ping(b.name)).toBe('pong');
  expect(await a.ping(cc.name)).toBe('pong');
  await settleUntil(clock, () => [a, b, cc].every((n) => n.nodes().length === 2));
  return [a, b, cc];
}

// ----- tests -----------------------------------------------------------------------------

describe('net ticks', () => {
  it('S8: a frozen peer is dropped with net_tick_timeout after 4–5 tick intervals, not after 3', async ({ clock, simCluster: c }) => {
    const [a, b, cc] = await mesh(c, clock);
    const evs = watch(a, { nodedownReason: true });
    const plain = watch(a);
    const onB = watch(b, { nodedownReason: true });
    // A process on a, trapping exits, linked to a process on c.
    const target = recorder(cc);
    const linked = recorder(a, (self) => {
      self.trapExit(true);
      self.link(target.pid);
    });
    for (let i = 0; i < 5; i++) await clock.flush();
    expect(clock.now()).toBe(0);

    c.net.freeze(cc.name);
    await clock.advance(3 * TICK);
    expect(sorted(a.nodes())).toEqual([b.name, cc.name]);
    expect(evs).toStrictEqual([]);
    expect(linked.got).toEqual([]);
    expect(c.logs(a)).not.toContain('not responding');

    await clock.advance(2 * TICK + 1);
    expect(evs).toStrictEqual([['nodedown', cc.name, { nodedownReason: 'net_tick_timeout' }]]);
    expect(plain).toStrictEqual([['nodedown', cc.name]]);
    expect(a.nodes()).toEqual([b.name]);
    expect(c.logs(a)).toContain('not responding');
    expect(c.logs(a)).toContain(cc.name);
    await settleUntil(clock, () => linked.got.length > 0);
    expect(linked.got).toHaveLength(1);
    const [tag, from, reason] = linked.got[0] as [string, Pid, unknown];
    expect(tag).toBe('EXIT');
    expect(from.equals(target.pid)).toBe(true);
    expect(reason).toBe('noconnection');
    // b detected it too; the healthy a–b connection is untouched.
    expect(onB).toStrictEqual([['nodedown', cc.name, { nodedownReason: 'net_tick_timeout' }]]);
    expect(b.nodes()).toEqual([a.name]);
  });

  it('S8: a peer frozen for less than 4 tick intervals and then thawed stays connected', async ({ clock, simCluster: c }) => {
    const [a, b, cc] = await mesh(c, clock);
    const evs = [a, b, cc].map((n) => watch(n, { nodedownReason: true }));
    c.net.freeze(cc.name);
    await clock.advance(2 * TICK + TICK / 2);
    c.net.thaw(cc.name);
    await clock.advance(10 * TICK);
    for (const e of evs) expect(e).toStrictEqual([]);
    for (const n of [a, b, cc]) expect(n.nodes()).toHaveLength(2);
  });

  it('S8: idle but healthy connections stay up across 100 tick intervals, kept alive by ticks', async ({ clock, simCluster: c }) => {
    const [a, b, cc] = await mesh(c, clock);
    const before = [a, b, cc].map((n) => sorted(n.nodes()));
    const evs = [a, b, cc].map((n) => watch(n, { nodedownReason: true, nodeType: 'all' }));
    let ticks = 0;
    const untap = c.net.tap((_f, _t, frame) => {
      // A tick may travel alone or (fast-1) in a batch with other frames.
      for (const f of decodeWireFrame(frame)) if (f.t === 'tick') ticks++;
    });
    await clock.advance(100 * TICK);
    untap();
    expect([a, b, cc].map((n) => sorted(n.nodes()))).toEqual(before);
    for (const e of evs) expect(e).toStrictEqual([]);
    // The connections were idle: only ticks kept them up (each of the 6 directions ticks).
    expect(ticks).toBeGreaterThanOrEqual(6 * 90);
    expect(c.logs(a) + c.logs(b) + c.logs(cc)).not.toContain('not responding');
  });

  it('S8: a connection carrying traffic in one direction only still stays up', async ({ clock, simCluster: c }) => {
    const a = await c.node('a', { tickMs: TICK });
    const b = await c.node('b', { tickMs: TICK });
    await c.node('c', { tickMs: TICK });
    const r = recorder(b);
    expect(await a.ping(b.name)).toBe('pong');
    const evs = [watch(a, { nodedownReason: true }), watch(b, { nodedownReason: true })];
    for (let i = 0; i < 20; i++) {
      a.send(r.pid, i);
      await clock.advance(TICK / 2);
    }
    expect(r.got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(evs).toStrictEqual([[], []]);
    expect(a.nodes()).toEqual([b.name]);
  });

  it('S8: a node with no connections keeps no tick timer', async ({ clock, simCluster: c }) => {
    const a = await c.node('a', { tickMs: TICK });
    const b = await c.node('b', { tickMs: TICK });
    const d = await c.node('d', { tickMs: TICK });
    await clock.advance(5 * TICK);
    const idle = clock.pending;

    expect(await a.ping(b.name)).toBe('pong');
    await clock.flush();
    const connected = clock.pending;
    expect(connected).toBeGreaterThan(idle);
    // Ticking does not pile up timers.
    await clock.advance(10 * TICK);
    expect(clock.pending).toBe(connected);

    expect(a.disconnect(b.name)).toBe(true);
    await settleUntil(clock, () => b.nodes().length === 0);
    expect(clock.pending).toBe(idle);
    await clock.advance(10 * TICK);
    expect(clock.pending).toBe(idle);

    // Same after the peer stops instead.
    expect(await a.ping(d.name)).toBe('pong');
    await clock.flush();
    expect(clock.pending).toBeGreaterThan(idle);
    await d.stop();
    await settleUntil(clock, () => a.nodes().length === 0);
    expect(clock.pending).toBe(idle);
  });
});
