/**
 * Fragments of big frames at the framing layer (src/core/net/fragments.ts): what a sender
 * puts on the wire and in which order, the named error over the limit, and a receiver that
 * closes with bad_frame (holding at most its limit) on fragments that break the rules.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErlmeshError, Pid, type Channel, type ChannelHandlers, type Frame } from '../../../src/core/index.js';
import { FramedChannel } from '../../../src/core/net/framed-channel.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { FRAGMENT_BYTES, FragmentPiece, PUMP_BYTES_PER_TURN, fragmentLimits } from '../../../src/core/net/fragments.js';
import type { AnyFrame } from '../../../src/core/net/frames.js';

/** A channel that keeps what is sent on it and lets the test deliver frames to its owner. */
class TapChannel implements Channel {
  sent: Frame[] = [];
  handlers: ChannelHandlers | undefined;
  closedWith: string | undefined;
  attach(h: ChannelHandlers): void {
    this.handlers = h;
  }
  send(f: Frame): void {
    if (this.closedWith === undefined) this.sent.push(f);
  }
  close(reason = 'closed'): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    this.handlers?.onClose(reason);
  }
  get isOpen(): boolean {
    return this.closedWith === undefined;
  }
  deliver(f: Frame): void {
    this.handlers?.onFrame(f);
  }
}

const pid = (id: number): Pid => new Pid('b@host', id, 0, 1);
const LIMIT = 8 * 1024 * 1024;

/** `limit` null: the peer takes no fragments. */
function sender(limit: number | null = LIMIT): { tap: TapChannel; framed: FramedChannel } {
  const tap = new TapChannel();
  const framed = new FramedChannel(tap);
  framed.useEncoding('fast-1', limit ?? undefined);
  return { tap, framed };
}

/** `limit` null: this node did not say it takes fragments. */
function receiver(limit: number | null = LIMIT): { tap: TapChannel; framed: FramedChannel; got: AnyFrame[] } {
  const tap = new TapChannel();
  const framed = new FramedChannel(tap);
  framed.acceptEncoding('fast-1', limit ?? undefined);
  const got: AnyFrame[] = [];
  framed.consume(
    (f) => got.push(f),
    () => {},
  );
  return { tap, framed, got };
}

/** Turns of the event loop until `cond` holds (the pump sends a bounded amount per turn). */
async function turnsUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(cond()).toBe(true);
}

/** A fast-1 batch of raw items: [code, ...uv fields, bytes]. */
function batch(...items: Array<{ code: number; total?: number; bytes: Uint8Array }>): Uint8Array {
  const out: number[] = [0xe1];
  const uv = (n: number): void => {
    while (n >= 0x80) {
      out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  for (const it of items) {
    out.push(it.code);
    if (it.total !== undefined) uv(it.total);
    uv(it.bytes.length);
    for (const b of it.bytes) out.push(b);
  }
  return new Uint8Array(out);
}

describe('fragments: sending', () => {
  it('a big frame goes in fragments of at most FRAGMENT_BYTES; frames to other pids overtake it, those to the same pid or by name wait, ticks go at once', async () => {
    const { tap, framed } = sender();
    const big = 'b'.repeat(PUMP_BYTES_PER_TURN + 3 * FRAGMENT_BYTES);
    framed.send({ t: 'send', to: pid(1), msg: big });
    framed.send({ t: 'send', to: pid(2), msg: 'to 2, overtakes' });
    framed.send({ t: 'send', to: pid(1), msg: 'to 1, waits' });
    framed.send({ t: 'reg_send', from: pid(9), to: 'name', node: 'b@host', msg: 'by name, waits' });
    framed.send({ t: 'send', to: pid(3), msg: 'to 3, after a wait by name: waits' });
    framed.send({ t: 'tick' });
    const r = receiver();
    await turnsUntil(() => {
      for (const f of tap.sent.splice(0)) r.tap.deliver(f);
      return r.got.length === 6;
    });
    expect(r.framed.badFrame).toBe(false);
    expect(r.got.map((f) => (f.t === 'send' || f.t === 'reg_send' ? (f.msg === big ? 'big' : f.msg) : f.t))).toEqual([
      'to 2, overtakes',
      'tick',
      'big',
      'to 1, waits',
      'by name, waits',
      'to 3, after a wait by name: waits',
    ]);
  });

  it('every transport frame stays small, and the fragments carry the whole frame', async () => {
    const { tap, framed } = sender();
    framed.send({ t: 'send', to: pid(1), msg: new Uint8Array(5 * 1024 * 1024).fill(7) });
    const r = receiver();
    await turnsUntil(() => {
      for (const f of tap.sent.splice(0)) {
        expect((f as Uint8Array).length).toBeLessThan(FRAGMENT_BYTES * 2 + 64);
        expect(decodeWireFrame(f).every((x) => x instanceof FragmentPiece)).toBe(true);
        r.tap.deliver(f);
      }
      return r.got.length === 1;
    });
    const msg = (r.got[0] as { msg: Uint8Array }).msg;
    expect(msg.length).toBe(5 * 1024 * 1024);
    expect(msg.every((b) => b === 7)).toBe(true);
  });

  it('over the limit: send throws message_too_large, nothing is sent, and the channel stays open', () => {
    const { tap, framed } = sender(1024 * 1024);
    let caught: unknown;
    try {
      framed.send({ t: 'send', to: pid(1), msg: 'x'.repeat(1024 * 1024 + 1) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ErlmeshError);
    expect((caught as ErlmeshError).code).toBe('message_too_large');
    framed.send({ t: 'send', to: pid(1), msg: 'still fine' });
    framed.flush();
    expect(framed.isOpen).toBe(true);
    expect(tap.sent.flatMap((f) => decodeWireFrame(f))).toEqual([{ t: 'send', to: pid(1), msg: 'still fine' }]);
  });

  it('to a peer that takes no fragments (an older node), a big frame goes whole, as before', () => {
    const { tap, framed } = sender(null);
    framed.send({ t: 'send', to: pid(1), msg: 'x'.repeat(3 * FRAGMENT_BYTES) });
    framed.flush();
    expect(tap.sent).toHaveLength(1);
    expect(decodeWireFrame(tap.sent[0]!).map((f) => f.t)).toEqual(['send']);
  });

  it('limits come from both handshake flags; an older peer states none', () => {
    expect(fragmentLimits({ maxMessageBytes: 4e6 }, { maxMessageBytes: 2e6 })).toEqual({ recv: 4e6, send: 2e6 });
    expect(fragmentLimits({ maxMessageBytes: 4e6 }, { maxMessageBytes: 9e6 })).toEqual({ recv: 4e6, send: 4e6 });
    expect(fragmentLimits({ maxMessageBytes: 4e6 }, {})).toEqual({ recv: 4e6 });
    expect(fragmentLimits({ maxMessageBytes: 4e6 }, { maxMessageBytes: 'lots' })).toEqual({ recv: 4e6 });
  });
});

describe('fragments: order (property)', () => {
  it('for any mix of big and small frames to pids and names, a frame never arrives before an earlier one of the same receiver, nor around one by name', async () => {
    // a target: a pid (1..3) or a registered name; a size: small, or big enough to wait a turn or more
    const op = fc.record({ to: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant('name')), big: fc.integer({ min: 0, max: 4 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { tap, framed } = sender();
        const sizes = [10, FRAGMENT_BYTES - 100, FRAGMENT_BYTES + 1, PUMP_BYTES_PER_TURN / 2, PUMP_BYTES_PER_TURN + 1];
        ops.forEach((o, i) => {
          const msg = [i, 'x'.repeat(sizes[o.big]!)];
          if (o.to === 'name') framed.send({ t: 'reg_send', from: pid(9), to: 'name', node: 'b@host', msg });
          else framed.send({ t: 'send', to: pid(o.to), msg });
        });
        const r = receiver();
        await turnsUntil(() => {
          for (const f of tap.sent.splice(0)) r.tap.deliver(f);
          return r.got.length === ops.length;
        });
        const arrived = r.got.map((f) => ((f as { msg: unknown[] }).msg[0] as number));
        expect([...arrived].sort((x, y) => x - y)).toEqual(ops.map((_, i) => i));
        const at = new Map(arrived.map((n, k) => [n, k]));
        for (let i = 0; i < ops.length; i++) {
          for (let j = i + 1; j < ops.length; j++) {
            const ordered = ops[i]!.to === ops[j]!.to || ops[i]!.to === 'name' || ops[j]!.to === 'name';
            if (ordered) expect(at.get(i)!).toBeLessThan(at.get(j)!);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('fragments: a receiver closes with bad_frame on fragments that break the rules', () => {
  const chunk = new Uint8Array(FRAGMENT_BYTES).fill(1);
  const LIM = 4 * FRAGMENT_BYTES;

  it('endless fragments: closed as soon as they pass the announced total, which is at most the limit', () => {
    const r = receiver(LIM);
    r.tap.deliver(batch({ code: 0x04, total: LIM - 1, bytes: chunk }));
    let sent = 1;
    while (r.framed.isOpen && sent < 1000) {
      r.tap.deliver(batch({ code: 0x05, bytes: chunk }));
      sent++;
    }
    expect(sent).toBe(4); // 4 × 64 KB > LIM - 1: the fourth one
    expect(r.framed.badFrame).toBe(true);
    expect(r.tap.closedWith).toBe('bad_frame');
    expect(r.got).toEqual([]);
  });

  it.each([
    ['a total over the limit', [batch({ code: 0x04, total: LIM + 1, bytes: chunk })]],
    ['a continuation without a first fragment', [batch({ code: 0x05, bytes: chunk })]],
    ['a new first fragment before the last frame was complete', [batch({ code: 0x04, total: LIM, bytes: chunk }, { code: 0x04, total: LIM, bytes: chunk })]],
    ['an empty fragment', [batch({ code: 0x04, total: LIM, bytes: new Uint8Array(0) })]],
    ['a total small enough to go whole', [batch({ code: 0x04, total: 10, bytes: new Uint8Array(10) })]],
    ['a fragment longer than the batch', [batch({ code: 0x04, total: LIM, bytes: chunk }).subarray(0, 100)]],
    ['complete fragments that are not a frame', [batch({ code: 0x04, total: 2 * FRAGMENT_BYTES, bytes: chunk }, { code: 0x05, bytes: chunk })]],
  ])('%s', (_, frames) => {
    const r = receiver(LIM);
    for (const f of frames) r.tap.deliver(f);
    expect(r.framed.badFrame).toBe(true);
    expect(r.tap.closedWith).toBe('bad_frame');
  });

  it('fragments from a peer that was not told this node takes them', () => {
    const r = receiver(null);
    r.tap.deliver(batch({ code: 0x04, total: LIM, bytes: chunk }));
    expect(r.tap.closedWith).toBe('bad_frame');
  });
});
