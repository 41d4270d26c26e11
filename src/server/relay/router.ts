/**
 * The relay's state machine: sessions, the name table, channels and partitions. It knows
 * nothing of WebSocket or timers: relay.ts feeds it messages and closes through `Conn`, and
 * back-pressure (flow-control.ts) keeps time with the injected `Clock`.
 * Everything is synchronous, so per-channel order is the order messages arrive in.
 */
import { randomBytes } from 'node:crypto';
import { realClock, type Clock } from '../../core/base/clock.js';
import { BIN_HEADER_BYTES, CLOSE_CODES, RELAY_PROTOCOL_VERSION, binDataChannel, type FromRelay, type PeerEntry, type RelayRefusal } from '../../core/relay-client/protocol.js';
import { checkRegister, peerEntry, type Registration } from './admission.js';
import { LocalCluster, claimName, type ClaimResult, type ClusterHost, type RelayCluster } from './cluster/cluster.js';
import { decodeToRelay, type RoutedMessage } from './messages.js';
import type { RelayLogLine } from './options.js';
import { setRateLimit } from './rate-limit.js';
import { FlowControl } from './flow-control.js';
import { Partitions } from './partitions.js';
import { cutApart, healAll, type CutHost } from './cuts.js';
import { MemberBroadcast } from './membership.js';
import { PeerSnapshot } from './peer-snapshot.js';
import type { RouterLimits } from './router-limits.js';
import { forgetChannel, memberEntry, who, type Conn, type RoutedChannel, type Session } from './session.js';

/** Close code for a message that breaks the protocol (shared with `badarg`). */
export const PROTOCOL_ERROR = 4400;
/** Close code for a registration the cluster could not decide (Redis unreachable): WebSocket "try again later". */
export const CLUSTER_UNAVAILABLE = 1013;
/** Close code of `Relay.kick` (WebSocket "policy violation"). */
export const KICK_CODE = 1008;

export type { Conn, Session } from './session.js';
export type { RouterLimits } from './router-limits.js';

type Log = (line: Omit<RelayLogLine, 'ts'>) => void;

export class Router implements ClusterHost {
  private readonly sessions = new Set<Session>();
  private readonly byName = new Map<string, Session>();
  /** Names being claimed in the cluster for sessions not yet welcomed. */
  private readonly claiming = new Set<string>();
  private readonly channels = new Map<number, RoutedChannel>();
  private readonly partitions = new Partitions();
  private nextChannel = 0;
  private shuttingDown = false;
  framesRouted = 0;
  refused = 0;

  private readonly flow: FlowControl;
  private readonly members: MemberBroadcast;
  private readonly snapshot = new PeerSnapshot();
  private readonly cuts: CutHost = {
    partitions: this.partitions,
    channels: () => [...this.channels.values()],
    open: (c) => this.channels.has(c.id),
    end: (c) => this.endChannel(c, 'connection_closed', [c.a, c.b]),
    byName: (name) => this.byName.get(name),
    registered: () => [...this.byName.values()],
    send: (s, m) => void this.send(s, m),
  };

  constructor(
    private readonly limits: RouterLimits,
    private readonly log: Log,
    clock: Clock = realClock,
    private readonly cluster: RelayCluster = new LocalCluster(),
  ) {
    this.flow = new FlowControl(limits, clock, (s, detail) =>
      this.close(s, CLOSE_CODES.slow_consumer, 'slow_consumer', { level: 'warn', event: 'slow_consumer', detail }),
    );
    this.members = new MemberBroadcast({ sendText: (s, t) => this.deliver(s, t) }, clock, limits.membersBatchMs);
  }

  /** A new socket: create its session and send the challenge. */
  attach(conn: Conn): Session {
    const s: Session = {
      conn,
      nonce: randomBytes(16).toString('hex'),
      state: 'pending',
      entry: undefined,
      bin: false,
      channels: new Map(),
      recentClosed: new Set(),
      evictedMax: 0,
    };
    this.sessions.add(s);
    if (this.shuttingDown) {
      this.close(s, CLOSE_CODES.relay_shutdown, 'relay_shutdown');
      return s;
    }
    const offer = this.limits.members === false ? {} : { members: true };
    conn.send(JSON.stringify({ t: 'challenge', v: RELAY_PROTOCOL_VERSION, nonce: s.nonce, bin: true, ...offer } satisfies FromRelay));
    return s;
  }

  /** One text message from a session's socket. */
  onText(s: Session, data: Buffer): void {
    if (s.state === 'gone') return;
    if (this.tooLarge(s, data.length, s.state === 'pending' ? this.limits.maxPreAuthBytes : this.limits.maxFrameBytes)) return;
    const m = decodeToRelay(data.toString('utf8'));
    if (!m.ok) return this.protocolError(s, m.detail);
    if (s.state === 'pending') {
      if (s.claiming !== undefined) return this.protocolError(s, 'message before welcome');
      if (m.kind !== 'register') return this.protocolError(s, 'expected register');
      return this.admit(s, m.raw);
    }
    if (m.kind === 'register') return this.protocolError(s, 'already registered');
    this.route(s, m.msg, data);
  }

  /**
   * A binary WebSocket message: channel data from a node that said `bin` (see
   * core/relay-client/protocol.ts), forwarded unchanged to a `bin` peer, as a `b` message to any
   * other. Anything else is a protocol violation.
   */
  onBinary(s: Session, data: Buffer): void {
    if (s.state === 'gone') return;
    if (s.state === 'pending' || !s.bin) return this.protocolError(s, 'binary WebSocket message');
    if (this.tooLarge(s, data.length, this.limits.maxFrameBytes)) return;
    const id = binDataChannel(data);
    if (id === undefined) return this.protocolError(s, 'malformed binary message header');
    const c = this.ownChannel(s, id);
    if (!c) return;
    const to = c.a === s ? c.b : c.a;
    const ok = to.bin
      ? this.deliverBinary(to, data)
      : this.deliver(to, JSON.stringify({ t: 'b', ch: id, d: data.subarray(BIN_HEADER_BYTES).toString('base64') } satisfies FromRelay));
    if (ok) {
      this.framesRouted++;
      this.flow.pressure(s, to);
    }
  }

  /** The socket closed (whoever started it). */
  onClosed(s: Session, code: number): void {
    this.release(s, code);
  }

  /**
   * Close a session from the relay's side: log, start the close handshake, and release its
   * name and channels at once (a closing socket is no longer live).
   */
  close(s: Session, code: number, reason: string, line?: Omit<RelayLogLine, 'ts' | 'name' | 'remote'>): void {
    if (s.state === 'gone') return;
    if (line) this.log({ ...line, ...who(s) });
    s.conn.close(code, reason);
    this.release(s, code);
  }

  /** Destroy a session's socket without a close handshake (liveness timeout). */
  terminate(s: Session, line: Omit<RelayLogLine, 'ts' | 'name' | 'remote'>): void {
    if (s.state === 'gone') return;
    this.log({ ...line, ...who(s) });
    s.conn.terminate();
    this.release(s, 1006, 'net_tick_timeout');
  }

  kick(name: string, reason: string): boolean {
    const s = this.byName.get(name);
    if (!s || s.remote !== undefined) return false;
    this.close(s, KICK_CODE, reason, { level: 'info', event: 'kicked', code: String(KICK_CODE), detail: reason });
    return true;
  }

  /** Close every session (relay shutdown); nobody is told about the others leaving. */
  shutdown(): void {
    this.shuttingDown = true;
    this.members.flush(); // what happened before the shutdown (a join's direct address) still goes out
    this.members.stop();
    for (const s of [...this.sessions]) this.close(s, CLOSE_CODES.relay_shutdown, 'relay_shutdown');
  }

  /** Cut `a` from `b` (Relay.partition; cuts.ts). Membership changes before the cut reach the nodes first. */
  partition(a: readonly string[], b: readonly string[]): void {
    this.members.flush();
    cutApart(this.cuts, a, b);
  }

  /** Remove every partition (Relay.heal; cuts.ts). */
  heal(): void {
    healAll(this.cuts);
  }

  names(): PeerEntry[] {
    return [...this.byName.values()].map((s) => ({ ...(s.entry as PeerEntry) }));
  }

  stats(): { registered: number; channels: number; framesRouted: number; refused: number; backlogged: number } {
    let backlogged = 0;
    for (const s of this.sessions) if (s.highSince !== undefined) backlogged++;
    return { registered: this.locals().length, channels: this.channels.size, framesRouted: this.framesRouted, refused: this.refused, backlogged };
  }

  // ----- admission ------------------------------------------------------------------------

  private admit(s: Session, raw: Record<string, unknown>): void {
    const requested = typeof raw.name === 'string' ? raw.name.slice(0, 255) : undefined;
    const verdict = checkRegister(raw, s.nonce, this.limits.cookie);
    if (!verdict.ok) return this.refuse(s, verdict.code, verdict.message, requested);
    const { reg } = verdict;
    if (this.byName.has(reg.name) || this.claiming.has(reg.name)) return this.refuse(s, 'name_taken', `${reg.name} is registered`, reg.name);
    // In a cluster the name is claimed in Redis first (cluster/name-leases.ts); the session says nothing meanwhile.
    claimName(this.cluster, this.claiming, s, reg.name, reg.creation, (r) => this.welcome(s, reg, r));
  }

  private welcome(s: Session, reg: Registration, claim: ClaimResult): void {
    if (!claim.ok && claim.code === 'name_taken') return this.refuse(s, 'name_taken', claim.message, reg.name);
    if (!claim.ok) {
      this.refused++;
      return this.close(s, CLUSTER_UNAVAILABLE, 'cluster_unavailable', { level: 'warn', event: 'cluster_unavailable', detail: claim.message });
    }
    const { creation } = claim;
    const entry = peerEntry(reg);
    s.members = reg.members && this.limits.members !== false;
    s.creation = creation;
    if (s.members && !reg.connectAll) entry.connectAll = false;
    s.entry = entry;
    s.state = 'registered';
    s.bin = reg.bin;
    const cutFrom = this.partitions.cutFrom(reg.name);
    const welcome = this.snapshot.welcomeText(s.members, creation, cutFrom); // before it is in the table
    this.byName.set(reg.name, s);
    this.snapshot.add(s);
    s.conn.admitted();
    if (reg.role !== undefined && this.limits.ticketRateLimit) setRateLimit(s.conn, this.limits.ticketRateLimit);
    const ticket = reg.claims ? `, ticket ${reg.claims.id} role ${reg.claims.role}` : '';
    this.log({ level: 'info', event: 'registered', ...who(s), detail: `creation ${creation}${reg.hidden ? ', hidden' : ''}${ticket}` });
    if (!this.deliver(s, welcome)) return;
    this.members.welcomed(s);
    this.members.joined(memberEntry(s), creation, s);
    this.cluster.joined(s);
  }

  // ----- nodes of other relays (cluster/cluster.ts) ----------------------------------------

  addRemote(s: Session): boolean {
    const { name } = s.entry as PeerEntry;
    if (this.shuttingDown || this.byName.has(name) || this.claiming.has(name)) return false;
    this.sessions.add(s);
    this.byName.set(name, s);
    this.snapshot.add(s);
    this.members.joined(memberEntry(s), s.creation as number, s);
    return true;
  }

  removeRemote = (s: Session, reason: string): void => this.release(s, 1000, reason);

  locals(): Session[] {
    return [...this.byName.values()].filter((s) => s.remote === undefined);
  }

  private refuse(s: Session, code: RelayRefusal, message: string, name: string | undefined): void {
    this.refused++;
    s.conn.send(JSON.stringify({ t: 'refused', code, message } satisfies FromRelay));
    this.log({ level: 'warn', event: 'refused', name, code, remote: s.conn.remote, detail: message });
    this.close(s, CLOSE_CODES[code], code);
  }

  // ----- routing --------------------------------------------------------------------------

  private route(s: Session, m: RoutedMessage, raw: Buffer): void {
    switch (m.t) {
      case 'ping':
        this.send(s, { t: 'pong' });
        return;
      case 'open':
        return this.open(s, m.req, m.to);
      case 'lookup': {
        const peer = this.byName.get(m.name);
        const entry = peer && peer !== s ? { ...(peer.entry as PeerEntry) } : undefined;
        this.send(s, entry ? { t: 'lookup_reply', req: m.req, peer: entry } : { t: 'lookup_reply', req: m.req });
        return;
      }
      case 'd':
      case 'b': {
        const c = this.ownChannel(s, m.ch);
        if (!c) return;
        const to = c.a === s ? c.b : c.a;
        if (this.deliver(to, raw)) {
          this.framesRouted++;
          this.flow.pressure(s, to);
        }
        return;
      }
      case 'close': {
        const c = this.ownChannel(s, m.ch);
        if (c) this.endChannel(c, m.reason, [c.a === s ? c.b : c.a]);
        return;
      }
    }
  }

  private open(s: Session, req: number, to: string): void {
    const peer = this.byName.get(to);
    const from = (s.entry as PeerEntry).name;
    if (!peer || peer === s || this.partitions.between(from, to)) {
      this.send(s, { t: 'open_failed', req, code: 'nodedown' });
      return;
    }
    const id = ++this.nextChannel;
    // Each end learns the other's role from the relay (its attestation; absent: a cookie holder).
    const fromRole = (s.entry as PeerEntry).role;
    const toRole = (peer.entry as PeerEntry).role;
    // Both asked for membership: each end hears whether the relay vouches for the other (protocol.ts).
    const both = s.members === true && peer.members === true;
    const vouchFrom = both && fromRole === undefined ? { vouched: true } : {};
    const vouchTo = both && toRole === undefined ? { vouched: true } : {};
    if (!this.send(peer, fromRole === undefined ? { t: 'incoming', ch: id, from, ...vouchFrom } : { t: 'incoming', ch: id, from, role: fromRole })) {
      this.send(s, { t: 'open_failed', req, code: 'nodedown' });
      return;
    }
    const c: RoutedChannel = { id, a: s, b: peer };
    this.channels.set(id, c);
    s.channels.set(id, c);
    peer.channels.set(id, c);
    this.send(s, toRole === undefined ? { t: 'opened', req, ch: id, ...vouchTo } : { t: 'opened', req, ch: id, role: toRole });
  }

  /**
   * The open channel `id` of `s`; undefined (and nothing else happens) for a channel `s`
   * was an endpoint of and that is closed — a frame may race a close; a protocol error for
   * any other id.
   */
  private ownChannel(s: Session, id: number): RoutedChannel | undefined {
    const c = s.channels.get(id);
    if (c) return c;
    if (!s.recentClosed.has(id) && id > s.evictedMax) this.protocolError(s, `channel ${id} is not one of this node's`);
    return undefined;
  }

  private endChannel(c: RoutedChannel, reason: string, notify: Session[]): void {
    if (!this.channels.delete(c.id)) return;
    for (const end of [c.a, c.b]) {
      end.channels.delete(c.id);
      forgetChannel(end, c.id);
    }
    for (const end of notify) this.send(end, { t: 'closed', ch: c.id, reason });
  }

  // ----- sending and leaving --------------------------------------------------------------

  private send(s: Session, m: FromRelay): boolean {
    return this.deliver(s, JSON.stringify(m));
  }

  /** Hand `data` to `s`'s socket unless `s` is gone or too far behind (then it is closed). */
  private deliver(s: Session, data: string | Buffer): boolean {
    if (!this.flow.canSend(s)) return false;
    s.conn.send(data);
    return true;
  }

  /** `deliver` for a binary message. */
  private deliverBinary(s: Session, data: Buffer): boolean {
    if (!this.flow.canSend(s)) return false;
    s.conn.sendBinary(data);
    return true;
  }

  /** Close `s` with frame_too_large when a message of `n` bytes is over `limit`. */
  private tooLarge(s: Session, n: number, limit: number): boolean {
    if (n <= limit) return false;
    const detail = `${n} bytes > ${limit}${s.state === 'pending' ? ' before admission' : ''}`;
    this.close(s, CLOSE_CODES.frame_too_large, 'frame_too_large', { level: 'warn', event: 'frame_too_large', detail });
    return true;
  }

  private protocolError(s: Session, detail: string): void {
    this.close(s, PROTOCOL_ERROR, 'protocol_error', { level: 'warn', event: 'protocol_error', detail });
  }

  /** Free the session's name and channels and tell the others; idempotent. */
  private release(s: Session, code: number, reason = 'connection_closed'): void {
    if (!this.sessions.delete(s)) return;
    this.flow.drained(s, true);
    const wasRegistered = s.state === 'registered';
    s.state = 'gone';
    const channels = [...s.channels.values()];
    s.channels.clear();
    const local = s.remote === undefined;
    if (wasRegistered && s.entry && local && !this.shuttingDown) this.cluster.leaving(s.entry.name, reason);
    if (wasRegistered && s.entry && !this.shuttingDown) this.members.leaving(s.entry.name, reason, channels.map((c) => (c.a === s ? c.b : c.a)));
    for (const c of channels) this.endChannel(c, 'connection_closed', this.shuttingDown ? [] : [c.a === s ? c.b : c.a]);
    if (!wasRegistered || !s.entry) return;
    const name = s.entry.name;
    this.byName.delete(name);
    this.snapshot.remove(name);
    this.members.gone(s);
    if (local) this.log({ level: 'info', event: 'left', name, code: String(code), remote: s.conn.remote });
    if (this.shuttingDown) return;
    this.members.left(name, reason);
  }

}
