/**
 * The scope server: one process per node per scope, registered locally as `pg` (the default
 * scope) or `pg_<scope>`, holding this node's view of the scope (view.ts) and its watches
 * (watches.ts), and speaking the peer protocol (protocol.ts) with the same scope's
 * servers on other nodes.
 *
 * A server sends its local joins and leaves to every server it has recorded. It monitors its
 * local members (an exit removes all of the member's entries, with `leave` events, and is
 * broadcast) and the servers it has recorded: their DOWN (`noconnection` on nodedown, or the
 * server's exit) removes all their members, with `leave` events. The local API calls (`join`,
 * `leave`, `monitor`, …) are answered at once, as the server: they update the view and send the
 * broadcasts from the server process, as a gen_server call would; everything from other nodes
 * and every DOWN goes through the server's mailbox.
 *
 * Every change to the view is reported, in order, to the scope's watches: applying the events
 * to the snapshot `monitorScope` returned gives the current view. Batching: one event per group
 * per change — a join/leave call, a member exit (the pid once per entry), a peer server's DOWN
 * (all that node's members of the group), a `sync` (its leaves, then its joins, per group).
 *
 * If the server dies it is restarted (`host.startService`) with the same view: the new process
 * monitors again what the old one monitored and discovers the visible nodes again.
 *
 * Peers introduced by the relay (`host.isVouched`: up on its word, no channel open yet): on
 * their nodeup the server does not `discover` them (which would open a channel per pair of
 * nodes, and an exchange of empty syncs between idle nodes: N² for a mesh that holds nothing);
 * it announces itself instead, with the `sync` that a discover would have drawn, and only when
 * it has local members. Its first join sends that `sync` to the vouched nodes it has not
 * announced itself to yet (their server may not have recorded it: a `join` would be ignored);
 * later joins and leaves go to the nodes it announced itself to. A node with members thus
 * reaches every visible node, one without reaches none, and each side's view converges as
 * with discover: what a server holds of a peer is that peer's last sync plus its later
 * joins/leaves, in order. Discover-mode peers and announce-mode peers get along: a `discover`
 * is answered as always.
 */
import type { Self } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import { decode, encode, malformedOf, type MsgOf, type PeerMsg, type ServerMsg, type ServerTag, type SyncGroups } from './protocol.js';
import { Watches } from './watches.js';
import type { PgHost } from './types.js';
import { multisetDiff, removeOne, View, type Member } from './view.js';

export class ScopeServer {
  readonly view: View;
  readonly watches: Watches;
  /** The running server process. */
  private self!: Self;
  private readonly offNodes: () => void;
  /** Nodes this server has sent its `sync` to since their nodeup (announce mode: vouched peers). */
  private readonly announced = new Set<string>();

  /** What the server does with each message it acts on. */
  private readonly handlers: { [T in ServerTag]: (m: MsgOf<T>) => void } = {
    DOWN: (m) => this.onDown(m.ref),
    discover: (m) => this.onDiscover(m.server),
    sync: (m) => this.onSync(m.server, m.groups),
    join: (m) => this.onJoin(m.server, m.group, m.pids),
    leave: (m) => this.onLeave(m.server, m.group, m.pids),
    pg_not_allowed: (m) => this.onNotAllowed(m.server, m.groups),
  };

  /** Start the server of `scope`, registered as `regName` (throws as `host.startService`). */
  constructor(
    private readonly host: PgHost,
    readonly scope: string,
    readonly regName: string,
  ) {
    this.view = new View(() => this.self);
    this.watches = new Watches(host, () => this.self);
    host.startService({
      name: regName,
      label: `pg: the ${scope} scope server`,
      handle: (m) => this.handle(m),
      started: (self) => this.started(self),
      gaveUp: () => this.offNodes(),
    });
    this.offNodes = host.monitorNodes((ev) => {
      if (ev[0] === 'nodeup') this.nodeUp(ev[1]);
      else this.announced.delete(ev[1]);
    });
  }

  // ----- lifecycle -------------------------------------------------------------------------

  /** A server process runs (first start or restart): it monitors what the view holds and asks every visible node. */
  private started(self: Self): void {
    this.self = self;
    this.view.remonitor();
    this.watches.remonitor();
    for (const n of this.host.nodes()) this.discover(n);
  }

  // ----- local changes, made as the server -------------------------------------------------

  /** Local `pids` (checked) join `group`. */
  join(group: string, pids: Pid[]): void {
    for (const pid of pids) this.view.addMember(pid, group);
    this.view.add(group, pids, true);
    this.watches.notify('join', group, pids);
    this.broadcast({ t: 'join', server: this.self.pid, group, pids });
  }

  /** One entry of each of local `pids` (checked) leaves `group`: the pids that had one. */
  leave(group: string, pids: Pid[]): Pid[] {
    const removed = pids.filter((pid) => this.view.removeMember(pid, group));
    if (removed.length === 0) return removed;
    this.localLeave(group, removed);
    return removed;
  }

  private localLeave(group: string, pids: Pid[]): void {
    this.view.remove(group, pids, true);
    this.watches.notify('leave', group, pids);
    this.broadcast({ t: 'leave', server: this.self.pid, group, pids });
  }

  /** A local member exited: all its entries go, one event and one broadcast per group. */
  private memberExited(e: Member): void {
    const counts = new Map<string, number>();
    for (const g of e.groups) counts.set(g, (counts.get(g) ?? 0) + 1);
    for (const [g, n] of counts) this.localLeave(g, Array.from({ length: n }, () => e.pid));
  }

  // ----- messages --------------------------------------------------------------------------

  /** One message (a throw is logged by the host, and the server goes on). */
  private handle(raw: unknown): void {
    const m = decode(raw);
    if (m) return (this.handlers[m.t] as (m: ServerMsg) => void)(m);
    const bad = malformedOf(raw);
    if (bad) this.host.refused(bad.node, `a malformed pg message ${bad.tag} in scope '${this.scope}'`);
  }

  private onDown(ref: Ref): void {
    const member = this.view.takeMember(ref);
    if (member) return this.memberExited(member);
    const peer = this.view.takePeer(ref);
    if (peer) {
      for (const [g, pids] of peer.groups) this.remoteChange(g, pids, 'leave');
      // A server we lost on a node that is connected (a restarted server, or a reconnect that
      // overtook this DOWN): ask again, so that the two sides do not stay strangers.
      if (this.host.nodes().includes(peer.pid.node)) this.discover(peer.pid.node);
      return;
    }
    this.watches.watcherDown(ref);
  }

  /** A visible node came up: discover it, or (a peer vouched for by the relay) announce this node's members to it. */
  private nodeUp(node: string): void {
    if (!this.host.isVouched(node)) return this.discover(node);
    if (this.view.localGroups().length > 0) this.announce(node);
  }

  private onDiscover(peer: Pid): void {
    if (peer.node === this.host.name) return;
    this.announced.add(peer.node);
    this.sendOut(peer, { t: 'sync', server: this.self.pid, groups: this.view.localGroups() });
    if (!this.view.peer(peer)) {
      this.view.addPeer(peer);
      this.sendOut(peer, { t: 'discover', server: this.self.pid });
    }
  }

  private onSync(server: Pid, groups: SyncGroups): void {
    if (server.node === this.host.name) return;
    groups = groups.map(([g, pids]) => [g, this.ownPids(server, g, pids)]);
    const peer = this.view.peer(server) ?? this.view.addPeer(server);
    const joined = [...new Set(groups.filter(([, pids]) => pids.length > 0).map(([g]) => g))];
    if (!this.acceptsMembers(server, joined.filter((g) => peer.refused?.has(g) !== true))) {
      for (const g of joined) (peer.refused ??= new Set()).add(g);
      groups = [];
    }
    const next = new Map<string, Pid[]>();
    for (const [g, pids] of groups) if (pids.length > 0) next.set(g, [...(next.get(g) ?? []), ...pids]);
    const old = peer.groups;
    peer.groups = next;
    for (const [g, pids] of next) {
      const { added, removed } = multisetDiff(old.get(g) ?? [], pids);
      this.remoteChange(g, removed, 'leave');
      this.remoteChange(g, added, 'join');
    }
    for (const [g, pids] of old) if (!next.has(g)) this.remoteChange(g, pids, 'leave');
  }

  private onJoin(server: Pid, group: string, pids: Pid[]): void {
    const peer = this.view.peer(server);
    if (peer) pids = this.ownPids(server, group, pids);
    if (!peer || pids.length === 0 || !this.acceptsMembers(server, [group])) return;
    peer.groups.set(group, [...(peer.groups.get(group) ?? []), ...pids]);
    this.remoteChange(group, pids, 'join');
  }

  private onLeave(server: Pid, group: string, pids: Pid[]): void {
    const peer = this.view.peer(server);
    const list = peer?.groups.get(group);
    if (!peer || !list) return;
    const removed = pids.filter((pid) => removeOne(list, pid));
    if (list.length === 0) peer.groups.delete(group);
    this.remoteChange(group, removed, 'leave');
  }

  private onNotAllowed(server: Pid, groups: string[]): void {
    if (!this.host.isConnected(server.node)) return;
    this.host.log(
      'warning',
      `pg: node ${server.node} does not accept this node's members of [${groups.join(',')}] in scope '${this.scope}' (not allowed for this node's role)`,
    );
  }

  private remoteChange(group: string, pids: Pid[], kind: 'join' | 'leave'): void {
    if (pids.length === 0) return;
    if (kind === 'join') this.view.add(group, pids, false);
    else this.view.remove(group, pids, false);
    this.watches.notify(kind, group, pids);
  }

  // ----- capabilities ----------------------------------------------------------------------

  /**
   * May `server` add members here? Yes for a cookie holder; for a ticket holder only if its
   * role has `pg` (else the refusal is logged and the server told). Not for a node that is no
   * longer connected (its DOWN is on its way).
   */
  private acceptsMembers(server: Pid, groups: string[]): boolean {
    const policy = this.host.policyOf(server.node);
    if (policy === undefined) return true;
    if (policy === null) return false;
    if (policy.pg === true) return true;
    if (groups.length > 0) {
      this.host.refused(server.node, `pg join of [${groups.join(',')}] in scope '${this.scope}'`);
      this.sendOut(server, { t: 'pg_not_allowed', server: this.self.pid, groups });
    }
    return false;
  }

  /**
   * The pids of `pids` that live on `server`'s node: a server speaks only for its own node's
   * processes. Others are dropped; from a ticket holder that is a refusal (logged as such), as
   * it would put a trusted node's processes in groups on its word.
   */
  private ownPids(server: Pid, group: string, pids: Pid[]): Pid[] {
    const own = pids.filter((p) => p.node === server.node);
    if (own.length < pids.length) {
      const what = `pg members of another node in [${group}] in scope '${this.scope}'`;
      if (this.host.policyOf(server.node)) this.host.refused(server.node, what);
      else this.host.log('warning', `pg: ignored ${what} from node ${server.node}`);
    }
    return own;
  }

  // ----- sending ---------------------------------------------------------------------------

  private discover(node: string): void {
    if (node !== this.host.name) this.sendOut([this.regName, node], { t: 'discover', server: this.self.pid });
  }

  /** This node's local membership to the scope server of `node` (a vouched peer). */
  private announce(node: string): void {
    this.announced.add(node);
    this.sendOut([this.regName, node], { t: 'sync', server: this.self.pid, groups: this.view.localGroups() });
  }

  /** A local join or leave to every server that holds this node's members (announce mode: see the header). */
  private broadcast(msg: PeerMsg): void {
    const wire = encode(msg);
    const done = new Set<string>();
    for (const p of this.view.allPeers()) {
      const n = p.pid.node;
      if (this.host.isVouched(n) && !this.announced.has(n)) continue;
      done.add(n);
      this.send(p.pid, wire);
    }
    for (const n of this.host.nodes()) {
      if (done.has(n) || !this.host.isVouched(n)) continue;
      if (this.announced.has(n)) this.send([this.regName, n], wire);
      else if (msg.t === 'join') this.announce(n);
    }
  }

  private sendOut(dest: Pid | [string, string], msg: PeerMsg): void {
    this.send(dest, encode(msg));
  }

  /**
   * Send as the server process (its pid is the frame's sender) to a server on another node,
   * only over an existing connection (Erlang's `noconnect`): pg never opens connections itself
   * — after a `disconnect` it must not reconnect the nodes — and what it drops is carried by
   * the `sync` that follows the next nodeup. A dead server (an API call between its exit and
   * its restart) sends nothing, as a dead process; the restarted server's discover/sync
   * carries the change.
   */
  private send(dest: Pid | [string, string], wire: unknown[]): void {
    this.self.send(dest, wire, { noconnect: true });
  }
}
