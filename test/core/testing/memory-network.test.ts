import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../../src/core/testing/memory-network.js';
import type { MemoryTransport } from '../../../src/core/testing/memory-network.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import type { Channel, Frame } from '../../../src/core/net/transport.js';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { rejectionCode } from '../../support/errors.js';

interface Rec {
  ch: Channel;
  frames: Frame[];
  closes: string[];
}

function rec(ch: Channel): Rec {
  const r: Rec = { ch, frames: [], closes: [] };
  ch.attach({ onFrame: (f) => r.frames.push(f), onClose: (reason) => r.closes.push(reason) });
  return r;
}

/** Let microtasks (latency-0 delivery) and one macrotask run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A node: a transport listening under `name`, recording (attached) inbound channels. */
async function node(net: MemoryNetwork, name: string): Promise<{ t: MemoryTransport; inbound: Rec[]; creation: number }> {
  const t = net.transport();
  const inbound: Rec[] = [];
  const { creation } = await t.listen(name, (ch) => inbound.push(rec(ch)));
  return { t, inbound, creation };
}

/** `from` dials `to`; returns both recorded ends. */
async function link(from: { t: MemoryTransport }, to: { inbound: Rec[] }, toName: string): Promise<[Rec, Rec]> {
  const before = to.inbound.length;
  const local = rec(await from.t.connect(toName));
  const remote = to.inbound[before];
  if (remote === undefined) throw new Error('no inbound channel');
  return [local, remote];
}

describe('MemoryNetwork registry', () => {
  it('hands out per-name creations that grow on each registration, and frees names on close', async () => {
    const net = new MemoryNetwork();
    const a1 = await node(net, 'a');
    const b1 = await node(net, 'b');
    expect([a1.creation, b1.creation]).toEqual([1, 1]);
    expect(net.names()).toEqual(['a', 'b']);
    expect(await rejectionCode(net.transport().listen('a', () => {}))).toBe('name_taken');
    await a1.t.close();
    expect(net.names()).toEqual(['b']);
    const a2 = await node(net, 'a');
    expect(a2.creation).toBe(2);
    await a2.t.close();
    expect((await node(net, 'a')).creation).toBe(3);
  });

  it('rejects connect and listen on a closed transport with code closed', async () => {
    const net = new MemoryNetwork();
    await node(net, 'b');
    const t = net.transport();
    await t.close();
    expect(await rejectionCode(t.connect('b'))).toBe('closed');
    expect(await rejectionCode(t.listen('c', () => {}))).toBe('closed');
  });

  it('lets a transport that never listened dial, under its anon id', async () => {
    const net = new MemoryNetwork();
    const b = await node(net, 'b');
    const anon = net.transport();
    expect(anon.id).toMatch(/^anon#\d+$/);
    const seen: string[] = [];
    net.tap((from, to) => seen.push(`${from}->${to}`));
    const local = rec(await anon.connect('b'));
    local.ch.send('hi');
    b.inbound[0]?.ch.send('ho');
    await settle();
    expect(b.inbound[0]?.frames).toEqual(['hi']);
    expect(local.frames).toEqual(['ho']);
    expect(seen).toEqual([`${anon.id}->b`, `b->${anon.id}`]);
    expect(net.names()).toEqual(['b']);
  });

  it('copies Uint8Array frames at send time', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    const bytes = new Uint8Array([1, 2, 3]);
    ab.ch.send(bytes);
    bytes[0] = 99;
    await settle();
    expect(ba.frames).toEqual([new Uint8Array([1, 2, 3])]);
  });
});

describe('MemoryNetwork channel close', () => {
  it('discards frames not yet delivered to an end its owner closed', async () => {
    const clock = new SimulatedClock();
    const net = new MemoryNetwork({ clock, latencyMs: 10 });
    const a = net.transport();
    const inbound: Channel[] = [];
    await net.transport().listen('b', (ch) => inbound.push(ch));
    const ab = rec(await a.connect('b'));
    ab.ch.send('arrives, buffered before attach');
    await clock.advance(10);
    ab.ch.send('still in flight');
    const ba = inbound[0] as Channel;
    ba.close('owner gave up');
    const late = rec(ba);
    await clock.advance(50);
    expect(late.frames).toEqual([]);
    expect(late.closes).toEqual(['owner gave up']);
    expect(ab.closes).toEqual(['owner gave up']);
  });
});

describe('MemoryNetwork.partition / heal', () => {
  it('closes channels across the cut, refuses connects across it, and heal allows them again', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const c = await node(net, 'c');
    const [ab, ba] = await link(a, b, 'b');
    const [ac, ca] = await link(a, c, 'c');
    const [bc, cb] = await link(b, c, 'c');

    net.partition(['a'], ['b']);
    expect(ab.ch.isOpen).toBe(false);
    expect(ba.ch.isOpen).toBe(false);
    await settle();
    expect(ab.closes).toEqual(['connection_closed']);
    expect(ba.closes).toEqual(['connection_closed']);
    // channels not crossing the cut are untouched
    expect([ac, ca, bc, cb].map((r) => r.ch.isOpen)).toEqual([true, true, true, true]);
    ac.ch.send('a->c');
    bc.ch.send('b->c');
    await settle();
    expect(ca.frames).toEqual(['a->c']);
    expect(cb.frames).toEqual(['b->c']);

    expect(await rejectionCode(a.t.connect('b'))).toBe('nodedown');
    expect(await rejectionCode(b.t.connect('a'))).toBe('nodedown');
    await a.t.connect('c'); // still fine

    net.heal();
    const [ab2, ba2] = await link(a, b, 'b');
    ab2.ch.send('healed');
    await settle();
    expect(ba2.frames).toEqual(['healed']);
    expect(ab.closes).toEqual(['connection_closed']); // still exactly once
  });

  it('keeps several partitions at once, and heal removes them all', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    await node(net, 'b');
    await node(net, 'c');
    net.partition(['a'], ['b']);
    net.partition(['c'], ['a']);
    expect(await rejectionCode(a.t.connect('b'))).toBe('nodedown');
    expect(await rejectionCode(a.t.connect('c'))).toBe('nodedown');
    net.heal();
    await a.t.connect('b');
    await a.t.connect('c');
  });

  it('loses frames in flight across the cut', async () => {
    const clock = new SimulatedClock();
    const net = new MemoryNetwork({ clock, latencyMs: 10 });
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    ab.ch.send('lost');
    await clock.advance(5);
    net.partition(['a'], ['b']);
    expect(clock.pending).toBe(0); // the in-flight frame's timer was cancelled
    await clock.advance(100);
    expect(ba.frames).toEqual([]);
    expect(ba.closes).toEqual(['connection_closed']);
    expect(ab.closes).toEqual(['connection_closed']);
  });
});

describe('MemoryNetwork.freeze / thaw', () => {
  it('holds frames to and from a frozen node, then delivers them in order on thaw', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    net.freeze('b');
    for (const f of ['1', '2', '3']) ab.ch.send(f);
    ba.ch.send('x');
    ba.ch.send('y');
    await settle();
    await settle();
    expect(ba.frames).toEqual([]);
    expect(ab.frames).toEqual([]);
    // nothing closes because of a freeze
    expect([ab.ch.isOpen, ba.ch.isOpen]).toEqual([true, true]);
    expect([...ab.closes, ...ba.closes]).toEqual([]);
    ab.ch.send('4'); // keeps queueing behind the held ones

    net.thaw('b');
    await settle();
    expect(ba.frames).toEqual(['1', '2', '3', '4']);
    expect(ab.frames).toEqual(['x', 'y']);
    ab.ch.send('5');
    await settle();
    expect(ba.frames).toEqual(['1', '2', '3', '4', '5']);
  });

  it('makes connects to a frozen node hang until thaw', async () => {
    const net = new MemoryNetwork();
    const b = await node(net, 'b');
    const a = net.transport();
    net.freeze('b');
    let settled = false;
    const pending = a.connect('b').then((ch) => {
      settled = true;
      return ch;
    });
    await settle();
    await settle();
    expect(settled).toBe(false);
    expect(b.inbound).toHaveLength(0);
    net.thaw('b');
    const ch = await pending;
    expect(ch.isOpen).toBe(true);
    expect(b.inbound).toHaveLength(1);
  });

  it('holds a close behind the held frames, and the frozen side learns of it on thaw', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    net.freeze('b');
    ab.ch.send('before close');
    ab.ch.close('bye');
    await settle();
    expect(ab.closes).toEqual(['bye']);
    expect(ba.closes).toEqual([]);
    expect(ba.frames).toEqual([]);
    net.thaw('b');
    await settle();
    expect(ba.frames).toEqual(['before close']);
    expect(ba.closes).toEqual(['bye']);
    expect(ba.ch.isOpen).toBe(false);
  });
});

describe('MemoryNetwork.kill', () => {
  it("frees the name, closes the peers' channels, and silences the dead node", async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const anon = net.transport();
    const [ab, ba] = await link(a, b, 'b');
    const anonB = rec(await anon.connect('b'));
    const bAnon = b.inbound[1] as Rec;

    ba.ch.send('in flight when killed');
    net.kill('b');
    expect(net.names()).toEqual(['a']);
    await settle();
    expect(ab.frames).toEqual(['in flight when killed']);
    expect(ab.closes).toEqual(['connection_closed']);
    expect(anonB.closes).toEqual(['connection_closed']);
    // the dead node hears nothing and says nothing
    ab.ch.send('to the dead');
    ba.ch.send('from the dead');
    await settle();
    expect(ba.frames).toEqual([]);
    expect(ba.closes).toEqual([]);
    expect(bAnon.closes).toEqual([]);
    expect(ab.frames).toEqual(['in flight when killed']);
    expect(await rejectionCode(b.t.connect('a'))).toBe('closed');

    // the name is free: a new incarnation registers with a greater creation
    const b2 = await node(net, 'b');
    expect(b2.creation).toBe(2);
    const [ab2, b2a] = await link(a, b2, 'b');
    ab2.ch.send('hello again');
    await settle();
    expect(b2a.frames).toEqual(['hello again']);
  });

  it('rejects connects waiting on a frozen node with nodedown when it is killed', async () => {
    const net = new MemoryNetwork();
    await node(net, 'b');
    net.freeze('b');
    const pending = net.transport().connect('b');
    net.kill('b');
    expect(await rejectionCode(pending)).toBe('nodedown');
  });

  it('throws badarg for an unknown node', () => {
    const net = new MemoryNetwork();
    expect(() => net.kill('ghost')).toThrow(ErlmeshError);
  });
});

describe('MemoryNetwork latency on a SimulatedClock', () => {
  it('delivers frames only once the latency has elapsed, in order, with the close behind them', async () => {
    const clock = new SimulatedClock();
    const net = new MemoryNetwork({ clock, latencyMs: 10 });
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    ab.ch.send('1');
    ab.ch.send('2');
    ab.ch.send('3');
    ab.ch.close('done');
    await clock.advance(9);
    expect(ba.frames).toEqual([]);
    expect(ba.ch.isOpen).toBe(true);
    await clock.advance(1);
    expect(ba.frames).toEqual(['1', '2', '3']);
    expect(ba.closes).toEqual(['done']);
  });

  it('keeps order when the latency drops while frames are in flight', async () => {
    const clock = new SimulatedClock();
    const net = new MemoryNetwork({ clock, latencyMs: 50 });
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    ab.ch.send('slow');
    net.setLatency(0);
    ab.ch.send('fast');
    await clock.advance(49);
    expect(ba.frames).toEqual([]); // 'fast' arrived but may not overtake 'slow'
    await clock.advance(1);
    expect(ba.frames).toEqual(['slow', 'fast']);
  });

  it('applies a latency set later to frames sent later', async () => {
    const clock = new SimulatedClock();
    const net = new MemoryNetwork({ clock });
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    net.setLatency(20);
    ab.ch.send('x');
    await clock.advance(19);
    expect(ba.frames).toEqual([]);
    await clock.advance(1);
    expect(ba.frames).toEqual(['x']);
    expect(() => net.setLatency(-1)).toThrow(ErlmeshError);
  });
});

describe('MemoryNetwork.setDrop', () => {
  async function survivors(seed: number, probability: number): Promise<{ got: Frame[]; closes: string[] }> {
    const net = new MemoryNetwork({ seed });
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    net.setDrop(probability);
    for (let i = 0; i < 200; i++) ab.ch.send(`f${i}`);
    ab.ch.close('end');
    await settle();
    return { got: ba.frames, closes: ba.closes };
  }

  it('drops some frames, the same ones for the same seed, and keeps the rest in order', async () => {
    const first = await survivors(42, 0.3);
    const again = await survivors(42, 0.3);
    const other = await survivors(7, 0.3);
    expect(first.got.length).toBeGreaterThan(100);
    expect(first.got.length).toBeLessThan(180);
    expect(again.got).toEqual(first.got);
    expect(other.got).not.toEqual(first.got);
    const indices = first.got.map((f) => Number(String(f).slice(1)));
    expect(indices).toEqual([...indices].sort((x, y) => x - y));
    expect(first.closes).toEqual(['end']); // closes are never dropped
  });

  it('drops nothing by default, everything at 1, and rejects bad probabilities', async () => {
    expect((await survivors(1, 0)).got).toHaveLength(200);
    const all = await survivors(1, 1);
    expect(all.got).toEqual([]);
    expect(all.closes).toEqual(['end']);
    expect(() => new MemoryNetwork().setDrop(1.5)).toThrow(ErlmeshError);
  });
});

describe('MemoryNetwork.tap', () => {
  it('sees every data frame with node names, including dropped ones, until unsubscribed', async () => {
    const net = new MemoryNetwork();
    const a = await node(net, 'a');
    const b = await node(net, 'b');
    const [ab, ba] = await link(a, b, 'b');
    const seen: Array<[string, string, Frame]> = [];
    const untap = net.tap((from, to, f) => seen.push([from, to, f]));
    ab.ch.send('secret-cookie');
    ba.ch.send(new Uint8Array([7]));
    net.setDrop(1);
    ab.ch.send('dropped');
    untap();
    ab.ch.send('unseen');
    await settle();
    expect(seen).toEqual([
      ['a', 'b', 'secret-cookie'],
      ['b', 'a', new Uint8Array([7])],
      ['a', 'b', 'dropped'],
    ]);
    expect(ba.frames).toEqual(['secret-cookie']);
    expect(seen.some(([, , f]) => typeof f === 'string' && f.includes('unseen'))).toBe(false);
  });
});
