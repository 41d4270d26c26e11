/**
 * The transitive full mesh (Erlang's connect_all) over handshaken connections: on nodeup,
 * visible mesh-taking-part nodes exchange `peers` and connect to the ones they did not know.
 * Connections up on the relay's word take no part in it: the relay's membership makes that
 * mesh (relay-membership.ts).
 */
import type { Connection } from './connection.js';
import type { NodeFlags } from './frames.js';
import { parseNodeName } from '../terms/node-names.js';

/** Both nodes take part in the mesh. */
export function takesPartInMesh(me: NodeFlags, peer: NodeFlags): boolean {
  return me.connectAll && !me.hidden && peer.connectAll && !peer.hidden;
}

/** The up peers that take part in the mesh with this node. */
export function meshPeers(me: NodeFlags, conns: Iterable<Connection>): string[] {
  const out: string[] = [];
  for (const c of conns) if (c.state === 'up' && c.info && takesPartInMesh(me, c.info.flags)) out.push(c.peer);
  return out;
}

/** Of `peers`, those this node dials to join the mesh: not itself, not known yet, of its name mode (docs/semantics.md §1). */
export function toDial(me: NodeFlags, self: string, known: (p: string) => boolean, peers: string[]): string[] {
  if (!me.connectAll || me.hidden) return [];
  return peers.filter((p) => p !== self && !known(p) && parseNodeName(p)?.mode === me.mode);
}

/** The log line of a dial to a name of the other mode (as Erlang's). */
export function modeMismatchLog(me: NodeFlags, host: string): string {
  return me.mode === 'short'
    ? `** System NOT running to use fully qualified hostnames **\n** Hostname ${host} is illegal **`
    : `** System running to use fully qualified hostnames **\n** Hostname ${host} is illegal **`;
}

/**
 * The nodes a `peers` frame from `c` makes this node dial: none from a connection up on the
 * relay's word (the relay's membership makes the mesh) nor from a ticket holder (its list is
 * not trusted to make this node dial anybody); else the listed names it does not know yet.
 */
export function listedToDial(me: NodeFlags, self: string, c: Connection, nodes: unknown, known: (p: string) => boolean): string[] {
  if (c.vouched || c.role !== undefined || !c.info || !takesPartInMesh(me, c.info.flags) || !Array.isArray(nodes)) return [];
  return nodes.filter((n): n is string => typeof n === 'string' && n !== self && !known(n));
}

/** The up peers of `conns`, in connection order: visible, hidden, or all (`nodes/1`). */
export function upPeers(conns: Iterable<Connection>, kind: 'visible' | 'hidden' | 'connected'): string[] {
  const out: string[] = [];
  for (const c of conns) if (c.state === 'up' && (kind === 'connected' || (kind === 'hidden') === c.hidden)) out.push(c.peer);
  return out;
}
