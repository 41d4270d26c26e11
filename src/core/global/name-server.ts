/**
 * The global name server: one process per node, registered locally as `global_name_server`,
 * that keeps this node's view of the cluster-wide names (see global.ts for the API).
 *
 * ## Roles
 * - **Owner.** An entry `name → pid` is owned by the pid's node. Only the owner adds or
 *   removes it; it monitors the pid and removes its names when the pid exits. Every change is
 *   broadcast (`g_ops`) to all visible peers. On `nodeup` each side asks the other for its
 *   complete owned set (`g_snapshot_req` → `g_snapshot`), which replaces what it held for that
 *   peer. A node's table is its own entries plus one replica per connected peer; a peer's
 *   replica is dropped on its `nodedown`. (The single-writer scheme of pg: once the links
 *   settle, every node's replica of X equals X's owned set, whatever happened before.)
 * - **Authority (leader).** The visible node whose name sorts lowest among a node and its
 *   visible peers. It serialises the operations that must see the whole cluster: register
 *   (is the name free? does the pid already have a name?), re-register and unregister. It
 *   answers each request by starting a *chain*: a list of steps, each run by the node that
 *   owns what the step touches (`own` a name for a local pid, or `drop` one), in order. The
 *   leader keeps a reservation on the name until the chain is done, and queues later requests
 *   for that name until then, so the chains of one name never overlap. A leader answers
 *   nothing before it has the snapshots of all its peers, so it decides on a complete table.
 *
 * ## Messages (all `[tag, fromNode, …]`, between the servers, sent as `[name, node]`)
 *
 * | message                                                 | meaning / reaction |
 * |---------------------------------------------------------|--------------------|
 * | `g_snapshot_req, token`                                 | send your owned set (asked on every nodeup, and by a restarted server) |
 * | `g_snapshot, entries, token`                            | the sender's complete owned set: replaces its replica; the token of our last request ends the wait for it |
 * | `g_ops, ops, reply, done`                               | owner changes, `['add', name, pid, res]` / `['del', name, pid]`; `reply` (`[ref, result, info]`) answers the recipient's call, `done` (`ref`) tells the recipient leader that chain `ref` ended |
 * | `g_reserve, ref, kind, name, pid, res, retry`           | a call (`register` / `reregister` / `unregister`) to the leader |
 * | `g_chain, ref, requester, leader, steps, result`        | the rest of a chain: run the leading steps that are ours, pass on the rest (steps of owners we are not connected to are skipped) |
 * | `g_reply, ref, result, info`                            | the answer, when it cannot ride on a `g_ops` |
 * | `g_done, ref, relay`                                    | end of a chain, when it cannot ride on a `g_ops`; `relay`: an answer the leader passes on to a caller the chain's last node is not connected to |
 * | `g_not_leader, ref`                                     | the recipient of a `g_reserve` is not the leader: the caller retries when its leader changes |
 * | `g_leader_up`                                           | the sender just became the leader: parked calls retry |
 * | `g_restarted`                                           | the sender's server restarted (its mailbox was lost): handled as its nodedown then nodeup |
 * | `g_confirm, rref, name, pid` / `g_confirmed, rref, still` | before resolving a conflict: does the other owner still hold the name? |
 * | `g_resolve_req, rref, name, pid1, pid2, fnId` / `g_resolve_rep, rref, pid \| null` | run a user resolve function on the node that registered it |
 * | `g_sync_req, ref, round` / `g_sync_ack, ref`            | `sync()` barrier rounds (below) |
 * | `g_probe, ref` / `g_probe_ack, ref`                     | a round-2 barrier's round trip to every peer |
 * | `g_lock, …` / `g_lock_reply, …`                         | locks (locks.ts) |
 *
 * ## A registration
 * `registerName(n, p)` on node r, leader L, p on node h: r → L `g_reserve`; L checks its table
 * and starts the chain `[[h, own n p]]`: if h = L it runs at once, else L → h `g_chain`. h adds
 * the entry and broadcasts `g_ops` to its peers, the copy to r carrying the answer and the copy
 * to L the `done`. So the caller sends one request and gets one answer: one round trip to the
 * authority, plus the owner's broadcasts, and no locks. When r = h (a process registering
 * itself) that is r → L, L → r, then r's broadcasts; when L = h, L's broadcast is the answer;
 * when r = L = h, no frame but the broadcasts. A re-register is `[[old owner, drop], [h, own]]`,
 * an unregister `[[owner, drop]]`.
 *
 * ## Calls and leader changes
 * A call goes to the caller's leader. It is sent again (marked `retry`, so that a register
 * finding its own pid under the name answers `yes`) when that leader goes down, and when a
 * `g_not_leader` answer is followed by a new leader (or its `g_leader_up`). A leader that goes
 * down in the middle of a chain leaves the caller to retry; an owner that goes down in the
 * middle makes the leader answer the caller with the chain's nominal result (a pid on a lost
 * node counts as dead). Two leaders can exist for a moment (a lower node joining, views that
 * differ during a partition); if both grant a name, the owners see a conflict, resolved as below.
 *
 * ## Conflicts
 * A name with two owners (the sides of a healed partition both registered it, or two leaders
 * raced) is resolved by its lowest-named owner, against the next one: it first confirms that
 * the other still holds the name (`g_confirm`; the answer comes after any drop that owner sent,
 * so a stale replica never starts a resolution), then applies the resolver of its own entry,
 * which picks the pid to keep (or none); losing entries are dropped (the other's by a chain)
 * and the resolver's notifications/kills are sent. `random_exit` and `random_notify` keep the
 * pid of the lower-named node. A user function runs on the node that registered with it and
 * is called `(name, pid1, pid2)` with pid1 the pid on the lower-named node. Until the
 * resolution is done every node answers `whereisName` with the lowest owner's pid.
 *
 * ## sync()
 * Two barrier rounds over the visible peers. Round 1: each peer answers once it is *settled*
 * (it has every peer's snapshot and no conflict resolution of its own is pending), so every
 * merge and resolution triggered by earlier nodeups is over. Round 2: each peer, settled again,
 * makes a round trip to each of its own peers and then answers; as messages between two nodes
 * keep their order, every peer (and this node) then holds every owner's state as of after
 * round 1, so all tables agree.
 *
 * ## Ticket holders (capabilities)
 * A peer admitted with a join ticket acts in a role (trust/). It is never the leader: a
 * node computes its leader among itself and its *trusted* visible peers (cookie holders), and
 * on nodeup tells each ticket-holding peer `g_untrusted`, on which that peer stops counting
 * itself (the notice comes before the snapshot, so before such a peer could decide anything
 * as a leader with us as its peer). If its role lacks `global`, a trusted node:
 * - answers its `g_reserve` (register, re-register, unregister) with the result `not_allowed`,
 *   which the caller's API rejects as `ErlmeshError` code `not_allowed`;
 * - refuses to register a pid of that node for anyone (`not_allowed` too: the entry would be
 *   owned by that node, whose entries it does not accept);
 * - ignores its entries (`g_snapshot`, `g_ops`), its `g_chain` and `g_resolve_req` steps, and
 *   refuses its locks (`g_lock` answered not granted);
 * each refusal with a warning line (trust/guard.ts, flood-limited). It may still read the
 * names (its snapshot requests are answered) and `sync()`. A role with `global` takes part
 * fully, but still never leads. The guard checks that a ticket holder's messages to this
 * server name it as their sender (`fromNode`), so it cannot speak for another node.
 *
 * | message          | meaning |
 * |------------------|---------|
 * | `g_untrusted`    | the sender lets this node in with a role: this node must not lead while connected to it (ignored, and logged as refused, from a node this one sees in a role) |
 *
 * ## Invariants
 * - Messages from a node are handled only while it is a peer: between a nodeup (processed when
 *   the node is still connected) and its nodedown. Those that overtake the nodeup are held
 *   back until it; a nodeup for a connection that is already gone is ignored.
 * - The server only sends over existing connections; it never opens one (a late answer must
 *   not undo a `disconnect`).
 * - Only live local pids are owned; a dead pid's registration answers `yes` and owns nothing;
 *   a pid on a node the leader is not connected to counts as dead.
 * - Drops are conditional on the pid, so a stale step never removes a newer registration.
 * - Hidden connections are ignored by the name table (a hidden node keeps its own names);
 *   locks are served to any node.
 */
import { webCrypto } from '../net/proofs.js';
import { compareNames } from '../terms/node-names.js';
import { ErlmeshError } from '../base/errors.js';
import type { Node } from '../node/node.js';
import type { ProcessContext } from '../process/context.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import { LockTable } from './locks.js';
import { comparePids, NameTable, type Entry, type ResolverDesc, type WireEntry } from './name-table.js';

/** The local name of the server process on every node. */
export const SERVER_NAME = 'global_name_server';

/** A user resolve function. */
export type ResolveFn = (name: string, pid1: Pid, pid2: Pid) => Pid | undefined | Promise<Pid | undefined>;

export type CallKind = 'register' | 'reregister' | 'unregister';

/** A name operation waiting for its answer, on the calling node. */
export interface Call {
  ref: string;
  kind: CallKind;
  name: string;
  pid: Pid | null;
  res: ResolverDesc | null;
  retry: boolean;
  /** The leader it was sent to; undefined while parked (waiting for a new leader). */
  sentTo: string | undefined;
  resolve(result: string): void;
  reject(e: unknown): void;
}

type Op = ['add', string, Pid, ResolverDesc] | ['del', string, Pid];
type Step = [node: string, action: 'own', name: string, pid: Pid, res: ResolverDesc] | [node: string, action: 'drop', name: string, pid: Pid];
type ReplyInfo = [ref: string, result: string, info: unknown];

interface Request {
  from: string;
  ref: string;
  kind: CallKind;
  name: string;
  pid: Pid | null;
  res: ResolverDesc | null;
  retry: boolean;
}

/** A chain in progress, as the leader sees it. */
interface Reservation {
  ref: string;
  name: string;
  requester: string;
  result: string;
  nodes: Set<string>;
}

interface Resolution {
  name: string;
  mine: Pid;
  other: Pid;
  ref: string;
  stage: 'confirm' | 'fn' | 'drop';
  fnNode?: string;
}

interface Barrier {
  ref: string;
  round: 1 | 2;
  waiting: Set<string>;
  resolve(v: 'ok'): void;
}

interface PendingAck {
  to: string;
  ref: string;
  round: 1 | 2;
  probe: { ref: string; waiting: Set<string> } | undefined;
}

const REMOTE_TAGS = new Set([
  'g_snapshot',
  'g_snapshot_req',
  'g_ops',
  'g_reserve',
  'g_chain',
  'g_reply',
  'g_done',
  'g_not_leader',
  'g_leader_up',
  'g_restarted',
  'g_confirm',
  'g_confirmed',
  'g_resolve_req',
  'g_resolve_rep',
  'g_sync_req',
  'g_sync_ack',
  'g_probe',
  'g_probe_ack',
  'g_untrusted',
]);

const isPid = (x: unknown): x is Pid => x instanceof Pid;
const isStr = (x: unknown): x is string => typeof x === 'string';

function isResolverDesc(x: unknown): x is ResolverDesc {
  if (x === 'random_exit' || x === 'random_notify' || x === 'notify_all') return true;
  return Array.isArray(x) && x.length === 3 && x[0] === 'fun' && isStr(x[1]) && isStr(x[2]);
}

function isWireEntry(x: unknown): x is WireEntry {
  return Array.isArray(x) && x.length === 3 && isStr(x[0]) && isPid(x[1]) && isResolverDesc(x[2]);
}

function isStep(x: unknown): x is Step {
  if (!Array.isArray(x) || !isStr(x[0]) || !isStr(x[2]) || !isPid(x[3])) return false;
  return (x[1] === 'own' && x.length === 5 && isResolverDesc(x[4])) || (x[1] === 'drop' && x.length === 4);
}

export class NameServer {
  readonly me: string;
  readonly table = new NameTable();
  /** User resolve functions registered from this node, by id. */
  readonly fns = new Map<string, ResolveFn>();
  /** Calls being answered (routed by the server). */
  readonly calls = new Map<string, Call>();
  /** Calls made by the API, not yet picked up by the server process. */
  readonly newCalls = new Map<string, Call>();
  readonly locks: LockTable;
  stopped = false;

  private ctx!: ProcessContext;
  private pid!: Pid;
  private readonly peers = new Set<string>();
  private readonly hidden = new Set<string>();
  /** Peers whose snapshot we asked for and have not got: node → token of the last request. */
  private readonly awaitingSnapshot = new Map<string, string>();
  private readonly stash = new Map<string, unknown[][]>();
  private leader: string;
  /** Visible peers that act in a role (ticket holders), and whether it has `global`. Never leaders. */
  private readonly roled = new Map<string, boolean>();
  /** Peers that told us we act in a role with them (`g_untrusted`): we do not lead while they are there. */
  private readonly distrustedBy = new Set<string>();
  // owner
  private readonly monByPid = new Map<string, Ref>();
  private readonly pidByMon = new Map<string, Pid>();
  // leader
  private readonly busy = new Map<string, Reservation>();
  private readonly busyByRef = new Map<string, Reservation>();
  private deferred: Request[] = [];
  // resolver
  private readonly resolving = new Map<string, Resolution>();
  private readonly resolvingByRef = new Map<string, Resolution>();
  // sync
  private readonly barriers = new Map<string, Barrier>();
  private pendingAcks: PendingAck[] = [];
  private seq = 0;
  private offNodes: (() => void) | undefined;

  constructor(readonly node: Node) {
    this.me = node.name;
    this.leader = node.name;
    this.locks = new LockTable(() => this.ctx);
    this.start(false);
    this.offNodes = node.monitorNodes(
      (ev) => {
        const hidden = (ev[2] as { nodeType?: string } | undefined)?.nodeType === 'hidden';
        this.toServer([ev[0] === 'nodeup' ? '$g_nodeup' : '$g_nodedown', ev[1], hidden]);
      },
      { nodeType: 'all' },
    );
  }

  /**
   * A fresh id, unique across nodes and incarnations, and unguessable: its random part keeps a
   * ticket holder, which can send this server `g_reply`, `g_ops`, `g_done`, `g_confirmed` and
   * `g_resolve_rep` naming any ref, from answering a call or ending a chain or a conflict
   * resolution it was never part of.
   */
  newRef(): string {
    return `${this.me}/${this.node.creation}#${++this.seq}.${webCrypto.randomHex(8)}`;
  }

  /** Queue a message for the server process (from the API or a listener). */
  toServer(msg: unknown[]): void {
    if (this.stopped) return;
    this.node.send(this.pid, msg);
  }

  /** @internal a summary of the server's state, for diagnostics */
  debugState(): Record<string, unknown> {
    return {
      me: this.me,
      leader: this.leader,
      peers: [...this.peers],
      awaitingSnapshot: [...this.awaitingSnapshot.keys()],
      stash: [...this.stash].map(([n, ms]) => [n, ms.length]),
      resolving: [...this.resolving.values()].map((r) => [r.name, r.stage, r.mine.toString(), r.other.toString(), r.fnNode]),
      busy: [...this.busy.values()].map((r) => [r.name, r.ref, [...r.nodes]]),
      deferred: this.deferred.map((q) => [q.from, q.kind, q.name]),
      calls: [...this.calls.values()].map((c) => [c.kind, c.name, c.sentTo]),
      barriers: [...this.barriers.values()].map((b) => [b.round, [...b.waiting]]),
      pendingAcks: this.pendingAcks.map((a) => [a.to, a.round, a.probe ? [...a.probe.waiting] : null]),
      names: this.table.names().map((n) => [n, this.table.owners(n).map((e) => e.pid.toString())]),
    };
  }

  // ----- the process -------------------------------------------------------------------------

  private start(restart: boolean): void {
    const pid = this.node.spawn(async (self) => {
      for (;;) this.handle((await self.receive()) as unknown);
    });
    const proc = this.node.runtime.local(pid);
    if (!proc) throw new ErlmeshError('notalive', 'global: the name server did not start');
    try {
      this.node.register(SERVER_NAME, pid);
    } catch (e) {
      this.node.exit(pid, 'kill');
      throw e;
    }
    this.pid = pid;
    this.ctx = this.node._context(proc);
    if (restart) this.restarted();
    void this.node.exitReason(pid).then((reason) => this.exited(reason));
  }

  private exited(reason: unknown): void {
    if (this.stopped) return;
    try {
      this.start(true);
    } catch (e) {
      this.stopped = true;
      this.offNodes?.();
      const err = new ErlmeshError('notalive', 'global: the name server is not running (the node stopped)');
      for (const c of [...this.calls.values(), ...this.newCalls.values()]) c.reject(err);
      this.calls.clear();
      this.newCalls.clear();
      for (const b of this.barriers.values()) b.resolve('ok');
      this.barriers.clear();
      if (!(e instanceof ErlmeshError && e.code === 'notalive')) {
        this.node.log('error', `global: the name server exited (${String(reason)}) and could not restart: ${String(e)}`);
      }
    }
  }

  /** The old process's mailbox is lost: monitor again, and redo the exchanges with every peer. */
  private restarted(): void {
    this.monByPid.clear();
    this.pidByMon.clear();
    for (const e of this.table.ownedBy(this.me)) this.ensureMonitor(e.pid);
    this.locks.remonitor();
    this.stash.clear();
    this.hidden.clear();
    for (const n of this.node.nodes('hidden')) this.hidden.add(n);
    const now = new Set(this.node.nodes('visible'));
    for (const n of [...this.peers]) if (!now.has(n)) this.nodeDown(n);
    for (const n of now) {
      // What the peers sent to the old process is lost: they forget what they had started with us.
      this.send(n, ['g_restarted', this.me]);
      this.nodeUp(n, false);
    }
    this.recomputeLeader();
    for (const c of this.newCalls.values()) this.calls.set(c.ref, c);
    this.newCalls.clear();
    for (const c of this.calls.values()) {
      c.retry = true;
      this.route(c);
    }
    for (const b of this.barriers.values()) this.startRound(b, 1);
    this.pendingAcks = [];
    this.pump();
  }

  private handle(m: unknown): void {
    if (!Array.isArray(m)) return;
    try {
      this.dispatch(m);
      this.pump();
    } catch (e) {
      this.node.log('error', `global: the name server failed on a message: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  private dispatch(m: unknown[]): void {
    const tag = m[0];
    if (tag === 'DOWN') {
      if (m[1] instanceof Ref) this.onDown(m[1]);
      return;
    }
    if (tag === '$g_call') {
      const c = this.newCalls.get(m[1] as string);
      if (!c) return;
      this.newCalls.delete(c.ref);
      this.calls.set(c.ref, c);
      this.route(c);
      return;
    }
    if (tag === '$g_sync') {
      const b = this.barriers.get(m[1] as string);
      if (b) this.startRound(b, 1);
      return;
    }
    if (tag === '$g_nodeup') return this.nodeUp(m[1] as string, m[2] === true);
    if (tag === '$g_nodedown') return this.nodeDown(m[1] as string);
    if (tag === 'g_lock') return this.onLock(m);
    if (!isStr(tag) || !REMOTE_TAGS.has(tag) || !isStr(m[1])) return;
    const from = m[1];
    if (from !== this.me && !this.peers.has(from)) {
      // Sent before its nodeup reached us: hold it back until then. Hidden: ignore.
      if (this.hidden.has(from)) return;
      let held = this.stash.get(from);
      if (!held) this.stash.set(from, (held = []));
      held.push(m);
      return;
    }
    this.remote(tag, from, m);
  }

  private remote(tag: string, from: string, m: unknown[]): void {
    if (this.roled.get(from) === false && this.refuse(tag, from, m)) return;
    switch (tag) {
      case 'g_snapshot':
        if (Array.isArray(m[2])) this.onSnapshot(from, m[2].filter(isWireEntry), m[3]);
        return;
      case 'g_snapshot_req':
        this.send(from, ['g_snapshot', this.me, this.snapshot(), m[2]]);
        return;
      case 'g_ops':
        if (Array.isArray(m[2])) this.onOps(from, m[2] as unknown[]);
        if (Array.isArray(m[3])) this.onReply(m[3][0] as string, m[3][1] as string, m[3][2]);
        if (isStr(m[4])) this.onDone(m[4]);
        return;
      case 'g_reserve':
        if (isStr(m[2]) && isStr(m[3]) && isStr(m[4])) {
          this.onReserve({
            from,
            ref: m[2],
            kind: m[3] as CallKind,
            name: m[4],
            pid: isPid(m[5]) ? m[5] : null,
            res: isResolverDesc(m[6]) ? m[6] : null,
            retry: m[7] === true,
          });
        }
        return;
      case 'g_chain':
        if (isStr(m[2]) && isStr(m[3]) && Array.isArray(m[5]) && m[5].every(isStep) && isStr(m[6])) {
          this.runChain(m[2], m[3], isStr(m[4]) ? m[4] : null, m[5], m[6]);
        }
        return;
      case 'g_reply':
        if (isStr(m[2]) && isStr(m[3])) this.onReply(m[2], m[3], m[4]);
        return;
      case 'g_done':
        if (isStr(m[2])) this.onDone(m[2], Array.isArray(m[3]) ? (m[3] as ReplyInfo) : undefined);
        return;
      case 'g_not_leader': {
        const c = isStr(m[2]) ? this.calls.get(m[2]) : undefined;
        if (c && c.sentTo === from) {
          c.sentTo = undefined;
          if (this.leader !== from) this.route(c);
        }
        return;
      }
      case 'g_restarted':
        // As if the connection had gone down and up again.
        this.nodeDown(from);
        this.nodeUp(from, false);
        return;
      case 'g_leader_up':
        if (from === this.leader) for (const c of this.calls.values()) if (c.sentTo === undefined) this.route(c);
        return;
      case 'g_confirm':
        if (isStr(m[2]) && isStr(m[3]) && isPid(m[4])) this.onConfirm(from, m[2], m[3], m[4]);
        return;
      case 'g_confirmed':
        if (isStr(m[2])) this.onConfirmed(m[2], m[3] === true);
        return;
      case 'g_resolve_req':
        if (isStr(m[2]) && isStr(m[3]) && isPid(m[4]) && isPid(m[5]) && isStr(m[6])) this.runResolveFn(from, m[2], m[3], m[4], m[5], m[6]);
        return;
      case 'g_resolve_rep':
        if (isStr(m[2])) this.onResolveRep(m[2], isPid(m[3]) ? m[3] : undefined);
        return;
      case 'g_sync_req':
        if (isStr(m[2])) this.pendingAcks.push({ to: from, ref: m[2], round: m[3] === 2 ? 2 : 1, probe: undefined });
        return;
      case 'g_sync_ack':
        for (const b of this.barriers.values()) if (b.ref === m[2]) b.waiting.delete(from);
        return;
      case 'g_probe':
        this.send(from, ['g_probe_ack', this.me, m[2]]);
        return;
      case 'g_probe_ack':
        for (const a of this.pendingAcks) if (a.probe && a.probe.ref === m[2]) a.probe.waiting.delete(from);
        return;
      case 'g_untrusted':
        // Only a node that admitted this one with a role may say so; a ticket holder's word
        // would make a trusted leader step down and leave the calls of its peers parked.
        if (this.roled.has(from)) return this.node.security.refused(from, 'a g_untrusted (a ticket holder cannot make this node step down as leader)');
        this.distrustedBy.add(from);
        this.recomputeLeader();
        return;
    }
  }

  /**
   * A message from a ticket holder whose role lacks `global`: true when it is refused here
   * (logged; a call is answered `not_allowed`), false when it is one it may send.
   */
  private refuse(tag: string, from: string, m: unknown[]): boolean {
    const refused = (what: string): true => {
      this.node.security.refused(from, what);
      return true;
    };
    switch (tag) {
      case 'g_reserve':
        if (isStr(m[2])) this.send(from, ['g_reply', this.me, m[2], 'not_allowed', null]);
        return refused(`global ${String(m[3])} of '${String(m[4])}'`);
      case 'g_snapshot': {
        const names = Array.isArray(m[2]) ? m[2].filter(isWireEntry).map((e) => e[0]) : [];
        this.onSnapshot(from, [], m[3]);
        return names.length > 0 ? refused(`global names [${names.join(',')}]`) : true;
      }
      case 'g_ops': {
        const adds = Array.isArray(m[2]) ? m[2].filter((op) => Array.isArray(op) && op[0] === 'add').map((op) => String((op as unknown[])[1])) : [];
        return adds.length > 0 ? refused(`global names [${adds.join(',')}]`) : true;
      }
      case 'g_chain':
        return refused('a global name change (g_chain)');
      case 'g_resolve_req':
        return refused('a global conflict resolution (g_resolve_req)');
      default:
        return false;
    }
  }

  /**
   * Send to the server on `node`, only over an existing connection: the name service never
   * opens connections itself (a late answer must not undo a `disconnect`).
   */
  private send(node: string, msg: unknown[]): void {
    if (node !== this.me && !this.connected(node)) return;
    this.ctx.send([SERVER_NAME, node], msg);
  }

  private connected(node: string): boolean {
    return this.node.nodes('connected').includes(node);
  }

  // ----- membership --------------------------------------------------------------------------

  private nodeUp(n: string, hidden: boolean): void {
    if (n === this.me) return;
    if (hidden) {
      this.hidden.add(n);
      this.stash.delete(n);
      return;
    }
    if (!this.node.nodes('visible').includes(n)) {
      // The connection is gone again (its nodedown may even have come first): what it
      // carried is stale.
      this.stash.delete(n);
      return;
    }
    this.peers.add(n);
    const policy = this.node.security.policyOf(n);
    if (policy) {
      // A ticket holder: never our leader; tell it so before our snapshot can reach it.
      this.roled.set(n, policy.global === true);
      this.send(n, ['g_untrusted', this.me]);
    } else this.roled.delete(n);
    // Ask for its snapshot (again, if this is a second nodeup: the answer to an earlier request
    // may have been lost with an earlier connection).
    const token = this.newRef();
    this.awaitingSnapshot.set(n, token);
    this.send(n, ['g_snapshot_req', this.me, token]);
    this.recomputeLeader();
    const held = this.stash.get(n);
    this.stash.delete(n);
    for (const m of held ?? []) this.remote(m[0] as string, n, m);
  }

  private nodeDown(n: string): void {
    this.locks.nodeDown(n);
    this.hidden.delete(n);
    this.stash.delete(n);
    this.roled.delete(n);
    const distrusting = this.distrustedBy.delete(n);
    if (!this.peers.delete(n)) {
      if (distrusting) this.recomputeLeader();
      return;
    }
    this.awaitingSnapshot.delete(n);
    const dropped = this.table.dropOwner(n);
    // Resolutions that needed n: the other owner's entries are gone (the conflict with it
    // is over); a user function that lived there cannot run (the name goes, as if it had
    // returned neither pid).
    for (const r of [...this.resolving.values()]) {
      if (r.other.node === n) this.endResolution(r);
      else if (r.stage === 'fn' && r.fnNode === n) {
        this.node.log('warning', `global: the resolve function of '${r.name}' is on ${n}, which went down; the name is removed`);
        this.resolved(r, undefined);
      }
    }
    for (const e of dropped) this.checkConflict(e.name);
    // Chains through n: answer their callers with the nominal result (a pid on a lost node
    // counts as dead); the caller ignores a second answer.
    for (const r of [...this.busy.values()]) {
      if (!r.nodes.has(n) && r.requester !== n) continue;
      this.clearBusy(r.ref);
      if (r.requester !== n) this.answer(r.requester, [r.ref, r.result, null]);
    }
    this.deferred = this.deferred.filter((q) => q.from !== n);
    for (const b of this.barriers.values()) b.waiting.delete(n);
    this.pendingAcks = this.pendingAcks.filter((a) => a.to !== n);
    for (const a of this.pendingAcks) a.probe?.waiting.delete(n);
    this.recomputeLeader();
    for (const c of this.calls.values()) {
      if (c.sentTo !== n) continue;
      c.retry = true;
      this.route(c);
    }
  }

  /** The lowest-named trusted node among this one (unless it acts in a role) and its visible peers; this one when there is none. */
  private recomputeLeader(): void {
    // A node that joined with a ticket (node.role), or that a peer told so, does not count itself.
    const selfEligible = this.distrustedBy.size === 0 && this.node.role === undefined;
    let best: string | undefined = selfEligible ? this.me : undefined;
    for (const p of this.peers) if (!this.roled.has(p) && (best === undefined || compareNames(p, best) < 0)) best = p;
    const l = best ?? this.me;
    if (l === this.leader) return;
    this.leader = l;
    if (l === this.me) {
      for (const p of this.peers) this.send(p, ['g_leader_up', this.me]);
    } else {
      // No longer the authority: chains in flight finish on their own; queued requests go back.
      for (const q of this.deferred) this.notLeader(q);
      this.deferred = [];
      this.busy.clear();
      this.busyByRef.clear();
    }
    for (const c of this.calls.values()) if (c.sentTo === undefined) this.route(c);
  }

  // ----- replicas ----------------------------------------------------------------------------

  private snapshot(): WireEntry[] {
    return this.table.ownedBy(this.me).map((e) => [e.name, e.pid, e.res]);
  }

  private onSnapshot(from: string, entries: WireEntry[], token: unknown): void {
    if (this.awaitingSnapshot.get(from) === token) this.awaitingSnapshot.delete(from);
    const changed = new Set(this.table.dropOwner(from).map((e) => e.name));
    for (const [name, pid, res] of entries) {
      if (pid.node !== from) continue;
      this.table.set({ name, pid, res });
      changed.add(name);
    }
    for (const name of changed) this.checkConflict(name);
  }

  private onOps(from: string, ops: unknown[]): void {
    for (const op of ops) {
      if (!Array.isArray(op) || !isStr(op[1]) || !isPid(op[2]) || op[2].node !== from) continue;
      const [kind, name, pid] = op as [string, string, Pid];
      if (kind === 'add' && isResolverDesc(op[3])) this.table.set({ name, pid, res: op[3] });
      else if (kind === 'del' && this.table.get(from, name)?.pid.equals(pid)) this.table.delete(from, name);
      else continue;
      this.checkConflict(name);
    }
  }

  /** Send `ops` to every peer; `reply` rides on the copy to `requester`, `done` on the one to `leader`. */
  private broadcast(ops: Op[], end?: { ref: string; requester: string; leader: string | null; reply: ReplyInfo }): void {
    const relay = end !== undefined && end.requester !== this.me && !this.connected(end.requester);
    const toPeer = (p: string): [ReplyInfo | null, string | null] => [
      end && end.requester === p ? end.reply : null,
      end && !relay && end.leader === p && end.requester !== p ? end.ref : null,
    ];
    if (ops.length > 0) {
      for (const p of this.peers) {
        const [reply, done] = toPeer(p);
        this.send(p, ['g_ops', this.me, ops, reply, done]);
      }
    }
    if (!end) return;
    const { requester, leader, ref } = end;
    const reached = (n: string): boolean => ops.length > 0 && this.peers.has(n) && this.connected(n);
    // Not connected to the caller (a partial mesh): the leader, which got the call, relays the answer.
    if (requester === this.me) this.onReply(ref, end.reply[1], end.reply[2]);
    else if (!relay && !reached(requester)) this.send(requester, ['g_reply', this.me, ...end.reply]);
    if (leader !== null && leader !== requester) {
      if (leader === this.me) this.onDone(ref);
      else if (relay || !reached(leader)) this.send(leader, ['g_done', this.me, ref, relay ? end.reply : null]);
    }
  }

  // ----- owned entries -----------------------------------------------------------------------

  private alive(pid: Pid): boolean {
    return pid.node === this.me && this.node.runtime.local(pid) !== undefined;
  }

  private ensureMonitor(pid: Pid): void {
    if (this.monByPid.has(pid.key)) return;
    const ref = this.ctx.monitor(pid);
    this.monByPid.set(pid.key, ref);
    this.pidByMon.set(ref.key, pid);
  }

  private releaseMonitor(pid: Pid): void {
    if (this.table.namesOf(pid).some((n) => this.table.get(this.me, n))) return;
    const ref = this.monByPid.get(pid.key);
    if (!ref) return;
    this.monByPid.delete(pid.key);
    this.pidByMon.delete(ref.key);
    this.ctx.demonitor(ref, { flush: true });
  }

  /** Forget a user function once its entry is gone by an explicit change. */
  private forgetFn(e: Entry | undefined): void {
    if (e && Array.isArray(e.res) && e.res[1] === this.me) this.fns.delete(e.res[2]);
  }

  /** Own `name → pid` (a live local pid); returns the ops to broadcast. */
  private own(name: string, pid: Pid, res: ResolverDesc): Op[] {
    if (!this.alive(pid)) return [];
    const old = this.table.get(this.me, name);
    if (old && old.pid.equals(pid) && JSON.stringify(old.res) === JSON.stringify(res)) return [];
    this.table.set({ name, pid, res });
    this.ensureMonitor(pid);
    if (old && !old.pid.equals(pid)) {
      this.releaseMonitor(old.pid);
      this.forgetFn(old);
    }
    this.checkConflict(name);
    return [['add', name, pid, res]];
  }

  /** Stop owning `name` if it stands for `pid`; returns the ops to broadcast. */
  private drop(name: string, pid: Pid): Op[] {
    const old = this.table.get(this.me, name);
    if (!old || !old.pid.equals(pid)) return [];
    this.table.delete(this.me, name);
    this.releaseMonitor(pid);
    this.forgetFn(old);
    this.checkConflict(name);
    return [['del', name, pid]];
  }

  private onDown(ref: Ref): void {
    if (this.locks.down(ref)) return;
    const pid = this.pidByMon.get(ref.key);
    if (!pid) return;
    this.pidByMon.delete(ref.key);
    this.monByPid.delete(pid.key);
    const ops: Op[] = [];
    for (const name of this.table.namesOf(pid)) {
      const e = this.table.get(this.me, name);
      if (!e || !e.pid.equals(pid)) continue;
      this.table.delete(this.me, name);
      this.forgetFn(e);
      ops.push(['del', name, pid]);
      this.checkConflict(name);
    }
    this.broadcast(ops);
  }

  // ----- calls (on the calling node) ---------------------------------------------------------

  /** Send a call to the leader (or handle it here when this node leads). */
  route(c: Call): void {
    if (this.stopped) return;
    const l = this.leader;
    c.sentTo = l;
    const req: Request = { from: this.me, ref: c.ref, kind: c.kind, name: c.name, pid: c.pid, res: c.res, retry: c.retry };
    if (l === this.me) this.onReserve(req);
    else this.send(l, ['g_reserve', this.me, c.ref, c.kind, c.name, c.pid, c.res, c.retry]);
  }

  private onReply(ref: string, result: string, info: unknown): void {
    if (this.busyByRef.has(ref)) this.clearBusy(ref);
    const r = this.resolvingByRef.get(ref);
    if (r) return this.endResolution(r);
    const c = this.calls.get(ref);
    if (!c) return;
    this.calls.delete(ref);
    if (Array.isArray(info) && info[0] === 'several' && Array.isArray(info[1]) && c.pid) {
      this.node.log('warning', `global: ${c.pid.toString()} registered under several names: [${info[1].join(',')}]`);
    }
    if (result === 'not_allowed') {
      c.reject(new ErlmeshError('not_allowed', `global: ${c.kind} of '${c.name}' is not allowed for this node's role`, { kind: c.kind, name: c.name }));
    } else c.resolve(result);
  }

  /** Answer a caller (here or remote) directly. */
  private answer(requester: string, reply: ReplyInfo): void {
    if (requester === this.me) this.onReply(reply[0], reply[1], reply[2]);
    else this.send(requester, ['g_reply', this.me, ...reply]);
  }

  // ----- the authority -----------------------------------------------------------------------

  private notLeader(q: Request): void {
    if (q.from === this.me) {
      const c = this.calls.get(q.ref);
      if (c) c.sentTo = undefined;
    } else this.send(q.from, ['g_not_leader', this.me, q.ref]);
  }

  private onReserve(q: Request): void {
    if (this.leader !== this.me) return this.notLeader(q);
    if ((q.kind !== 'unregister' && (!q.pid || !q.res)) || !['register', 'reregister', 'unregister'].includes(q.kind)) return;
    this.deferred.push(q);
  }

  /** Run the queued requests that can run: the table is complete and their name is free of chains. */
  private runDeferred(): boolean {
    if (this.leader !== this.me || this.awaitingSnapshot.size > 0 || this.deferred.length === 0) return false;
    let progress = false;
    const queue = this.deferred;
    this.deferred = [];
    for (const q of queue) {
      if (this.busy.has(q.name) || (q.from !== this.me && !this.peers.has(q.from))) {
        if (this.busy.has(q.name)) this.deferred.push(q);
        continue;
      }
      this.execute(q);
      progress = true;
    }
    return progress;
  }

  /** A pid the leader can vouch for: a live local one, or one on a connected node. */
  private reachable(pid: Pid): boolean {
    return pid.node === this.me ? this.alive(pid) : this.peers.has(pid.node);
  }

  private execute(q: Request): void {
    const owners = this.table.owners(q.name);
    const reply = (result: string, info: unknown = null): void => this.answer(q.from, [q.ref, result, info]);
    if (q.kind !== 'unregister' && this.roled.get((q.pid as Pid).node) === false) {
      // Its entry would be owned by a node whose entries are not accepted.
      this.node.security.refused((q.pid as Pid).node, `global ${q.kind} of '${q.name}' for its pid ${(q.pid as Pid).toString()} (asked by ${q.from})`);
      return reply('not_allowed');
    }
    if (q.kind === 'register') {
      const pid = q.pid as Pid;
      if (owners.length > 0) return reply(q.retry && owners.every((e) => e.pid.equals(pid)) ? 'yes' : 'no');
      if (!this.reachable(pid)) return reply('yes');
      const other = this.table.namesOf(pid);
      if (other.length > 0) return reply('no', ['several', [q.name, ...other]]);
      return this.startChain(q, [[pid.node, 'own', q.name, pid, q.res as ResolverDesc]], 'yes');
    }
    if (q.kind === 'reregister') {
      const pid = q.pid as Pid;
      // Drop the other entries first (the owner of the new pid too, if it held another), then own.
      const steps: Step[] = owners.filter((e) => !e.pid.equals(pid)).map((e) => [e.pid.node, 'drop', q.name, e.pid]);
      if (this.reachable(pid)) steps.push([pid.node, 'own', q.name, pid, q.res as ResolverDesc]);
      if (steps.length === 0) return reply('yes');
      return this.startChain(q, steps, 'yes');
    }
    const steps: Step[] = owners.map((e) => [e.pid.node, 'drop', q.name, e.pid]);
    if (steps.length === 0) return reply('ok');
    this.startChain(q, steps, 'ok');
  }

  private startChain(q: Request, steps: Step[], result: string): void {
    const r: Reservation = { ref: q.ref, name: q.name, requester: q.from, result, nodes: new Set(steps.map((s) => s[0])) };
    this.busy.set(q.name, r);
    this.busyByRef.set(q.ref, r);
    this.runChain(q.ref, q.from, this.me, steps, result);
  }

  /** Chain `ref` ended; `relay`: its answer, for a caller its last node could not reach. */
  private onDone(ref: string, relay?: ReplyInfo): void {
    const r = this.busyByRef.get(ref);
    this.clearBusy(ref);
    if (r && relay) this.answer(r.requester, relay);
  }

  private clearBusy(ref: string): void {
    const r = this.busyByRef.get(ref);
    if (!r) return;
    this.busyByRef.delete(ref);
    if (this.busy.get(r.name) === r) this.busy.delete(r.name);
  }

  // ----- chains ------------------------------------------------------------------------------

  /** Run our leading steps, then pass the rest on (skipping owners we cannot reach), or end. */
  private runChain(ref: string, requester: string, leader: string | null, steps: Step[], result: string): void {
    const ops: Op[] = [];
    let i = 0;
    for (; i < steps.length; i++) {
      const s = steps[i]!;
      if (s[0] === this.me) ops.push(...(s[1] === 'own' ? this.own(s[2], s[3], s[4]) : this.drop(s[2], s[3])));
      else if (this.peers.has(s[0])) break;
    }
    if (i < steps.length) {
      this.broadcast(ops);
      this.send(steps[i]![0], ['g_chain', this.me, ref, requester, leader, steps.slice(i), result]);
      return;
    }
    this.broadcast(ops, { ref, requester, leader, reply: [ref, result, null] });
  }

  // ----- conflicts ---------------------------------------------------------------------------

  /**
   * If `name` has several owners and we are the lowest, resolve it against the next one: first
   * confirm with that owner that it still holds the name (our replica of it may be behind a
   * drop it already sent: its answer comes after the drop), then run the resolver.
   */
  private checkConflict(name: string): void {
    if (this.resolving.has(name)) return;
    const owners = this.table.owners(name);
    if (owners.length < 2 || owners[0]!.pid.node !== this.me) return;
    const r: Resolution = { name, mine: owners[0]!.pid, other: owners[1]!.pid, ref: this.newRef(), stage: 'confirm' };
    this.resolving.set(name, r);
    this.resolvingByRef.set(r.ref, r);
    this.send(r.other.node, ['g_confirm', this.me, r.ref, name, r.other]);
  }

  private onConfirm(from: string, rref: string, name: string, pid: Pid): void {
    const still = this.table.get(this.me, name)?.pid.equals(pid) ?? false;
    this.send(from, ['g_confirmed', this.me, rref, still]);
  }

  private onConfirmed(rref: string, still: boolean): void {
    const r = this.resolvingByRef.get(rref);
    if (!r || r.stage !== 'confirm') return;
    const mine = this.table.get(this.me, r.name);
    const other = this.table.get(r.other.node, r.name);
    if (!still || !mine?.pid.equals(r.mine) || !other?.pid.equals(r.other)) return this.endResolution(r);
    r.stage = 'fn';
    const name = r.name;
    const [lo, hi] = comparePids(mine.pid, other.pid) <= 0 ? [mine.pid, other.pid] : [other.pid, mine.pid];
    const res = mine.res;
    if (res === 'random_exit') {
      this.node.log('info', `global: Name conflict terminating [${name},${hi.toString()}]`);
      this.ctx.exit(hi, 'kill');
      this.resolved(r, lo);
    } else if (res === 'random_notify') {
      this.ctx.send(hi, ['global_name_conflict', name]);
      this.resolved(r, lo);
    } else if (res === 'notify_all') {
      this.ctx.send(mine.pid, ['global_name_conflict', name, other.pid]);
      this.ctx.send(other.pid, ['global_name_conflict', name, mine.pid]);
      this.resolved(r, undefined);
    } else {
      const fnNode = res[1];
      r.fnNode = fnNode;
      if (fnNode === this.me || this.peers.has(fnNode)) this.send(fnNode, ['g_resolve_req', this.me, r.ref, name, lo, hi, res[2]]);
      else {
        this.node.log('warning', `global: the resolve function of '${name}' is on ${fnNode}, which is not connected; the name is removed`);
        this.resolved(r, undefined);
      }
    }
  }

  /** Run a user resolve function registered here; answer by message, whenever it returns. */
  private runResolveFn(from: string, rref: string, name: string, pid1: Pid, pid2: Pid, id: string): void {
    const fn = this.fns.get(id);
    const answer = (v: unknown): void => {
      if (this.stopped) return;
      this.send(from, ['g_resolve_rep', this.me, rref, v instanceof Pid ? v : null]);
    };
    const failed = (e: unknown): void => {
      this.node.log('error', `global: the resolve function of '${name}' failed: ${e instanceof Error ? e.message : String(e)}`);
      answer(null);
    };
    if (!fn) return failed(new Error('it is no longer known on this node'));
    try {
      Promise.resolve(fn(name, pid1, pid2)).then(answer, failed);
    } catch (e) {
      failed(e);
    }
  }

  private onResolveRep(rref: string, keep: Pid | undefined): void {
    const r = this.resolvingByRef.get(rref);
    if (r && r.stage === 'fn') this.resolved(r, keep);
  }

  /** Apply a resolution: keep `keep` (one of the two pids) or neither. */
  private resolved(r: Resolution, keep: Pid | undefined): void {
    r.stage = 'drop';
    if (!keep?.equals(r.mine)) this.broadcast(this.drop(r.name, r.mine));
    if (keep?.equals(r.other)) return this.endResolution(r);
    this.runChain(r.ref, this.me, null, [[r.other.node, 'drop', r.name, r.other]], 'ok');
  }

  private endResolution(r: Resolution): void {
    this.resolvingByRef.delete(r.ref);
    if (this.resolving.get(r.name) !== r) return;
    this.resolving.delete(r.name);
    this.checkConflict(r.name);
  }

  // ----- sync --------------------------------------------------------------------------------

  /** Start a `sync()` barrier; resolves 'ok' when both rounds are done. */
  newBarrier(resolve: (v: 'ok') => void): string {
    const key = this.newRef();
    this.barriers.set(key, { ref: key, round: 1, waiting: new Set(), resolve });
    return key;
  }

  private startRound(b: Barrier, round: 1 | 2): void {
    b.round = round;
    b.ref = this.newRef();
    b.waiting = new Set(this.peers);
    for (const p of this.peers) this.send(p, ['g_sync_req', this.me, b.ref, round]);
  }

  private settled(): boolean {
    return this.awaitingSnapshot.size === 0 && this.resolving.size === 0;
  }

  /** Move every waiting thing forward until nothing changes. */
  private pump(): void {
    for (let guard = 0; guard < 1000; guard++) {
      let progress = this.runDeferred();
      if (this.settled()) {
        for (const a of [...this.pendingAcks]) {
          if (a.round === 2 && !a.probe) {
            const ref = this.newRef();
            const waiting = new Set([...this.peers].filter((p) => p !== a.to));
            a.probe = { ref, waiting };
            for (const p of waiting) this.send(p, ['g_probe', this.me, ref]);
          }
          if (a.round === 1 || a.probe?.waiting.size === 0) {
            this.pendingAcks.splice(this.pendingAcks.indexOf(a), 1);
            this.send(a.to, ['g_sync_ack', this.me, a.ref]);
            progress = true;
          }
        }
        for (const [key, b] of [...this.barriers]) {
          if (b.waiting.size > 0) continue;
          if (b.round === 1) this.startRound(b, 2);
          else {
            this.barriers.delete(key);
            b.resolve('ok');
          }
          progress = true;
        }
      }
      if (!progress) return;
    }
  }

  // ----- locks -------------------------------------------------------------------------------

  private onLock(m: unknown[]): void {
    const [, from, ref, replyTo, op, resource, requester] = m;
    if (!isStr(from) || !isPid(replyTo)) return;
    const policy = this.node.security.policyOf(from);
    if (policy && policy.global !== true && op === 'set') {
      this.node.security.refused(from, 'a global lock');
      this.lockReply(replyTo, ['g_lock_reply', ref, this.me, false, false]);
      return;
    }
    if (op === 'set') {
      const r = this.locks.set(from, resource, requester);
      this.lockReply(replyTo, ['g_lock_reply', ref, this.me, r !== false, r === 'new']);
    } else if (op === 'del') {
      this.locks.del(resource, requester);
      this.lockReply(replyTo, ['g_lock_reply', ref, this.me, true, false]);
    }
  }

  /** Answer a lock helper (a lost connection is seen by its monitor instead). */
  private lockReply(to: Pid, msg: unknown[]): void {
    if (to.node === this.me || this.connected(to.node)) this.ctx.send(to, msg);
  }
}
