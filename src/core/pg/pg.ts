/**
 * pg: process groups (Erlang's `pg`, OTP 23+), with eventually consistent membership.
 *
 * One scope server process per node per scope, registered locally as `pg` (the default scope)
 * or `pg_<scope>`. The servers of one scope on different nodes talk to each other and to
 * nothing else, so scopes are independent. A server keeps this node's view of the scope:
 * every group with its members on all nodes it knows (`getMembers`), and which of them are
 * local (`getLocalMembers`).
 *
 * Message exchange between the servers `S` of one scope (pids may repeat in every list):
 *
 * | message                        | meaning / reaction                                        |
 * |--------------------------------|-----------------------------------------------------------|
 * | `['discover', S]`              | S wants our local members. Reply `sync`; if S is unknown, monitor it, record it with no members and send `discover` back. Sent by a server when it starts (to every visible node, as OTP) and on a visible `nodeup` (to that node). |
 * | `['sync', S, [[g, pids], …]]`  | S's complete local membership: replaces all we knew of S (an unknown S is monitored and recorded first). |
 * | `['join', S, g, pids]`         | pids (local to S) joined g. Ignored from an unrecorded S: the `sync` that follows covers it. |
 * |                                | In `sync` and `join`, a pid not on S's node is dropped (logged; a refusal from a ticket holder). |
 * | `['leave', S, g, pids]`        | one entry of each pid left g. Ignored from an unrecorded S. |
 * | `['pg_not_allowed', S, groups]` | S refused our members of `groups` (capabilities, below): logged. |
 *
 * A server sends its local joins and leaves to every server it has recorded. It monitors its
 * local members (an exit removes all of the member's entries, with `leave` events, and is
 * broadcast) and the servers it has recorded: their DOWN (`noconnection` on nodedown, or the
 * server's exit) removes all their members, with `leave` events. The local API calls (`join`,
 * `leave`, `monitor`, …) are answered at once, as the server: they update the view and send the
 * broadcasts from the server process, as a gen_server call would; everything from other nodes
 * and every DOWN goes through the server's mailbox. Messages to other nodes go only over an
 * existing connection (Erlang's `noconnect`): pg never connects nodes (a `disconnect` stays
 * one), and what it drops while a node is unreachable the `sync` after the next nodeup carries.
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
 * - `whichGroups()` lists exactly the groups with at least one member in the view.
 * - Every change to the view is reported, in order, to the scope's monitors as
 *   `[ref, 'join' | 'leave', group, pids]`: applying the events to the snapshot `monitorScope`
 *   returned gives the current view. Batching: one event per group per change — a join/leave
 *   call, a member exit (the pid once per entry), a peer server's DOWN (all that node's members
 *   of the group), a `sync` (its leaves, then its joins, per group). OTP was seen to send
 *   `{leave,g,[bp]}`, `{leave,g,[cp]}`, `{leave,h,[cp]}` for halted nodes: with bp and cp on
 *   two nodes these are exactly the events here; with both on one node, here g's two leaves
 *   come as one event, `[ref, 'leave', 'g', [bp, cp]]`, then h's.
 *
 * Capabilities (trust/): a peer admitted with a join ticket whose role lacks `pg` may read
 * groups (its `discover` is answered) but its members are not accepted: the members of its
 * `sync` and `join` are ignored (it is recorded with none), this node logs one warning per
 * refusal (`capabilities: refused pg join of [g] in scope 'pg' from node … (role '…')`,
 * flood-limited), and its server is sent `['pg_not_allowed', S, groups]`, on which the
 * joining node's scope server logs a warning (`pg: node … does not accept this node's members
 * of [g] in scope 'pg' (not allowed for this node's role)`). Its local view is unchanged: its
 * own members stay local members there.
 *
 * Differences from OTP's pg, and why:
 * - The default scope `pg` runs on every node from the start (OTP starts it only with
 *   `-kernel start_pg true` or `pg:start(pg)`); other scopes start on first use of `scope(name)`.
 * - Groups are strings.
 * - There is no implicit calling process in JS: `monitorScope` and `monitor` take the process
 *   to notify (`self` or a local pid), or a listener function.
 * - A non-pid throws `badarg` wherever it is (OTP: `function_clause`, or `{nolocal, X}` inside a
 *   list); a remote pid throws `nolocal` with the pid in `details`.
 * - If the scope server dies it is restarted with the same memberships (OTP's supervisor
 *   restarts it empty).
 * - Changes carried by a `sync` are reported as events (OTP updates a known group silently).
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import type { Node } from '../node/node.js';
import { ProcessContext } from '../process/context.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';

/** A membership change: `[ref, 'join' | 'leave', group, pids]` (Erlang's `{Ref, join, Group, Pids}`). */
export type PgEvent = [ref: Ref, kind: 'join' | 'leave', group: string, pids: Pid[]];

/** A listener for the callback forms of `monitorScope` and `monitor`. */
export type PgListener = (ev: PgEvent) => void;

/** What the callback form of `monitorScope` returns. */
export interface PgScopeSubscription {
  ref: Ref;
  /** Every group with its members at the time of the call. */
  groups: Map<string, Pid[]>;
  /** Stop the events (same as `demonitor(ref)`). */
  off(): void;
}

/** What the callback form of `monitor` returns. */
export interface PgGroupSubscription {
  ref: Ref;
  /** The group's members at the time of the call. */
  members: Pid[];
  off(): void;
}

interface GroupView {
  all: Pid[];
  local: Pid[];
}

interface LocalEntry {
  pid: Pid;
  monRef: Ref;
  /** The groups this process joined, once per join. */
  groups: string[];
}

interface Peer {
  pid: Pid;
  monRef: Ref;
  groups: Map<string, Pid[]>;
  /** Groups whose members from this peer were refused (capabilities): a later `sync` does not report them again. */
  refused?: Set<string>;
}

interface Sub {
  ref: Ref;
  /** undefined: the whole scope. */
  group: string | undefined;
  /** A process to send events to (monitored, dropped when it exits)… */
  pid?: Pid;
  monRef?: Ref;
  /** …or a listener. */
  listener?: PgListener;
}

/** The scopes started on each node. */
const scopesByNode = new WeakMap<Node, Map<string, Pg>>();

/** @internal whether `name` is the registered name of a pg scope server started on `node` */
export function isPgScopeName(node: Node, name: string): boolean {
  const scopes = scopesByNode.get(node);
  if (!scopes) return false;
  return name === 'pg' ? scopes.has('pg') : name.startsWith('pg_') && scopes.has(name.slice(3));
}

/**
 * Process groups of one scope on one node. `node.pg` is the default scope, `'pg'`; other scopes
 * come from `node.pg.scope(name)`.
 *
 * Unlike OTP, where the default scope runs only if started (`-kernel start_pg true`), the
 * default scope is started on every node when the node starts.
 *
 * @example
 * const pid = node.spawn(async (self) => { await self.receive(); });
 * node.pg.join('workers', pid);          // 'ok'
 * node.pg.getMembers('workers');         // [pid, …members on other nodes]
 * node.pg.leave('workers', pid);         // 'ok'
 */
export class Pg {
  /** The scope's name (`'pg'` for the default scope). */
  readonly scopeName: string;
  private readonly regName: string;
  private ctx!: ProcessContext;
  private readonly view = new Map<string, GroupView>();
  private readonly local = new Map<string, LocalEntry>();
  private readonly localByMon = new Map<string, string>();
  private readonly peers = new Map<string, Peer>();
  private readonly peersByMon = new Map<string, string>();
  private readonly subs = new Map<string, Sub>();
  private readonly subsByMon = new Map<string, string>();
  private readonly callbacks: Array<() => void> = [];
  private delivering = false;
  private offNodes: (() => void) | undefined;
  private stopped = false;

  /**
   * Start a scope's server on `node`. Nodes start the default scope themselves; use
   * `node.pg.scope(name)` for others.
   * @param scope @internal the scope name; default `'pg'`
   */
  constructor(
    readonly node: Node,
    scope = 'pg',
  ) {
    if (typeof scope !== 'string' || scope.length === 0) throw badarg('pg: the scope name must be a non-empty string', { scope });
    let scopes = scopesByNode.get(node);
    if (!scopes) scopesByNode.set(node, (scopes = new Map()));
    if (scopes.has(scope)) throw badarg(`pg: scope '${scope}' is already started on this node`, { scope });
    this.scopeName = scope;
    this.regName = scope === 'pg' ? 'pg' : `pg_${scope}`;
    this.startServer();
    scopes.set(scope, this);
    this.offNodes = node.monitorNodes((ev) => {
      if (ev[0] === 'nodeup') this.discover(ev[1]);
    });
  }

  // ----- API -------------------------------------------------------------------------------

  /**
   * The Pg of scope `name` on this node, started on first use. Scopes are independent: a join
   * in one is invisible in the others, and a scope only syncs with the same scope on other nodes.
   *
   * @example
   * const s2 = node.pg.scope('s2');
   * s2.join('g', pid);
   * node.pg.getMembers('g');   // [] — another scope
   */
  scope(name: string): Pg {
    if (typeof name !== 'string' || name.length === 0) throw badarg('pg.scope: the name must be a non-empty string', { name });
    return scopesByNode.get(this.node)?.get(name) ?? new Pg(this.node, name);
  }

  /**
   * Add local process(es) to `group`; always `'ok'`. A process may join a group many times
   * (`join(g, [p, p])` adds p twice) and must leave it as many times. A remote pid throws
   * `ErlmeshError` code `nolocal` (details: the pid), a non-pid `badarg`; nothing is joined then.
   *
   * @example
   * node.pg.join('g', self.pid);              // 'ok'
   * node.pg.join('g', [self.pid, self.pid]);  // 'ok', two more entries
   */
  join(group: string, pidOrPids: Pid | readonly Pid[]): 'ok' {
    checkGroup(group, 'join');
    const pids = this.localPids(pidOrPids, 'join');
    if (pids.length === 0) return 'ok';
    for (const pid of pids) {
      let e = this.local.get(pid.key);
      if (!e) {
        e = { pid, monRef: this.ctx.monitor(pid), groups: [] };
        this.local.set(pid.key, e);
        this.localByMon.set(e.monRef.key, pid.key);
      }
      e.groups.push(group);
    }
    this.addToView(group, pids, true);
    this.notify('join', group, pids);
    this.broadcast(['join', this.ctx.pid, group, pids]);
    return 'ok';
  }

  /**
   * Remove one entry of each given local process from `group`: `'ok'`, or `'not_joined'` when
   * none of them was a member. Errors as `join`.
   *
   * @example
   * node.pg.join('g', pid);
   * node.pg.leave('g', pid);   // 'ok'
   * node.pg.leave('g', pid);   // 'not_joined'
   */
  leave(group: string, pidOrPids: Pid | readonly Pid[]): 'ok' | 'not_joined' {
    checkGroup(group, 'leave');
    const pids = this.localPids(pidOrPids, 'leave');
    const removed: Pid[] = [];
    for (const pid of pids) {
      const e = this.local.get(pid.key);
      const i = e ? e.groups.indexOf(group) : -1;
      if (!e || i < 0) continue;
      e.groups.splice(i, 1);
      removed.push(pid);
      if (e.groups.length === 0) this.forgetLocal(e, true);
    }
    if (removed.length === 0) return 'not_joined';
    this.removeFromView(group, removed, true);
    this.notify('leave', group, removed);
    this.broadcast(['leave', this.ctx.pid, group, removed]);
    return 'ok';
  }

  /**
   * The members of `group` on all nodes this node knows, with duplicates, in no particular
   * order; `[]` for an empty group. Updates from other nodes arrive asynchronously.
   *
   * @example
   * node.pg.getMembers('g');   // [<a@host.42.0>, <b@host.17.0>, <b@host.17.0>]
   */
  getMembers(group: string): Pid[] {
    checkGroup(group, 'getMembers');
    return this.view.get(group)?.all.slice() ?? [];
  }

  /**
   * The members of `group` on this node, with duplicates.
   *
   * @example
   * node.pg.getLocalMembers('g');   // [<a@host.42.0>]
   */
  getLocalMembers(group: string): Pid[] {
    checkGroup(group, 'getLocalMembers');
    return this.view.get(group)?.local.slice() ?? [];
  }

  /**
   * The groups with at least one member anywhere, as this node knows.
   *
   * @example
   * node.pg.whichGroups();   // ['g', 'h']
   */
  whichGroups(): string[] {
    return [...this.view.keys()];
  }

  /**
   * Watch the whole scope. With a process (`self`, or a local pid): returns
   * `[ref, groups]` — every group with its members, as a `Map` — and then sends that process
   * `[ref, 'join', group, pids]` / `[ref, 'leave', group, pids]` on every change. With a
   * listener function: returns `{ ref, groups, off }` and calls the listener with the same
   * arrays. The watch ends with `demonitor(ref)` (or `off()`), or when the process exits.
   *
   * `groups` is a `Map` rather than a plain object: group names are arbitrary strings (a
   * plain object would trip on `__proto__` and friends), a `Map` keeps insertion order, and it
   * is a sendable term, like Erlang's map.
   *
   * @example
   * const [ref, groups] = node.pg.monitorScope(self);
   * const ev = await self.receive((m) => ref.equals(m[0]));   // [ref, 'join', 'g', [pid]]
   *
   * const sub = node.pg.monitorScope((ev) => console.log(ev));
   * sub.off();
   */
  monitorScope(subscriber: ProcessContext | Pid): [Ref, Map<string, Pid[]>];
  monitorScope(listener: PgListener): PgScopeSubscription;
  monitorScope(subscriber: ProcessContext | Pid | PgListener): [Ref, Map<string, Pid[]>] | PgScopeSubscription {
    const sub = this.subscribe(subscriber, undefined, 'monitorScope');
    const groups = new Map<string, Pid[]>();
    for (const [g, v] of this.view) groups.set(g, v.all.slice());
    if (sub.listener) return { ref: sub.ref, groups, off: () => void this.demonitor(sub.ref) };
    return [sub.ref, groups];
  }

  /**
   * Watch one group: as `monitorScope`, but returns the group's current members
   * (`[ref, pids]`, or `{ ref, members, off }` for a listener) and reports only that group's
   * changes.
   *
   * @example
   * const [ref, members] = node.pg.monitor(self, 'g');
   * const ev = await self.receive((m) => ref.equals(m[0]));   // [ref, 'leave', 'g', [pid]]
   */
  monitor(subscriber: ProcessContext | Pid, group: string): [Ref, Pid[]];
  monitor(listener: PgListener, group: string): PgGroupSubscription;
  monitor(subscriber: ProcessContext | Pid | PgListener, group: string): [Ref, Pid[]] | PgGroupSubscription {
    checkGroup(group, 'monitor');
    const sub = this.subscribe(subscriber, group, 'monitor');
    const members = this.getMembers(group);
    if (sub.listener) return { ref: sub.ref, members, off: () => void this.demonitor(sub.ref) };
    return [sub.ref, members];
  }

  /**
   * End a `monitorScope` or `monitor` watch: `'ok'`, or `false` for an unknown ref (as OTP).
   * Events of this watch already queued in the watching process's mailbox are removed.
   *
   * @example
   * const [ref] = node.pg.monitor(self, 'g');
   * node.pg.demonitor(ref);   // 'ok'
   * node.pg.demonitor(ref);   // false
   */
  demonitor(ref: Ref): 'ok' | false {
    if (!(ref instanceof Ref)) throw badarg('pg.demonitor: not a ref', { ref });
    const sub = this.subs.get(ref.key);
    if (!sub) return false;
    this.subs.delete(ref.key);
    if (sub.monRef) {
      this.subsByMon.delete(sub.monRef.key);
      this.ctx.demonitor(sub.monRef, { flush: true });
    }
    if (sub.pid) {
      this.node.runtime
        .local(sub.pid)
        ?.mailbox.drain((m) => Array.isArray(m) && m.length === 4 && ref.equals(m[0]) && (m[1] === 'join' || m[1] === 'leave'));
    }
    return 'ok';
  }

  // ----- the scope server ------------------------------------------------------------------

  /** Spawn and register the server; on a restart, monitor again what the old one monitored. */
  private startServer(): void {
    const pid = this.node.spawn(async (self) => {
      for (;;) this.handle(await self.receive());
    });
    const proc = this.node.runtime.local(pid);
    if (!proc) throw new ErlmeshError('notalive', `pg: the ${this.scopeName} scope server did not start`);
    try {
      this.node.register(this.regName, pid);
    } catch (e) {
      this.node.exit(pid, 'kill');
      throw e;
    }
    this.ctx = this.node._context(proc);
    this.localByMon.clear();
    for (const e of this.local.values()) {
      e.monRef = this.ctx.monitor(e.pid);
      this.localByMon.set(e.monRef.key, e.pid.key);
    }
    this.peersByMon.clear();
    for (const p of this.peers.values()) {
      p.monRef = this.ctx.monitor(p.pid);
      this.peersByMon.set(p.monRef.key, p.pid.key);
    }
    this.subsByMon.clear();
    for (const s of this.subs.values()) {
      if (!s.pid) continue;
      s.monRef = this.ctx.monitor(s.pid);
      this.subsByMon.set(s.monRef.key, s.ref.key);
    }
    for (const n of this.node.nodes()) this.discover(n);
    void this.node.exitReason(pid).then((reason) => this.serverExited(reason));
  }

  private serverExited(reason: unknown): void {
    if (this.stopped) return;
    try {
      this.startServer();
    } catch (e) {
      // The node has stopped (spawn throws notalive), or the name was taken meanwhile.
      this.stopped = true;
      this.offNodes?.();
      if (!(e instanceof ErlmeshError && e.code === 'notalive')) {
        this.node.log('error', `pg: the ${this.scopeName} scope server exited (${String(reason)}) and could not restart: ${String(e)}`);
      }
    }
  }

  private handle(m: unknown): void {
    if (!Array.isArray(m)) return;
    try {
      switch (m[0]) {
        case 'DOWN':
          if (m[1] instanceof Ref) this.onDown(m[1]);
          return;
        case 'discover':
          if (m[1] instanceof Pid) this.onDiscover(m[1]);
          return;
        case 'sync':
          if (m[1] instanceof Pid && isSyncGroups(m[2])) this.onSync(m[1], m[2]);
          return;
        case 'join':
          if (m[1] instanceof Pid && typeof m[2] === 'string' && isPids(m[3])) this.onRemoteJoin(m[1], m[2], m[3]);
          return;
        case 'leave':
          if (m[1] instanceof Pid && typeof m[2] === 'string' && isPids(m[3])) this.onRemoteLeave(m[1], m[2], m[3]);
          return;
        case 'pg_not_allowed':
          if (m[1] instanceof Pid && isStrings(m[2]) && this.node.nodes('connected').includes(m[1].node)) {
            this.node.log(
              'warning',
              `pg: node ${m[1].node} does not accept this node's members of [${m[2].join(',')}] in scope '${this.scopeName}' (not allowed for this node's role)`,
            );
          }
          return;
      }
    } catch (e) {
      this.node.log('error', `pg: the ${this.scopeName} scope server failed on a message: ${String(e)}`);
    }
  }

  private discover(node: string): void {
    if (node !== this.node.name) this.sendOut(node, [this.regName, node], ['discover', this.ctx.pid]);
  }

  /**
   * Send to a server on another node only over an existing connection (Erlang's `noconnect`):
   * pg never opens connections itself — after a `disconnect` it must not reconnect the nodes —
   * and what it drops is carried by the `sync` that follows the next nodeup.
   */
  private sendOut(node: string, dest: Pid | [string, string], msg: unknown[]): void {
    if (this.node.nodes('connected').includes(node)) this.ctx.send(dest, msg);
  }

  private onDiscover(peer: Pid): void {
    if (peer.node === this.node.name) return;
    const groups: Array<[string, Pid[]]> = [];
    for (const [g, v] of this.view) if (v.local.length > 0) groups.push([g, v.local.slice()]);
    this.sendOut(peer.node, peer, ['sync', this.ctx.pid, groups]);
    if (!this.peers.has(peer.key)) {
      this.addPeer(peer);
      this.sendOut(peer.node, peer, ['discover', this.ctx.pid]);
    }
  }

  private addPeer(pid: Pid): Peer {
    const p: Peer = { pid, monRef: this.ctx.monitor(pid), groups: new Map() };
    this.peers.set(pid.key, p);
    this.peersByMon.set(p.monRef.key, pid.key);
    return p;
  }

  /**
   * May `peer`'s server add members here? Yes for a cookie holder; for a ticket holder only if
   * its role has `pg` (else the refusal is logged and the peer told). Not for a node that is no
   * longer connected (its DOWN is on its way).
   */
  private acceptsMembers(peer: Pid, groups: string[]): boolean {
    const policy = this.node.security.policyOf(peer.node);
    if (policy === undefined) return true;
    if (policy === null) return false;
    if (policy.pg === true) return true;
    if (groups.length > 0) {
      this.node.security.refused(peer.node, `pg join of [${groups.join(',')}] in scope '${this.scopeName}'`);
      this.sendOut(peer.node, peer, ['pg_not_allowed', this.ctx.pid, groups]);
    }
    return false;
  }

  /**
   * The pids of `pids` that live on `peer`'s node: a server speaks only for its own node's
   * processes. Others are dropped; from a ticket holder that is a refusal (logged as such), as
   * it would put a trusted node's processes in groups on its word.
   */
  private ownPids(peer: Pid, group: string, pids: Pid[]): Pid[] {
    const own = pids.filter((p) => p.node === peer.node);
    if (own.length < pids.length) {
      const what = `pg members of another node in [${group}] in scope '${this.scopeName}'`;
      if (this.node.security.policyOf(peer.node)) this.node.security.refused(peer.node, what);
      else this.node.log('warning', `pg: ignored ${what} from node ${peer.node}`);
    }
    return own;
  }

  private onSync(peerPid: Pid, groups: Array<[string, Pid[]]>): void {
    if (peerPid.node === this.node.name) return;
    groups = groups.map(([g, pids]) => [g, this.ownPids(peerPid, g, pids)]);
    const peer = this.peers.get(peerPid.key) ?? this.addPeer(peerPid);
    const joined = [...new Set(groups.filter(([, pids]) => pids.length > 0).map(([g]) => g))];
    if (!this.acceptsMembers(peerPid, joined.filter((g) => peer.refused?.has(g) !== true))) {
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

  private onRemoteJoin(peerPid: Pid, group: string, pids: Pid[]): void {
    const peer = this.peers.get(peerPid.key);
    if (peer) pids = this.ownPids(peerPid, group, pids);
    if (!peer || pids.length === 0 || !this.acceptsMembers(peerPid, [group])) return;
    peer.groups.set(group, [...(peer.groups.get(group) ?? []), ...pids]);
    this.remoteChange(group, pids, 'join');
  }

  private onRemoteLeave(peerPid: Pid, group: string, pids: Pid[]): void {
    const peer = this.peers.get(peerPid.key);
    const list = peer?.groups.get(group);
    if (!peer || !list) return;
    const removed = pids.filter((pid) => removeOne(list, pid));
    if (list.length === 0) peer.groups.delete(group);
    this.remoteChange(group, removed, 'leave');
  }

  private remoteChange(group: string, pids: Pid[], kind: 'join' | 'leave'): void {
    if (pids.length === 0) return;
    if (kind === 'join') this.addToView(group, pids, false);
    else this.removeFromView(group, pids, false);
    this.notify(kind, group, pids);
  }

  private onDown(ref: Ref): void {
    const localKey = this.localByMon.get(ref.key);
    if (localKey !== undefined) {
      const e = this.local.get(localKey);
      if (e) this.memberExited(e);
      return;
    }
    const peerKey = this.peersByMon.get(ref.key);
    if (peerKey !== undefined) {
      this.peersByMon.delete(ref.key);
      const p = this.peers.get(peerKey);
      if (!p) return;
      this.peers.delete(peerKey);
      for (const [g, pids] of p.groups) this.remoteChange(g, pids, 'leave');
      // A server we lost on a node that is connected (a restarted server, or a reconnect that
      // overtook this DOWN): ask again, so that the two sides do not stay strangers.
      if (this.node.nodes().includes(p.pid.node)) this.discover(p.pid.node);
      return;
    }
    const subKey = this.subsByMon.get(ref.key);
    if (subKey !== undefined) {
      this.subsByMon.delete(ref.key);
      this.subs.delete(subKey);
    }
  }

  /** A local member exited: all its entries go, one event and one broadcast per group. */
  private memberExited(e: LocalEntry): void {
    this.forgetLocal(e, false);
    const counts = new Map<string, number>();
    for (const g of e.groups) counts.set(g, (counts.get(g) ?? 0) + 1);
    for (const [g, n] of counts) {
      const pids = Array.from({ length: n }, () => e.pid);
      this.removeFromView(g, pids, true);
      this.notify('leave', g, pids);
      this.broadcast(['leave', this.ctx.pid, g, pids]);
    }
  }

  private forgetLocal(e: LocalEntry, demonitor: boolean): void {
    this.local.delete(e.pid.key);
    this.localByMon.delete(e.monRef.key);
    if (demonitor) this.ctx.demonitor(e.monRef, { flush: true });
  }

  private broadcast(msg: unknown[]): void {
    const connected = new Set(this.node.nodes('connected'));
    for (const p of this.peers.values()) if (connected.has(p.pid.node)) this.ctx.send(p.pid, msg);
  }

  // ----- the view and its events -----------------------------------------------------------

  private addToView(group: string, pids: Pid[], local: boolean): void {
    let v = this.view.get(group);
    if (!v) this.view.set(group, (v = { all: [], local: [] }));
    v.all.push(...pids);
    if (local) v.local.push(...pids);
  }

  private removeFromView(group: string, pids: Pid[], local: boolean): void {
    const v = this.view.get(group);
    if (!v) return;
    for (const pid of pids) {
      removeOne(v.all, pid);
      if (local) removeOne(v.local, pid);
    }
    if (v.all.length === 0) this.view.delete(group);
  }

  private notify(kind: 'join' | 'leave', group: string, pids: Pid[]): void {
    for (const sub of this.subs.values()) {
      if (sub.group !== undefined && sub.group !== group) continue;
      const ev: PgEvent = [sub.ref, kind, group, pids.slice()];
      if (sub.pid) this.ctx.send(sub.pid, ev);
      else this.later(sub, ev);
    }
  }

  /**
   * Call a listener. Listeners run after the change is complete and one at a time, in order:
   * one that calls join/leave itself queues the events of that change behind the current ones.
   */
  private later(sub: Sub, ev: PgEvent): void {
    this.callbacks.push(() => {
      if (this.subs.get(sub.ref.key) === sub) sub.listener!(ev);
    });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let f = this.callbacks.shift(); f; f = this.callbacks.shift()) {
        try {
          f();
        } catch (e) {
          this.node.log('error', `pg: a monitor listener failed: ${String(e)}`);
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  private subscribe(subscriber: unknown, group: string | undefined, what: string): Sub {
    const ref = this.node.runtime.makeRef();
    let sub: Sub;
    if (typeof subscriber === 'function') {
      sub = { ref, group, listener: subscriber as PgListener };
    } else {
      const pid = subscriber instanceof ProcessContext ? subscriber.pid : subscriber;
      if (!(pid instanceof Pid)) {
        throw badarg(`pg.${what}: pass the process to notify (self or a local pid) or a listener function`, { subscriber });
      }
      if (pid.node !== this.node.name) throw new ErlmeshError('nolocal', `pg.${what}: ${pid.toString()} is not a local process`, pid);
      const monRef = this.ctx.monitor(pid);
      sub = { ref, group, pid, monRef };
      this.subsByMon.set(monRef.key, ref.key);
    }
    this.subs.set(ref.key, sub);
    return sub;
  }

  /** The pids of a join/leave argument, all checked before anything changes. */
  private localPids(pidOrPids: unknown, what: string): Pid[] {
    const pids = Array.isArray(pidOrPids) ? (pidOrPids as unknown[]) : [pidOrPids];
    for (const p of pids) {
      if (!(p instanceof Pid)) throw badarg(`pg.${what}: not a pid`, { pid: p });
      if (p.node !== this.node.name) throw new ErlmeshError('nolocal', `pg.${what}: ${p.toString()} is not a local process`, p);
    }
    return pids as Pid[];
  }
}

function checkGroup(group: unknown, what: string): asserts group is string {
  if (typeof group !== 'string') throw badarg(`pg.${what}: the group must be a string`, { group });
}

function isPids(v: unknown): v is Pid[] {
  return Array.isArray(v) && v.every((p) => p instanceof Pid);
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isSyncGroups(v: unknown): v is Array<[string, Pid[]]> {
  return Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isPids(e[1]));
}

/** Remove the first entry equal to `pid`; false if there was none. */
function removeOne(list: Pid[], pid: Pid): boolean {
  const i = list.findIndex((p) => p.equals(pid));
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** What to add to and remove from multiset `from` to get multiset `to`. */
function multisetDiff(from: Pid[], to: Pid[]): { added: Pid[]; removed: Pid[] } {
  const rest = from.slice();
  const added = to.filter((pid) => !removeOne(rest, pid));
  return { added, removed: rest };
}
