/**
 * The trust model's shared types (see docs/security.md).
 *
 * Two kinds of node share one mesh:
 * - **cookie holders** (server-nodes, trusted tabs): fully trusted by each other, as in Erlang;
 *   their role is `undefined`.
 * - **ticket holders** (untrusted tabs): admitted with a short-lived join ticket that a server
 *   minted and signed with the cookie. The ticket names a `role`; each node decides, per role,
 *   what such a peer may do to it ({@link Capabilities}). The page never holds the cookie.
 */

/**
 * What a join ticket says (the signed part).
 *
 * @example
 * const claims: TicketClaims = parseTicket(ticket).claims;
 * if (claims.exp < Date.now()) console.log(`ticket ${claims.id} for ${claims.role} has expired`);
 */
export interface TicketClaims {
  /** Ticket format version: 1. */
  readonly v: 1;
  /** The role the holder acts in, e.g. `'guest'` (a key of the nodes' {@link Capabilities}). */
  readonly role: string;
  /** The holder's node name must start with this, e.g. `'tab-'`. */
  readonly prefix: string;
  /** Expiry, milliseconds since the epoch; refused from this instant on. */
  readonly exp: number;
  /** Issue time, milliseconds since the epoch. */
  readonly iat: number;
  /** A random id, for logs. */
  readonly id: string;
}

/**
 * Module functions a role may reach: `'*'` for all, or per module `'*'` or a list of
 * function names.
 *
 * @example
 * { kvs: ['store', 'lookup'], erlang: ['node'] }
 */
export type Allowlist = '*' | { readonly [module: string]: '*' | readonly string[] };

/**
 * What peers acting in one role may do to this node. Everything left out is refused; a role
 * a node has no policy for may only send to pids and monitor processes.
 *
 * @example
 * const guest: RolePolicy = { rpc: { kvs: ['lookup'] }, send: ['chat'], pg: true, maxMessagesPerSecond: 200 };
 * await startNode({ sname: 'api', capabilities: { guest } });
 */
export interface RolePolicy {
  /** `rpc.call` / `erpc.call` / `rpc.cast` of these module functions. Default: none. */
  readonly rpc?: Allowlist;
  /** `spawn(node, m, f, args)` of these. Default: none. */
  readonly spawn?: Allowlist;
  /** `spawn(node, fn)` and `erpc.call(node, fn)`: run shipped function source. Default: false. */
  readonly shipFunctions?: boolean;
  /** Register names in `global` (and take part in its name table). Default: false. */
  readonly global?: boolean;
  /** Join `pg` groups seen by this node. Default: false. */
  readonly pg?: boolean;
  /** Locally registered names it may send to (`send([name, node], msg)`); `'*'` for all. Default: none. */
  readonly send?: '*' | readonly string[];
  /** Link to this node's processes. Default: false. */
  readonly link?: boolean;
  /** Send exit signals (`exit(pid, reason)`) to this node's processes. Default: false. */
  readonly exit?: boolean;
  /** Signals per second a connection in this role may send before it is cut (`rate_limited`). Default: 1000. */
  readonly maxMessagesPerSecond?: number;
  /**
   * Monitors the processes of one such peer may hold on this node's processes at once; past it
   * a monitor is answered at once with `['DOWN', ref, 'process', target, 'not_allowed']` (and a
   * spawn with a monitor is refused). Default: 10 000.
   */
  readonly maxMonitors?: number;
}

/**
 * Per role name, what peers in that role may do. Cookie holders may do everything.
 *
 * @example
 * const capabilities: Capabilities = { guest: { rpc: { kvs: ['lookup'] } }, editor: { rpc: { kvs: '*' }, global: true } };
 * await startNode({ sname: 'api', capabilities });
 */
export type Capabilities = { readonly [role: string]: RolePolicy };

/**
 * The role of a peer: `undefined` for a cookie holder (full trust).
 *
 * @example
 * const role: PeerRole = node.roleOf('tab-1@host') ?? undefined;
 * if (role === 'guest') console.log('an untrusted tab');
 */
export type PeerRole = string | undefined;
