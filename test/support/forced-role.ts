/**
 * Test seam for capabilities until join tickets land: make `callee` treat `peer` as a ticket
 * holder acting in `role`, both for the signals it receives (`_remoteSignal`) and for what the
 * name services ask (`net.roleOf`). Call it before the two nodes connect.
 */
import type { Node } from '../../src/core/node/node.js';

type RoleOf = (node: string) => string | undefined | null;

export function forceRole(callee: Node, peer: string, role: string): void {
  const net = (callee as unknown as { net: { roleOf: RoleOf } }).net;
  const roleOf = net.roleOf.bind(net);
  net.roleOf = (n) => {
    const r = roleOf(n);
    return n === peer && r !== null ? role : r;
  };
  const remote = callee._remoteSignal.bind(callee);
  callee._remoteSignal = (s, p, r) => remote(s, p, p === peer ? role : r);
}
