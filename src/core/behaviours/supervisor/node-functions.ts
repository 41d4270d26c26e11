/**
 * Handing a child spec's `node` function to a supervisor. `startChild` sends its spec to the
 * supervisor in a genServer call, and a call carries only terms, so a function cannot go in
 * it. The client parks the function here under a handle `['$node_fn', n]` and sends the
 * handle; the supervisor, on the same node (startChild checks that), takes the function out
 * and keeps it in its state with the child's spec. The client drops the handle if the call
 * fails or leaves no child behind.
 *
 * Why a module-level registry: the client and the supervisor are two processes, and the only
 * things two processes share are messages (terms only) and the node. The node's public API
 * has no place for such values (the service registry the architecture plans would be one).
 * The slots are per node, so a handle is only found on the node that parked it; they are
 * keyed weakly by the node object, and a slot lives only while its startChild call runs.
 */
import type { HostNode } from '../gen-server/types.js';

/** What travels in place of a `node` function. */
export type FnHandle = ['$node_fn', number];

const parked = new WeakMap<HostNode, Map<number, () => string>>();
let lastHandle = 0;

export function isFnHandle(x: unknown): x is FnHandle {
  return Array.isArray(x) && x.length === 2 && x[0] === '$node_fn' && typeof x[1] === 'number';
}

/** Park `fn` on `node`; the handle to send instead. */
export function parkNodeFn(node: HostNode, fn: () => string): FnHandle {
  let fns = parked.get(node);
  if (!fns) parked.set(node, (fns = new Map()));
  const handle: FnHandle = ['$node_fn', ++lastHandle];
  fns.set(handle[1], fn);
  return handle;
}

/** The function parked on `node` under `handle`, removed from the registry; undefined if none. */
export function takeNodeFn(node: HostNode, handle: FnHandle): (() => string) | undefined {
  const fns = parked.get(node);
  const fn = fns?.get(handle[1]);
  fns?.delete(handle[1]);
  return fn;
}

/** Drop what is parked under `handle` on `node`, if anything. */
export function dropNodeFn(node: HostNode, handle: FnHandle): void {
  parked.get(node)?.delete(handle[1]);
}
