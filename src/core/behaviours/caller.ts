/**
 * The caller of a behaviour request: a process, or a node (then a throwaway helper process on
 * it, `node.run`, makes the request).
 */
import { badarg } from '../base/errors.js';
import { ProcessContext } from '../process/context.js';
import type { Caller, HostNode } from './gen-server/types.js';

/** The node the caller is on. */
export function callerNode(caller: Caller): HostNode {
  return caller instanceof ProcessContext ? caller.node : caller;
}

/**
 * Run `body` in `caller` if it is a process, else in a throwaway process on the node
 * (`node.run`); settle with what `body` resolves or rejects.
 */
export function inCallerProcess<T>(caller: Caller, body: (self: ProcessContext) => Promise<T>): Promise<T> {
  if (caller instanceof ProcessContext) return body(caller);
  if (!caller || typeof (caller as HostNode).run !== 'function') return Promise.reject(badarg('genServer: ctx must be a process context or a Node'));
  return caller.run((self) => {
    // The node's processes are ProcessContexts; the check keeps the type honest.
    if (!(self instanceof ProcessContext)) throw badarg('genServer: the helper process has no process context');
    return body(self);
  });
}
