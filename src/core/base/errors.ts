/**
 * Errors thrown by erlmesh for API misuse and failed handshakes.
 *
 * Exit reasons are data and travel as messages; these classes are only for the cases where
 * Erlang would raise (`badarg`, `notalive`, …). Match on `code`, never on the message text.
 */

/**
 * Stable error codes. Tests and users match on these.
 *
 * @example
 * const retryable: ErlmeshErrorCode[] = ['nodedown', 'timeout', 'relay_unreachable'];
 * if (e instanceof ErlmeshError && retryable.includes(e.code)) await retry();
 */
export type ErlmeshErrorCode =
  | 'badarg'
  | 'notalive'
  | 'distribution_not_started'
  | 'name_taken'
  | 'name_mode_mismatch'
  | 'bad_cookie'
  | 'not_allowed'
  | 'incompatible_version'
  | 'frame_too_large'
  // a message whose encoding is over maxMessageBytes (thrown by send; the connection stays)
  | 'message_too_large'
  | 'relay_unreachable'
  // something that is not an erlmesh relay (epmd, say) holds the relay's port
  | 'relay_port_in_use'
  | 'nodedown'
  | 'timeout'
  | 'badrpc'
  | 'erpc'
  | 'handshake_failed'
  | 'bad_frame'
  // a term nested deeper than a superjson-1 connection carries (codec/superjson.ts, MAX_SUPERJSON_DEPTH)
  | 'term_too_deep'
  | 'closed'
  | 'unknown_options'
  | 'nolocal'
  // genServer.call / stop (src/core/behaviours): no such server, it exited during the call, or it is the caller
  | 'noproc'
  | 'server_exit'
  | 'calling_self'
  // join tickets (src/core/security): expired, bad signature or proof, not a ticket, name outside its prefix
  | 'ticket_expired'
  | 'ticket_forged'
  | 'ticket_malformed'
  | 'name_not_allowed'
  // a peer sent more than its role allows per second, or a mailbox limit was hit
  | 'rate_limited'
  // Erlang distribution with BEAM nodes (src/server/beam): no epmd answers at the port, epmd
  // refused the name (another node has it), epmd knows no node of that name
  | 'epmd_unreachable'
  | 'epmd_name_taken'
  | 'beam_node_unknown'
  // the Erlang External Term Format (src/core/etf, docs/beam-interop.md): bytes that are not a
  // term, a compressed term without an inflate function, a JS value with no Erlang form, a
  // string too long for an atom, a connection's atom budget spent
  | 'bad_etf'
  | 'etf_compressed_unsupported'
  | 'not_etf_encodable'
  | 'atom_too_long'
  | 'atom_limit'
  // a relay cluster (startRelay's `redis`) whose Redis server cannot be reached at start
  | 'redis_unavailable';

/**
 * The one error class of erlmesh; subclasses narrow the meaning.
 *
 * @example
 * try { node.register('kvs', pid) } catch (e) {
 *   if (e instanceof ErlmeshError && e.code === 'badarg') { ... }
 * }
 */
export class ErlmeshError extends Error {
  readonly code: ErlmeshErrorCode;
  readonly details: unknown;
  constructor(code: ErlmeshErrorCode, message?: string, details?: unknown) {
    super(message ?? code);
    this.name = 'ErlmeshError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Rejection of `rpc.call` and friends, Erlang's `{badrpc, Reason}`.
 * `reason` is `'nodedown'`, `'timeout'` or `['EXIT', exitReason]`.
 *
 * @example
 * try { await node.rpc.call('b@host', 'kvs', 'lookup', ['weather'], 1_000); }
 * catch (e) { if (e instanceof BadRpcError && e.reason === 'timeout') console.log('b is slow'); }
 */
export class BadRpcError extends ErlmeshError {
  readonly reason: unknown;
  constructor(reason: unknown, message?: string) {
    super('badrpc', message ?? `badrpc: ${describeReason(reason)}`, reason);
    this.name = 'BadRpcError';
    this.reason = reason;
  }
}

/**
 * A failed handshake or relay admission: `bad_cookie`, `not_allowed`, `name_taken`, …
 *
 * @example
 * try { await startNode({ sname: 'a', cookie: 'wrong' }); }
 * catch (e) { if (e instanceof AuthError && e.code === 'bad_cookie') console.log('check the cookie'); }
 */
export class AuthError extends ErlmeshError {
  constructor(code: ErlmeshErrorCode, message?: string, details?: unknown) {
    super(code, message, details);
    this.name = 'AuthError';
  }
}

/** `badarg`, the most common misuse error. */
export function badarg(message: string, details?: unknown): ErlmeshError {
  return new ErlmeshError('badarg', message, details);
}

function describeReason(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (Array.isArray(reason) && reason[0] === 'EXIT') return 'EXIT';
  return 'error';
}
