/**
 * A process mailbox with Erlang's selective receive: a receive takes the first queued message
 * its matcher accepts; the others stay queued, in arrival order, for later receives.
 *
 * At most one receive waits at a time. A waiting receive is woken by the first new message it
 * accepts, or by its timeout (one clock timer, only while waiting with a finite timeout), so an
 * idle process costs no timer.
 *
 * Cost model (this is on every local message):
 * - The queue is a ring buffer (power-of-two capacity) created on the first message that has
 *   to wait in it, and dropped again when a large one empties: an idle process, or one whose
 *   messages always find it waiting, has none. Enqueue and taking the oldest message are O(1);
 *   taking the message at position i (selective receive) moves the shorter side, O(min(i, n-i)).
 * - A delivery that finds the receive waiting resolves it directly (nothing queued, no
 *   closure); a receive that finds its message queued returns `Promise.resolve(msg)`.
 * - The waiting receive is two fields of the mailbox, not an object of its own; its timer, when
 *   it has a finite timeout, is in a side table (flag TIMED), so an idle process has no slot for it.
 * - A queue limit (`setLimit`, `self.setMaxMailbox`) costs nothing on the common path: the
 *   test for a closed mailbox also tests the LIMITED bit (one mask), and there is no field: its state lives in a side table (a WeakMap), made when
 *   a limit is first set, so a process without one is no bigger.
 *
 * Counting (the observer): `startCounting()` sets a flag bit tested by the same mask as the
 * two rare cases above, so a mailbox nobody counts pays nothing; a counted one takes the
 * slower branch, which adds one to its count in a side table (`received`).
 *
 * Queue limit: with a limit of n set, a message that would be queued behind n others is
 * dropped instead, and counted (`dropped`). The first drop queues ONE notice past the limit,
 * `['mailbox_overflow', pid, droppedSoFar]` (a Proc's pid; a bare Mailbox has none); the next
 * notice comes only after the queue has gone below the limit again (a message was queued
 * normally) and then overflowed again. A message that finds a receive waiting for it is never
 * dropped: it does not queue. So a drop is never silent.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import { badarg } from '../base/errors.js';

import { TIMEOUT, type Timeout } from '../base/timeout.js';
import type { Matcher } from '../interfaces/self.js';

export { TIMEOUT, type Timeout, type Matcher };

type Resolve = (v: unknown) => void;

function accepts(match: Matcher, msg: unknown): boolean {
  try {
    return match(msg) === true;
  } catch {
    return false;
  }
}

/** `flags` bit set by close(). */
export const CLOSED = 1;
/** `flags` bit set while a queue limit is set (setLimit). */
export const LIMITED = 2;
/** `flags` bit set while the waiting receive has a timer (kept in `timers`). */
const TIMED = 4;
/** `flags` bit set once an observer counts this mailbox's messages (startCounting). */
const COUNTED = 8;
/** The bits of `flags` that Mailbox uses; the bits from `1 << MAILBOX_FLAG_BITS` up are free for a subclass (Proc). */
export const MAILBOX_FLAG_BITS = 4;

/**
 * The timer of each waiting receive that has a finite timeout: a side table rather than a
 * field, so that an idle process (waiting without a timeout) is 8 bytes smaller. An entry lives
 * from the receive until it is woken, times out, or the mailbox closes.
 */
const timers = new Map<Mailbox<Clock>, TimerHandle>();

/** A queue limit's state (made on the first setLimit). */
interface Limit {
  max: number;
  /** Messages dropped so far (kept when the limit is removed). */
  dropped: number;
  /** A notice may be queued at the next drop (the queue went below the limit since the last one). */
  armed: boolean;
}

/** Limit state by mailbox; only mailboxes that ever had a limit have an entry. */
const limits = new WeakMap<object, Limit>();

/** Messages delivered since counting started, by mailbox; only counted mailboxes have an entry. */
const counts = new WeakMap<object, number>();

/** First ring capacity; a queue that has grown beyond SHRINK_ABOVE is dropped when it empties. */
const INITIAL_CAPACITY = 8;
const SHRINK_ABOVE = 64;

/**
 * `new Promise(capture)` hands its resolve function to `captured` synchronously: one executor
 * for every receive instead of a closure per receive.
 */
let captured: Resolve | undefined;
function capture(resolve: Resolve): void {
  captured = resolve;
}

function noop(): void {}

/** A promise that never settles (a receive in a dead process). Fresh each time, so it can be collected. */
function never(): Promise<never> {
  return new Promise<never>(noop);
}

export class Mailbox<K extends Clock = Clock> {
  /** The queued messages; undefined until one has to wait (and again after a large queue empties). */
  private queue: Ring | undefined = undefined;
  /** The waiting receive: its resolve (undefined when none waits) and matcher (its timer: `timers`, TIMED). */
  private waitResolve: Resolve | undefined = undefined;
  private waitMatch: Matcher | undefined = undefined;
  /** CLOSED, LIMITED, and a subclass's bits above them. */
  protected flags = 0;

  /** `clock` runs receive timeouts (a Proc passes an object that is also its runtime's ProcHost). */
  constructor(protected readonly clock: K) {}

  get length(): number {
    return this.queue === undefined ? 0 : this.queue.size;
  }

  /** A copy of the queued messages, oldest first. */
  peek(): unknown[] {
    return this.queue === undefined ? [] : this.queue.toArray();
  }

  /** Add a message; wakes the waiting receive if it accepts it. */
  deliver(msg: unknown): void {
    // One test for the rare cases (closed, limited, counted): the common path pays nothing for them.
    if ((this.flags & (CLOSED | LIMITED | COUNTED)) !== 0) {
      this.deliverLimited(msg);
      return;
    }
    // wake(), written out: this is the hot path.
    const resolve = this.waitResolve;
    if (resolve !== undefined) {
      const match = this.waitMatch;
      if (match === undefined || accepts(match, msg)) {
        this.waitResolve = undefined;
        this.waitMatch = undefined;
        if ((this.flags & TIMED) !== 0) this.stopTimer();
        resolve(msg);
        return;
      }
    }
    (this.queue ??= new Ring()).push(msg);
  }

  /** Hand `msg` to the waiting receive if it accepts it; true if it did. */
  private wake(msg: unknown): boolean {
    const resolve = this.waitResolve;
    if (resolve === undefined) return false;
    const match = this.waitMatch;
    if (match !== undefined && !accepts(match, msg)) return false;
    this.waitResolve = undefined;
    this.waitMatch = undefined;
    if ((this.flags & TIMED) !== 0) this.stopTimer();
    resolve(msg);
    return true;
  }

  /** Cancel the waiting receive's timer. */
  private stopTimer(): void {
    this.flags &= ~TIMED;
    const t = timers.get(this);
    if (t !== undefined) {
      timers.delete(this);
      this.clock.clearTimeout(t);
    }
  }

  /**
   * deliver() when closed (drop), counted or limited: a waiting receive that accepts `msg`
   * takes it; else with no limit it queues; below the limit it queues, at the limit it is
   * dropped, counted, and noticed once.
   */
  private deliverLimited(msg: unknown): void {
    if ((this.flags & CLOSED) !== 0) return;
    if ((this.flags & COUNTED) !== 0) counts.set(this, (counts.get(this) ?? 0) + 1);
    if (this.wake(msg)) return;
    if ((this.flags & LIMITED) === 0) {
      (this.queue ??= new Ring()).push(msg);
      return;
    }
    const lim = limits.get(this)!;
    const q = (this.queue ??= new Ring());
    if (q.size < lim.max) {
      lim.armed = true;
      q.push(msg);
      return;
    }
    lim.dropped++;
    if (!lim.armed) return;
    lim.armed = false;
    q.push(this.overflowNotice(lim.dropped));
  }

  /** The message queued at an overflow; a Proc names itself in it. */
  protected overflowNotice(droppedSoFar: number): unknown {
    return ['mailbox_overflow', undefined, droppedSoFar];
  }

  /**
   * Limit the queue to `max` messages (a positive integer), or remove the limit (undefined).
   * Returns the previous limit. Messages already queued stay, whatever their number.
   *
   * @example
   * mb.setLimit(1000);       // undefined (there was none)
   * mb.setLimit(undefined);  // 1000
   */
  setLimit(max: number | undefined): number | undefined {
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw badarg(`mailbox limit must be a positive integer or undefined, got ${String(max)}`);
    }
    const old = this.limit;
    const lim = limits.get(this);
    if (max === undefined) {
      this.flags &= ~LIMITED;
      if (lim !== undefined) lim.max = Infinity;
      return old;
    }
    if (lim === undefined) limits.set(this, { max, dropped: 0, armed: true });
    else lim.max = max;
    this.flags |= LIMITED;
    return old;
  }

  /** The queue limit, or undefined for none. */
  get limit(): number | undefined {
    return (this.flags & LIMITED) !== 0 ? limits.get(this)!.max : undefined;
  }

  /**
   * Count the messages delivered from now on (an observer asked); idempotent. The count is
   * `received`.
   *
   * @example
   * mb.startCounting();
   * mb.deliver('hello');
   * mb.received; // 1
   */
  startCounting(): void {
    if ((this.flags & COUNTED) !== 0) return;
    counts.set(this, 0);
    this.flags |= COUNTED;
  }

  /** Stop counting (the observer has gone): deliveries take the common path again. */
  stopCounting(): void {
    this.flags &= ~COUNTED;
    counts.delete(this);
  }

  /** Messages delivered since `startCounting()` (dropped ones included), or undefined when not counted. */
  get received(): number | undefined {
    return (this.flags & COUNTED) !== 0 ? counts.get(this) : undefined;
  }

  /** Messages dropped because the queue was at its limit. */
  get dropped(): number {
    return limits.get(this)?.dropped ?? 0;
  }

  /**
   * Take the first message `match` accepts, waiting up to `timeoutMs` (forever if undefined).
   * Resolves `TIMEOUT` when the time passes first.
   */
  receive(match?: Matcher, timeoutMs?: number): Promise<unknown> {
    if (match !== undefined && typeof match !== 'function') {
      const hint = typeof match === 'number' ? ` (any message within ${match} ms is receive(undefined, ${match}))` : '';
      return Promise.reject(badarg(`receive: the pattern must be a function (msg) => boolean, got ${typeof match === 'string' ? JSON.stringify(match) : typeof match}${hint}`));
    }
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0)) {
      return Promise.reject(badarg(`receive timeout must be a number >= 0, got ${String(timeoutMs)}`));
    }
    if (this.waitResolve !== undefined) return Promise.reject(badarg('a receive is already waiting in this process'));
    if ((this.flags & CLOSED) !== 0) return never();
    const q = this.queue;
    if (q !== undefined && q.size !== 0) {
      const i = match === undefined ? 0 : q.find(match);
      if (i >= 0) {
        const msg = q.removeAt(i);
        if (q.size === 0 && q.large) this.queue = undefined;
        return Promise.resolve(msg);
      }
    }
    if (timeoutMs === 0) return Promise.resolve(TIMEOUT);
    const p = new Promise<unknown>(capture);
    const resolve = captured!;
    captured = undefined;
    this.waitResolve = resolve;
    this.waitMatch = match;
    if (timeoutMs !== undefined && timeoutMs !== Infinity) {
      const t = this.clock.setTimeout(() => {
        if (this.waitResolve !== resolve) return;
        this.waitResolve = undefined;
        this.waitMatch = undefined;
        this.flags &= ~TIMED;
        timers.delete(this);
        resolve(TIMEOUT);
      }, timeoutMs);
      timers.set(this, t);
      this.flags |= TIMED;
    }
    return p;
  }

  /** Remove (and return) every queued message that `match` accepts. */
  drain(match?: Matcher): unknown[] {
    const all = this.peek();
    this.queue = undefined;
    if (match === undefined) return all;
    const taken: unknown[] = [];
    for (const m of all) {
      if (accepts(match, m)) taken.push(m);
      else (this.queue ??= new Ring()).push(m);
    }
    return taken;
  }

  /** The process died: drop the queue; a waiting receive never resolves. */
  close(): void {
    this.flags |= CLOSED;
    this.queue = undefined;
    this.waitResolve = undefined;
    this.waitMatch = undefined;
    if ((this.flags & TIMED) !== 0) this.stopTimer();
  }
}

/** A FIFO of messages in a ring buffer (power-of-two capacity), with removal at any position. */
class Ring {
  private buf: unknown[] = new Array<unknown>(INITIAL_CAPACITY);
  private head = 0;
  size = 0;

  /** Worth dropping when empty (a small one is kept for the next messages). */
  get large(): boolean {
    return this.buf.length > SHRINK_ABOVE;
  }

  push(msg: unknown): void {
    let buf = this.buf;
    if (this.size === buf.length) buf = this.grow(buf);
    buf[(this.head + this.size) & (buf.length - 1)] = msg;
    this.size++;
  }

  /** Position (from the oldest) of the first message `match` accepts, or -1. */
  find(match: Matcher): number {
    const buf = this.buf;
    const mask = buf.length - 1;
    const h = this.head;
    for (let i = 0; i < this.size; i++) {
      if (accepts(match, buf[(h + i) & mask])) return i;
    }
    return -1;
  }

  /** Take the message at position `i` (0: the oldest), keeping the others in order. */
  removeAt(i: number): unknown {
    const buf = this.buf;
    const mask = buf.length - 1;
    const h = this.head;
    const n = this.size;
    const msg = buf[(h + i) & mask];
    if (i < n >> 1) {
      // Move the i older messages one slot towards the newer end.
      for (let j = i; j > 0; j--) buf[(h + j) & mask] = buf[(h + j - 1) & mask];
      buf[h] = undefined;
      this.head = (h + 1) & mask;
    } else {
      // Move the newer messages one slot towards the older end.
      for (let j = i; j < n - 1; j++) buf[(h + j) & mask] = buf[(h + j + 1) & mask];
      buf[(h + n - 1) & mask] = undefined;
    }
    if (--this.size === 0) this.head = 0;
    return msg;
  }

  toArray(): unknown[] {
    const buf = this.buf;
    const mask = buf.length - 1;
    const out = new Array<unknown>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = buf[(this.head + i) & mask];
    return out;
  }

  private grow(old: unknown[]): unknown[] {
    const cap = old.length;
    const buf = new Array<unknown>(cap * 2);
    for (let i = 0; i < cap; i++) buf[i] = old[(this.head + i) & (cap - 1)];
    this.head = 0;
    this.buf = buf;
    return buf;
  }
}
