/**
 * The relay's per-connection message-rate limit: a token bucket over every WebSocket message a
 * node sends (text, binary, and WebSocket ping/pong control frames, which `ws` answers on its
 * own and so also cost the relay), before and after admission.
 *
 * A bucket holds at most `burst` tokens and gains `perSecond` tokens a second; each message
 * takes one. A message that finds the bucket empty gets its socket closed with
 * CLOSE_CODES.rate_limited (4420) and reason `rate_limited` (relay.ts does the closing and the
 * logging, like the other cuts). A limit of `undefined` lets everything through.
 *
 * Every connection gets a `RateLimiter` (relay.ts attaches it to the connection's `Conn`), so
 * the router can give one connection its own limit later without knowing about WebSockets:
 *
 *   setRateLimit(s.conn, { perSecond: 1_000, burst: 2_000 });   // e.g. on admitting a ticket holder
 *
 * Why messages and not bytes: bytes are already capped per message (maxFrameBytes) and per
 * receiver (back-pressure, maxBufferedBytes); what a flood of tiny messages costs is the
 * relay's per-message work (parse, route), which only a count bounds.
 */

import { TokenBucket } from '../../core/trust/limits.js';

/** A sustained rate and the bucket size (the largest burst let through at once). */
export interface RateLimit {
  /** Messages per second, sustained. */
  perSecond: number;
  /** Bucket size: messages let through back to back after a quiet spell. */
  burst: number;
}

/** Milliseconds on a monotonic clock. */
export type Now = () => number;

const monotonic: Now = () => performance.now();

/** A socket's limiter: the core token bucket, replaceable (`set`), or no limit at all. */
export class RateLimiter {
  private bucket: TokenBucket | undefined;
  private current: RateLimit | undefined;
  private readonly clock: { now: Now };

  constructor(limit: RateLimit | undefined, now: Now = monotonic) {
    this.clock = { now };
    this.set(limit);
  }

  /** The limit in force (undefined: none). */
  get limit(): RateLimit | undefined {
    return this.current;
  }

  /** Replace the limit; the bucket starts full. */
  set(limit: RateLimit | undefined): void {
    if (limit !== undefined) checkRateLimit(limit);
    this.current = limit === undefined ? undefined : { perSecond: limit.perSecond, burst: limit.burst };
    this.bucket = limit === undefined ? undefined : new TokenBucket(this.clock, limit.perSecond, limit.burst);
  }

  /** Count one message: false when it is over the limit. */
  take(): boolean {
    return this.bucket === undefined || this.bucket.take();
  }
}

/** Throws a TypeError unless `l` is a sane limit (positive finite rate, burst ≥ 1). */
export function checkRateLimit(l: RateLimit): void {
  const ok =
    l !== null &&
    typeof l === 'object' &&
    typeof l.perSecond === 'number' &&
    Number.isFinite(l.perSecond) &&
    l.perSecond > 0 &&
    Number.isSafeInteger(l.burst) &&
    l.burst >= 1;
  if (!ok) throw new TypeError(`a rate limit is { perSecond > 0, burst ≥ 1 (integer) }, got ${JSON.stringify(l)}`);
}

const limiters = new WeakMap<object, RateLimiter>();

/** Attach `limiter` to a connection (relay.ts, for each new socket). */
export function attachRateLimiter(conn: object, limiter: RateLimiter): void {
  limiters.set(conn, limiter);
}

/** The limiter of a connection, if relay.ts attached one. */
export function rateLimiterOf(conn: object): RateLimiter | undefined {
  return limiters.get(conn);
}

/**
 * Give one connection its own limit (undefined: none), replacing the relay-wide default, e.g.
 * a stricter one for a node admitted with a join ticket. False when the connection has no
 * limiter (not a relay socket).
 */
export function setRateLimit(conn: object, limit: RateLimit | undefined): boolean {
  const l = limiters.get(conn);
  if (!l) return false;
  l.set(limit);
  return true;
}
