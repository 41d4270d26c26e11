/**
 * Relay options, their defaults and the log sink.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import { badarg, ErlmeshError } from '../../core/base/errors.js';
import type { RateLimit } from './rate-limit.js';

/**
 * One structured log event of the relay.
 *
 * @example
 * const seen: RelayLogLine[] = [];
 * const relay = await startRelay({ port: 0, cookie, logger: (l) => seen.push(l) });
 * seen.filter((l) => l.event === 'refused').map((l) => `${l.name}: ${l.code}`);
 */
export interface RelayLogLine {
  /** ISO 8601 time stamp. */
  ts: string;
  level: 'info' | 'warn' | 'error';
  /** `listening`, `registered`, `refused`, `left`, `protocol_error`, `slow_consumer`, `timeout`, … */
  event: string;
  /** The node name concerned (the requested one for refusals). */
  name?: string;
  /** A refusal code, a close code (as a string) or an error code. */
  code?: string;
  /** `address:port` of the peer socket. */
  remote?: string;
  detail?: string;
}

/**
 * Where the relay's log lines go (`RelayOptions.logger`).
 *
 * @example
 * const logger: RelayLogger = (l) => { if (l.level !== 'info') console.warn(l.event, l.name ?? '', l.detail ?? ''); };
 * await startRelay({ cookie, logger });
 */
export type RelayLogger = (line: RelayLogLine) => void;

/**
 * What `startRelay` takes: the cookie, where to listen, limits and the log sink.
 *
 * @example
 * const opts: RelayOptions = { cookie: process.env.ERLMESH_COOKIE!, host: '0.0.0.0', port: 443, tls: { cert, key } };
 * const relay = await startRelay(opts);
 */
export interface RelayOptions {
  /**
   * TCP port; default DEFAULT_RELAY_PORT (4367), or $ERLMESH_RELAY_PORT when set. 0 picks an
   * ephemeral port. Ignored with `server`.
   */
  port?: number;
  /** Interface to bind; default '127.0.0.1'. Ignored with `server`. */
  host?: string;
  /** The cluster cookie nodes must prove (never sent over the wire). Required, non-empty. */
  cookie: string;
  /** Serve wss:// over https with this certificate and key. Ignored with `server`. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Attach to an existing http(s) server instead of creating one: only 'upgrade' requests for
   * RELAY_PATH are taken; every other request and upgrade stays with that server.
   */
  server?: http.Server | https.Server;
  /** Largest WebSocket message (a whole JSON relay message, in bytes); default 8 MiB. */
  maxFrameBytes?: number;
  /** Largest message before admission (the `register`); default 64 KiB. */
  maxPreAuthBytes?: number;
  /** A socket whose unsent backlog exceeds this is closed as a slow consumer; default 16 MiB. */
  maxBufferedBytes?: number;
  /**
   * Back-pressure: once a receiver's unsent backlog passes this, the relay stops reading from
   * the nodes sending to it until it drains; default 1 MiB.
   */
  highWaterBytes?: number;
  /** A receiver that stays above the high-water mark this long is closed as a slow consumer; default 10 s. */
  slowConsumerMs?: number;
  /** WebSocket ping period; a socket that did not pong for a whole period is dropped. Default 15 s. */
  pingIntervalMs?: number;
  /**
   * Admission deadline: time a new connection has, from the moment it is accepted, to be
   * admitted — TLS handshake, HTTP upgrade and `register` together; default 10 s. A socket
   * still in its HTTP phase then is dropped (408 over plain HTTP), a WebSocket closed with 4408.
   * On a relay attached to another server (`server`), it counts from the upgrade request.
   */
  authTimeoutMs?: number;
  /**
   * Connections held before admission from one remote address; one more is refused (HTTP 503,
   * or dropped during a TLS handshake). Default 64. `false`: no per-address bound (a relay
   * behind a proxy that does not forward the peer's address sees every node come from it).
   */
  maxPendingPerAddress?: number | false;
  /** Connections held before admission, all addresses together; one more is refused (503). Default 512. */
  maxPending?: number;
  /**
   * Per-connection message-rate limit (rate-limit.ts): a socket that sends more WebSocket
   * messages than this, sustained, is closed with 4420 `rate_limited`. Default 100 000 — far
   * above what a node sends (fast-1 batches a turn's frames into one message: a 1M-message
   * stream is ~2k messages; an unbatched ping-pong is one message per round trip). `false`: no
   * limit (the router can still set one per connection with `setRateLimit`).
   */
  maxMessagesPerSecond?: number | false;
  /** Bucket size of the rate limit: messages let through back to back; default 2 × maxMessagesPerSecond. */
  burstMessages?: number;
  /**
   * The rate limit of a node admitted with a join ticket (an untrusted tab), in WebSocket
   * messages per second, burst twice that; default 2 000. `false`: the general limit only.
   */
  ticketMessagesPerSecond?: number | false;
  /** Log sink; default: one JSON line per event on stderr. `false`: silent. */
  logger?: RelayLogger | false;
  /**
   * Offer membership to the nodes (the relay as introducer: one snapshot on join, then
   * batched `members` changes, and vouching for cookie holders so that they connect without a
   * challenge; src/core/relay-client/protocol.ts "Membership"). Default true; `false` makes the
   * relay behave as one before it (nodes then mesh pairwise, with handshakes and ticks).
   */
  members?: boolean;
  /**
   * Join a relay cluster on this Redis server (issue 13; src/server/relay/cluster/): relays that
   * share one Redis are one cluster. Names are claimed cluster-wide, frames for a node of
   * another relay go over a direct WebSocket between the two relays (or through Redis pub/sub
   * while there is none), and every node sees every relay's nodes. A URL
   * (`redis://host:port`), or the URL with more:
   * - `heartbeatMs` (default 1000) and `leaseMs` (default 5000): a relay not heard from for a
   *   lease is gone, its nodes are down and its names free;
   * - `advertise`: where the other relays reach this one, e.g. `ws://10.0.0.5:4367` (default:
   *   the relay's own URL; for a wildcard `host`, this machine's first non-loopback IPv4);
   * - `links: false`: no relay-to-relay links, every message through Redis pub/sub.
   * Without it the relay stands alone and needs no outside service.
   *
   * @example
   * startRelay({ cookie, host: '0.0.0.0', redis: { url: 'redis://10.0.0.2:6379', advertise: 'ws://10.0.0.5:4367' } });
   */
  redis?: string | { url: string; heartbeatMs?: number; leaseMs?: number; advertise?: string; links?: boolean };
  /**
   * Called when a loopback admin request proving the cookie asks the relay to stop (what
   * `erlmesh relay --stop` sends; see http-api.ts); default: `relay.close()`.
   */
  onStop?: () => void | Promise<void>;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  cookie: string;
  maxFrameBytes: number;
  maxPreAuthBytes: number;
  maxBufferedBytes: number;
  highWaterBytes: number;
  slowConsumerMs: number;
  pingIntervalMs: number;
  authTimeoutMs: number;
  maxPending: number;
  /** undefined: no per-address bound. */
  maxPendingPerAddress: number | undefined;
  /** The default per-connection rate limit; undefined: none. */
  rateLimit: RateLimit | undefined;
  /** The rate limit of ticket holders once admitted; undefined: the default one. */
  ticketRateLimit: RateLimit | undefined;
  /** Offer membership (the option `members`). */
  members: boolean;
  /** The Redis of the cluster (the option `redis`); undefined: a lone relay. */
  redis: { url: string; heartbeatMs: number; leaseMs: number; advertise: string | undefined; links: boolean } | undefined;
}

/**
 * The relay's default port. Not epmd's 4369: epmd holds that port wherever Erlang, RabbitMQ or
 * CouchDB runs, and erlmesh must run beside them. 4367 is unassigned in the IANA Service Name
 * and Transport Protocol Port Number Registry (4368 is wxbrief, 4369 epmd) and no common
 * development server uses it. $ERLMESH_RELAY_PORT overrides it for the CLI, `startNode` and
 * `startRelay`.
 *
 * @example
 * const relay = await startRelay({ cookie, port: DEFAULT_RELAY_PORT }); // ws://127.0.0.1:4367/erlmesh
 */
export const DEFAULT_RELAY_PORT = 4367;

/** Environment variable that overrides DEFAULT_RELAY_PORT (for the CLI, `startNode` and `startRelay`). */
export const RELAY_PORT_ENV = 'ERLMESH_RELAY_PORT';

/** $ERLMESH_RELAY_PORT when set, else DEFAULT_RELAY_PORT; throws 'badarg' for a value that is not a port. */
export function defaultRelayPort(): number {
  const v = typeof process === 'undefined' ? undefined : process.env[RELAY_PORT_ENV];
  if (v === undefined || v.trim() === '') return DEFAULT_RELAY_PORT;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw badarg(`$${RELAY_PORT_ENV} must be a TCP port (1..65535)`, v);
  return n;
}

export const DEFAULTS = {
  port: DEFAULT_RELAY_PORT,
  host: '127.0.0.1',
  maxFrameBytes: 8 * 1024 * 1024,
  maxPreAuthBytes: 64 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  highWaterBytes: 1024 * 1024,
  slowConsumerMs: 10_000,
  pingIntervalMs: 15_000,
  authTimeoutMs: 10_000,
  maxPending: 512,
  maxPendingPerAddress: 64,
  maxMessagesPerSecond: 100_000,
  ticketMessagesPerSecond: 2_000,
} as const;

const KNOWN = new Set([
  'port', 'host', 'cookie', 'tls', 'server', 'maxFrameBytes', 'maxPreAuthBytes',
  'maxBufferedBytes', 'highWaterBytes', 'slowConsumerMs', 'pingIntervalMs', 'authTimeoutMs', 'logger',
  'maxPending', 'maxPendingPerAddress',
  'maxMessagesPerSecond', 'burstMessages', 'ticketMessagesPerSecond', 'onStop', 'members', 'redis',
]);

function positive(
  opts: RelayOptions,
  key: Exclude<keyof typeof DEFAULTS & keyof RelayOptions, 'maxMessagesPerSecond' | 'ticketMessagesPerSecond' | 'maxPendingPerAddress'>,
): number {
  const v = opts[key] ?? DEFAULTS[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw badarg(`relay option ${key} must be a positive integer`, v);
  return v;
}

/** Validate the options and fill in the defaults; throws ErlmeshError 'badarg' / 'unknown_options'. */
export function resolveOptions(opts: RelayOptions): ResolvedOptions {
  if (opts === null || typeof opts !== 'object') throw badarg('startRelay needs an options object');
  const unknown = Object.keys(opts).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new ErlmeshError('unknown_options', `unknown relay options: ${unknown.join(', ')}`, unknown);
  if (typeof opts.cookie !== 'string' || opts.cookie === '') throw badarg('relay option cookie must be a non-empty string');
  const port = opts.port ?? defaultRelayPort();
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badarg('relay option port must be 0..65535', port);
  const host = opts.host ?? DEFAULTS.host;
  if (typeof host !== 'string' || host === '') throw badarg('relay option host must be a non-empty string');
  if (opts.logger !== undefined && opts.logger !== false && typeof opts.logger !== 'function') throw badarg('relay option logger must be a function or false');
  if (opts.onStop !== undefined && typeof opts.onStop !== 'function') throw badarg('relay option onStop must be a function');
  if (opts.members !== undefined && typeof opts.members !== 'boolean') throw badarg('relay option members must be a boolean', opts.members);
  return {
    port,
    host,
    cookie: opts.cookie,
    maxFrameBytes: positive(opts, 'maxFrameBytes'),
    maxPreAuthBytes: positive(opts, 'maxPreAuthBytes'),
    maxBufferedBytes: positive(opts, 'maxBufferedBytes'),
    highWaterBytes: positive(opts, 'highWaterBytes'),
    slowConsumerMs: positive(opts, 'slowConsumerMs'),
    pingIntervalMs: positive(opts, 'pingIntervalMs'),
    authTimeoutMs: positive(opts, 'authTimeoutMs'),
    maxPending: positive(opts, 'maxPending'),
    maxPendingPerAddress: perAddressOption(opts),
    rateLimit: rateLimitOption(opts),
    ticketRateLimit: ticketRateLimitOption(opts),
    members: opts.members !== false,
    redis: redisOption(opts.redis),
  };
}

function redisOption(v: RelayOptions['redis']): ResolvedOptions['redis'] {
  if (v === undefined) return undefined;
  const o = typeof v === 'string' ? { url: v } : v;
  if (o === null || typeof o !== 'object' || typeof o.url !== 'string' || !/^rediss?:\/\/[^/]/.test(o.url)) {
    throw badarg('relay option redis must be a redis:// URL or { url, heartbeatMs?, leaseMs?, advertise?, links? }', v);
  }
  const heartbeatMs = o.heartbeatMs ?? 1000;
  const leaseMs = o.leaseMs ?? 5000;
  for (const [k, n] of [['heartbeatMs', heartbeatMs], ['leaseMs', leaseMs]] as const) {
    if (!Number.isSafeInteger(n) || n <= 0) throw badarg(`relay option redis.${k} must be a positive integer`, n);
  }
  if (leaseMs < 2 * heartbeatMs) throw badarg('relay option redis.leaseMs must be at least twice redis.heartbeatMs', leaseMs);
  if (o.advertise !== undefined && (typeof o.advertise !== 'string' || !/^wss?:\/\/[^/]+\/?$/.test(o.advertise))) {
    throw badarg('relay option redis.advertise must be a ws:// or wss:// URL with no path, e.g. ws://10.0.0.5:4367', o.advertise);
  }
  if (o.links !== undefined && typeof o.links !== 'boolean') throw badarg('relay option redis.links must be a boolean', o.links);
  return { url: o.url, heartbeatMs, leaseMs, advertise: o.advertise?.replace(/\/$/, ''), links: o.links !== false };
}

function perAddressOption(opts: RelayOptions): number | undefined {
  const v = opts.maxPendingPerAddress ?? DEFAULTS.maxPendingPerAddress;
  if (v === false) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw badarg('relay option maxPendingPerAddress must be a positive integer or false', v);
  return v;
}

function ticketRateLimitOption(opts: RelayOptions): RateLimit | undefined {
  const rate = opts.ticketMessagesPerSecond ?? DEFAULTS.ticketMessagesPerSecond;
  if (rate === false) return undefined;
  if (typeof rate !== 'number' || !Number.isSafeInteger(rate) || rate <= 0) {
    throw badarg('relay option ticketMessagesPerSecond must be a positive integer or false', rate);
  }
  return { perSecond: rate, burst: 2 * rate };
}

function rateLimitOption(opts: RelayOptions): RateLimit | undefined {
  const rate = opts.maxMessagesPerSecond ?? DEFAULTS.maxMessagesPerSecond;
  if (rate === false) {
    if (opts.burstMessages !== undefined) throw badarg('relay option burstMessages needs maxMessagesPerSecond', opts.burstMessages);
    return undefined;
  }
  if (typeof rate !== 'number' || !Number.isSafeInteger(rate) || rate <= 0) {
    throw badarg('relay option maxMessagesPerSecond must be a positive integer or false', rate);
  }
  const burst = opts.burstMessages ?? 2 * rate;
  if (typeof burst !== 'number' || !Number.isSafeInteger(burst) || burst <= 0) throw badarg('relay option burstMessages must be a positive integer', burst);
  return { perSecond: rate, burst };
}

/** The log function the relay calls: never throws, adds the time stamp. */
export function makeLog(logger: RelayLogger | false | undefined): (line: Omit<RelayLogLine, 'ts'>) => void {
  if (logger === false) return () => {};
  const sink: RelayLogger = logger ?? ((l) => process.stderr.write(`${JSON.stringify(l)}\n`));
  return (line) => {
    try {
      sink({ ts: new Date().toISOString(), ...line });
    } catch {
      // A failing logger must not take the relay down.
    }
  };
}
