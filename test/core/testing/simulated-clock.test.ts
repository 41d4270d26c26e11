import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

describe('SimulatedClock', () => {
  it('starts at 0 or the given time and moves only when advanced', async () => {
    const clock = new SimulatedClock();
    expect(clock.now()).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.now()).toBe(0);
    await clock.advance(1500);
    expect(clock.now()).toBe(1500);
    expect(new SimulatedClock(1000).now()).toBe(1000);
  });

  it('fires timers in due order, each at its due time, not before', async () => {
    const clock = new SimulatedClock();
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['c', clock.now()]), 30);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    await clock.advance(9);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(3);
    await clock.advance(16);
    expect(fired).toEqual([
      ['a', 10],
      ['b', 20],
    ]);
    expect(clock.now()).toBe(25);
    await clock.advance(5);
    expect(fired.map(([n]) => n)).toEqual(['a', 'b', 'c']);
    expect(clock.pending).toBe(0);
  });

  it('fires timers with equal due times in the order they were set (FIFO)', async () => {
    const clock = new SimulatedClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(-1), 20);
    for (let i = 0; i < 50; i++) clock.setTimeout(() => fired.push(i), 10);
    await clock.advance(5);
    // set later but due at the same time as the first batch: goes after it
    for (let i = 50; i < 60; i++) clock.setTimeout(() => fired.push(i), 5);
    await clock.advance(20);
    expect(fired).toEqual([...Array.from({ length: 60 }, (_, i) => i), -1]);
  });

  it('clearTimeout cancels a pending timer, and ignores fired or foreign handles', async () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    const h1 = clock.setTimeout(() => fired.push('cancelled'), 10);
    const h2 = clock.setTimeout(() => fired.push('kept'), 10);
    clock.clearTimeout(h1);
    expect(clock.pending).toBe(1);
    await clock.advance(10);
    expect(fired).toEqual(['kept']);
    clock.clearTimeout(h2); // already fired
    clock.clearTimeout(undefined);
    clock.clearTimeout({});
    expect(clock.pending).toBe(0);
  });

  it('treats negative or non-finite delays as 0', async () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('neg'), -5);
    clock.setTimeout(() => fired.push('nan'), Number.NaN);
    await clock.advance(0);
    expect(fired).toEqual(['neg', 'nan']);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it('lets async chains started by a timer schedule timers that fire within the same advance', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    const deep = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await Promise.resolve();
    };
    clock.setTimeout(() => {
      void (async () => {
        await deep(50); // far deeper than any fixed number of microtask turns
        log.push(`chain at ${clock.now()}`);
        clock.setTimeout(() => {
          void (async () => {
            await deep(50);
            log.push(`second hop at ${clock.now()}`);
            clock.setTimeout(() => log.push(`too late at ${clock.now()}`), 100);
          })();
        }, 10);
      })();
    }, 10);
    await clock.advance(30);
    expect(log).toEqual(['chain at 10', 'second hop at 20']);
    expect(clock.pending).toBe(1);
    expect(clock.now()).toBe(30);
  });

  it('flushes before advancing: timers set by already-pending promise work are seen', async () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    void Promise.resolve()
      .then(() => undefined)
      .then(() => clock.setTimeout(() => fired.push('late-set'), 5));
    await clock.advance(5);
    expect(fired).toEqual(['late-set']);
  });

  it('runAll fires everything including timers set along the way, moving time to each', async () => {
    const clock = new SimulatedClock();
    const log: number[] = [];
    clock.setTimeout(() => {
      log.push(clock.now());
      void Promise.resolve().then(() => clock.setTimeout(() => log.push(clock.now()), 1000));
    }, 100);
    await clock.runAll();
    expect(log).toEqual([100, 1100]);
    expect(clock.pending).toBe(0);
  });

  it('runAll throws once the limit is exceeded by a self-rescheduling timer', async () => {
    const clock = new SimulatedClock();
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 1000);
    await expect(clock.runAll(25)).rejects.toThrow(/more than 25 timers/);
    expect(ticks).toBe(25);
    expect(clock.pending).toBe(1);
  });

  it('runAll with a limit that is enough does not throw', async () => {
    const clock = new SimulatedClock();
    for (let i = 0; i < 25; i++) clock.setTimeout(() => {}, i);
    await clock.runAll(25);
    expect(clock.pending).toBe(0);
  });

  it('keeps firing after a timer throws, then rejects with that error', async () => {
    const clock = new SimulatedClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    clock.setTimeout(() => fired.push('after'), 2);
    await expect(clock.advance(5)).rejects.toThrow('boom');
    expect(fired).toEqual(['after']);
    expect(clock.now()).toBe(5);
  });

  it('refuses a second advance while one is running (a missing await)', async () => {
    const clock = new SimulatedClock();
    const first = clock.advance(10);
    await expect(clock.advance(10)).rejects.toThrow(/already advancing/);
    await first;
    expect(clock.now()).toBe(10);
  });

  it('flush lets deep promise chains finish without moving time', async () => {
    const clock = new SimulatedClock();
    let done = false;
    void (async () => {
      for (let i = 0; i < 100; i++) await Promise.resolve();
      done = true;
    })();
    await clock.flush();
    expect(done).toBe(true);
    expect(clock.now()).toBe(0);
  });
});
