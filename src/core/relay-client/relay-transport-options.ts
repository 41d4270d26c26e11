/**
 * What `new RelayTransport` takes (relay-transport.ts): the relay, the admission, the
 * platform's WebSocket, and the links that may carry connections besides the relay.
 */
import type { Clock } from '../base/clock.js';
import type { DistCrypto } from '../base/crypto.js';
import type { TicketOption } from '../trust/ticket.js';
import type { WebSocketCtor } from './websocket-like.js';
import type { DirectLinks } from './direct-paths.js';
import type { MigrateOptions } from './migrations.js';
import type { LocalLinks } from './local-links.js';

/**
 * What `new RelayTransport` takes: the relay URL, the cookie or a ticket, and the WebSocket
 * constructor of the platform.
 *
 * @example
 * const opts: RelayTransportOptions = { url: 'ws://127.0.0.1:4367/erlmesh', cookie, WebSocket: globalThis.WebSocket, timeoutMs: 10_000 };
 */
export interface RelayTransportOptions {
  /**
   * The relay's WebSocket URL, e.g. `ws://127.0.0.1:4367/erlmesh`, or a list of relays to fail
   * over between: the node registers with the first that answers and, when its relay goes,
   * reconnects to the next one round the list (one URL per attempt, with `backoff` between),
   * under the same name with a new creation (relay-urls.ts). An empty list or a bad URL is `badarg`.
   */
  url: string | readonly string[];
  /** The cluster cookie the relay admits with (never sent; proven with HMAC). Or `ticket`. */
  cookie?: string;
  /** A join ticket to register with instead of the cookie (a function: called before each registration). */
  ticket?: TicketOption;
  WebSocket: WebSocketCtor;
  clock?: Clock;
  crypto?: DistCrypto;
  direct?: DirectLinks;
  /**
   * Links to nodes of this same browser (tab-nodes: `BroadcastLinks` of erlmesh/browser), not
   * with `direct`: each connection opens through the relay, then moves onto its local link
   * when the peer is reachable on one.
   */
  local?: LocalLinks;
  /**
   * With `direct`: a connection that fell back to the relay retries its direct link in the
   * background and moves onto it without a nodedown (migrations.ts); the backoff (default
   * 1 s doubling to 30 s), or `false` for connections that stay on the relay until they end
   * (this node's connections: it still accepts the moves its peers start).
   */
  migrate?: MigrateOptions | false;
  /** Reconnect backoff after a lost relay socket. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How long to wait for the relay's answers during admission and `open`. Default 5 000. */
  timeoutMs?: number;
  log?: (level: 'info' | 'warning' | 'error', text: string) => void;
}
