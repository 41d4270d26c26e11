/**
 * Back-pressure, as TCP would give between two Erlang nodes: when a receiver has more than the
 * high-water mark waiting, the router stops reading from its senders until it drains. One
 * socket per node, so a paused node waits for all its traffic (Erlang's busy dist port
 * suspends the sender the same way). A receiver that stays above the mark for
 * `slowConsumerMs`, or whose backlog passes `maxBufferedBytes`, is cut as a slow consumer.
 *
 * Time comes from the injected `Clock`; the cut itself is the router's (`cut`).
 */
import type { Clock } from '../../core/base/clock.js';
import type { Session } from './session.js';

export interface FlowLimits {
  readonly highWaterBytes: number;
  readonly slowConsumerMs: number;
  readonly maxBufferedBytes: number;
}

export class FlowControl {
  constructor(
    private readonly limits: FlowLimits,
    private readonly clock: Clock,
    /** Close `s` as a slow consumer (logging `detail`). */
    private readonly cut: (s: Session, detail: string) => void,
  ) {}

  /** Whether `s` may be sent to; a backlog above `maxBufferedBytes` cuts it first. */
  canSend(s: Session): boolean {
    if (s.state === 'gone') return false;
    const backlog = s.conn.bufferedAmount;
    if (backlog > this.limits.maxBufferedBytes) {
      this.cut(s, `${backlog} bytes buffered > ${this.limits.maxBufferedBytes}`);
      return false;
    }
    return true;
  }

  /** `from` just sent to `to`: pause `from` if `to` is above the high-water mark. */
  pressure(from: Session, to: Session): void {
    if (to.state === 'gone' || to.conn.bufferedAmount <= this.limits.highWaterBytes) return;
    if (to.highSince === undefined) {
      to.highSince = this.clock.now();
      to.conn.onDrain(() => this.drained(to));
      // A receiver that never drains must not hold its senders forever.
      // Each episode above the mark has its own timer, cleared when it drains: a timer left
      // from an earlier episode would cut a receiver that has only just gone above again.
      const timer = this.clock.setTimeout(() => {
        to.slowTimer = undefined;
        if (to.state === 'gone' || to.highSince === undefined) return;
        if (to.conn.bufferedAmount <= this.limits.highWaterBytes) return this.drained(to);
        this.cut(to, `above ${this.limits.highWaterBytes} bytes buffered for ${this.clock.now() - to.highSince} ms`);
      }, this.limits.slowConsumerMs);
      (timer as { unref?: () => void } | undefined)?.unref?.();
      to.slowTimer = timer;
    }
    if (from === to || from.state === 'gone') return;
    to.blocking ??= new Set();
    if (!to.blocking.has(from)) {
      to.blocking.add(from);
      from.pausedBy = (from.pausedBy ?? 0) + 1;
    }
    from.conn.pauseReading(); // again, in case the socket was resumed under us
  }

  /** `to`'s backlog was written out (or `to` is gone): let its senders go on. */
  drained(to: Session, force = false): void {
    if (!force && to.state !== 'gone' && to.conn.bufferedAmount > this.limits.highWaterBytes) {
      to.conn.onDrain(() => this.drained(to)); // not yet: wait for the next drain
      return;
    }
    to.highSince = undefined;
    if (to.slowTimer !== undefined) {
      this.clock.clearTimeout(to.slowTimer);
      to.slowTimer = undefined;
    }
    const senders = to.blocking;
    to.blocking = undefined;
    for (const from of senders ?? []) {
      from.pausedBy = (from.pausedBy ?? 1) - 1;
      if (from.pausedBy <= 0 && from.state !== 'gone') from.conn.resumeReading();
    }
  }
}
