/**
 * Two small limiters on an injected clock, used by the capability guard (guard.ts) and, for
 * the token bucket, by the relay's per-socket rate limit (src/server/relay/rate-limit.ts):
 *
 * - {@link TokenBucket}: signals per second from one connection. It starts full (the burst),
 *   refills continuously at `ratePerSecond`, and each signal takes one token; a signal that
 *   finds less than one token is over the limit.
 * - {@link LogLimiter}: log lines per key (a peer) per second. The first `perSecond` lines of
 *   a one-second window are written; the rest are counted, and one summary line says how many
 *   were left out when the window ends. A refusal is thus never silent, and a flood of them
 *   cannot flood the log.
 */
import type { Clock, TimerHandle } from '../base/clock.js';

/**
 * A token bucket: `ratePerSecond` tokens per second, holding at most `burst`.
 *
 * @example
 * const b = new TokenBucket(clock, 10, 20);
 * for (let i = 0; i < 20; i++) b.take();  // true ×20 (the burst)
 * b.take();                               // false
 * await clock.advance(100);               // +1 token
 * b.take();                               // true
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    /** Only its `now()` is used (the relay passes a monotonic one of its own). */
    private readonly clock: Pick<Clock, 'now'>,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Take one token: false when there is none (over the limit). */
  take(): boolean {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface Window {
  start: number;
  written: number;
  suppressed: number;
  timer: TimerHandle | undefined;
}

/**
 * At most `perSecond` lines per key per one-second window, then one summary line per window.
 *
 * @example
 * const lim = new LogLimiter(clock, 10, (text) => node.log('warning', text));
 * lim.line('tab-1@host', 'refused …');   // written (the first 10 of a second), else counted
 */
export class LogLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly write: (text: string) => void,
    private readonly summary: (key: string, suppressed: number) => string = (key, n) =>
      `${n} more line${n === 1 ? '' : 's'} about ${key} in the last second were not logged`,
  ) {}

  /** Forget `key` (its peer went away); a pending summary is still written. */
  forget(key: string): void {
    if (this.windows.get(key)?.timer === undefined) this.windows.delete(key);
  }

  /** Write `text` for `key`, unless `key` has had its share of this second. */
  line(key: string, text: string): void {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (w && now - w.start >= 1000 && w.timer === undefined) w = undefined;
    if (!w) {
      w = { start: now, written: 0, suppressed: 0, timer: undefined };
      this.windows.set(key, w);
    }
    if (w.written < this.perSecond) {
      w.written++;
      this.write(text);
      return;
    }
    w.suppressed++;
    if (w.timer !== undefined) return;
    // The summary is written when the window ends, whether or not more lines come.
    const win = w;
    win.timer = this.clock.setTimeout(
      () => {
        if (this.windows.get(key) === win) this.windows.delete(key);
        this.write(this.summary(key, win.suppressed));
      },
      Math.max(0, win.start + 1000 - now),
    );
  }
}
