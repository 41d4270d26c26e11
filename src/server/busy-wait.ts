/**
 * Event-loop busy waiting: Node's version of BEAM's scheduler busy wait (`erl +sbwt`).
 *
 * A Node process waiting for a socket sleeps in the kernel (epoll) and pays a wake-up on
 * every message; on small virtual machines that wake-up costs tens of microseconds, more than
 * the rest of a round trip. BEAM avoids it by letting an idle scheduler spin a little before
 * it sleeps. erlmesh does the same for the one event loop of the process: for
 * `busyWaitMs` after the last WebSocket message sent or received, the loop keeps a
 * `setImmediate` queued, so libuv polls for I/O without sleeping. After that quiet period the
 * process sleeps as before, so an idle node costs no CPU; a node that sees a message every
 * few hundred microseconds keeps one core busy, as BEAM does.
 *
 * Measured on the 2-core benchmark machine (two Node processes, 60-byte TCP ping-pong):
 * round trip p50 about 100 µs sleeping, 12 µs busy waiting on both ends; erlmesh ping-pong
 * p50 111 → 19 µs, rpc.call p50 146 → 33 µs.
 *
 * Unlike BEAM's spinning schedulers, which `sched_yield`, a Node loop cannot give its core
 * away while it polls. So the spinner watches for losing its core: a turn of the spin that
 * comes more than PREEMPTED_MS of wall time after the one before, beyond the CPU time the
 * process used meanwhile, means another thread ran there (the peer, a GC helper, other work
 * of the machine). The spinner then sleeps in the kernel for a back-off (10 ms, doubling to
 * 1 s while it keeps losing its core, reset by 100 ms of spinning that did not): on a machine
 * with more runnable threads than cores, spinning only takes the core from whoever is to
 * answer. Measured on the 2-core bench machine at load 9-11 (other work), p50 / mean of
 * back-to-back round trips with spinning always on, adaptive, and off: remote spawn
 * 1.15-1.35 ms / 1.3-2.9 ms, 118-188 µs / 142-579 µs, 113-182 µs / 144-618 µs; ping-pong
 * 1.1-1.2 ms, 114-153 µs, 63-85 µs.
 *
 * It is a property of the process, not of a node: every server-node, relay and direct link
 * in the process kicks the same waiter. Set it with {@link setBusyWait}, the CLI's
 * `--busy-wait <ms>` or `ERLMESH_BUSY_WAIT_MS`; 0 turns it off.
 */
import { badarg } from '../core/base/errors.js';

/**
 * The default quiet period before the event loop may sleep again, in milliseconds: long enough
 * to cover a reply and the steps of a short exchange (an rpc round trip is ~35 µs here, a
 * global registration ~120 µs), short enough that a pause (a GC, the other process's turn on a
 * busy core) lets the process sleep and give its core away. Measured on the 2-core bench
 * machine (p50 / p99): ping-pong 19 µs / 0.7 ms at 0.2 ms, 19 µs / 1.2 ms at 0.5, 19 µs / 2.0
 * ms at 1; global.registerName p50 330 µs at 0.2, 120 µs at 0.5 and at 1.
 * $ERLMESH_BUSY_WAIT_MS overrides it at start.
 *
 * @example
 * setBusyWait(2 * DEFAULT_BUSY_WAIT_MS); // a loaded machine: poll a little longer
 */
export const DEFAULT_BUSY_WAIT_MS = 0.5;

let windowMs = initialWindow();
let last = 0;
let spinning = false;

/**
 * Off-core time (ms) between two turns of the spin that means another thread had this
 * process's core: the wall time between the turns minus the process's CPU time over it.
 */
const PREEMPTED_MS = 0.2;
/** How long a spinner that lost its core sleeps in the kernel instead (ms); doubles while it keeps losing it. */
const BACKOFF_MIN_MS = 10;
const BACKOFF_MAX_MS = 1_000;
/** Spinning this long (ms) without losing the core resets the back-off. */
const CLEAN_SPIN_MS = 100;
let turnAt = 0;
let turnCpuUs = 0;
let spinSince = 0;
let backoffMs = BACKOFF_MIN_MS;
let quietUntil = 0;
let backoffs = 0;

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function initialWindow(): number {
  const env = typeof process !== 'undefined' ? process.env.ERLMESH_BUSY_WAIT_MS : undefined;
  if (env === undefined || env === '') return DEFAULT_BUSY_WAIT_MS;
  const v = Number(env);
  if (env.trim() !== '' && Number.isFinite(v) && v >= 0) return v;
  process.emitWarning(`ERLMESH_BUSY_WAIT_MS=${env} is not a number of milliseconds >= 0; using ${DEFAULT_BUSY_WAIT_MS}`, {
    code: 'ERLMESH_BAD_BUSY_WAIT',
  });
  return DEFAULT_BUSY_WAIT_MS;
}

function spin(): void {
  const t = performance.now();
  const c = cpuUs();
  const offCore = t - turnAt - (c - turnCpuUs) / 1000;
  turnAt = t;
  turnCpuUs = c;
  if (offCore > PREEMPTED_MS) {
    // The machine has more runnable threads than cores: spinning now only takes a core from
    // whoever is to answer (the peer, a GC helper). Sleep in the kernel for a while instead.
    spinning = false;
    backoffs++;
    quietUntil = t + backoffMs;
    backoffMs = Math.min(2 * backoffMs, BACKOFF_MAX_MS);
    return;
  }
  if (t - spinSince > CLEAN_SPIN_MS) backoffMs = BACKOFF_MIN_MS;
  if (t - last < windowMs) setImmediate(spin);
  else spinning = false;
}

/**
 * Note socket activity: keep the event loop polling for the next `busyWaitMs`.
 * Cheap enough to call per WebSocket message.
 */
export function busyWaitKick(): void {
  if (windowMs === 0) return;
  const t = performance.now();
  last = t;
  if (!spinning && t >= quietUntil) {
    spinning = true;
    spinSince = turnAt = t;
    turnCpuUs = cpuUs();
    setImmediate(spin);
  }
}

/**
 * Set how long the event loop keeps polling after the last message, in milliseconds
 * (0: never busy wait; sleep in the kernel at once, as plain Node does).
 *
 * @example
 * import { setBusyWait } from 'erlmesh/server';
 * setBusyWait(0); // a laptop on battery: no spinning
 */
export function setBusyWait(ms: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw badarg(`busy wait must be a finite number of milliseconds >= 0, got ${String(ms)}`, ms);
  }
  windowMs = ms;
}

/** True while the event loop is being kept polling (for tests and diagnostics). */
export function busyWaiting(): boolean {
  return spinning;
}

/** True while a spinner that lost its core sleeps in the kernel instead (kicks start no spinning). */
export function busyWaitBackingOff(): boolean {
  return performance.now() < quietUntil;
}

/** How many times the spinner found it had lost its core and stopped (for tests and diagnostics). */
export function busyWaitBackoffs(): number {
  return backoffs;
}

/** The current busy-wait period in milliseconds. */
export function busyWait(): number {
  return windowMs;
}
