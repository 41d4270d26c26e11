/**
 * realClock (src/core/base/clock.ts) honours any delay: the platform's timers fire a delay
 * above 2^31 − 1 ms at once, so longer ones are chained and Infinity never fires.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, realClock } from '../../../src/core/base/clock.js';
import { startNode, TIMEOUT } from '../../../src/core/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('realClock', () => {
  it('fires a delay beyond 2^31 − 1 ms when it is due, not at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const fired: number[] = [];
    const start = performance.now();
    for (const ms of [2 ** 31, 2 ** 32, 100 * 86_400_000]) realClock.setTimeout(() => fired.push(ms), ms);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2 ** 31 - MAX_TIMER_MS);
    expect(fired).toEqual([2 ** 31]);
    vi.advanceTimersByTime(2 ** 32 - 2 ** 31 - 1);
    expect(fired).toEqual([2 ** 31]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([2 ** 31, 2 ** 32]);
    vi.advanceTimersByTime(100 * 86_400_000 - (performance.now() - start));
    expect(fired).toEqual([2 ** 31, 2 ** 32, 100 * 86_400_000]);
  });

  it('cancels a long timer at any step, and Infinity never fires', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const fired: string[] = [];
    const long = realClock.setTimeout(() => fired.push('long'), 3 * MAX_TIMER_MS);
    const never = realClock.setTimeout(() => fired.push('never'), Infinity);
    vi.advanceTimersByTime(MAX_TIMER_MS + 5); // the long timer is on its second step
    realClock.clearTimeout(long);
    realClock.clearTimeout(never);
    vi.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a receive with a 2^31 ms timeout waits for its message (it used to time out after 1 ms)', async () => {
    const node = await startNode();
    try {
      const got = await node.run(async (self) => {
        const me = self.pid;
        setTimeout(() => self.send(me, 'late'), 30);
        return self.receive(() => true, 2 ** 31);
      });
      expect(got).toBe('late');
      const pending = node.run((self) => self.receive(() => true, 2 ** 32));
      const outcome = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 50))]);
      expect(outcome).toBe('still waiting');
      expect(outcome).not.toBe(TIMEOUT);
    } finally {
      await node.stop();
    }
  });
});
