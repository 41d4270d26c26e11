/**
 * The caller of a behaviour request: a process, or a node (then a throwaway helper process on
 * it makes the request). `runInProcess` is the behaviours' one body runner; it becomes the
 * node's `run` (ServiceHost.run) once that exists.
 */
import { badarg } from '../base/errors.js';
import { ProcessContext } from '../process/context.js';
import type { Caller, HostNode } from './gen-server/types.js';

/** The node the caller is on. */
export function callerNode(caller: Caller): HostNode {
  return caller instanceof ProcessContext ? caller.node : caller;
}

/**
 * Run `body` in `caller` if it is a process, else in a short-lived helper process on the node;
 * settle with what `body` resolves or rejects.
 */
export function runInProcess<T>(caller: Caller, body: (self: ProcessContext) => Promise<T>): Promise<T> {
  if (caller instanceof ProcessContext) return body(caller);
  if (!caller || typeof (caller as HostNode).spawn !== 'function') return Promise.reject(badarg('genServer: ctx must be a process context or a Node'));
  return new Promise<T>((resolve, reject) => {
    caller.spawn(async (self) => {
      try {
        // The node's processes are ProcessContexts; the check keeps the type honest.
        if (!(self instanceof ProcessContext)) throw badarg('genServer: the helper process has no process context');
        resolve(await body(self));
      } catch (e) {
        reject(e);
      }
    });
  });
}
