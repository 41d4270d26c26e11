/**
 * The busy waiter's co-location rule (src/server/busy-wait.ts): a while after a write to a
 * peer on this host with nothing received, the spinner asks the probe whether that peer waits
 * on its CPU, and backs off as 'co-located' if so; a message received first cancels the
 * check. The probe is mocked here (the real one: co-location.test.ts); Linux only, where the
 * waiter runs its machine-wide checks. Only states are asserted, never timings.
 */
import { describe, expect, it, vi } from 'vitest';
import { eventually } from '../support/cluster.js';

const HELD = 4242;
const asked: number[] = [];
// A machine that is never crowded, so that only the rules under test (and lost-core) back off.
vi.mock('../../src/server/runnable-threads.js', () => ({ openRunnableThreads: () => ({ read: () => 1, cpus: 64 }) }));
vi.mock('../../src/server/co-location.js', () => ({
  openCoLocationProbe: () => ({
    heldBack: (pid: number) => {
      asked.push(pid);
      return pid === HELD;
    },
  }),
}));

const bw = await import('../../src/server/busy-wait.js');
const stopped = (): Promise<void> => eventually(() => !bw.busyWaiting() && !bw.busyWaitBackingOff());
/** Let the spin run for `ms` of wall time, turn by turn. */
async function spinFor(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) await new Promise((r) => setImmediate(r));
}

describe.runIf(process.platform === 'linux')('busy wait and a co-located peer', () => {
  it('backs off as co-located when the peer it wrote to waits on its CPU', async () => {
    bw.setBusyWait(1_000);
    await stopped();
    // Kicked again while it does not spin: a lost core (a loaded machine) may end a spell first.
    await eventually(() => {
      if (!bw.busyWaiting()) bw.busyWaitKick(HELD);
      return bw.busyWaitLastBackoff() === 'co-located';
    });
    expect(asked).toContain(HELD);
    bw.setBusyWait(0.5);
    await stopped(); // the back-off ends by itself (1 ms)
  });

  it('asks about a peer it wrote to, and keeps spinning if that peer is not held back', async () => {
    bw.setBusyWait(1_000);
    await stopped();
    asked.length = 0;
    const before = bw.busyWaitBackoffs();
    await eventually(() => {
      if (!bw.busyWaiting()) bw.busyWaitKick(4343); // a write to a peer that runs elsewhere
      return asked.includes(4343);
    });
    expect(asked.every((pid) => pid === 4343)).toBe(true);
    // Whatever ended spells meanwhile (a lost core), it was not this peer.
    if (bw.busyWaitBackoffs() > before) expect(bw.busyWaitLastBackoff()).not.toBe('co-located');
    bw.setBusyWait(0.5);
    await stopped();
  });

  it('a message received before the check is due cancels it', async () => {
    bw.setBusyWait(1_000);
    await stopped();
    asked.length = 0;
    bw.busyWaitKick(4444); // a write…
    bw.busyWaitKick(); // …answered at once
    await spinFor(5);
    expect(asked).toEqual([]);
    bw.setBusyWait(0.5);
    await stopped();
  });
});
