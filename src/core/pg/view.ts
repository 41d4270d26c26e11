/**
 * A scope server's view of its scope, and the monitors that keep it true: every group with its
 * members on all nodes the server knows, which of them are local, the local members (each
 * monitored by the server) and the peer servers it has recorded (each monitored too).
 *
 * Invariants:
 * - The view of a group is the local entries plus, for each recorded server, its last `sync`
 *   updated by its later `join`/`leave`. Messages between two processes keep their order and a
 *   `sync` replaces, so once every pair of connected servers has exchanged discover/sync (after a
 *   heal and reconnect), every node's view of each group is the multiset union of the nodes'
 *   local memberships. The view is not transitive: without a connection to c, a does not see
 *   c's members (as in OTP).
 * - A dead pid that joins is removed as soon as its `noproc` DOWN arrives; no dead member
 *   survives a settled view.
 * - `groupNames()` lists exactly the groups with at least one member in the view.
 */
import type { Self } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { SyncGroups } from './protocol.js';

/** One group: all its members, and the local ones among them (both with duplicates). */
interface Group {
  all: Pid[];
  local: Pid[];
}

/** A local process that joined groups. */
export interface Member {
  pid: Pid;
  monitorRef: Ref;
  /** The groups this process joined, once per join. */
  groups: string[];
}

/** A scope server of another node that this server has recorded. */
export interface Peer {
  pid: Pid;
  monitorRef: Ref;
  groups: Map<string, Pid[]>;
  /** Groups whose members from this peer were refused (capabilities): a later `sync` does not report them again. */
  refused?: Set<string>;
}

export class View {
  private readonly groups = new Map<string, Group>();
  private readonly members = new Map<string, Member>();
  private readonly membersByMonitor = new Map<string, string>();
  private readonly peers = new Map<string, Peer>();
  private readonly peersByMonitor = new Map<string, string>();

  /** @param server the running scope server, which holds the monitors */
  constructor(private readonly server: () => Self) {}

  // ----- reading ---------------------------------------------------------------------------

  /** The members of `group` (a copy). */
  all(group: string): Pid[] {
    return this.groups.get(group)?.all.slice() ?? [];
  }

  /** The local members of `group` (a copy). */
  local(group: string): Pid[] {
    return this.groups.get(group)?.local.slice() ?? [];
  }

  /** The groups with at least one member. */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Every group with its members. */
  snapshot(): Map<string, Pid[]> {
    const groups = new Map<string, Pid[]>();
    for (const [g, v] of this.groups) groups.set(g, v.all.slice());
    return groups;
  }

  /** This node's membership, as a `sync` carries it. */
  localGroups(): SyncGroups {
    const groups: SyncGroups = [];
    for (const [g, v] of this.groups) if (v.local.length > 0) groups.push([g, v.local.slice()]);
    return groups;
  }

  // ----- changing the groups ---------------------------------------------------------------

  add(group: string, pids: Pid[], local: boolean): void {
    let v = this.groups.get(group);
    if (!v) this.groups.set(group, (v = { all: [], local: [] }));
    v.all.push(...pids);
    if (local) v.local.push(...pids);
  }

  remove(group: string, pids: Pid[], local: boolean): void {
    const v = this.groups.get(group);
    if (!v) return;
    for (const pid of pids) {
      removeOne(v.all, pid);
      if (local) removeOne(v.local, pid);
    }
    if (v.all.length === 0) this.groups.delete(group);
  }

  // ----- local members ---------------------------------------------------------------------

  /** Record one more entry of local `pid` in `group` (monitoring it if it is new). */
  addMember(pid: Pid, group: string): void {
    let e = this.members.get(pid.key);
    if (!e) {
      e = { pid, monitorRef: this.server().monitor(pid), groups: [] };
      this.members.set(pid.key, e);
      this.membersByMonitor.set(e.monitorRef.key, pid.key);
    }
    e.groups.push(group);
  }

  /** Remove one entry of local `pid` from `group`; false if it had none. A process left with no group is forgotten. */
  removeMember(pid: Pid, group: string): boolean {
    const e = this.members.get(pid.key);
    const i = e ? e.groups.indexOf(group) : -1;
    if (!e || i < 0) return false;
    e.groups.splice(i, 1);
    if (e.groups.length === 0) this.forgetMember(e, true);
    return true;
  }

  /** The local member `ref` monitors, forgotten (its groups are left to the caller); undefined if none. */
  takeMember(ref: Ref): Member | undefined {
    const key = this.membersByMonitor.get(ref.key);
    const e = key === undefined ? undefined : this.members.get(key);
    if (e) this.forgetMember(e, false);
    return e;
  }

  private forgetMember(e: Member, demonitor: boolean): void {
    this.members.delete(e.pid.key);
    this.membersByMonitor.delete(e.monitorRef.key);
    if (demonitor) this.server().demonitor(e.monitorRef, { flush: true });
  }

  // ----- peer servers ----------------------------------------------------------------------

  peer(pid: Pid): Peer | undefined {
    return this.peers.get(pid.key);
  }

  allPeers(): IterableIterator<Peer> {
    return this.peers.values();
  }

  /** Record (and monitor) the server `pid`, with no members. */
  addPeer(pid: Pid): Peer {
    const p: Peer = { pid, monitorRef: this.server().monitor(pid), groups: new Map() };
    this.peers.set(pid.key, p);
    this.peersByMonitor.set(p.monitorRef.key, pid.key);
    return p;
  }

  /** The peer `ref` monitors, forgotten (its members are left to the caller); undefined if none. */
  takePeer(ref: Ref): Peer | undefined {
    const key = this.peersByMonitor.get(ref.key);
    if (key === undefined) return undefined;
    this.peersByMonitor.delete(ref.key);
    const p = this.peers.get(key);
    if (p) this.peers.delete(key);
    return p;
  }

  /** A new server process took over: it monitors the local members and the peers again. */
  remonitor(): void {
    const self = this.server();
    this.membersByMonitor.clear();
    for (const e of this.members.values()) {
      e.monitorRef = self.monitor(e.pid);
      this.membersByMonitor.set(e.monitorRef.key, e.pid.key);
    }
    this.peersByMonitor.clear();
    for (const p of this.peers.values()) {
      p.monitorRef = self.monitor(p.pid);
      this.peersByMonitor.set(p.monitorRef.key, p.pid.key);
    }
  }
}

/** Remove the first entry equal to `pid`; false if there was none. */
export function removeOne(list: Pid[], pid: Pid): boolean {
  const i = list.findIndex((p) => p.equals(pid));
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** What to add to and remove from multiset `from` to get multiset `to`. */
export function multisetDiff(from: Pid[], to: Pid[]): { added: Pid[]; removed: Pid[] } {
  const rest = from.slice();
  const added = to.filter((pid) => !removeOne(rest, pid));
  return { added, removed: rest };
}
