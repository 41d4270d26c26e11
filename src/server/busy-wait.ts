/**
 * Event-loop busy waiting: Node's version of BEAM's scheduler busy wait (`erl +sbwt`).
 *
 * A Node process waiting for a socket sleeps in the kernel (epoll) and pays a wake-up on
 * every message; on small virtual machines that wake-up costs tens of microseconds, more than
 * the rest of a round trip. BEAM avoids it by letting an idle scheduler spin a little before
 * it sleeps. erlmesh does the same for the one event loop of the process: for
 * `busyWaitMs` after the last socket message sent or received, the loop keeps a
 * `setImmediate` queued, so libuv polls for I/O without sleeping. After that quiet period the
 * process sleeps as before, so an idle node costs no CPU; a node that sees a message every
 * few hundred microseconds keeps one core busy, as BEAM does.
 *
 * Unlike BEAM's spinning schedulers, which `sched_yield`, a Node loop cannot give its core
 * away while it polls, so the spinner checks every SAMPLE_MS of spinning (the first
 * check on its first turn) whether spinning takes a core from someone, and if so sleeps in
 * the kernel for a while instead (a back-off: kicks start no spinning until it ends):
 *
 * - **Crowded machine** (Linux: src/server/runnable-threads.ts). The share of checks that
 *   found more runnable threads on the machine than it has CPUs, a moving average over about
 *   four checks that carries over from one spell of spinning to the next, is above one half:
 *   a sixth process wants a core, or five spinners share two. Back off 5 ms, doubling to
 *   40 ms while the machine stays crowded (back to 5 once the share is below a quarter).
 *   A helper thread that runs for a moment (a GC or compiler thread of V8) does not crowd it;
 *   a few seconds of compiling at start-up do, and 40 ms at most keeps the waiter from missing
 *   the traffic after them.
 * - **Lost core**. Between two checks the process got more than PREEMPTED_MS less CPU
 *   time than wall time: another thread ran on its core, typically the peer that a write
 *   woke, which the kernel queues on the writer's core. Back off 1 ms: the process sleeps, the
 *   peer runs, and the next wake-up puts the process on an idle core again.
 * - **Co-located peer** (Linux, a peer process on the same host: src/server/co-location.ts).
 *   When CO_LOCATION_CHECK_MS pass after a write to such a peer with nothing received, the
 *   spinner looks whether the peer it woke waits on its own CPU (one or two reads of /proc,
 *   6-9 µs); if so it backs off 1 ms at once instead of spinning through the period while the
 *   peer cannot answer. A message received before then cancels the check: a peer that answers
 *   is not held back. Remote spawns between two processes on the bench machine (20 rounds of
 *   10,000 each way, interleaved): time in spawns over 250 µs 30.0 against 56.6 ms per 10,000
 *   without the check, mean 42.3 against 44.7 µs, p99 109 against 116 µs, p50 unchanged;
 *   checking on the first turn after the write, without waiting, cut the stalls further
 *   (24.6 ms) but added 2.2 µs to the p50.
 *
 * Without /proc/loadavg (macOS, Windows) only the lost-core check runs, on every turn of the
 * spin, with the longer back-off that alone must cover a crowded machine (10 ms, doubling to
 * 1 s while the process keeps losing its core, reset by 100 ms of spinning that did not).
 *
 * Measured on the 2-core bench machine, idle, two Node processes (bare TCP echo, 60 bytes,
 * 30,000 round trips, p50): sleeping 36 µs; spinning with no checks 22.5 µs; with these
 * checks 22.6-22.8 µs; with the lost-core rule alone (the rule before this one) 28-33 µs, because
 * a helper thread's moment on the core cost 10 ms or more of sleeping 6-11 times per run.
 * With five spinning processes on the 2 cores (the bench's cross-relay scenario) the checks
 * keep them asleep most of the time: round trips within the spread of runs with busy wait off.
 *
 * It is a property of the process, not of a node: every server-node, relay and direct link
 * in the process kicks the same waiter. Set it with {@link setBusyWait}, the CLI's
 * `--busy-wait <ms>` or `ERLMESH_BUSY_WAIT_MS`; 0 turns it off.
 */
import { badarg } from '../core/base/errors.js';
import { openRunnableThreads, type RunnableThreads } from './runnable-threads.js';
import { openCoLocationProbe, type CoLocationProbe } from './co-location.js';

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

/** How often (ms of spinning) the spinner checks whether it takes a core from someone. */
const SAMPLE_MS = 0.5;
/**
 * CPU time short of wall time (ms) between two checks that means another thread had this
 * process's core.
 */
const PREEMPTED_MS = 0.2;

/**
 * How long after a write to a peer on this host, with nothing received since, the spinner
 * checks whether that peer waits on its CPU (ms): longer than most round trips here
 * (ping-pong and remote spawn 30-40 µs p50), so that the check is rarely paid.
 */
const CO_LOCATION_CHECK_MS = 0.05;
/** The back-off after losing the core to another thread (ms). */
const LOST_CORE_BACKOFF_MS = 1;
/** The back-off on a crowded machine (ms): doubles from MIN to MAX while it stays crowded. */
const CROWDED_BACKOFF_MIN_MS = 5;
const CROWDED_BACKOFF_MAX_MS = 40;
/** Weight of the newest check in the moving share of crowded checks. */
const CROWD_WEIGHT = 0.25;
/** Without a runnable-thread probe: the back-off after a lost core (ms), doubling to MAX. */
const FALLBACK_BACKOFF_MIN_MS = 10;
const FALLBACK_BACKOFF_MAX_MS = 1_000;
/** Without a probe: spinning this long (ms) without losing the core resets the back-off. */
const FALLBACK_CLEAN_SPIN_MS = 100;

/**
 * The probes, each opened when first needed (null: not yet; undefined: none here), so that a
 * process that never spins reads no /proc: the runnable-thread probe at the first kick, the
 * co-location probe at the first write to a peer on this host.
 */
let runnable: RunnableThreads | undefined | null = null;
let coLocation: CoLocationProbe | undefined | null = null;
function machineProbe(): RunnableThreads | undefined {
  if (runnable === null) runnable = openRunnableThreads();
  return runnable;
}
function coLocationProbe(): CoLocationProbe | undefined {
  if (coLocation === null) coLocation = openCoLocationProbe();
  return coLocation;
}

let windowMs = initialWindow();
let last = 0;
let spinning = false;
let quietUntil = 0;
let backoffs = 0;
let lastBackoff: BackoffReason | undefined;

/**
 * Why the spinner last backed off: the machine was crowded, it lost its core to another
 * thread, or a peer it wrote to waited on its CPU.
 */
export type BackoffReason = 'crowded' | 'lost-core' | 'co-located';

// The checks: when the next is due, the wall and CPU clocks at the last one.
let nextCheck = 0;
let checkedAt = -1;
let checkedCpuUs = 0;
/** Moving share of checks that found the machine crowded (0..1); carries over between spells. */
let crowded = 0;
let crowdedBackoffMs = CROWDED_BACKOFF_MIN_MS;
// The co-location check: the peer to look at (0: none) and when.
let peerToCheck = 0;
let peerCheckAt = 0;
// The fallback rule's state.
let spinSince = 0;
let fallbackBackoffMs = FALLBACK_BACKOFF_MIN_MS;

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

/**
 * Wall time (ms) the process spent off the CPU since the last check (its CPU time short of the
 * wall time that passed; 0 at the first check of a spell), and make `t` the last check.
 */
function offCoreSinceCheck(t: number): number {
  const c = cpuUs();
  const off = checkedAt < 0 ? 0 : t - checkedAt - (c - checkedCpuUs) / 1000;
  checkedAt = t;
  checkedCpuUs = c;
  return off;
}

function backOff(t: number, ms: number, why: BackoffReason): void {
  spinning = false;
  backoffs++;
  lastBackoff = why;
  quietUntil = t + ms;
}

/** One turn of the spin, with the machine-wide checks (Linux). */
function spin(): void {
  const t = performance.now();
  if (peerToCheck !== 0 && t >= peerCheckAt) {
    const pid = peerToCheck;
    peerToCheck = 0;
    if (coLocation?.heldBack(pid)) return backOff(t, LOST_CORE_BACKOFF_MS, 'co-located');
  }
  if (t >= nextCheck) {
    nextCheck = t + SAMPLE_MS;
    const offCore = offCoreSinceCheck(t);
    crowded += ((runnable!.read() > runnable!.cpus ? 1 : 0) - crowded) * CROWD_WEIGHT;
    if (crowded > 0.5) {
      backOff(t, crowdedBackoffMs, 'crowded');
      crowdedBackoffMs = Math.min(2 * crowdedBackoffMs, CROWDED_BACKOFF_MAX_MS);
      return;
    }
    if (crowded < 0.25) crowdedBackoffMs = CROWDED_BACKOFF_MIN_MS;
    if (offCore > PREEMPTED_MS) return backOff(t, LOST_CORE_BACKOFF_MS, 'lost-core');
  }
  if (t - last < windowMs) setImmediate(spin);
  else spinning = false;
}

/** One turn of the spin where there is no runnable-thread probe: the lost-core check on every turn. */
function spinFallback(): void {
  const t = performance.now();
  if (offCoreSinceCheck(t) > PREEMPTED_MS) {
    backOff(t, fallbackBackoffMs, 'lost-core');
    fallbackBackoffMs = Math.min(2 * fallbackBackoffMs, FALLBACK_BACKOFF_MAX_MS);
    return;
  }
  if (t - spinSince > FALLBACK_CLEAN_SPIN_MS) fallbackBackoffMs = FALLBACK_BACKOFF_MIN_MS;
  if (t - last < windowMs) setImmediate(spinFallback);
  else spinning = false;
}

/**
 * Note socket activity: keep the event loop polling for the next `busyWaitMs`.
 * Cheap enough to call per socket message. `peerPid`: this is a write to a process on this
 * host with that pid (a direct link's peer, co-location.ts), to be checked if no message
 * comes back soon; any other activity (a message received) cancels that check.
 */
export function busyWaitKick(peerPid?: number): void {
  if (windowMs === 0) return;
  const t = performance.now();
  last = t;
  const probe = machineProbe();
  if (peerPid === undefined) peerToCheck = 0;
  else if (probe && coLocationProbe()) {
    peerToCheck = peerPid;
    peerCheckAt = t + CO_LOCATION_CHECK_MS;
  }
  if (spinning || t < quietUntil) return;
  spinning = true;
  if (probe) {
    // First check on the first turn (after this message's work, off its path).
    nextCheck = t;
    checkedAt = -1;
    setImmediate(spin);
  } else {
    spinSince = checkedAt = t;
    checkedCpuUs = cpuUs();
    setImmediate(spinFallback);
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

/** True while the spinner backs off: it sleeps in the kernel, and kicks start no spinning. */
export function busyWaitBackingOff(): boolean {
  return performance.now() < quietUntil;
}

/** How many times the spinner found it took a core from someone and backed off (for tests and diagnostics). */
export function busyWaitBackoffs(): number {
  return backoffs;
}

/** Why the spinner last backed off (undefined before the first back-off; for tests and diagnostics). */
export function busyWaitLastBackoff(): BackoffReason | undefined {
  return lastBackoff;
}

/** Whether the waiter watches the machine's runnable threads (Linux) or only its own CPU time. */
export function busyWaitWatchesMachine(): boolean {
  return machineProbe() !== undefined;
}

/** The current busy-wait period in milliseconds. */
export function busyWait(): number {
  return windowMs;
}
