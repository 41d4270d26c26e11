/**
 * Mailbox (src/core/process/mailbox.ts): Erlang's selective receive with `after`, on a
 * SimulatedClock so timeouts are driven explicitly.
 */
import { describe, it, expect } from 'vitest';
import { Mailbox, TIMEOUT } from '../../../src/core/process/mailbox.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { rejectionCode } from '../../support/errors.js';

/** Tracks whether a promise has settled, and with what. */
function track<T>(p: Promise<T>): { done: boolean; value: T | undefined; error: unknown } {
  const s = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  p.then(
    (v) => {
      s.done = true;
      s.value = v;
    },
    (e) => {
      s.done = true;
      s.error = e;
    },
  );
  return s;
}

describe('Mailbox', () => {
  it('receive without a matcher takes messages in FIFO order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.deliver('a');
    mb.deliver(['b', 1]);
    mb.deliver({ c: 2 });
    expect(await mb.receive()).toBe('a');
    expect(await mb.receive()).toEqual(['b', 1]);
    expect(await mb.receive()).toEqual({ c: 2 });
    expect(mb.length).toBe(0);
  });

  it('a waiting receive is woken by the next delivery', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive());
    await clock.flush();
    expect(r.done).toBe(false);
    mb.deliver('hello');
    await clock.flush();
    expect(r).toMatchObject({ done: true, value: 'hello' });
    expect(mb.length).toBe(0);
  });

  it('selective receive leaves non-matching messages queued in order; later receives get them in order', async () => {
    const mb = new Mailbox(new SimulatedClock());
    for (const m of [['x', 1], ['y', 2], ['x', 3], ['z', 4], ['y', 5]]) mb.deliver(m);
    expect(await mb.receive((m) => m[0] === 'z')).toEqual(['z', 4]);
    expect(mb.peek()).toEqual([['x', 1], ['y', 2], ['x', 3], ['y', 5]]);
    expect(await mb.receive((m) => m[0] === 'y')).toEqual(['y', 2]);
    expect(mb.peek()).toEqual([['x', 1], ['x', 3], ['y', 5]]);
    expect(await mb.receive()).toEqual(['x', 1]);
    expect(await mb.receive()).toEqual(['x', 3]);
    expect(await mb.receive()).toEqual(['y', 5]);
  });

  it('a waiting selective receive skips non-matching deliveries, which stay queued in order', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive((m) => m === 'wanted'));
    mb.deliver('other1');
    mb.deliver('other2');
    await clock.flush();
    expect(r.done).toBe(false);
    mb.deliver('wanted');
    await clock.flush();
    expect(r).toMatchObject({ done: true, value: 'wanted' });
    expect(mb.peek()).toEqual(['other1', 'other2']);
  });

  it('a matcher that throws counts as no match (queued and while waiting)', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    mb.deliver(null); // m[0] throws on null
    mb.deliver(['ok', 1]);
    const match = (m: unknown): boolean => (m as unknown[])[0] === 'ok';
    expect(await mb.receive(match)).toEqual(['ok', 1]);
    expect(mb.peek()).toEqual([null]);

    const r = track(mb.receive(match));
    mb.deliver(undefined); // throws in the matcher while waiting
    await clock.flush();
    expect(r.done).toBe(false);
    mb.deliver(['ok', 2]);
    await clock.flush();
    expect(r).toMatchObject({ done: true, value: ['ok', 2] });
    expect(mb.peek()).toEqual([null, undefined]);
  });

  it('a matcher returning a truthy non-boolean is not a match (only true is)', async () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.deliver('a');
    expect(await mb.receive((() => 1) as unknown as (m: unknown) => boolean, 0)).toBe(TIMEOUT);
    expect(mb.length).toBe(1);
  });

  it('receive(match, 0) returns TIMEOUT at once when nothing matches, and still takes a queued match', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    expect(await mb.receive(undefined, 0)).toBe(TIMEOUT);
    mb.deliver('a');
    mb.deliver('b');
    expect(await mb.receive((m) => m === 'zz', 0)).toBe(TIMEOUT);
    expect(mb.peek()).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
    expect(await mb.receive((m) => m === 'b', 0)).toBe('b');
    expect(mb.peek()).toEqual(['a']);
    // no waiter left behind: another receive is allowed
    expect(await mb.receive(undefined, 0)).toBe('a');
  });

  it('receive(undefined, 100) resolves TIMEOUT only after 100 simulated ms', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive(undefined, 100));
    expect(clock.pending).toBe(1);
    await clock.advance(99);
    expect(r.done).toBe(false);
    await clock.advance(1);
    expect(r).toMatchObject({ done: true, value: TIMEOUT });
    expect(clock.pending).toBe(0);
    // after a timeout the mailbox accepts a new receive, and a late message is queued for it
    mb.deliver('late');
    expect(await mb.receive(undefined, 0)).toBe('late');
  });

  it('a message arriving before the timeout wins and its timer is cleared', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive((m) => m === 'go', 100));
    expect(clock.pending).toBe(1);
    await clock.advance(50);
    mb.deliver('nope');
    expect(clock.pending).toBe(1);
    mb.deliver('go');
    expect(clock.pending).toBe(0);
    await clock.advance(100);
    expect(r).toMatchObject({ done: true, value: 'go' });
    expect(mb.peek()).toEqual(['nope']);
  });

  it('a negative or NaN timeout rejects with badarg', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    mb.deliver('a');
    expect(await rejectionCode(mb.receive(undefined, -1))).toBe('badarg');
    expect(await rejectionCode(mb.receive(undefined, NaN))).toBe('badarg');
    expect(await rejectionCode(mb.receive(undefined, 'soon' as unknown as number))).toBe('badarg');
    // the bad receives took nothing and left no waiter or timer
    expect(mb.peek()).toEqual(['a']);
    expect(clock.pending).toBe(0);
    expect(await mb.receive()).toBe('a');
  });

  it('Infinity waits forever without a timer', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive(undefined, Infinity));
    expect(clock.pending).toBe(0);
    await clock.advance(1e9);
    expect(r.done).toBe(false);
    mb.deliver('x');
    await clock.flush();
    expect(r).toMatchObject({ done: true, value: 'x' });
  });

  it('two concurrent receives: the second rejects with badarg and the first still works', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const first = track(mb.receive());
    expect(await rejectionCode(mb.receive())).toBe('badarg');
    expect(await rejectionCode(mb.receive(undefined, 0))).toBe('badarg');
    mb.deliver('m');
    await clock.flush();
    expect(first).toMatchObject({ done: true, value: 'm' });
    expect(mb.length).toBe(0);
  });

  it('after close() a receive never resolves and deliveries are dropped', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    mb.deliver('queued');
    mb.close();
    expect(mb.length).toBe(0);
    const r = track(mb.receive(undefined, 10));
    mb.deliver('after');
    expect(mb.length).toBe(0);
    await clock.advance(1000);
    expect(r.done).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('close() while a receive waits with a timeout: it never resolves and its timer is cleared', async () => {
    const clock = new SimulatedClock();
    const mb = new Mailbox(clock);
    const r = track(mb.receive(undefined, 100));
    expect(clock.pending).toBe(1);
    mb.close();
    expect(clock.pending).toBe(0);
    mb.deliver('x');
    await clock.advance(200);
    expect(r.done).toBe(false);
  });

  it('an idle receive without timeout creates no timer', async () => {
    const clock = new SimulatedClock();
    const boxes = Array.from({ length: 100 }, () => new Mailbox(clock));
    const rs = boxes.map((mb) => track(mb.receive((m) => m === 'go')));
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(rs.some((r) => r.done)).toBe(false);
    boxes.forEach((mb) => mb.deliver('go'));
    await clock.flush();
    expect(rs.every((r) => r.done && r.value === 'go')).toBe(true);
  });

  it('drain removes and returns every accepted message, keeping the rest in order', () => {
    const mb = new Mailbox(new SimulatedClock());
    for (const m of [1, 2, 3, 4, 5]) mb.deliver(m);
    expect(mb.drain((m) => m % 2 === 0)).toEqual([2, 4]);
    expect(mb.peek()).toEqual([1, 3, 5]);
    expect(mb.drain()).toEqual([1, 3, 5]);
    expect(mb.length).toBe(0);
  });
});
