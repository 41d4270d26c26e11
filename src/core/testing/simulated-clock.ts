/**
 * SimulatedClock: a `Clock` whose time only moves when a test says so.
 *
 * Why it exists: erlmesh is full of timers — net ticks, `receive ... after`, rpc timeouts,
 * reconnect backoff, latency on the in-memory network. Testing them with real sleeps makes
 * tests slow and flaky, so every timer goes through an injected `Clock`, and tests inject
 * this one and drive time explicitly with `advance(ms)`. A 60 s net-tick timeout is then
 * tested in a few milliseconds of wall time, deterministically.
 *
 * Semantics:
 * - `now()` starts at 0 (or the constructor's value) and only changes in `advance`/`runAll`.
 * - Timers are kept ordered by due time, FIFO among timers due at the same time (so frames
 *   delayed by the same latency keep their order).
 * - `advance(ms)` flushes pending work, then fires every timer due by `now + ms` in order,
 *   flushing again after each one; so a promise chain started by one timer may schedule
 *   further timers, and those also fire within the same `advance` if they are due by then.
 * - "Flush" waits for one real macrotask (the platform's own `setTimeout(…, 0)`, captured
 *   when this module loads, so fake-timer libraries cannot intercept it). A macrotask drains
 *   the whole microtask queue, however deep the `await` chain; a microtask-only flush would
 *   miss chains longer than the number of microtask turns it waits. Work that itself waits
 *   for a real macrotask (I/O) needs further `flush()` calls.
 *
 * @example
 * // Anything that takes a `Clock` runs on simulated time:
 * const clock = new SimulatedClock();
 * const net = new MemoryNetwork({ clock, latencyMs: 50 });
 * // ... a frame sent now is delivered only once the test moves time on:
 * await clock.advance(49);   // not yet delivered
 * await clock.advance(1);    // delivered, without any real waiting
 */
import type { Clock, TimerHandle } from '../base/clock.js';

/** The platform's real setTimeout, captured before any test can fake it. */
const origSetTimeout: (fn: () => void, ms: number) => unknown = globalThis.setTimeout.bind(globalThis);

interface SimTimer {
  readonly id: number;
  readonly due: number;
  /** Insertion order: breaks ties between equal due times (FIFO). */
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A `Clock` on simulated time for tests.
 *
 * @example
 * const clock = new SimulatedClock();
 * const fired: string[] = [];
 * clock.setTimeout(() => fired.push('b'), 20);
 * clock.setTimeout(() => fired.push('a'), 10);
 * await clock.advance(15);   // fired: ['a'], clock.now() === 15
 * await clock.advance(5);    // fired: ['a', 'b'], clock.now() === 20
 */
export class SimulatedClock implements Clock {
  #now: number;
  #seq = 0;
  #nextId = 1;
  /** Sorted by (due, seq). Cancelled timers are removed lazily when they reach the head. */
  #queue: SimTimer[] = [];
  /** Live (not fired, not cancelled) timers by id. */
  #live = new Map<number, SimTimer>();
  #busy = false;

  /** @param start the initial value of `now()`, 0 by default. */
  constructor(start = 0) {
    if (!Number.isFinite(start)) throw new RangeError(`SimulatedClock: bad start time ${start}`);
    this.#now = start;
  }

  /** Simulated milliseconds; changes only inside `advance` and `runAll`. */
  now(): number {
    return this.#now;
  }

  /**
   * Schedule `fn` at `now() + ms` (negative or non-finite `ms` count as 0, as on platforms).
   * Returns an opaque handle for `clearTimeout`.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: SimTimer = { id: this.#nextId++, due: this.#now + delay, seq: this.#seq++, fn, cancelled: false };
    this.#insert(timer);
    this.#live.set(timer.id, timer);
    return timer.id;
  }

  /** Cancel a pending timer. Unknown, fired or already cleared handles are ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (typeof handle !== 'number') return;
    const timer = this.#live.get(handle);
    if (timer === undefined) return;
    timer.cancelled = true;
    this.#live.delete(handle);
  }

  /** Number of timers scheduled and neither fired nor cleared. */
  get pending(): number {
    return this.#live.size;
  }

  /**
   * Move time forward by `ms`, firing every timer due by `now() + ms` in order (FIFO among
   * equal due times). Flushes pending work before starting and after each timer fires, so
   * timers scheduled by async chains that a timer started also fire if they are due in range.
   * Ends with `now()` exactly at the target.
   *
   * If timer callbacks throw, the remaining timers still fire and `advance` then rejects with
   * the first error (or an `AggregateError` when several threw).
   *
   * @example
   * clock.setTimeout(async () => { await somethingAsync(); clock.setTimeout(done, 10); }, 10);
   * await clock.advance(20);   // both the first timer and the chained one fired
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`SimulatedClock.advance: bad duration ${ms}`);
    this.#enter('advance');
    const errors: unknown[] = [];
    try {
      const target = this.#now + ms;
      await this.flush();
      for (;;) {
        const next = this.#peek();
        if (next === undefined || next.due > target) break;
        this.#fire(next, errors);
        await this.flush();
      }
      this.#now = target;
    } finally {
      this.#busy = false;
    }
    throwCollected(errors);
  }

  /**
   * Fire timers, moving time to each one's due time, until none remain (including the ones
   * scheduled along the way). Throws when more than `limit` timers fire: a periodic timer
   * that keeps rescheduling itself would otherwise loop forever.
   *
   * @example
   * await clock.runAll();        // drain every backoff/timeout left
   * expect(clock.pending).toBe(0);
   */
  async runAll(limit = 10_000): Promise<void> {
    this.#enter('runAll');
    const errors: unknown[] = [];
    let fired = 0;
    try {
      await this.flush();
      for (;;) {
        const next = this.#peek();
        if (next === undefined) break;
        if (fired >= limit) {
          throw new Error(
            `SimulatedClock.runAll: more than ${limit} timers fired (${this.pending} still pending at t=${this.#now}); ` +
              'a periodic timer probably reschedules itself forever — use advance(ms) instead',
          );
        }
        this.#fire(next, errors);
        fired++;
        await this.flush();
      }
    } finally {
      this.#busy = false;
    }
    throwCollected(errors);
  }

  /**
   * Let pending promise chains run: waits one real macrotask, which drains the microtask
   * queue completely. Does not move simulated time.
   */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => {
      origSetTimeout(resolve, 0);
    });
  }

  #enter(what: string): void {
    if (this.#busy) {
      throw new Error(`SimulatedClock.${what}: the clock is already advancing (a missing await?)`);
    }
    this.#busy = true;
  }

  #fire(timer: SimTimer, errors: unknown[]): void {
    this.#queue.shift();
    this.#live.delete(timer.id);
    if (timer.due > this.#now) this.#now = timer.due;
    try {
      timer.fn();
    } catch (e) {
      errors.push(e);
    }
  }

  /** The earliest live timer, dropping cancelled ones from the head. */
  #peek(): SimTimer | undefined {
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined || !head.cancelled) return head;
      this.#queue.shift();
    }
  }

  #insert(timer: SimTimer): void {
    // Binary search for the first timer that sorts after `timer`. seq only grows, so among
    // equal due times the new timer goes last: FIFO.
    const q = this.#queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = q[mid] as SimTimer;
      if (other.due < timer.due || (other.due === timer.due && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, timer);
  }
}

function throwCollected(errors: unknown[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} simulated timers threw`);
}
