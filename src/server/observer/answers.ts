/**
 * One rpc to a node's `observer` module, as the page wants it: the value, or `refused` when
 * the node's capabilities turned the call down (a ticket-holding observer asking more than its
 * role allows), or the error in words; never a thrown error.
 */
import { BadRpcError } from '../../core/base/errors.js';
import { formatTerm } from '../../core/terms/format.js';
import type { Node } from '../../core/node/node.js';

/** What asking a node gave. */
export type Answer<T> = { ok: true; value: T } | { ok: false; refused: boolean; error: string };

/** How long one question may take. */
export const ASK_TIMEOUT_MS = 2_000;

/** `observer:fun(args)` on `target`, through `node`. */
export async function ask<T>(node: Node, target: string, fun: string, args: unknown[] = []): Promise<Answer<T>> {
  try {
    return { ok: true, value: (await node.rpc.call(target, 'observer', fun, args, ASK_TIMEOUT_MS)) as T };
  } catch (e) {
    if (e instanceof BadRpcError) {
      const r = e.reason;
      const refused = Array.isArray(r) && r[0] === 'EXIT' && r[1] === 'not_allowed';
      return { ok: false, refused, error: refused ? 'refused' : typeof r === 'string' ? r : formatTerm(r, { maxDepth: 4, maxLength: 10 }) };
    }
    return { ok: false, refused: false, error: e instanceof Error ? e.message : String(e) };
  }
}
