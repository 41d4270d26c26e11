/**
 * A node's cookies (Erlang's `erlang:set_cookie/1,2`, `get_cookie/0,1`): its own, and one per
 * peer where set.
 */
import { badarg } from '../base/errors.js';
import { parseNodeName } from '../terms/node-names.js';

export class Cookies {
  private readonly perNode = new Map<string, string>();

  constructor(private own: string | undefined) {}

  /** Never printed: `console.log` of anything holding the cookies shows this instead. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Cookies<hidden>';
  }

  /** Never serialized either. */
  toJSON(): string {
    return 'Cookies<hidden>';
  }

  /** `set(cookie)`: this node's cookie; `set(cookie, node)`: the one used with `node`. */
  set(cookie: string, node?: string): true {
    if (typeof cookie !== 'string' || cookie.length === 0) throw badarg('setCookie: the cookie must be a non-empty string');
    if (node === undefined) this.own = cookie;
    else {
      if (!parseNodeName(node)) throw badarg(`setCookie: illegal node name ${String(node)}`);
      this.perNode.set(node, cookie);
    }
    return true;
  }

  /** This node's cookie, or the one used with `node`; `'nocookie'` when there is none. */
  get(node?: string): string {
    if (this.own === undefined) return 'nocookie';
    return (node !== undefined ? this.perNode.get(node) : undefined) ?? this.own;
  }
}
