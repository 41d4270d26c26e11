/**
 * The bridge between a server-node's process runtime and its BEAM connections: the foreign
 * route (core/node/peer-routes.ts) that carries erlmesh's signals to BEAM nodes and theirs
 * to erlmesh's processes.
 *
 * Each frame from BEAM is decoded (ETF, with the peer's own `AtomBudget`), read as a signal
 * (core/net/beam-control.ts), checked (addressed to this node, sender on the peer's node) and
 * delivered as from a cookie holder; a frame that is not a control message closes the
 * connection with `bad_frame`, as OTP does. The services BEAM expects of any node are answered
 * here (services.ts): net_kernel's `is_auth` (net_adm:ping) and rex's `{call, M, F, A, GL}`.
 * erpc needs none: its SPAWN_REQUEST of `erpc:execute_call/4` runs the `erpc` module of every
 * node. On a visible node (both ends publish) `global`'s messages are answered by the
 * stand-in (global-stand-in.ts), whatever erlmesh's own `global_name_server` is doing.
 *
 * Invariants:
 * - a peer is connected here when a BEAM connection to it is up; every connection that comes
 *   up gives one `nodeup` (visible when both ends publish, else hidden; `foreign` either way,
 *   so erlmesh's own global and pg leave it alone), every one that ends one `nodedown` and a
 *   `nodeDown` (links and monitors fire `noconnection`);
 * - signals for a peer being connected wait, in order, and are dropped (with its nodeDown)
 *   when it cannot be reached, as a send to an unreachable Erlang node is;
 * - a reason that cannot be written in ETF (an Error, a Set) still arrives, repaired to
 *   `{unencodable, Description}`; a message that cannot throws at the sender, nothing sent
 *   (the ETF error: `not_etf_encodable`, `atom_limit`, `atom_too_long`), as erlmesh's own
 *   sends throw `badarg` — when the peer is known to be a BEAM node at the send; one queued
 *   before that (its route still being looked up at epmd) is dropped and logged;
 * - SPAWN_REPLY carries the link and monitor flags of its request.
 */
import { ErlmeshError } from '../../core/base/errors.js';
import { AtomBudget } from '../../core/etf/atom-budget.js';
import { encodeEtf } from '../../core/etf/writer.js';
import { readControl, writeControl } from '../../core/net/beam-control.js';
import { repairFrame } from '../../core/net/unencodable-frames.js';
import type { LinkStats } from '../../core/net/connection-stats.js';
import type { ForeignHooks, ForeignRoute } from '../../core/node/peer-routes.js';
import type { Node } from '../../core/node/node.js';
import { signalSenderNode, signalTargetNode, type SignalFrame } from '../../core/process/signals.js';
import { binary } from '../../core/terms/beam-binary.js';
import { Pid } from '../../core/terms/pid.js';
import type { BeamNode } from './beam-node.js';
import type { BeamCloseReason, BeamConnection } from './connection.js';
import { splitNodeName } from './dial.js';
import { decodeDistFrame } from './dist-frame.js';
import type { DistFrame } from './dist-header.js';
import { lookupAtEpmd } from './epmd.js';
import { asErlang } from './erlang-forms.js';
import { ErpcCalls } from './erpc-calls.js';
import { DFLAG } from './flags.js';
import { BeamGlobalStandIn, GLOBAL_NAME_SERVER } from './global-stand-in.js';
import { answerService, serviceMonitor } from './services.js';
import { SpawnReplyFlags } from './spawn-reply-flags.js';


/** How long a first send waits for epmd to say whether a name is a BEAM node. */
const LOOKUP_MS = 2_000;

const NODEDOWN_REASON: Record<BeamCloseReason, string> = {
  closed: 'disconnect',
  connection_closed: 'connection_closed',
  net_tick_timeout: 'net_tick_timeout',
  replaced: 'connection_closed',
  bad_frame: 'bad_frame',
  frame_too_large: 'bad_frame',
};

/** Both ends publish (DFLAG_PUBLISHED in the flags in force). */
function isVisible(c: BeamConnection): boolean {
  return (c.flags & DFLAG.PUBLISHED) !== 0n;
}

export class BeamBridge implements ForeignRoute {
  private readonly conns = new Map<string, BeamConnection>();
  private readonly waiting = new Map<string, SignalFrame[]>();
  private readonly lookups = new Map<string, Promise<boolean>>();
  private readonly budgets = new Map<string, AtomBudget>();
  /** SPAWN_REPLY flags of the spawn requests BEAM sent, by peer. */
  private readonly spawnFlags = new SpawnReplyFlags();
  private unlinkId = 0;
  /** Per peer: erlmesh rpc calls running there as OTP's erpc:execute_call (erpc-calls.ts). */
  private readonly erpcs = new Map<string, ErpcCalls>();
  /** The sender a REG_SEND names for a send from outside any process. */
  private readonly nobody: Pid;
  /** `global` answered for visible connections (undefined on a hidden node). */
  private readonly global: BeamGlobalStandIn | undefined;
  private lockerPid: Pid | undefined;

  constructor(
    private readonly beam: BeamNode,
    private readonly hooks: ForeignHooks,
    private readonly node: Node,
    private readonly epmdPort: number | undefined,
  ) {
    this.nobody = new Pid(hooks.name, 0, 0, hooks.creation);
    this.global = beam.visible ? this.standIn() : undefined;
    beam.onConnection((c) => this.adopt(c));
    beam.onRefused((e) => hooks.log('error', `** Connection attempt from a BEAM node refused: ${e.code} **`));
  }

  claims(node: string): boolean | Promise<boolean> {
    if (node === this.hooks.name) return false;
    if (this.conns.has(node) || this.waiting.has(node)) return true;
    let alive: string, host: string;
    try {
      [alive, host] = splitNodeName(node);
    } catch {
      return false;
    }
    const known = this.lookups.get(node);
    if (known) return known;
    const p = lookupAtEpmd(alive, { host, port: this.epmdPort, timeoutMs: LOOKUP_MS }).then(
      (found) => found !== undefined,
      () => false,
    );
    this.lookups.set(node, p);
    void p.then(() => this.lookups.delete(node));
    return p;
  }

  send(node: string, s: SignalFrame): void {
    const c = this.conns.get(node);
    if (c && !this.waiting.has(node)) return this.write(c, s, true);
    // Not connected yet: a message with no Erlang form fails now, not when it is written.
    if (s.t === 'send' || s.t === 'reg_send') encodeEtf(s.msg, { atoms: this.budget(node) });
    const queue = this.waiting.get(node);
    if (queue) return void queue.push(s);
    this.waiting.set(node, [s]);
    this.beam.connect(node).then(
      (conn) => this.flush(node, conn),
      (e: unknown) => this.unreachable(node, e),
    );
  }

  whenConnected(node: string): Promise<boolean> {
    if (this.conns.has(node)) return Promise.resolve(true);
    return this.beam.connect(node).then(
      () => true,
      (e: unknown) => {
        this.unreachable(node, e);
        return false;
      },
    );
  }

  isConnected(node: string): boolean {
    return this.conns.has(node);
  }

  /** A connection is visible when both ends publish (a visible erlmesh node and a BEAM node not started `-hidden`). */
  peers(kind: 'visible' | 'hidden' | 'connected'): string[] {
    if (kind === 'connected') return [...this.conns.keys()];
    const visible = kind === 'visible';
    return [...this.conns.values()].filter((c) => isVisible(c) === visible).map((c) => c.peer);
  }

  /** Each BEAM connection's bytes (its socket counts them; erlmesh counts no frames there). */
  linkStats(): LinkStats[] {
    return [...this.conns.values()].map((c) => ({ peer: c.peer, via: 'beam' as const, ...c.bytes }));
  }

  disconnect(node: string): boolean {
    const c = this.conns.get(node);
    c?.close('closed');
    return c !== undefined;
  }

  close(): Promise<void> {
    return this.beam.close();
  }

  /** The stand-in, writing through this bridge; its locker is a live idle process of the node. */
  private standIn(): BeamGlobalStandIn {
    return new BeamGlobalStandIn({
      name: this.hooks.name,
      locker: () => (this.lockerPid ??= this.node.spawn(async (self) => {
        for (;;) await self.receive(() => true, Infinity);
      })),
      toServer: (peer, msg) => this.send(peer, { t: 'reg_send', from: this.nobody, to: GLOBAL_NAME_SERVER, node: peer, msg }),
      reply: (to, msg) => {
        const c = this.conns.get(to.node);
        if (c) this.write(c, { t: 'send', to, msg });
      },
      log: (level, text) => this.hooks.log(level, text),
    });
  }

  private budget(peer: string): AtomBudget {
    let b = this.budgets.get(peer);
    if (!b) this.budgets.set(peer, (b = new AtomBudget()));
    return b;
  }

  private flush(node: string, c: BeamConnection): void {
    const queue = this.waiting.get(node) ?? [];
    this.waiting.delete(node);
    for (const s of queue) this.write(c, s);
  }

  private unreachable(node: string, e: unknown): void {
    const dropped = this.waiting.get(node)?.length ?? 0;
    this.waiting.delete(node);
    const why = e instanceof ErlmeshError ? `${e.code}: ${e.message}` : String(e);
    this.hooks.log('error', `** Cannot reach BEAM node ${node} (${why})${dropped ? `; ${dropped} signal(s) dropped` : ''} **`);
    this.hooks.nodeDown(node);
  }

  private adopt(c: BeamConnection): void {
    const peer = c.peer;
    this.conns.set(peer, c);
    this.erpcs.set(peer, new ErpcCalls());
    const hidden = !isVisible(c);
    this.hooks.change({ kind: 'nodeup', node: peer, hidden, foreign: true });
    c.onFrame((frame) => this.receive(c, frame));
    if (!hidden) this.global?.up(peer);
    c.onClose((reason) => {
      if (this.conns.get(peer) !== c) return;
      this.conns.delete(peer);
      this.erpcs.delete(peer);
      this.spawnFlags.forget(peer);
      this.global?.down(peer);
      this.hooks.change({ kind: 'nodedown', node: peer, hidden, foreign: true, reason: NODEDOWN_REASON[reason] });
      this.hooks.nodeDown(peer);
    });
  }

  private receive(c: BeamConnection, dist: DistFrame): void {
    if (this.conns.get(c.peer) !== c) return;
    const atoms = this.budget(c.peer);
    let frame: { control: unknown; message: unknown };
    try {
      frame = decodeDistFrame(dist, atoms);
    } catch (e) {
      return this.badFrame(c, e instanceof Error ? e.message : String(e));
    }
    const r = readControl(frame.control, frame.message, this.hooks.name);
    if (r.kind === 'ignore') return;
    if (r.kind === 'bad') return this.badFrame(c, r.why);
    const s = r.signal.t === 'down' ? (this.erpcs.get(c.peer)?.in(r.signal) ?? r.signal) : r.signal;
    if (signalTargetNode(s) !== this.hooks.name || (signalSenderNode(s) ?? c.peer) !== c.peer) return this.badFrame(c, `${s.t} not between ${c.peer} and ${this.hooks.name}`);
    if (s.t === 'reg_send' && s.to === GLOBAL_NAME_SERVER && this.global?.handle(c.peer, s.msg)) return;
    if (s.t === 'reg_send' && answerService(s, this.node, (to, msg) => this.write(c, { t: 'send', to, msg }, true))) return;
    if (serviceMonitor(s, this.node) || (this.global && (s.t === 'monitor' || s.t === 'demonitor') && s.to === GLOBAL_NAME_SERVER)) return;
    if (s.t === 'spawn_request') this.spawnFlags.requested(c.peer, s);
    this.hooks.deliver(s, c.peer);
    if (r.kind === 'unlink_id') this.writeTerms(c, r.ack, undefined, false);
  }

  private badFrame(c: BeamConnection, why: string): void {
    this.hooks.log('error', `** Bad frame from BEAM node ${c.peer} (${why}); closing the connection **`);
    c.close('bad_frame');
  }

  /** Writes `signal` to `c`; a message with no Erlang form throws when `strict`, else is logged. */
  private write(c: BeamConnection, signal: SignalFrame, strict = false): void {
    const s = signal.t === 'spawn_request' ? (this.erpcs.get(c.peer)?.out(signal) ?? signal) : asErlang(signal);
    const spawnFlags = s.t === 'spawn_reply' ? this.spawnFlags.take(c.peer, s) : undefined;
    const w = writeControl(s, { sender: this.nobody, unlinkId: ++this.unlinkId, spawnFlags });
    if (!w) {
      // A shipped function cannot run on BEAM: the request fails as Erlang's spawn of a bad fun.
      if (s.t === 'spawn_request') this.hooks.deliver({ t: 'spawn_reply', ref: s.ref, to: s.from, result: { error: 'notsup' } }, c.peer);
      return;
    }
    if (this.writeTerms(c, w.control, w.message, 'message' in w, strict)) return;
    // The reason has no ETF form: send the signal with it repaired, as erlmesh's own links do.
    const fixed = repairFrame(s, undefined, 1_000) as SignalFrame | undefined;
    const again = fixed && writeControl(fixed, { sender: this.nobody, unlinkId: this.unlinkId, spawnFlags });
    if (again && this.writeTerms(c, again.control, again.message, 'message' in again)) return;
    if (fixed && 'reason' in fixed) {
      const last = writeControl({ ...fixed, reason: ['unencodable', binary('a reason with no Erlang form')] }, { sender: this.nobody, unlinkId: this.unlinkId });
      if (last) this.writeTerms(c, last.control, undefined, false);
    }
  }

  /**
   * Encodes and sends one frame; false when a term has no ETF form. For a message that is
   * thrown when `strict` (nothing sent), else logged and dropped.
   */
  private writeTerms(c: BeamConnection, control: unknown, message: unknown, hasMessage: boolean, strict = false): boolean {
    const atoms = this.budget(c.peer);
    try {
      const ctl = encodeEtf(control, { atoms });
      if (!hasMessage) c.send(ctl);
      else c.send(ctl, encodeEtf(message, { atoms }));
      return true;
    } catch (e) {
      if (hasMessage && strict) throw e;
      if (hasMessage) this.hooks.log('error', `** A message for ${c.peer} has no Erlang form and was dropped (${e instanceof Error ? e.message : String(e)}) **`);
      return hasMessage;
    }
  }
}
