/**
 * The clock every timer in erlmesh goes through: receive timeouts, rpc timeouts, ticks and
 * reconnect backoff. Inject `SimulatedClock` (src/core/testing) to run them on simulated time.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds, monotonic within one clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The platform's own timers; works in Node and browsers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
