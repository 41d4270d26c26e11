/**
 * A process mailbox with Erlang's selective receive: a receive takes the first queued message
 * its matcher accepts; the others stay queued, in arrival order, for later receives.
 *
 * At most one receive waits at a time. A waiting receive is woken by the first new message it
 * accepts, or by its timeout (one clock timer, only while waiting with a finite timeout), so an
 * idle process costs no timer.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { badarg } from '../errors.js';

/** The value a receive resolves to when its timeout passes (Erlang's `after`). */
export const TIMEOUT: unique symbol = Symbol.for('erlmesh.TIMEOUT');
export type Timeout = typeof TIMEOUT;

/** A receive pattern. A matcher that throws counts as no match, as a failing guard does. */
export type Matcher = (msg: any) => boolean;

interface Waiter {
  match: Matcher | undefined;
  resolve(v: unknown): void;
  timer: TimerHandle | undefined;
}

function accepts(match: Matcher | undefined, msg: unknown): boolean {
  if (!match) return true;
  try {
    return match(msg) === true;
  } catch {
    return false;
  }
}

export class Mailbox {
  private queue: unknown[] = [];
  private waiter: Waiter | undefined;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  get length(): number {
    return this.queue.length;
  }

  /** A copy of the queued messages, oldest first. */
  peek(): unknown[] {
    return this.queue.slice();
  }

  /** Add a message; wakes the waiting receive if it accepts it. */
  deliver(msg: unknown): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w && accepts(w.match, msg)) {
      this.waiter = undefined;
      if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
      w.resolve(msg);
      return;
    }
    this.queue.push(msg);
  }

  /**
   * Take the first message `match` accepts, waiting up to `timeoutMs` (forever if undefined).
   * Resolves `TIMEOUT` when the time passes first.
   */
  receive(match?: Matcher, timeoutMs?: number): Promise<unknown> {
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
      return Promise.reject(badarg(`receive timeout must be a number >= 0, got ${String(timeoutMs)}`));
    }
    if (this.waiter) return Promise.reject(badarg('a receive is already waiting in this process'));
    if (this.closed) return new Promise(() => {});
    const q = this.queue;
    for (let i = 0; i < q.length; i++) {
      const m = q[i];
      if (accepts(match, m)) {
        if (i === 0) q.shift();
        else q.splice(i, 1);
        return Promise.resolve(m);
      }
    }
    if (timeoutMs === 0) return Promise.resolve(TIMEOUT);
    return new Promise((resolve) => {
      const w: Waiter = { match, resolve, timer: undefined };
      if (timeoutMs !== undefined && timeoutMs !== Infinity) {
        w.timer = this.clock.setTimeout(() => {
          if (this.waiter === w) {
            this.waiter = undefined;
            resolve(TIMEOUT);
          }
        }, timeoutMs);
      }
      this.waiter = w;
    });
  }

  /** Remove (and return) every queued message that `match` accepts. */
  drain(match?: Matcher): unknown[] {
    const taken: unknown[] = [];
    const kept: unknown[] = [];
    for (const m of this.queue) (accepts(match, m) ? taken : kept).push(m);
    this.queue = kept;
    return taken;
  }

  /** The process died: drop the queue; a waiting receive never resolves. */
  close(): void {
    this.closed = true;
    this.queue = [];
    const w = this.waiter;
    this.waiter = undefined;
    if (w?.timer !== undefined) this.clock.clearTimeout(w.timer);
  }
}
