/**
 * What `startNode` takes, and how the node's name is worked out from it.
 */
import type { Clock } from '../base/clock.js';
import { badarg, ErlmeshError } from '../base/errors.js';
import type { WireEncoding } from '../net/encodings.js';
import type { NameMode } from '../net/frames.js';
import type { DistCrypto } from '../base/crypto.js';
import type { Transport } from '../net/transport.js';
import { NOT_ALIVE_NAME, parseNodeName } from '../terms/node-names.js';
import type { TicketOption } from '../trust/ticket.js';
import type { LogEntry } from '../interfaces/log.js';
import type { Capabilities } from '../interfaces/trust.js';
import type { ErlModule } from '../modules/module.js';

export type { LogEntry, LogLevel } from '../interfaces/log.js';

/**
 * What `startNode` takes: the name (`sname` or `name`), how to prove membership (`cookie` or
 * `ticket`), the `transport`, and tuning. The platform entries add their own options.
 *
 * @example
 * const opts: NodeOptions = { sname: 'a@localhost', cookie: 'abc', transport: net.transport(), tickMs: 1_000 };
 */
export interface NodeOptions {
  /** Short name: `'gandalf'` → `gandalf@<host>`; or a full `'gandalf@host'`. */
  sname?: string;
  /** Long name: `'gandalf@10.0.0.5'` or `'gandalf@host.example.com'`. */
  name?: string;
  /** Host part for `sname` without `@` (platforms pass the short host name). Default `'localhost'`. */
  host?: string;
  /** Required for a named node (platform entries read `~/.erlang.cookie`), unless it has a `ticket`. */
  cookie?: string;
  /**
   * A join ticket (src/core/trust/ticket.ts) instead of the cookie: the node joins as an
   * untrusted ticket holder in the ticket's role (`node.role`). A function is called anew
   * before each relay (re)registration and each handshake, so pages can use short-lived
   * tickets. Not together with `cookie`.
   *
   * @example
   * await startNode({ ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()) });  // erlmesh/browser
   */
  ticket?: TicketOption;
  /** How this node reaches others; required for a named node. */
  transport?: Transport;
  /** Hidden nodes are left out of `nodes()` and the mesh. */
  hidden?: boolean;
  /** Take part in the transitive full mesh (default true). */
  connectAll?: boolean;
  /**
   * Learn the cluster from the relay (default true): a relay that offers membership tells the
   * node who is there, and nodes it vouches for are up at once, without a pairwise handshake or
   * ticks (docs/semantics.md §2). `false`: mesh pairwise as before (a handshake and ticks per
   * pair), also against a relay that offers it. The server `startNode` defaults it to false for
   * a node with direct links (they keep their handshake and ticks).
   */
  membership?: boolean;
  /**
   * Interval between ticks; a silent peer is dropped after 4–5 of them. Default 15 000
   * (net_ticktime 60 s). At least 250 ms (net_ticktime 1 s, Erlang's smallest):
   * less throws `badarg`.
   */
  tickMs?: number;
  /** Bound on a connection setup (handshake), in ms, at least 1. Default 7 000. */
  setupTimeoutMs?: number;
  clock?: Clock;
  crypto?: DistCrypto;
  /** Group-leader output of this node (print, io.format, crash reports). Default: console.log; false: drop. */
  output?: ((text: string) => void) | false;
  /** System log lines. Default: warnings and errors to console.error; false: drop. */
  logger?: ((entry: LogEntry) => void) | false;
  /** Extra modules to load at start (the built-ins are always loaded). */
  modules?: ErlModule[];
  /**
   * Frame encodings offered to peers after the handshake, most preferred first (see
   * net/encodings.ts). Default `['fast-3', 'fast-2', 'fast-1', 'superjson-2', 'superjson-1']`; `['superjson-1']` makes the node
   * speak as nodes did before fast-1 (one superjson text frame per frame, no batching).
   */
  encodings?: WireEncoding[];
  /**
   * The largest message (its encoded size, in bytes) this node sends to or takes from a peer;
   * bigger messages travel in fragments of 64 KB (net/fragments.ts). A send over the limit (or
   * over the peer's) throws `message_too_large` and the connection stays. Default 256 MB; at
   * least 131072. See docs/semantics.md, "Term limits".
   */
  maxMessageBytes?: number;
  /**
   * What peers admitted with a join ticket may do to this node, per role (see
   * trust/capabilities.ts and trust/guard.ts for the refusals they see). Cookie holders
   * may always do everything; a role left out may only send to pids and monitor. A bad shape
   * throws `badarg`, an unknown policy field `unknown_options`.
   *
   * @example
   * await startNode({ ...opts, capabilities: { guest: { rpc: { kvs: ['lookup'] }, send: ['kvs'], maxMessagesPerSecond: 200 } } });
   */
  capabilities?: Capabilities;
}

/** The options `startNode` knows; any other key is `unknown_options` (a misspelt `tickms` would silently be the default). */
const NODE_OPTION_KEYS: ReadonlySet<string> = new Set([
  'sname', 'name', 'host', 'cookie', 'ticket', 'transport', 'hidden', 'connectAll', 'membership', 'tickMs', 'setupTimeoutMs',
  'clock', 'crypto', 'output', 'logger', 'modules', 'encodings', 'maxMessageBytes', 'capabilities',
]);

/**
 * Throws `unknown_options` (details: the unknown names) for a key that is neither a node
 * option nor one of `platformKeys` (the server's `relay`, a tab's `lifecycle`, …).
 */
export function checkOptionKeys(opts: object, platformKeys: readonly string[] = []): void {
  const unknown = Object.keys(opts).filter((k) => !NODE_OPTION_KEYS.has(k) && !platformKeys.includes(k));
  if (unknown.length > 0) throw new ErlmeshError('unknown_options', `startNode: unknown options: ${unknown.join(', ')}`, unknown);
}

/** The smallest tick interval: a quarter of net_ticktime 1 s, the smallest Erlang accepts. */
export const MIN_TICK_MS = 250;

/**
 * Refuse timings no network can keep: a tick interval of 0 (or 1e-6) would take every peer
 * for dead at once and flap nodeup/nodedown for ever.
 */
export function checkTimings(opts: Pick<NodeOptions, 'tickMs' | 'setupTimeoutMs'>): void {
  const { tickMs, setupTimeoutMs } = opts;
  if (tickMs !== undefined && !(typeof tickMs === 'number' && Number.isFinite(tickMs) && tickMs >= MIN_TICK_MS)) {
    throw badarg(`tickMs must be a number of milliseconds, at least ${MIN_TICK_MS} (net_ticktime 1 s); got ${String(tickMs)}`);
  }
  if (setupTimeoutMs !== undefined && !(typeof setupTimeoutMs === 'number' && Number.isFinite(setupTimeoutMs) && setupTimeoutMs >= 1)) {
    throw badarg(`setupTimeoutMs must be a positive number of milliseconds; got ${String(setupTimeoutMs)}`);
  }
}

/** The full node name the options ask for (`nonode@nohost` for none); `badarg` or `name_mode_mismatch` when they are wrong. */
export function resolveName(opts: NodeOptions): string {
  if (opts.sname !== undefined && opts.name !== undefined) throw badarg('give either sname or name, not both');
  const raw = opts.sname ?? opts.name;
  if (raw === undefined) return NOT_ALIVE_NAME;
  if (typeof raw !== 'string' || raw.length === 0) throw badarg('the node name must be a non-empty string');
  const full = raw.includes('@') ? raw : `${raw}@${opts.host ?? 'localhost'}`;
  const parsed = parseNodeName(full);
  if (!parsed) throw badarg(`illegal node name: ${full}`);
  const want: NameMode = opts.sname !== undefined ? 'short' : 'long';
  if (parsed.mode !== want) {
    throw new ErlmeshError(
      'name_mode_mismatch',
      want === 'long' ? `Can't set long node name! ${full} has no fully qualified host` : `${full} is a long name; use name, not sname`,
    );
  }
  return full;
}
