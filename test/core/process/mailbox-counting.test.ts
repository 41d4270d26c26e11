/**
 * Message counting for the observer (Mailbox.startCounting / received): off until asked; then
 * every delivery counts, whether it wakes a waiting receive, queues, or is dropped at a limit,
 * and a limit keeps working while counted. A closed mailbox counts nothing.
 */
import { describe, expect, it } from 'vitest';
import { Mailbox } from '../../../src/core/process/mailbox.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

describe('mailbox counting', () => {
  it('is off until asked, then counts queued and woken deliveries', async () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.deliver('before');
    expect(mb.received).toBeUndefined();
    mb.startCounting();
    mb.startCounting();
    expect(mb.received).toBe(0);
    mb.deliver('queued');
    const waiting = mb.receive((m) => m === 'woken');
    mb.deliver('woken');
    expect(await waiting).toBe('woken');
    expect(mb.received).toBe(2);
    expect(mb.peek()).toEqual(['before', 'queued']);
  });

  it('with a limit: drops are counted and the overflow notice still comes once', () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.startCounting();
    mb.setLimit(2);
    for (let i = 0; i < 5; i++) mb.deliver(i);
    expect(mb.received).toBe(5);
    expect(mb.dropped).toBe(3);
    expect(mb.peek()).toEqual([0, 1, ['mailbox_overflow', undefined, 1]]);
    mb.setLimit(undefined);
    mb.deliver(9);
    expect(mb.peek()).toEqual([0, 1, ['mailbox_overflow', undefined, 1], 9]);
    expect(mb.received).toBe(6);
  });

  it('stopCounting goes back to no count, the queue unchanged', () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.startCounting();
    mb.deliver(1);
    mb.stopCounting();
    mb.deliver(2);
    expect(mb.received).toBeUndefined();
    expect(mb.peek()).toEqual([1, 2]);
    mb.startCounting();
    expect(mb.received).toBe(0);
  });

  it('a closed mailbox counts nothing', () => {
    const mb = new Mailbox(new SimulatedClock());
    mb.startCounting();
    mb.close();
    mb.deliver('late');
    expect(mb.received).toBe(0);
    expect(mb.length).toBe(0);
  });
});
