/**
 * The busy waiter where the machine has no runnable-thread probe (macOS, Windows, no /proc):
 * src/server/busy-wait.ts falls back to watching its own CPU time on every turn, and a
 * spinner that lost its core backs off as 'lost-core'. The probe is mocked away here, so this
 * runs the fallback on Linux too; only states are asserted, never timings.
 */
import { describe, expect, it, vi } from 'vitest';
import { eventually } from '../support/cluster.js';

vi.mock('../../src/server/runnable-threads.js', () => ({ openRunnableThreads: () => undefined }));

const bw = await import('../../src/server/busy-wait.js');
const stopped = (): Promise<void> => eventually(() => !bw.busyWaiting() && !bw.busyWaitBackingOff());

describe('busy wait without a runnable-thread probe', () => {
  it('watches only its own CPU time', () => {
    expect(bw.busyWaitWatchesMachine()).toBe(false);
  });

  it('spins after a kick and stops once the period has passed', async () => {
    bw.setBusyWait(20);
    await stopped();
    bw.busyWaitKick();
    expect(bw.busyWaiting()).toBe(true);
    await stopped();
  });

  it('a spinner that was off its core backs off as lost-core', async () => {
    bw.setBusyWait(1_000);
    await stopped();
    const before = bw.busyWaitBackoffs();
    bw.busyWaitKick();
    await new Promise((r) => setImmediate(r)); // one turn of the spin
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // 50 ms off the CPU, as if preempted
    await new Promise((r) => setImmediate(r));
    expect(bw.busyWaitBackoffs()).toBe(before + 1);
    expect(bw.busyWaitLastBackoff()).toBe('lost-core');
    expect(bw.busyWaiting()).toBe(false);
    expect(bw.busyWaitBackingOff()).toBe(true);
    bw.setBusyWait(0.5);
    await stopped(); // the back-off ends by itself (10 ms)
  });
});
