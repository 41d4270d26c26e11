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
  if (performance.now() - last < windowMs) setImmediate(spin);
  else spinning = false;
}

/**
 * Note socket activity: keep the event loop polling for the next `busyWaitMs`.
 * Cheap enough to call per WebSocket message.
 */
export function busyWaitKick(): void {
  if (windowMs === 0) return;
  last = performance.now();
  if (!spinning) {
    spinning = true;
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

/** The current busy-wait period in milliseconds. */
export function busyWait(): number {
  return windowMs;
}
