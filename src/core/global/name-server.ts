/**
 * The global name server: one process per node, registered locally as `global_name_server`,
 * that keeps this node's view of the cluster-wide names (global.ts has the API, protocol.ts
 * every message, docs/security.md what ticket holders may do).
 *
 * - **Owner** (replica.ts). An entry `name → pid` is owned by the pid's node: only it adds or
 *   removes the entry, monitors the pid, and broadcasts each change (`g_ops`) to its visible
 *   peers. On nodeup each side asks the other for its owned set (`g_snapshot_req` →
 *   `g_snapshot`), which replaces its replica; a nodedown drops it.
 * - **Leader** (membership.ts, authority.ts): the lowest-named trusted node among a node and its
 *   visible peers. It serialises register, re-register and unregister: a caller sends one
 *   `g_reserve`; the leader checks its table (only once it has every peer's snapshot) and starts
 *   a *chain* of steps (`own` / `drop`), each run by the owner it touches (`g_chain`), holding a
 *   reservation on the name until the chain ends. The last owner's `g_ops` carries the answer
 *   to the caller and the end to the leader (`g_reply` / `g_done` when they cannot ride on it).
 * - **Calls** (calls.ts) go to the caller's leader, and are sent again (`retry`) when it goes
 *   down, or after a `g_not_leader` once a new leader is known (`g_leader_up`).
 * - **Conflicts** (conflicts.ts): a name with two owners is resolved by the lowest one against
 *   the next, after confirming that one still holds it (`g_confirm`); a user resolve function
 *   runs on the node that registered it (`g_resolve_req`).
 * - **sync()** (sync.ts): two barrier rounds over the visible peers.
 * - **Locks** (locks.ts): a lock table per node, served to any node.
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
 * - A ticket holder never leads, and one whose role lacks `global` changes no entry anywhere.
 */
import { webCrypto } from '../base/crypto.js';
import { ErlmeshError } from '../base/errors.js';
import type { Self } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';
import type { ResolverDesc } from './name-table.js';
import type { GlobalHost } from './host.js';
import { answer, onReply, route } from './calls.js';
import { clearReservation, notLeader, onDone, onReserve, runQueued } from './authority.js';
import { checkConflict, endResolution, onConfirm, onConfirmed, onResolveRep, resolved, runResolveFn } from './conflicts.js';
import { nodeDown, nodeUp, recomputeLeader } from './membership.js';
import { broadcast, drop, ensureMonitor, onDown, onOps, onSnapshot, own, runChain, snapshot } from './replica.js';
import { serveLock } from './locks.js';
import { advanceSync, afterSeen, newBarrier, onProbeAck, onSyncAck, startRound } from './sync.js';
import { isStr } from '../terms/guards.js';
import { decode, encode, encodeFrom, isRemote, malformedOf, nodeEventMsg, SERVER_NAME, type GlobalMsg, type Malformed, type Op, type Outgoing, type RemoteMsg, type Reply, type Step } from './protocol.js';
import { GlobalState, type Call, type ChainEnd, type Request, type Resolution, type Server } from './state.js';

type Handlers = { [T in GlobalMsg['t']]: (m: Extract<GlobalMsg, { t: T }>) => void };

export class NameServer implements Server {
  readonly state: GlobalState;
  private current!: Self;
  private seq = 0;
  private offNodes: (() => void) | undefined;

  constructor(readonly host: GlobalHost) {
    this.state = new GlobalState(host.name, () => this.current);
    host.startService({
      name: SERVER_NAME,
      label: 'global: the name server',
      handle: (msg) => this.handle(msg),
      started: (self, restart) => {
        this.current = self;
        if (restart) this.restarted();
      },
      gaveUp: () => this.gaveUp(),
    });
    this.offNodes = host.monitorNodes((ev) => this.toServer(nodeEventMsg(ev)), { nodeType: 'all' });
  }

  get self(): Self {
    return this.current;
  }

  /**
   * A fresh id, unique across nodes and incarnations, and unguessable: its random part keeps a
   * ticket holder, which can send this server `g_reply`, `g_ops`, `g_done`, `g_confirmed` and
   * `g_resolve_rep` naming any ref, from answering a call or ending a chain or a conflict
   * resolution it was never part of.
   */
  newRef(): string {
    return `${this.state.thisNode}/${this.host.creation}#${++this.seq}.${webCrypto.randomHex(8)}`;
  }

  /** Queue a message for the server process (from the API or a listener). */
  toServer(msg: unknown[]): void {
    if (this.state.stopped) return;
    this.host.send(this.current.pid, msg);
  }

  /** Hand an API call to the server process. */
  newCall(c: Call): void {
    this.state.newCalls.set(c.ref, c);
    this.toServer(encode({ t: '$new_call', ref: c.ref }));
  }

  /** Hand a `sync()` to the server process: `resolve` is called when both rounds are done. */
  newSync(resolve: (v: 'ok') => void): void {
    const key = newBarrier(this, resolve);
    this.toServer(encode({ t: '$new_barrier', ref: key }));
  }

  /**
   * Send to the server on `node` as the server process (its pid is the frame's sender), only
   * over an existing connection (never opening one). A dead server sends nothing.
   */
  send(node: string, msg: Outgoing): void {
    this.current.send([SERVER_NAME, node], encodeFrom(this.state.thisNode, msg), { noconnect: true });
  }

  /** @internal a summary of the server's state, for diagnostics */
  debugState(): Record<string, unknown> {
    const s = this.state;
    return {
      thisNode: s.thisNode,
      leader: s.leader,
      peers: [...s.peers],
      awaitingSnapshot: [...s.awaitingSnapshot.keys()],
      heldUntilNodeup: [...s.heldUntilNodeup].map(([n, ms]) => [n, ms.length]),
      resolutions: [...s.resolutions.values()].map((r) => [r.name, r.stage, r.mine.toString(), r.other.toString(), r.fnNode]),
      reservations: [...s.reservations.values()].map((r) => [r.name, r.ref, [...r.nodes]]),
      queuedRequests: s.queuedRequests.map((q) => [q.from, q.kind, q.name]),
      calls: [...s.calls.values()].map((c) => [c.kind, c.name, c.sentTo]),
      barriers: [...s.barriers.values()].map((b) => [b.round, [...b.waiting]]),
      owedAcks: s.owedAcks.map((a) => [a.to, a.round, a.probe ? [...a.probe.waiting] : null]),
      names: s.table.names().map((n) => [n, s.table.owners(n).map((e) => e.pid.toString())]),
    };
  }

  // ----- the process -----------------------------------------------------------------------------

  /** The server cannot run any more (the host logged why): fail what waits for it. */
  private gaveUp(): void {
    const s = this.state;
    s.stopped = true;
    this.offNodes?.();
    const err = new ErlmeshError('notalive', 'global: the name server is not running (the node stopped)');
    for (const c of [...s.calls.values(), ...s.newCalls.values()]) c.reject(err);
    s.calls.clear();
    s.newCalls.clear();
    for (const b of s.barriers.values()) b.resolve('ok');
    s.barriers.clear();
  }

  /** The old process's mailbox is lost: monitor again, and redo the exchanges with every peer. */
  private restarted(): void {
    const s = this.state;
    s.monitorOf.clear();
    s.pidOfMonitor.clear();
    for (const e of s.table.ownedBy(s.thisNode)) ensureMonitor(this, e.pid);
    s.locks.remonitor();
    s.heldUntilNodeup.clear();
    s.hiddenPeers.clear();
    for (const n of this.host.nodes('hidden')) s.hiddenPeers.add(n);
    const now = new Set(this.host.nodes('visible'));
    for (const n of [...s.peers]) if (!now.has(n)) nodeDown(this, n);
    for (const n of now) {
      // What the peers sent to the old process is lost: they forget what they had started with us.
      this.send(n, { t: 'g_restarted' });
      nodeUp(this, n, false);
    }
    recomputeLeader(this);
    for (const c of s.newCalls.values()) s.calls.set(c.ref, c);
    s.newCalls.clear();
    for (const c of s.calls.values()) {
      c.retry = true;
      route(this, c);
    }
    for (const b of s.barriers.values()) startRound(this, b, 1);
    s.owedAcks = [];
    this.advance();
  }

  /** One message (a throw is logged by the host, and the server goes on). */
  private handle(m: unknown): void {
    if (!Array.isArray(m)) return;
    const msg = decode(m) ?? malformedOf(m);
    if (msg) this.dispatch(msg);
    this.advance();
  }

  /** Move every waiting thing forward (queued requests, owed acks, barriers) until nothing changes. */
  private advance(): void {
    for (let guard = 0; guard < 1000; guard++) {
      let progress = runQueued(this);
      if (advanceSync(this)) progress = true;
      if (!progress) return;
    }
  }

  private dispatch(msg: GlobalMsg | Malformed): void {
    const s = this.state;
    if (msg.t === '$malformed') return this.malformed(msg);
    if (!isRemote(msg) || msg.from === s.thisNode || s.peers.has(msg.from)) return this.run(msg);
    // Sent before its nodeup reached us: hold it back until then. Hidden: ignore.
    if (s.hiddenPeers.has(msg.from)) return;
    let held = s.heldUntilNodeup.get(msg.from);
    if (!held) s.heldUntilNodeup.set(msg.from, (held = []));
    held.push(msg);
  }

  deliver(msg: RemoteMsg): void {
    this.run(msg);
  }

  private run(msg: GlobalMsg): void {
    if (isRemote(msg) && this.state.ticketPeers.get(msg.from) === false && this.refuse(msg)) return;
    (this.handlers[msg.t] as (m: GlobalMsg) => void)(msg);
  }

  /**
   * A malformed message from another node, at once (a peer or not, as it is never acted on):
   * refused as a well-formed one from a ticket holder whose role lacks `global`, else logged
   * (flood-limited, through the refusal log).
   */
  private malformed(msg: Malformed): void {
    const policy = msg.from === this.state.thisNode ? undefined : this.host.policyOf(msg.from);
    if (msg.tag !== 'g_lock' && policy && policy.global !== true && this.refuse(msg)) return;
    this.host.refused(msg.from, `a malformed global message ${msg.tag}`);
  }

  private readonly handlers: Handlers = {
    DOWN: (m) => onDown(this, m.ref),
    $new_call: (m) => {
      const c = this.state.newCalls.get(m.ref);
      if (!c) return;
      this.state.newCalls.delete(c.ref);
      this.state.calls.set(c.ref, c);
      route(this, c);
    },
    $new_barrier: (m) => {
      const b = this.state.barriers.get(m.ref);
      if (b) startRound(this, b, 1);
    },
    $nodeup: (m) => nodeUp(this, m.node, m.hidden),
    $nodedown: (m) => nodeDown(this, m.node),
    g_lock: (m) => serveLock(this.host, this.current, this.state.locks, m),
    g_snapshot: (m) => {
      if (m.entries) onSnapshot(this, m.from, m.entries, m.token);
    },
    g_snapshot_req: (m) => this.send(m.from, { t: 'g_snapshot', entries: snapshot(this), token: m.token }),
    g_ops: (m) => {
      onOps(this, m.from, m.ops);
      if (m.reply) onReply(this, m.reply.ref, m.reply.result, m.reply.info);
      if (m.done !== null) onDone(this, m.done);
    },
    g_reserve: (m) => onReserve(this, { from: m.from, ref: m.ref, kind: m.kind, name: m.name, pid: m.pid, res: m.res, retry: m.retry }),
    g_chain: (m) => runChain(this, m.ref, m.requester, m.leader, m.steps, m.result),
    g_reply: (m) => onReply(this, m.ref, m.result, m.info),
    g_done: (m) => onDone(this, m.ref, m.relay ?? undefined),
    g_not_leader: (m) => {
      const c = this.state.calls.get(m.ref);
      if (c && c.sentTo === m.from) {
        c.sentTo = undefined;
        if (this.state.leader !== m.from) route(this, c);
      }
    },
    g_restarted: (m) => {
      // As if the connection had gone down and up again.
      nodeDown(this, m.from);
      nodeUp(this, m.from, false);
    },
    g_leader_up: (m) => {
      if (m.from === this.state.leader) for (const c of this.state.calls.values()) if (c.sentTo === undefined) route(this, c);
    },
    g_confirm: (m) => onConfirm(this, m.from, m.rref, m.name, m.pid),
    g_confirmed: (m) => onConfirmed(this, m.rref, m.still),
    g_resolve_req: (m) => runResolveFn(this, m.from, m.rref, m.name, m.pid1, m.pid2, m.fnId),
    g_resolve_rep: (m) => onResolveRep(this, m.rref, m.keep ?? undefined),
    g_sync_req: (m) => {
      this.state.owedAcks.push({ to: m.from, ref: m.ref, round: m.round, via: m.via, probe: undefined });
    },
    g_sync_ack: (m) => onSyncAck(this, m.from, m.ref),
    g_probe: (m) => this.send(m.from, { t: 'g_probe_ack', ref: m.ref as string }),
    g_probe_ack: (m) => onProbeAck(this, m.from, m.ref),
    g_untrusted: (m) => {
      // Only a node that admitted this one with a role may say so; a ticket holder's word
      // would make a trusted leader step down and leave the calls of its peers parked.
      if (this.state.ticketPeers.has(m.from)) return this.host.refused(m.from, 'a g_untrusted (a ticket holder cannot make this node step down as leader)');
      this.state.roleGivenBy.add(m.from);
      recomputeLeader(this);
    },
  };

  /**
   * A message from a ticket holder whose role lacks `global`: true when it is refused here
   * (logged; a call is answered `not_allowed`), false when it is one it may send. A malformed
   * call, chain or resolve request is refused as a well-formed one.
   */
  private refuse(msg: RemoteMsg | Malformed): boolean {
    const refused = (what: string): true => {
      this.host.refused(msg.from, what);
      return true;
    };
    const tag = msg.t === '$malformed' ? msg.tag : msg.t;
    if (tag === 'g_chain') return refused('a global name change (g_chain)');
    if (tag === 'g_resolve_req') return refused('a global conflict resolution (g_resolve_req)');
    if (msg.t === '$malformed') {
      if (msg.tag !== 'g_reserve') return false;
      const [, , ref, kind, name] = msg.raw;
      if (isStr(ref)) this.send(msg.from, { t: 'g_reply', ref, result: 'not_allowed', info: null });
      return refused(`global ${String(kind)} of '${String(name)}'`);
    }
    switch (msg.t) {
      case 'g_reserve':
        this.send(msg.from, { t: 'g_reply', ref: msg.ref, result: 'not_allowed', info: null });
        return refused(`global ${msg.kind} of '${msg.name}'`);
      case 'g_snapshot': {
        const names = (msg.entries ?? []).map((e) => e.name);
        onSnapshot(this, msg.from, [], msg.token);
        return names.length > 0 ? refused(`global names [${names.join(',')}]`) : true;
      }
      case 'g_ops': {
        const adds = msg.ops.filter((op) => op.op === 'add').map((op) => op.name);
        return adds.length > 0 ? refused(`global names [${adds.join(',')}]`) : true;
      }
      default:
        return false;
    }
  }

  // ----- the operations the role files call on each other (state.ts `Server`) ------------------

  own(name: string, pid: Pid, res: ResolverDesc): Op[] {
    return own(this, name, pid, res);
  }
  drop(name: string, pid: Pid): Op[] {
    return drop(this, name, pid);
  }
  broadcast(ops: Op[], end?: ChainEnd): void {
    broadcast(this, ops, end);
  }
  runChain(ref: string, requester: string, leader: string | null, steps: Step[], result: string): void {
    runChain(this, ref, requester, leader, steps, result);
  }
  checkConflict(name: string): void {
    checkConflict(this, name);
  }
  endResolution(r: Resolution): void {
    endResolution(this, r);
  }
  resolved(r: Resolution, keep: Pid | undefined): void {
    resolved(this, r, keep);
  }
  onReserve(q: Request): void {
    onReserve(this, q);
  }
  notLeader(q: Request): void {
    notLeader(this, q);
  }
  onDone(ref: string, relay?: Reply): void {
    onDone(this, ref, relay);
  }
  clearReservation(ref: string): void {
    clearReservation(this, ref);
  }
  answer(requester: string, reply: Reply): void {
    answer(this, requester, reply);
  }
  route(c: Call): void {
    route(this, c);
  }
  afterSeen(via: string[] | null, done: () => void): void {
    afterSeen(this, via, done);
  }
  onReply(ref: string, result: string, info: unknown): void {
    onReply(this, ref, result, info);
  }
  recomputeLeader(): void {
    recomputeLeader(this);
  }
}
