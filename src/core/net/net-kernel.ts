/**
 * The net kernel: one node's connections to the others.
 *
 * - Connections are made lazily by any remote operation (`send`), by `connect`/`ping`, and by
 *   the mesh (mesh.ts: Erlang's connect_all), so the cluster becomes fully connected.
 * - Simultaneous connects are arbitrated in the handshake (see handshake.ts); a connection
 *   from a restarted peer replaces the stale one (nodedown, then nodeup).
 * - Failure detection: ticks (ticker.ts); a peer silent for 4 intervals is removed with
 *   reason `net_tick_timeout` (so a frozen peer is found after 4–5 × tickMs).
 * - The relay as introducer (issue 13; relay-membership.ts): with a transport that reports
 *   membership, a member the relay can vouch for is up at once, without a handshake or ticks;
 *   its channel is opened on first use with a relay-vouched hello (handshake.ts), and it goes
 *   down when the relay reports it left, or when a channel of it closes. Other members are
 *   dialled as before.
 * - Every connection that ends, or could not be set up, goes to the runtime (`onNodeDown`): `noconnection`.
 */
import { realClock, type Clock } from '../base/clock.js';
import { ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import { attestationOf } from './attestation.js';
import type { ParsedTicket } from '../trust/ticket.js';
import type { DistCrypto } from './proofs.js';
import { Connection } from './connection.js';
import { handshakeOtherStarted, handshakeWeStarted, type HandshakeEnv, type PeerInfo } from './handshake.js';
import { compareNames, parseNodeName } from '../terms/node-names.js';
import type { NodeChange, NodedownReason } from './node-events.js';
import { CLOSED_HERE, FramedChannel } from './framed-channel.js';
import { isSignalTag, signalSenderNode, signalTargetNode, type AnyFrame, type NodeFlags, type SignalFrame } from './frames.js';
import type { Channel, MembershipChange, Transport } from './transport.js';
import { listedToDial, meshPeers, modeMismatchLog, takesPartInMesh, toDial, upPeers } from './mesh.js';
import { Ticker } from './ticker.js';
import { connectionStats, type LinkStats } from './connection-stats.js';
import { RelayMembership } from './relay-membership.js';
import { VouchedLinks } from './vouched-links.js';
import { validateSignal } from './frame-checks.js';
import { WIRE_ENCODINGS } from './encodings.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './fragments.js';

export interface NetKernelEnv {
  name: string;
  creation: number;
  flags: NodeFlags;
  transport: Transport;
  clock: Clock;
  crypto: DistCrypto;
  tickMs: number;
  setupTimeoutMs: number;
  cookieFor(peer: string): string;
  isAllowed(peer: string): boolean;
  /** The cookie this node registered with at a relay that reports membership (cookie holders only). */
  vouchCookie?: string;
  /** This node's join ticket, fetched for each handshake (a ticket holder); absent for a cookie holder. */
  ticket?: () => Promise<ParsedTicket>;
  /**
   * Wall-clock ms since the epoch, for ticket expiry. Default: `Date.now()` on the real
   * clock; on any other clock (SimulatedClock in tests) that clock's `now()`.
   */
  wallNow?: () => number;
  /** A valid signal from `peer` (whose role is `role`: undefined for a cookie holder). */
  onSignal(frame: SignalFrame, peer: string, role: string | undefined): void;
  onNodeDown(node: string): void;
  onChange(change: NodeChange): void;
  /** `peer` starts its new connection held (it was cut for send_queue_full): inbound-flow.ts answers. */
  onPeerHolding?(peer: string): void;
  log(level: 'info' | 'warning' | 'error', text: string): void;
}

export class NetKernel {
  private readonly conns = new Map<string, Connection>();
  private readonly lastError = new Map<string, ErlmeshErrorCode>();
  /** Peers whose last connection was cut for send_queue_full: the next one starts held (inbound-flow.ts). */
  private readonly congested = new Set<string>();
  private closed = false;
  private readonly hs: HandshakeEnv;
  private readonly ticker: Ticker;
  private readonly membership: RelayMembership;
  private readonly vouched: VouchedLinks;

  constructor(private readonly env: NetKernelEnv) {
    this.hs = {
      name: env.name,
      get creation() { return env.creation; }, // a relay failover renews it (wiring.ts)
      flags: { ...env.flags, encodings: env.flags.encodings ?? [...WIRE_ENCODINGS], maxMessageBytes: env.flags.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, flowControl: true },
      clock: env.clock,
      setupTimeoutMs: env.setupTimeoutMs,
      crypto: env.crypto,
      cookieFor: (p) => env.cookieFor(p),
      isAllowed: (p) => env.isAllowed(p),
      arbitrate: (p, c) => this.arbitrate(p, c),
      log: (l, t) => env.log(l, t),
      wallNow: env.wallNow ?? (env.clock === realClock ? () => Date.now() : () => env.clock.now()),
      ...(env.ticket ? { ticket: env.ticket } : {}),
      vouch: (p, att) => this.membership.canVouch(p, att),
    };
    this.ticker = new Ticker(env.clock, env.tickMs, () => this.conns.values(), (c) => {
      this.env.log('error', `** Node ${c.peer} not responding **\n** Removing (timedout) connection **`);
      this.down(c, 'net_tick_timeout');
    });
    this.membership = new RelayMembership({
      name: env.name,
      flags: env.flags,
      vouchCookie: env.ticket ? undefined : env.vouchCookie,
      cookieFor: (p) => env.cookieFor(p),
      isAllowed: (p) => env.isAllowed(p),
      memberUp: (m) => this.vouched.memberUp(m),
      memberLeft: (p, reason) => this.vouched.left(p, reason),
    });
    this.vouched = new VouchedLinks({
      conns: this.conns,
      lastError: this.lastError,
      flags: env.flags,
      transport: env.transport,
      hs: this.hs,
      onChange: (c) => env.onChange(c),
      down: (c, r) => this.down(c, r),
      consume: (c, f) => this.consume(c, f),
      sendQueued: (c) => this.sendQueued(c),
      stillVouched: (p) => {
        const m = this.closed ? undefined : this.membership.get(p);
        return m && this.membership.vouchedUp(m) ? m : undefined;
      },
    });
  }

  /** Accept inbound channels from the transport. */
  accept(channel: Channel): void {
    if (this.closed) {
      channel.close('node_stopped');
      return;
    }
    const framed = new FramedChannel(channel);
    let peer: string | undefined;
    let mine: Connection | undefined;
    const arbitrate = (p: string, cr: number): 'ok' | 'ok_simultaneous' | 'nok' => {
      peer = p;
      const before = this.conns.get(p);
      const verdict = this.arbitrate(p, cr);
      const after = this.conns.get(p);
      if (!before && after) mine = after;
      return verdict;
    };
    handshakeOtherStarted(framed, { ...this.hs, arbitrate }, attestationOf(channel)).then(
      (info) => {
        let c = this.conns.get(info.name);
        // The peer opened the channel of a connection both hold on the relay's word.
        if (c && c.state === 'up' && c.vouched && info.vouched && c.info?.creation === info.creation) return this.vouched.attach(c, framed);
        if (c && c.state === 'up') {
          // The peer dialled us although we hold a connection: ours is stale, or it restarted.
          this.down(c, 'connection_closed');
          c = undefined;
        }
        if (!c) {
          c = new Connection(info.name);
          this.conns.set(info.name, c);
        }
        this.up(c, framed, info);
      },
      (e: unknown) => {
        framed.close('handshake_failed');
        const c = peer === undefined ? undefined : this.conns.get(peer);
        // Only a connection this inbound attempt created (and nobody else is completing) fails.
        if (c && c === mine && c.state === 'pending' && c.inboundOnly) this.failSetup(c, e instanceof ErlmeshError ? e.code : 'handshake_failed');
      },
    );
  }

  /**
   * The acceptor's arbitration for a hello from `peer` (see handshake.ts). An accepted hello
   * with no connection in place records a pending one, so that our own sends to the peer
   * wait for this handshake instead of starting a second one.
   */
  private arbitrate(peer: string, creation: number): 'ok' | 'ok_simultaneous' | 'nok' {
    const c = this.conns.get(peer);
    if (!c) {
      const pending = new Connection(peer);
      pending.inboundOnly = true;
      pending.setupTimer = this.env.clock.setTimeout(() => this.failSetup(pending, 'timeout'), this.env.setupTimeoutMs);
      this.conns.set(peer, pending);
      return 'ok';
    }
    if (c.state === 'pending') {
      if (c.inboundOnly) return 'nok'; // a second hello while the first is in progress
      if (compareNames(peer, this.env.name) >= 0) return 'nok';
      // Theirs wins: our own attempt must not send a hello any more (see `connect`).
      c.yieldedToInbound = true;
      return 'ok_simultaneous';
    }
    if (c.vouched && c.info?.creation === creation) return 'ok'; // its channel (accept attaches it)
    // Up: the peer restarted (new creation) or lost its end; the new connection wins.
    if (c.info && c.info.creation !== creation) this.env.log('info', `** Node ${peer} reconnected as a new incarnation **`);
    return 'ok';
  }

  // ----- sending ---------------------------------------------------------------------------

  /** Send a signal to `node`, connecting first if needed. Dropped if it cannot be reached. */
  send(node: string, frame: SignalFrame): void {
    const c = this.conns.get(node) ?? this.connect(node);
    c?.send(frame);
    if (c && c.vouched && !c.framed && !c.opening) this.vouched.open(c);
  }

  /** Start (or join) a connection attempt. Undefined when the name cannot be dialled at all. */
  connect(node: string): Connection | undefined {
    const existing = this.conns.get(node);
    if (existing) return existing;
    const fail = (code: ErlmeshErrorCode, log?: string): undefined => {
      if (log) this.env.log('error', log);
      this.lastError.set(node, code);
      this.env.onNodeDown(node);
      return undefined;
    };
    if (this.closed) return fail('notalive');
    const parsed = parseNodeName(node);
    if (!parsed || node === this.env.name) return fail('badarg');
    if (parsed.mode !== this.env.flags.mode) return fail('name_mode_mismatch', modeMismatchLog(this.env.flags, parsed.host));
    const c = new Connection(node);
    this.conns.set(node, c);
    c.setupTimer = this.env.clock.setTimeout(() => this.failSetup(c, 'timeout'), this.env.setupTimeoutMs);
    // Still ours to make: not made meanwhile, and not given up for the peer's (ok_simultaneous).
    // A hello after that would reach a peer that is already up with us, which takes it for a
    // reconnect and drops the connection both sides just made.
    const wanted = (): boolean => this.conns.get(node) === c && c.state === 'pending' && !c.yieldedToInbound;
    this.env.transport.connect(node).then(
      (channel) => {
        if (!wanted()) {
          channel.close('superseded');
          return;
        }
        const framed = new FramedChannel(channel);
        handshakeWeStarted(framed, this.hs, node, attestationOf(channel), wanted).then(
          (info) => {
            if (this.conns.get(node) === c && c.state === 'pending') this.up(c, framed, info);
            else if (!this.vouched.adoptOrClose(node, framed, info)) framed.close('superseded');
          },
          (e: unknown) => {
            const code = e instanceof ErlmeshError ? e.code : 'handshake_failed';
            const status = e instanceof ErlmeshError ? (e.details as { status?: string } | undefined)?.status : undefined;
            // 'nok': the peer keeps its own attempt towards us; wait for it (bounded by setupTimer).
            // 'superseded': its attempt connected us while our ticket was being fetched.
            if (status === 'nok' || status === 'superseded') return;
            this.failSetup(c, code);
          },
        );
      },
      (e: unknown) => this.failSetup(c, e instanceof ErlmeshError ? e.code : 'nodedown'),
    );
    return c;
  }

  private failSetup(c: Connection, code: ErlmeshErrorCode): void {
    if (this.conns.get(c.peer) !== c || c.state !== 'pending') return;
    this.conns.delete(c.peer);
    if (c.setupTimer !== undefined) this.env.clock.clearTimeout(c.setupTimer);
    this.lastError.set(c.peer, code);
    c.queue = [];
    this.env.onNodeDown(c.peer);
    c.settle(false);
    this.vouched.revive(c.peer); // still vouched for: up on the relay's word
  }

  private up(c: Connection, framed: FramedChannel, info: PeerInfo): void {
    if (c.setupTimer !== undefined) this.env.clock.clearTimeout(c.setupTimer);
    c.state = 'up';
    c.vouched = info.vouched === true;
    c.localHidden = this.env.flags.hidden;
    c.framed = framed;
    c.info = info;
    c.recvSinceTick = true;
    c.silentTicks = 0;
    this.lastError.delete(c.peer);
    this.sendQueued(c);
    if (!c.vouched) this.ticker.ensure();
    // nodeup comes before the frames the peer sent during the handshake, and before a close
    // that came with them, so listeners never see a frame or a nodedown before the nodeup.
    this.env.onChange({ kind: 'nodeup', node: c.peer, hidden: c.hidden });
    this.consume(c, framed);
    if (this.conns.get(c.peer) !== c) return; // it closed while we consumed: down() settled it
    if (!c.vouched && takesPartInMesh(this.env.flags, info.flags)) c.send({ t: 'peers', nodes: meshPeers(this.env.flags, this.conns.values()).filter((n) => n !== c.peer) });
    c.settle(true);
  }

  /** Send what waited for `c` (held from the start when its last connection was cut for send_queue_full). */
  private sendQueued(c: Connection): void {
    if (this.congested.delete(c.peer)) c.startHeld();
    c.sendQueued((e) => this.env.log('error', `** A message queued for ${c.peer} cannot be sent (${e}); dropped **`));
  }

  /** Frames of `framed` go to `c`; its close (or a bad frame) takes `c` down. */
  private consume(c: Connection, framed: FramedChannel): void {
    framed.consume(
      (f) => this.onFrame(c, f),
      () => {
        const own = framed.closedHere; // bad_frame, send_queue_full, or the peer's close
        if (own !== undefined) this.env.log('error', `** ${CLOSED_HERE[own](c.peer)}; closing the connection **`);
        if (own === 'send_queue_full') this.congested.add(c.peer);
        this.down(c, own ?? 'connection_closed');
      },
    );
  }

  // ----- the relay as introducer (relay-membership.ts) -------------------------------------

  /** The transport's membership changes; resolves the members to dial the old way. */
  members(changes: MembershipChange[], snapshot: boolean): string[] {
    return this.closed ? [] : this.membership.apply(changes, snapshot);
  }

  private onFrame(c: Connection, f: AnyFrame): void {
    if (this.conns.get(c.peer) !== c) return;
    c.recvSinceTick = true;
    if (f.t === 'tick' || c.onFlowFrame(f)) return;
    if (f.t === 'holding') return this.env.onPeerHolding?.(c.peer);
    if (f.t === 'peers') return void listedToDial(this.env.flags, this.env.name, c, f.nodes, (n) => this.conns.has(n)).forEach((n) => this.connect(n));
    const ok = isSignalTag(f.t) && validateSignal(f) && signalTargetNode(f as SignalFrame) === this.env.name;
    if (!ok || (signalSenderNode(f as SignalFrame) ?? c.peer) !== c.peer) {
      this.env.log('error', `** Bad frame from node ${c.peer} (${String(f.t)}); closing the connection **`);
      this.down(c, 'bad_frame'); // closes its channels with bad_frame
      return;
    }
    this.env.onSignal(f as SignalFrame, c.peer, c.role);
  }

  /** Ask `node` to hold its signals to us, or to send them again (inbound-flow.ts); false if it cannot be asked. */
  readonly setPeerFlow = (node: string, hold: boolean): boolean => this.conns.get(node)?.askFlow(hold) ?? false;

  private down(c: Connection, reason: NodedownReason): void {
    if (this.conns.get(c.peer) !== c) return;
    this.conns.delete(c.peer);
    if (c.setupTimer !== undefined) this.env.clock.clearTimeout(c.setupTimer);
    c.framed?.close(reason);
    for (const r of c.rx) r.close(reason);
    if (c.state === 'up') this.env.onChange({ kind: 'nodedown', node: c.peer, hidden: c.hidden, reason });
    this.env.onNodeDown(c.peer);
    c.settle(false);
    if (this.conns.size === 0) this.ticker.stop();
  }

  // ----- queries and control ---------------------------------------------------------------

  /** Resolves true once `node` is connected, false if it cannot be. */
  whenConnected(node: string): Promise<boolean> {
    const c = this.connect(node);
    if (!c) return Promise.resolve(false);
    if (c.state === 'up') return Promise.resolve(true);
    return new Promise((resolve) => c.waiters.push(resolve));
  }

  /** Connect to each of `peers` we do not know yet, when this node takes part in the mesh. */
  joinMesh(peers: string[]): Promise<boolean>[] {
    if (this.closed) return [];
    return toDial(this.env.flags, this.env.name, (p) => this.conns.has(p), peers).map((p) => this.whenConnected(p));
  }

  isConnected(node: string): boolean {
    return this.conns.get(node)?.state === 'up';
  }
  /** Up on the relay's word (relay-membership.ts), at both ends: global and pg announce themselves to it rather than ask. */
  isVouched(node: string): boolean {
    return this.conns.get(node)?.vouched === true && this.isConnected(node);
  }

  /** The counters of each connection that is up (the observer's `links`; connection-stats.ts). */
  connectionStats(): LinkStats[] {
    return connectionStats(this.conns.values());
  }

  /** Connected peers, in connection order: visible, hidden, or all. */
  peers(kind: 'visible' | 'hidden' | 'connected'): string[] {
    return upPeers(this.conns.values(), kind);
  }

  /** The role of the connected peer `node`: undefined for a cookie holder, its ticket's role, null when not connected. */
  roleOf(node: string): string | undefined | null {
    const c = this.conns.get(node);
    return c && c.state === 'up' ? c.role : null;
  }

  /** Close the connection to `node`; its nodedown carries `reason` (default `disconnect`). */
  disconnect(node: string, reason: NodedownReason = 'disconnect'): boolean {
    const c = this.conns.get(node);
    if (!c || c.state !== 'up') return false;
    this.down(c, reason);
    return true;
  }

  lastConnectError(node: string): ErlmeshErrorCode | undefined {
    return this.lastError.get(node);
  }

  /** Close every connection (peers see connection_closed). */
  close(): void {
    this.closed = true;
    for (const c of [...this.conns.values()]) {
      if (c.state === 'up') this.down(c, 'disconnect');
      else this.failSetup(c, 'notalive');
    }
    this.ticker.stop(true);
  }
}
