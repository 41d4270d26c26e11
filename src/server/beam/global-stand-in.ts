/**
 * A stand-in for OTP's `global_name_server` on a visible erlmesh node: enough of `global`'s
 * protocol that a BEAM node treats the erlmesh node as a synced peer (so `global:sync()`,
 * `global:register_name/2` and `global:trans/2` on the BEAM side return), with an empty name
 * table and every lock granted. The exchange, traced on two OTP 25 nodes
 * (docs/beam-global-protocol.md); `Erl` the BEAM peer, `Js` this node, `GNS@N` the name
 * `global_name_server` on node N:
 *
 * | when | Js sends to GNS@Erl |
 * |---|---|
 * | the connection is up | `{'$gen_cast', {init_connect, {8, JsTag}, Js, {locker, no_longer_a_pid, #{{connection_id, Erl} => Id}, JsLocker}}}` |
 * | Erl's `init_connect` (with ErlTag) | `{init_connect_ack, Js, ErlTag, JsTag}` |
 * | Erl's locker calls `set_lock` of the lockers' pair | the reply `true`, then `{'$gen_cast', {lock_set, JsLocker, true, [], ErlTag}}` (once per connection) |
 * | Erl's `exchange` | `{'$gen_cast', {exchange, Js, [], [], ErlTag}}`, then `{'$gen_cast', {resolved, Js, [], [], unused, [], ErlTag}}` |
 * | Erl's `resolved` naming the other nodes of its partition (HisKnown) | to each of them: `{'$gen_cast', {in_sync, Js, true}}` |
 * | `{new_nodes, Erl, Ops, NamesExt, Nodes, Extra}` (nodes that joined Erl's partition) | to each of Nodes: the same `in_sync` |
 *
 * The `in_sync` casts are global's `sync_others`: the other members of the peer's partition
 * learn of this node from the peer (`new_nodes`), count it as known, and wait in
 * `global:sync()` until this node tells them it is in sync (a send that connects to them, as
 * global's does). Entries of those lists are node names or, in OTP 25's `new_nodes`,
 * `{Node, Vsn}`.
 *
 * Calls (`{'$gen_call', {Pid, Tag}, Request}`, answered `{Tag, Reply}` to Pid): `set_lock` and
 * `del_lock` → `true`, `register` and `register_ext` → `yes`, `unregister` → `ok` (a name
 * registered on BEAM is not kept here: erlmesh's own `global` is a separate table). Every other
 * cast or message (`init_connect_ack`, `lock_set`, `in_sync`, `lost_connection`, …) is taken
 * and dropped (so `prevent_overlapping_partitions` is not acted on here); an unknown call is
 * logged and not answered.
 *
 * Invariants: per connection one JsTag and at most one `lock_set`; the state of a peer is
 * forgotten when its connection goes (a new connection starts over, as `global` does on
 * `nodeup`); nothing is sent to a peer whose connection is not up.
 */
import { List, list } from '../../core/terms/beam-list.js';
import { isPid } from '../../core/terms/guards.js';
import type { Pid } from '../../core/terms/pid.js';

/** `global`'s protocol version in OTP 25 (`?vsn` of global.erl). */
export const GLOBAL_VSN = 8;
export const GLOBAL_NAME_SERVER = 'global_name_server';

/** What the stand-in needs of the bridge: sends to a peer's GNS and to a pid there, and a log. */
export interface BeamGlobalHost {
  readonly name: string;
  /** The pid this node names as its locker (a live process, as `global`'s locker is). */
  locker(): Pid;
  /** A REG_SEND to `global_name_server` on `peer` (connecting to it when it is not connected). */
  toServer(peer: string, msg: unknown): void;
  /** A SEND to `to` (a reply to a gen_server call). */
  reply(to: Pid, msg: unknown): void;
  log(level: 'warning', text: string): void;
}

interface PeerState {
  readonly myTag: number;
  readonly connectionId: number;
  hisTag?: unknown;
  lockSet: boolean;
}

const ANSWERS: Record<string, unknown> = { set_lock: true, del_lock: true, register: 'yes', register_ext: 'yes', unregister: 'ok' };

const isTuple = (x: unknown): x is unknown[] => Array.isArray(x) && !(x instanceof List);

export class BeamGlobalStandIn {
  private readonly peers = new Map<string, PeerState>();
  private nextTag = 1;

  constructor(private readonly host: BeamGlobalHost) {}

  /** A visible connection to `peer` is up: open `global`'s exchange with it. */
  up(peer: string): void {
    const n = this.nextTag++;
    const st: PeerState = { myTag: n, connectionId: n, lockSet: false };
    this.peers.set(peer, st);
    const info = ['locker', 'no_longer_a_pid', new Map([[['connection_id', peer], st.connectionId]]), this.host.locker()];
    this.host.toServer(peer, ['$gen_cast', ['init_connect', [GLOBAL_VSN, st.myTag], this.host.name, info]]);
  }

  /** The connection to `peer` is gone. */
  down(peer: string): void {
    this.peers.delete(peer);
  }

  /**
   * A message from `peer` for `global_name_server` here: answered as above. False when no
   * visible connection to `peer` is up (the bridge then delivers it as any REG_SEND).
   */
  handle(peer: string, msg: unknown): boolean {
    const st = this.peers.get(peer);
    if (!st) return false;
    if (!isTuple(msg)) return true;
    if (msg[0] === '$gen_call' && msg.length === 3) this.call(peer, st, msg[1], msg[2]);
    else if (msg[0] === '$gen_cast' && msg.length === 2) this.cast(peer, st, msg[1]);
    return true;
  }

  private call(peer: string, st: PeerState, from: unknown, request: unknown): void {
    if (!isTuple(from) || from.length !== 2 || !isPid(from[0])) return;
    const op = isTuple(request) ? request[0] : request;
    if (typeof op !== 'string' || !(op in ANSWERS)) {
      this.host.log('warning', `** global: a call from ${peer} this node does not answer: ${String(op)} **`);
      return;
    }
    this.host.reply(from[0], [from[1], ANSWERS[op]]);
    // Erl's locker took the lock of the two lockers here: tell it ours holds it too.
    if (op === 'set_lock' && !st.lockSet && st.hisTag !== undefined && this.lockersPair(request)) {
      st.lockSet = true;
      this.host.toServer(peer, ['$gen_cast', ['lock_set', this.host.locker(), true, list([]), st.hisTag]]);
    }
  }

  private cast(peer: string, st: PeerState, m: unknown): void {
    if (!isTuple(m)) return;
    if (m[0] === 'init_connect' && isTuple(m[1]) && m[1].length === 2) {
      st.hisTag = m[1][1];
      this.host.toServer(peer, ['init_connect_ack', this.host.name, st.hisTag, st.myTag]);
    } else if (m[0] === 'exchange' && st.hisTag !== undefined) {
      const none = (): List => list([]);
      this.host.toServer(peer, ['$gen_cast', ['exchange', this.host.name, none(), none(), st.hisTag]]);
      this.host.toServer(peer, ['$gen_cast', ['resolved', this.host.name, none(), none(), 'unused', none(), st.hisTag]]);
    } else if (m[0] === 'resolved' && m.length === 7) {
      this.syncOthers(m[3]);
    } else if (m[0] === 'new_nodes' && m.length === 6) {
      this.syncOthers(m[4]);
    }
  }

  /** global's sync_others: `in_sync` to every node of `nodes` but this one. */
  private syncOthers(nodes: unknown): void {
    if (!(nodes instanceof List)) return;
    for (const e of nodes) {
      const n = isTuple(e) ? e[0] : e;
      if (typeof n === 'string' && n !== this.host.name) this.host.toServer(n, ['$gen_cast', ['in_sync', this.host.name, true]]);
    }
  }

  /** `{set_lock, {global, [L1, L2]}}` with this node's locker among the requesters. */
  private lockersPair(request: unknown): boolean {
    if (!isTuple(request) || !isTuple(request[1])) return false;
    const [resource, requesters] = request[1];
    const mine = this.host.locker();
    return resource === 'global' && requesters instanceof List && requesters.some((p) => isPid(p) && p.equals(mine));
  }
}
