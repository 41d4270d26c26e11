/**
 * Handing a child spec's `node` function to a supervisor. `startChild` sends its spec to the
 * supervisor in a genServer call, and a call carries only terms (`checkTerm` refuses a
 * function), so the function cannot stand in the spec as it is. The client puts a handle
 * `['$node_fn']` in its place and hangs the function on that handle as a non-enumerable symbol
 * property (terms/local-attachment.ts, as gen_server's `serverFrom` hangs its reply sender on a
 * From): a term check, a comparison or a print sees only `['$node_fn']`.
 *
 * The supervisor is on the caller's node (startChild refuses a remote one), and a local
 * message is the very object sent (README, "How it differs": local messages are not copied),
 * so the supervisor finds the function on the handle it receives and keeps it in its state
 * with the child's spec. A handle that was copied (encoded for another node) has lost its
 * function; starting such a child fails with badarg. Nothing is kept anywhere else: the
 * function lives as long as the message, then the supervisor's state, that holds it.
 */

import { attachLocal, localAttachment } from '../../terms/local-attachment.js';

/** What stands in the spec in place of a `node` function. */
export type FnHandle = readonly ['$node_fn'];

const NODE_FN = Symbol('erlmesh.supervisor.nodeFn');

export function isFnHandle(x: unknown): x is FnHandle {
  return Array.isArray(x) && x.length === 1 && x[0] === '$node_fn';
}

/** A handle that carries `fn` (not part of the term: it does not travel to another node). */
export function nodeFnHandle(fn: () => string): FnHandle {
  return attachLocal<FnHandle>(['$node_fn'], NODE_FN, fn);
}

/** The function `handle` carries; undefined for a handle that has none (a copy). */
export function nodeFnOf(handle: FnHandle): (() => string) | undefined {
  return localAttachment<() => string>(handle, NODE_FN);
}
