/**
 * Wire encodings between nodes (src/core/net/encodings.ts, negotiated in handshake.ts): fast-1
 * between nodes that both speak it, superjson-1 with a node that only speaks that (as nodes
 * did before fast-1), every term kind across both, and batching: the frames of one turn go out
 * in at most two transport frames (plus one per BATCH_FLUSH_BYTES), in order, whatever mix of
 * processes and signals produced them.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { type Frame, type Node, Pid, Ref } from '../../../src/core/index.js';
import { BATCH_FLUSH_BYTES, EARLY_FLUSH_FRAMES, decodeWireFrame } from '../../../src/core/net/encodings.js';
import { eventually, TestCluster } from '../../support/cluster.js';
import { recorder, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';
import { termEquals } from '../../support/terms.js';

const SJ_ONLY = { encodings: ['superjson-1' as const] };

interface Seen {
  from: string;
  to: string;
  frame: Frame;
}

function tapAll(cl: TestCluster): { seen: Seen[]; stop(): void } {
  const seen: Seen[] = [];
  const stop = cl.net.tap((from, to, frame) => seen.push({ from, to, frame }));
  return { seen, stop };
}

const HANDSHAKE = new Set(['hello', 'status', 'challenge', 'challenge_reply', 'challenge_ack', 'refused']);

/** Every frame of every transport frame seen, with the kind of transport frame it came in. */
function framesOf(seen: Seen[]): Array<{ t: string; binary: boolean; from: string }> {
  return seen.flatMap((s) => decodeWireFrame(s.frame).map((f) => ({ t: f.t, binary: typeof s.frame !== 'string', from: s.from })));
}

/** Every kind of term, for the "every term crosses" checks. */
function everyKind(pid: Pid): unknown[] {
  const e = Object.assign(new TypeError('outer', { cause: new RangeError('inner') }), { code: 'enoent' });
  return [
    null, undefined, true, -0, NaN, Infinity, 2 ** 40, 1.5, -(2n ** 70n), 'héllo \ud800',
    [1, [undefined]], JSON.parse('{"__proto__": 1, "a": {"b": null}}'),
    Object.assign(Object.create(null), { z: 1 }),
    new Map<unknown, unknown>([[pid, new Set([1])]]), new Date(0), new Date(NaN), /a+b/gi,
    new Uint8Array([0, 255]), Buffer.from('buf'), e, pid, new Ref('x@vm', 1, 2),
  ];
}

/** Send every kind of term from `a` to `b` and back; both sides get each, equal. The terms sent. */
async function everyKindBothWays(a: Node, b: Node): Promise<unknown[]> {
  const atA = recorder(a);
  const atB = recorder(b);
  const terms = everyKind(atA.pid);
  for (const t of terms) a.send(atB.pid, t);
  for (const t of terms) b.send(atA.pid, t);
  await eventually(() => atA.got.length === terms.length && atB.got.length === terms.length);
  expect(atB.got.every((t, i) => termEquals(terms[i], t))).toBe(true);
  expect(atA.got.every((t, i) => termEquals(terms[i], t))).toBe(true);
  return terms;
}

describe('negotiation', () => {
  it('fast ⇄ fast: the handshake is superjson-1 text, everything after it fast-1 binary batches', async ({ cluster: c }) => {
    const tap = tapAll(c);
    const [a, b] = await c.startNodes('a', 'b');
    const r = recorder(b);
    a.send(r.pid, ['msg', 1, new Uint8Array(64)]);
    await eventually(() => r.got.length === 1);
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    tap.stop();
    const frames = framesOf(tap.seen);
    expect(frames.filter((f) => HANDSHAKE.has(f.t)).every((f) => !f.binary)).toBe(true);
    expect(frames.filter((f) => HANDSHAKE.has(f.t)).map((f) => f.t)).toEqual(['hello', 'status', 'challenge', 'challenge_reply', 'challenge_ack']);
    const after = frames.filter((f) => !HANDSHAKE.has(f.t));
    expect(after.length).toBeGreaterThan(2);
    expect(after.every((f) => f.binary)).toBe(true);
    expect(tap.seen.filter((s) => typeof s.frame !== 'string').every((s) => s.frame instanceof Uint8Array)).toBe(true);
  });

  for (const [label, first, second] of [
    ['a superjson-only node dials a fast node', SJ_ONLY, {}],
    ['a fast node dials a superjson-only node', {}, SJ_ONLY],
  ] as const) {
    it(`${label}: they speak superjson-1 (text frames only) and every term crosses both ways`, async ({ cluster: c }) => {
      const tap = tapAll(c);
      const a = await c.node('a', first);
      const b = await c.node('b', second);
      expect(await a.ping(b.name)).toBe('pong');
      const terms = await everyKindBothWays(a, b);
      expect(await b.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
      tap.stop();
      expect(tap.seen.length).toBeGreaterThan(terms.length * 2);
      expect(tap.seen.every((s) => typeof s.frame === 'string')).toBe(true);
    });
  }

  it('every term kind crosses fast-1 both ways', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    await everyKindBothWays(a, b);
  });

  it('a mixed cluster: each connection picks its own encoding', async ({ cluster: c }) => {
    const tap = tapAll(c);
    const a = await c.node('a');
    const b = await c.node('b');
    const old = await c.node('old', SJ_ONLY);
    for (const [x, y] of [[a, b], [a, old], [b, old]] as const) expect(await x.ping(y.name)).toBe('pong');
    const at = recorder(old);
    a.send(at.pid, 'from a');
    b.send(at.pid, 'from b');
    await eventually(() => at.got.length === 2);
    const before = tap.seen.length;
    const r = recorder(b);
    a.send(r.pid, 'fast');
    await eventually(() => r.got.length === 1);
    tap.stop();
    const oldName = old.name;
    expect(tap.seen.filter((s) => s.from === oldName || s.to === oldName).every((s) => typeof s.frame === 'string')).toBe(true);
    expect(tap.seen.slice(before).some((s) => s.from === a.name && s.to === b.name && typeof s.frame !== 'string')).toBe(true);
  });

  it('the encodings option is checked', async ({ cluster: c }) => {
    await expect(c.node('x', { encodings: ['bogus' as never] })).rejects.toMatchObject({ code: 'badarg' });
    await expect(c.node('y', { encodings: [] })).rejects.toMatchObject({ code: 'badarg' });
  });
});

describe('batching', () => {
  it('the frames one process sends in one turn go out as two transport frames: the first EARLY_FLUSH_FRAMES at once, the rest at the end of the turn', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const r = recorder(b);
    await runIn(a, (self) => self.send(r.pid, 'warm up'));
    await eventually(() => r.got.length === 1);
    const tap = tapAll(c);
    await runIn(a, (self) => {
      for (let i = 0; i < 100; i++) self.send(r.pid, ['n', i]);
    });
    await eventually(() => r.got.length === 101);
    tap.stop();
    const data = tap.seen.filter((s) => s.from === a.name);
    expect(data.map((d) => decodeWireFrame(d.frame).length)).toEqual([EARLY_FLUSH_FRAMES, 100 - EARLY_FLUSH_FRAMES]);
    expect(r.got.slice(1)).toEqual(Array.from({ length: 100 }, (_, i) => ['n', i]));
  });

  it('a batch reaching the size threshold goes out at once; order is kept across the split', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const r = recorder(b);
    const tap = tapAll(c);
    const blob = new Uint8Array(1000);
    const n = Math.ceil((3 * BATCH_FLUSH_BYTES) / blob.length);
    await runIn(a, (self) => {
      for (let i = 0; i < n; i++) self.send(r.pid, [i, blob]);
    });
    await eventually(() => r.got.length === n);
    tap.stop();
    const fromA = tap.seen.filter((s) => s.from === a.name && typeof s.frame !== 'string');
    expect(fromA.length).toBeGreaterThanOrEqual(3);
    for (const s of fromA.slice(0, -1)) expect((s.frame as Uint8Array).length).toBeLessThan(BATCH_FLUSH_BYTES + 2 * blob.length);
    expect(r.got.map((m) => (m as [number])[0])).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('interleaved senders: 40 processes × 250 messages to 4 receivers, each pair in order, nothing lost', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const SENDERS = 40;
    const N = 250;
    const receivers = Array.from({ length: 4 }, () => recorder(b));
    const names = ['r0', 'r1', 'r2', 'r3'];
    receivers.forEach((r, i) => b.register(names[i]!, r.pid));
    const senders: Pid[] = [];
    for (let s = 0; s < SENDERS; s++) {
      senders.push(
        a.spawn(async (self) => {
          for (let i = 0; i < N; i++) {
            const k = (s + i) % 4;
            // pid sends and registered-name sends interleave on the same connection
            if (i % 2) self.send(receivers[k]!.pid, ['m', s, i]);
            else self.send([names[k]!, b.name], ['m', s, i]);
            if (i % 7 === s % 7) await Promise.resolve(); // yield: other senders interleave
            if (i % 50 === 0) await new Promise((res) => setTimeout(res, 0)); // and across turns
          }
        }),
      );
    }
    await eventually(() => receivers.reduce((n, r) => n + r.got.length, 0) === SENDERS * N, 10_000);
    for (const r of receivers) {
      const last = new Map<number, number>();
      for (const m of r.got as Array<[string, number, number]>) {
        const prev = last.get(m[1]) ?? -1;
        expect(m[2]).toBeGreaterThan(prev);
        last.set(m[1], m[2]);
      }
    }
    const perSender = new Map<number, number[]>();
    for (const r of receivers) for (const m of r.got as Array<[string, number, number]>) perSender.set(m[1], [...(perSender.get(m[1]) ?? []), m[2]]);
    for (let s = 0; s < SENDERS; s++) expect(perSender.get(s)!.sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('signals keep their order with messages in a batch: messages, then the exit, then DOWN', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const N = 500;
    const got: unknown[] = [];
    const watcher = b.spawn(async (self) => {
      const [, worker] = (await self.receive()) as [string, Pid];
      self.monitor(worker);
      self.send(worker, 'go');
      for (;;) {
        const m = await self.receive();
        got.push(m);
        if (Array.isArray(m) && m[0] === 'DOWN') return;
      }
    });
    a.spawn(async (self) => {
      self.send(watcher, ['worker', self.pid]);
      await self.receive((m) => m === 'go');
      for (let i = 0; i < N; i++) self.send(watcher, i);
      self.exit('done');
    });
    await within(b.exitReason(watcher), 5000, 'the watcher');
    expect(got).toHaveLength(N + 1);
    expect(got.slice(0, N)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect((got[N] as unknown[])[0]).toBe('DOWN');
    expect((got[N] as unknown[])[4]).toBe('done');
  });

  it('ticks still flow on idle fast-1 connections and count as traffic', async ({ simCluster: c, clock }) => {
    const a = await c.node('a', { tickMs: 250 });
    const b = await c.node('b', { tickMs: 250 });
    const pong = a.ping(b.name);
    await clock.flush();
    expect(await pong).toBe('pong');
    const tap = tapAll(c);
    // 8 tick periods: without the ticks counting as traffic, each side would drop the other.
    for (let i = 0; i < 8; i++) await clock.advance(250);
    tap.stop();
    const ticks = framesOf(tap.seen).filter((f) => f.t === 'tick');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.every((f) => f.binary)).toBe(true);
    expect(a.nodes()).toEqual([b.name]);
    expect(b.nodes()).toEqual([a.name]);
  });
});

describe('a stopping node sends what it had batched', () => {
  it('messages sent in the same turn as stop() are flushed before the connection closes', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    const events: unknown[] = [];
    const r = recorder(b);
    b.monitorNodes((ev) => events.push(ev));
    await runIn(a, (self) => {
      for (let i = 0; i < 10; i++) self.send(r.pid, i);
    });
    await a.stop(); // in the same turn as the sends: the batch is still pending
    await eventually(() => events.length > 0);
    expect(events).toEqual([['nodedown', a.name]]);
    await eventually(() => r.got.length === 10);
    expect(r.got).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
