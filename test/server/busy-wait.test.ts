/**
 * Event-loop busy waiting (src/server/busy-wait.ts): socket activity keeps the loop polling
 * for the configured period, then it sleeps again; 0 turns it off; bad settings are refused.
 * Only states are asserted here, never how fast anything went (that is the benchmark's job).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  busyWait,
  busyWaitBackingOff,
  busyWaitBackoffs,
  busyWaitKick,
  busyWaiting,
  busyWaitLastBackoff,
  busyWaitWatchesMachine,
  DEFAULT_BUSY_WAIT_MS,
  setBusyWait,
} from '../../src/server/busy-wait.js';
import { type ServerNodeOptions, startNode } from '../../src/server/index.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import type { Node } from '../../src/core/index.js';
import { eventually } from '../support/cluster.js';

const initial = busyWait();
afterEach(() => setBusyWait(initial));

/** Resolve once the waiter has stopped (it must, within the bounded wait of `eventually`). */
// Stopped, and not backing off (a loaded test machine may have taken the spinner's core).
const stopped = (): Promise<void> => eventually(() => !busyWaiting() && !busyWaitBackingOff());

describe('busy wait', () => {
  it('defaults to 0.5 ms (no ERLMESH_BUSY_WAIT_MS in the test environment)', () => {
    expect(DEFAULT_BUSY_WAIT_MS).toBe(0.5);
    if (process.env.ERLMESH_BUSY_WAIT_MS === undefined) expect(initial).toBe(0.5);
  });

  it('a kick keeps the loop polling, which stops once the period has passed with no activity', async () => {
    setBusyWait(20);
    await stopped();
    busyWaitKick();
    expect(busyWaiting()).toBe(true);
    // Several turns of the loop later it is still polling (a setImmediate chain, not a timer).
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await stopped();
    expect(busyWaiting()).toBe(false);
  });

  it('a spinner that finds it was off its core (another thread had it) stops and backs off', async () => {
    setBusyWait(1_000);
    await stopped();
    const before = busyWaitBackoffs();
    busyWaitKick();
    await new Promise((r) => setImmediate(r)); // one turn of the spin
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // 50 ms asleep, as if preempted
    await new Promise((r) => setImmediate(r));
    expect(busyWaitBackoffs()).toBe(before + 1);
    expect(busyWaiting()).toBe(false);
    await stopped(); // the back-off ends by itself
  });

  it.runIf(process.platform === 'linux')('on a machine with more runnable threads than cores it backs off as crowded', async () => {
    expect(busyWaitWatchesMachine()).toBe(true);
    setBusyWait(1_000);
    await stopped();
    // One CPU hog more than the machine has cores, each ending by itself after 20 s at most.
    const hogs: ChildProcess[] = [];
    try {
      for (let i = 0; i <= cpus().length; i++) {
        const hog = spawn(process.execPath, ['-e', "console.log('go'); const end = Date.now() + 20000; while (Date.now() < end);"], { stdio: ['ignore', 'pipe', 'ignore'] });
        hogs.push(hog);
        await new Promise((r) => hog.stdout!.once('data', r));
      }
      // Keep kicking (a back-off for a lost core ends after 1 ms) until a check finds the crowd.
      await eventually(() => {
        busyWaitKick();
        return busyWaitLastBackoff() === 'crowded' && busyWaitBackingOff();
      }, 10_000);
      expect(busyWaiting()).toBe(false);
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
    }
    await stopped();
  });

  it('0 turns it off: a kick starts nothing', async () => {
    setBusyWait(0);
    await stopped();
    busyWaitKick();
    expect(busyWaiting()).toBe(false);
  });

  it('refuses a bad period with badarg and keeps the old one', () => {
    setBusyWait(3);
    for (const bad of [-1, NaN, Infinity, '1' as unknown as number, undefined as unknown as number]) {
      expect(() => setBusyWait(bad)).toThrow(expect.objectContaining({ code: 'badarg' }));
    }
    expect(busyWait()).toBe(3);
  });

  it('reads ERLMESH_BUSY_WAIT_MS, and warns (ERLMESH_BAD_BUSY_WAIT) and uses the default for a bad value', () => {
    const run = (value: string): { out: string; err: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/server/busy-wait.ts').then((m) => console.log(m.busyWait()))"], {
        env: { ...process.env, ERLMESH_BUSY_WAIT_MS: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return { out: r.stdout.trim(), err: r.stderr };
    };
    expect(run('0.25')).toEqual({ out: '0.25', err: '' });
    expect(run('0').out).toBe('0');
    const bad = run('soon');
    expect(bad.out).toBe('0.5');
    expect(bad.err).toMatch(/ERLMESH_BAD_BUSY_WAIT.*ERLMESH_BUSY_WAIT_MS=soon/);
  });

  it.runIf(process.platform === 'linux')('opens /proc/loadavg at its first kick, and never with busy wait 0', () => {
    const opensLoadavg = (value: string): boolean => {
      // Lists its open files before and after one kick (then stops spinning, so that it exits).
      const script =
        "import('./src/server/busy-wait.ts').then((m) => { const fs = require('node:fs'); const open = () => fs.readdirSync('/proc/self/fd').some((fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd) === '/proc/loadavg'; } catch { return false; } }); const before = open(); m.busyWaitKick(); console.log(JSON.stringify([before, open()])); m.setBusyWait(0); })";
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
        env: { ...process.env, ERLMESH_BUSY_WAIT_MS: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const [before, after] = JSON.parse(r.stdout.trim()) as [boolean, boolean];
      expect(before).toBe(false); // importing it opens nothing
      return after;
    };
    expect(opensLoadavg('0.5')).toBe(true);
    expect(opensLoadavg('0')).toBe(false);
  });

  describe('socket activity kicks it', () => {
    let relay: Relay | undefined;
    const nodes: Node[] = [];
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((n) => n.stop()));
      await relay?.close();
      relay = undefined;
    });

    it('a message between two server-nodes leaves the loop polling', async () => {
      relay = await startRelay({ port: 0, cookie: 'bw', logger: false });
      const opts = { cookie: 'bw', relay: relay.url, startRelay: false, output: false, logger: false } as const;
      const a = await startNode({ name: 'a@127.0.0.1', ...opts } as ServerNodeOptions);
      const b = await startNode({ name: 'b@127.0.0.1', ...opts } as ServerNodeOptions);
      nodes.push(a, b);
      expect(await a.ping(b.name)).toBe('pong');
      setBusyWait(50);
      await stopped();
      const before = busyWaitBackoffs();
      expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
      // Polling, or it backed off meanwhile (it lost its core on a loaded machine: a back-off
      // of 1 ms may be over already, and the kicks during it start no spinning); neither
      // before the call.
      expect(busyWaiting() || busyWaitBackingOff() || busyWaitBackoffs() > before).toBe(true);
      await stopped();
    });
  });
});
