/**
 * The mailbox queue (src/core/process/mailbox.ts, a ring buffer): arrival order under large
 * queues, growth while the ring has wrapped around, selective receive deep in the queue
 * (both ways of closing the gap), a large queue that empties and fills again, and a model
 * check against a plain array of random delivers, receives and drains.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Mailbox, TIMEOUT, type Matcher } from '../../../src/core/process/mailbox.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Take `n` messages with receive(), in order. */
async function take(mb: Mailbox, n: number, match?: Matcher): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(await mb.receive(match, 0));
  return out;
}

describe('mailbox queue', () => {
  it('100,000 queued messages come out in arrival order, and the queue is empty after', async () => {
    const mb = new Mailbox(new SimulatedClock());
    const N = 100_000;
    for (let i = 0; i < N; i++) mb.deliver(i);
    expect(mb.length).toBe(N);
    let next = 0;
    for (let i = 0; i < N; i++) {
      const m = await mb.receive();
      if (m !== next) expect(m).toBe(next);
      next++;
    }
    expect(mb.length).toBe(0);
    expect(mb.peek()).toEqual([]);
    expect(await mb.receive(undefined, 0)).toBe(TIMEOUT);
  });

  it('a queue that wraps around the ring many times (takes and delivers interleaved) keeps arrival order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    let sent = 0;
    let got = 0;
    // A backlog that grows and shrinks: the head moves round the ring, and the ring grows
    // while wrapped (the head is not at slot 0 when it doubles).
    for (const [deliver, receive] of [[5, 3], [7, 6], [20, 4], [3, 15], [100, 90], [1, 10], [500, 499], [64, 65]]) {
      for (let i = 0; i < deliver!; i++) mb.deliver(sent++);
      for (let i = 0; i < receive!; i++) {
        expect(await mb.receive(undefined, 0)).toBe(got++);
      }
      expect(mb.length).toBe(sent - got);
      expect(mb.peek()).toEqual(range(got, sent));
    }
  });

  it('growth with the head in the middle of the ring keeps order (small ring, exact boundaries)', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (let i = 0; i < 6; i++) mb.deliver(i);
    expect(await take(mb, 4)).toEqual([0, 1, 2, 3]); // head is now at slot 4 of 8
    for (let i = 6; i < 40; i++) mb.deliver(i); // wraps, then doubles twice
    expect(mb.peek()).toEqual(range(4, 40));
    expect(await take(mb, 36)).toEqual(range(4, 40));
    expect(mb.length).toBe(0);
  });

  it('selective receive after 10,000 non-matching messages takes the match and leaves the rest in order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (let i = 0; i < 10_000; i++) mb.deliver(['other', i]);
    mb.deliver(['wanted', 1]);
    for (let i = 10_000; i < 10_010; i++) mb.deliver(['other', i]);
    expect(await mb.receive((m) => m[0] === 'wanted')).toEqual(['wanted', 1]);
    expect(mb.length).toBe(10_010);
    // A receive for something absent looks at everything and takes nothing.
    expect(await mb.receive((m) => m[0] === 'absent', 0)).toBe(TIMEOUT);
    const rest = await take(mb, 10_010);
    expect(rest).toEqual(range(0, 10_010).map((i) => ['other', i]));
  });

  it('taking from near the front and near the back of a long queue (both ways of closing the gap) keeps order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    const N = 1000;
    for (let i = 0; i < N; i++) mb.deliver(i);
    const expected = range(0, N);
    // near the front, near the back, the middle, the last, the first
    for (const pick of [3, 990, 500, 999, 0, 1, 997, 250, 750]) {
      expect(await mb.receive((m) => m === pick, 0)).toBe(pick);
      expected.splice(expected.indexOf(pick), 1);
      expect(mb.peek()).toEqual(expected);
    }
    expect(await take(mb, expected.length)).toEqual(expected);
  });

  it('a selective receive waiting behind many queued non-matching messages is woken by the match; the others stay in order', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    for (let i = 0; i < 5000; i++) mb.deliver(i);
    const r = mb.receive((m) => m === 'go', 1000);
    mb.deliver('not yet');
    mb.deliver('go');
    expect(await r).toBe('go');
    expect(clock.pending).toBe(0);
    expect(mb.peek()).toEqual([...range(0, 5000), 'not yet']);
  });

  it('a large queue that empties is refilled normally (and so is a small one)', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (const n of [1000, 3, 1000, 70, 1]) {
      for (let i = 0; i < n; i++) mb.deliver(['batch', n, i]);
      expect(await take(mb, n)).toEqual(range(0, n).map((i) => ['batch', n, i]));
      expect(mb.length).toBe(0);
      expect(await mb.receive(undefined, 0)).toBe(TIMEOUT);
    }
  });

  it('drain with a matcher on a wrapped queue takes the accepted messages and keeps the others in order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (let i = 0; i < 12; i++) mb.deliver(i);
    await take(mb, 10); // head near the end of the ring
    for (let i = 12; i < 30; i++) mb.deliver(i);
    expect(mb.drain((m) => m % 3 === 0)).toEqual([12, 15, 18, 21, 24, 27]);
    expect(mb.peek()).toEqual([10, 11, 13, 14, 16, 17, 19, 20, 22, 23, 25, 26, 28, 29]);
    mb.deliver(30);
    expect(await take(mb, 15)).toEqual([10, 11, 13, 14, 16, 17, 19, 20, 22, 23, 25, 26, 28, 29, 30]);
  });

  it('messages to a waiting receive are never queued; a receive that finds its message queued takes it at once', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (let i = 0; i < 1000; i++) {
      const r = mb.receive();
      mb.deliver(i);
      expect(mb.length).toBe(0);
      expect(await r).toBe(i);
    }
    mb.deliver('queued');
    expect(await mb.receive()).toBe('queued');
  });

  it('random delivers, receives (plain, selective, with timeout 0) and drains behave as a plain array', async () => {
    type Op = { k: 'deliver'; v: number } | { k: 'receive' } | { k: 'select'; mod: number } | { k: 'drain'; mod: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 1000 }).map((v) => ({ k: 'deliver', v }) as Op) },
      { weight: 2, arbitrary: fc.constant({ k: 'receive' } as Op) },
      // Selective receives with rarer matches reach deeper into the queue.
      { weight: 2, arbitrary: fc.integer({ min: 2, max: 13 }).map((mod) => ({ k: 'select', mod }) as Op) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 7 }).map((mod) => ({ k: 'drain', mod }) as Op) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 400, size: 'max' }), async (ops) => {
        const mb = new Mailbox(new SimulatedClock());
        const model: number[] = [];
        for (const o of ops) {
          if (o.k === 'deliver') {
            mb.deliver(o.v);
            model.push(o.v);
          } else if (o.k === 'receive') {
            const want = model.length ? model.shift() : TIMEOUT;
            expect(await mb.receive(undefined, 0)).toBe(want);
          } else if (o.k === 'select') {
            const i = model.findIndex((v) => v % o.mod === 0);
            const want = i >= 0 ? model.splice(i, 1)[0] : TIMEOUT;
            expect(await mb.receive((m: number) => m % o.mod === 0, 0)).toBe(want);
          } else {
            const want = model.filter((v) => v % o.mod === 0);
            const keep = model.filter((v) => v % o.mod !== 0);
            model.length = 0;
            model.push(...keep);
            expect(mb.drain((m: number) => m % o.mod === 0)).toEqual(want);
          }
          expect(mb.length).toBe(model.length);
        }
        expect(mb.peek()).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });
});
