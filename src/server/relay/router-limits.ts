/**
 * What the router is configured with (relay.ts derives it from RelayOptions): the cookie, the
 * frame and buffer limits, flow control, the ticket holders' rate limit and membership.
 */
import type { RateLimit } from './rate-limit.js';

export interface RouterLimits {
  cookie: string;
  maxFrameBytes: number;
  highWaterBytes: number;
  slowConsumerMs: number;
  maxPreAuthBytes: number;
  maxBufferedBytes: number;
  /** The rate limit given to a ticket holder's socket once admitted (undefined: keep the default). */
  ticketRateLimit?: RateLimit | undefined;
  /** Membership batch interval (default MEMBERS_BATCH_MS). */
  membersBatchMs?: number;
  /** Offer membership to nodes (default true; false: a relay as before issue 13). */
  members?: boolean;
}
