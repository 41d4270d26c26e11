/**
 * The clock every timer in erlmesh goes through: receive timeouts, rpc timeouts, ticks and
 * reconnect backoff. Inject `SimulatedClock` (src/core/testing) to run them on simulated time.
 */
/**
 * What a `Clock`'s `setTimeout` returns, for its `clearTimeout`.
 *
 * @example
 * const t: TimerHandle = realClock.setTimeout(() => console.log('late'), 1_000);
 * realClock.clearTimeout(t);
 */
export type TimerHandle = unknown;

/**
 * A source of time and timers (`realClock`, or `SimulatedClock` from `erlmesh/testing`);
 * `startNode({ clock })` takes one.
 *
 * @example
 * const clock: Clock = new SimulatedClock();
 * const node = await startNode({ sname: 'a', cookie: 'c', transport: net.transport(), clock });
 */
export interface Clock {
  /** Milliseconds, monotonic within one clock. */
  now(): number;
  /** Call `fn` once, after `ms` (any delay up to Infinity, which never fires). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The longest delay the platform's timers take (2^31 − 1 ms, about 24.8 days): Node and
 * browsers fire a longer one at once, with at most a warning.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

type Platform = ReturnType<typeof setTimeout>;

/** A long delay, waited for in steps of at most MAX_TIMER_MS. */
class LongTimer {
  current: Platform | undefined;
  constructor(
    private readonly fn: () => void,
    private readonly due: number,
  ) {
    this.arm();
  }
  private arm(): void {
    const left = this.due - performance.now();
    if (left <= MAX_TIMER_MS) this.current = setTimeout(this.fn, Math.max(0, left)) as Platform;
    else this.current = setTimeout(() => this.arm(), MAX_TIMER_MS) as Platform;
  }
}

/** A delay of Infinity: nothing to wait for. */
const NEVER = Object.freeze({ never: true });

/**
 * The platform's own timers; works in Node and browsers. Delays beyond MAX_TIMER_MS are
 * chained, and Infinity never fires, so any timeout means what it says.
 *
 * @example
 * const t = realClock.setTimeout(() => console.log('a month later'), 30 * 86_400_000);
 * realClock.clearTimeout(t);
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    if (ms === Infinity) return NEVER;
    if (ms > MAX_TIMER_MS) return new LongTimer(fn, performance.now() + ms);
    return setTimeout(fn, ms);
  },
  clearTimeout: (h) => {
    if (h === NEVER) return;
    if (h instanceof LongTimer) return clearTimeout(h.current);
    clearTimeout(h as Platform);
  },
};
