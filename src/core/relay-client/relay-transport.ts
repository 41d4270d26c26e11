/**
 * RelayTransport: a node's Transport through an erlmesh relay (see protocol.ts in this folder
 * for the exchange). One WebSocket carries every relayed channel of the node; server-nodes may
 * add `DirectLinks`, which they try first for peers that advertise a direct address, falling
 * back to the relay. Every new connection tries the direct path first, with the address last
 * heard for the peer, also while the relay is down (direct-paths.ts); one that fell back to
 * the relay retries the direct link in the background and moves onto it (migrations.ts).
 *
 * Tabs of one browser may add `LocalLinks` instead (a BroadcastChannel, src/browser): every
 * connection still opens through the relay (admission, attestation and the handshake's role
 * are the relay's), then moves onto the local link at once (migrations.ts `moveNow`); the
 * relay's `left` for a peer ends its local links (a BroadcastChannel has no close event).
 *
 * Partitions: the relay's `partitioned` / `healed` cut direct and local links as well
 * (direct-paths.ts), so that a partition cuts every path between its two sides.
 *
 * Resilience: when the relay socket drops, every relayed channel ends with
 * `connection_closed` (so nodes see nodedown and links get `noconnection`), and the
 * transport reconnects with capped exponential backoff, registers again under the same name
 * asking to keep its creation, and hands the peers list to the node (`onPeers`) so the mesh
 * forms again. Direct links are independent of the relay and survive it. Given a list of
 * relays (`url`), each attempt goes to the next one (failover: reconnects.ts, relay-urls.ts);
 * at another relay than the one that last admitted it, the node asks for a new creation and
 * hands it to the node (`ListenOptions.onCreation`) before its peers.
 *
 * Binary frames (fast-1 batches) go as binary data messages (5-byte header, no base64) when
 * the relay offered `bin` in its challenge, else as `b` messages; received binary data is
 * handed to the channel as a Uint8Array view of the message, without a copy.
 *
 * Membership (protocol.ts "Membership"): when the node asks for it (`ListenOptions.onMembers`)
 * and the relay offers it, the relay's snapshot and changes reach the node through a
 * MembershipView (membership-view.ts), which also ticks with the relay, and relayed channels
 * carry the relay's vouching.
 *
 * Admission is with the cookie, or with a join ticket (`ticket`; called anew before each
 * registration when it is a function). Every relayed channel carries the relay's attestation
 * of the other end (its name and role, trust/attestation.ts); direct links carry none.
 *
 * The channel table on each relay socket (relayed channels, pending opens and lookups) is a
 * RelaySession (relay-session.ts); this file is registration, reconnection and the peer list.
 *
 * The WebSocket constructor is injected (`ws` in Node, the browser's own in tabs).
 */
import { realClock, type Clock } from '../base/clock.js';
import { webCrypto, type DistCrypto } from '../base/crypto.js';
import type { Channel, ListenOptions, Registration, Transport } from '../net/transport.js';
import { AuthError, badarg, ErlmeshError } from '../base/errors.js';
import { REFUSAL_CODES } from './refusals.js';
import { TicketSource } from '../trust/ticket.js';
import { RELAY_PROTOCOL_VERSION, describeClose, relayProofInput, type FromRelay, type PeerEntry } from './protocol.js';
import { attest, RelaySession } from './relay-session.js';
import type { WebSocketLike } from './websocket-like.js';
import { DirectPaths } from './direct-paths.js';
import { Reconnects } from './reconnects.js';
import { Migrations } from './migrations.js';
import { MembershipView } from './membership-view.js';
import type { RelayTransportOptions } from './relay-transport-options.js';

export type { DirectLinks } from './direct-paths.js';
export type { RelayTransportOptions } from './relay-transport-options.js';

/**
 * A node's `Transport` through an erlmesh relay (what `startNode` of `erlmesh/server` and
 * `erlmesh/browser` use); for composing a node by hand with the core `startNode`.
 *
 * @example
 * const transport = new RelayTransport({ url: 'ws://127.0.0.1:4367/erlmesh', cookie, WebSocket: globalThis.WebSocket });
 * const node = await startNode({ sname: 'custom', cookie, transport });
 */
export class RelayTransport implements Transport {
  private session: RelaySession | undefined;
  private name: string | undefined;
  private creation: number | undefined;
  private onInbound: ((ch: Channel) => void) | undefined;
  private listenOpts: ListenOptions = {};
  private readonly peers = new Map<string, PeerEntry>();
  private closed = false;
  private reqSeq = 0;
  private readonly clock: Clock;
  private readonly crypto: DistCrypto;
  private readonly timeoutMs: number;
  private readonly tickets: TicketSource | undefined;
  private readonly direct: DirectPaths | undefined;
  private readonly local: DirectPaths | undefined;
  private readonly migrations: Migrations | undefined;
  /** The relay's membership as this node sees it (sessions that said `members`). */
  private view: MembershipView | undefined;
  /** Resolves when the socket of the current session has closed (for `close()`). */
  private sessionClosed: Promise<void> = Promise.resolve();
  /** Where and when to register: the relay list and its failover policy (reconnects.ts, relay-urls.ts). */
  private readonly reconnects: Reconnects;

  constructor(private readonly opts: RelayTransportOptions) {
    this.clock = opts.clock ?? realClock;
    this.crypto = opts.crypto ?? webCrypto;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    if ((opts.ticket === undefined) === (opts.cookie === undefined)) throw badarg('RelayTransport: give either a cookie or a ticket');
    if (opts.cookie !== undefined && (typeof opts.cookie !== 'string' || opts.cookie === '')) throw badarg('RelayTransport: the cookie must be a non-empty string');
    this.tickets = opts.ticket !== undefined ? new TicketSource(opts.ticket) : undefined;
    this.reconnects = new Reconnects({
      clock: this.clock,
      urls: opts.url,
      backoff: opts.backoff,
      open: () => (this.closed ? Promise.reject(new ErlmeshError('closed', 'transport closed')) : this.openSession()),
      refreshableTicket: () => this.tickets?.refreshable === true,
      log: opts.log,
    });
    if (opts.direct && opts.local) throw badarg('RelayTransport: give direct or local links, not both');
    this.direct = opts.direct ? new DirectPaths(opts.direct, (peer) => this.lookup(peer)) : undefined;
    this.local = opts.local ? new DirectPaths(opts.local, (peer) => this.lookup(peer)) : undefined;
    const paths = this.direct ?? this.local;
    this.migrations = paths ? new Migrations(paths, this.clock, this.crypto, opts.migrate || {}, opts.log) : undefined;
  }

  /** The peers this node has open direct links with (server-nodes), sorted. */
  directPeers(): string[] {
    return this.direct?.linkedPeers() ?? [];
  }

  /** The peers this node has open local links with (tabs of this browser), sorted. */
  localPeers(): string[] {
    return this.local?.linkedPeers() ?? [];
  }

  /** The peers the relay reports (name, hidden, direct address). */
  knownPeers(): PeerEntry[] {
    return [...this.peers.values()];
  }

  /** True while registered with the relay. */
  get connected(): boolean {
    return this.session !== undefined;
  }

  async listen(name: string, onInbound: (ch: Channel) => void, opts: ListenOptions = {}): Promise<Registration> {
    if (this.closed) throw new ErlmeshError('closed', 'transport closed');
    if (this.name !== undefined) throw new ErlmeshError('badarg', 'listen: already listening');
    this.name = name;
    this.onInbound = onInbound;
    this.listenOpts = opts;
    const m = this.migrations;
    this.direct?.start(name, onInbound, m ? (ch, from, id) => m.accept(ch, from, id) : undefined);
    // Local links only carry relayed connections.
    this.local?.start(name, (ch) => ch.close('no_such_channel'), (ch, from, id) => m!.accept(ch, from, id));
    try {
      await this.reconnects.first();
    } catch (e) {
      this.name = undefined;
      await this.direct?.close();
      await this.local?.close();
      throw e;
    }
    return this.session?.members ? { creation: this.creation!, membership: true } : { creation: this.creation! };
  }

  /** The relay the node is registered with, or dials next. */
  get url(): string {
    return this.reconnects.urls.current;
  }

  /** Open the socket, prove the cookie, register. Rejects with the relay's refusal code. */
  private openSession(): Promise<void> {
    const name = this.name!;
    const { current: url, failover } = this.reconnects.urls;
    // At another relay than the one that last admitted it, the node comes back as a new incarnation.
    const creation = this.creation === undefined ? undefined : failover ? this.creation + 1 : this.creation;
    return new Promise<void>((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = new this.opts.WebSocket(url);
      } catch (e) {
        reject(new ErlmeshError('relay_unreachable', `cannot open ${url}: ${String(e)}`));
        return;
      }
      ws.binaryType = 'arraybuffer';
      const session = new RelaySession(ws, url, this.clock, this.timeoutMs);
      let admitted = false;
      let refusal: ErlmeshError | undefined;
      let resolveClosed!: () => void;
      this.sessionClosed = new Promise((r) => (resolveClosed = r));
      const timer = this.clock.setTimeout(() => {
        refusal = new ErlmeshError('relay_unreachable', `no answer from the relay at ${url}`);
        ws.close();
      }, this.timeoutMs);
      ws.onmessage = (ev) => {
        if (admitted && session.members) this.view?.heard();
        const msg = session.receive(ev.data, admitted);
        if (msg === undefined) return;
        if (msg === 'bad') return ws.close(4400, 'protocol_error');
        if (admitted) {
          this.onRelayMessage(session, msg);
          return;
        }
        if (msg.t === 'challenge') {
          session.bin = msg.bin === true;
          session.members = msg.members === true && this.listenOpts.onMembers !== undefined;
          const members = session.members ? { members: true, connectAll: this.listenOpts.connectAll !== false } : {};
          this.prove(String(msg.nonce), name).then(
            ({ proof, ticket }) =>
              session.send({
                t: 'register',
                v: RELAY_PROTOCOL_VERSION,
                name,
                proof,
                hidden: !!this.listenOpts.hidden,
                bin: true,
                ...(creation !== undefined ? { creation } : {}),
                ...(this.opts.direct ? { direct: this.opts.direct.address } : {}),
                ...(ticket !== undefined ? { ticket } : {}),
                ...members,
              }),
            (e: unknown) => {
              refusal = e instanceof ErlmeshError ? e : new AuthError('ticket_malformed', String(e));
              ws.close(1000, 'no_ticket');
            },
          );
        } else if (msg.t === 'welcome') {
          this.clock.clearTimeout(timer);
          admitted = true;
          this.session = session;
          const renewed = this.creation !== undefined && this.creation !== msg.creation;
          this.creation = msg.creation;
          this.reconnects.admitted();
          this.peers.clear();
          for (const p of msg.peers) this.addPeer(p);
          this.direct?.registered(msg.partitioned);
          this.local?.registered(msg.partitioned);
          resolve();
          // Before the peers: this node's handshakes carry the creation the relay vouches for.
          if (renewed) this.listenOpts.onCreation?.(msg.creation);
          if (session.members) this.membershipView().snapshot(msg.peers);
          else this.listenOpts.onPeers?.(msg.peers.filter((p) => !p.hidden).map((p) => p.name));
        } else if (msg.t === 'refused') {
          refusal = new AuthError(REFUSAL_CODES[msg.code] ?? 'handshake_failed', `relay refused ${name}: ${msg.code}`, { code: msg.code });
        }
      };
      ws.onerror = () => {};
      ws.onclose = (ev) => {
        this.clock.clearTimeout(timer);
        resolveClosed();
        if (!admitted) {
          reject(refusal ?? new ErlmeshError('relay_unreachable', `cannot reach the relay at ${url} (${describeClose(ev.code, ev.reason)})`));
          return;
        }
        this.onSessionLost(session, ev.code, ev.reason);
      };
    });
  }

  /** The register proof: of the cookie, or of the current ticket's key (with its payload). */
  private async prove(nonce: string, name: string): Promise<{ proof: string; ticket?: string }> {
    const input = relayProofInput(nonce, name);
    if (!this.tickets) return { proof: await this.crypto.hmacSha256Hex(this.opts.cookie!, input) };
    const t = await this.tickets.get();
    return { proof: await this.crypto.hmacSha256Hex(t.key, input), ticket: t.payload };
  }

  /** The view of the relay's membership (made at the first welcome that offers it). */
  private membershipView(): MembershipView {
    const lo = this.listenOpts;
    return (this.view ??= new MembershipView({
      clock: this.clock,
      self: this.name!,
      direct: this.direct !== undefined,
      tickMs: lo.tickMs ?? 15_000,
      report: (changes, snapshot) => lo.onMembers?.(changes, snapshot),
      ping: () => this.session?.send({ t: 'ping' }),
      // The relay went silent: its close handshake may never end, so the session ends now.
      silent: () => this.session && (this.session.ws.close(4408, 'net_tick_timeout'), this.onSessionLost(this.session, 4408, 'net_tick_timeout')),
    }));
  }

  private onSessionLost(session: RelaySession, code: number, reason: string): void {
    if (session.ended) return;
    session.ended = true;
    if (this.session === session) this.session = undefined;
    session.lost();
    if (session.members) this.view?.lost();
    // Relayed peers are gone with the socket; direct ones may still be reachable.
    this.peers.clear();
    if (this.closed) return;
    const next = this.reconnects.lost();
    this.opts.log?.('warning', `** Lost the relay at ${session.url} (${describeClose(code, reason)}); reconnecting to ${next} **`);
  }

  private onRelayMessage(s: RelaySession, msg: FromRelay): void {
    switch (msg.t) {
      case 'd':
        s.channels.get(msg.ch)?.deliver(msg.d);
        return;
      case 'incoming': {
        const ch = s.channel(msg.ch, attest(msg.from, msg.role, s.members && msg.vouched === true));
        // A server-node's relayed connection may move onto a direct link (the dialer's move).
        this.onInbound?.(this.migrations && typeof msg.from === 'string' ? this.migrations.wrap(msg.from, msg.ch, ch) : ch);
        return;
      }
      case 'lookup_reply':
        if (msg.peer) this.addPeer(msg.peer);
        s.onChannelMessage(msg);
        return;
      case 'partitioned':
        this.direct?.partitioned(msg.peers);
        this.local?.partitioned(msg.peers);
        if (s.members) this.view?.cut(msg.peers);
        return;
      case 'healed':
        this.direct?.healed();
        this.local?.healed();
        return;
      case 'members': {
        const changes = Array.isArray(msg.changes) ? msg.changes : [];
        for (const c of changes) if (!('joined' in c)) this.peers.delete(String(c.left));
        else if (typeof c.joined?.name === 'string') this.addPeer(c.joined);
        if (s.members) this.view?.apply(changes);
        return;
      }
      case 'joined':
        this.addPeer(msg.peer);
        if (s.members) return this.view?.apply([{ joined: msg.peer }]);
        // A node that joins dials everyone (welcome); when a peer joins (or comes back after a
        // partition heals), the lower-named of the two dials it too, so the mesh re-forms either
        // way. Simultaneous dials are arbitrated by the handshake.
        if (!msg.peer.hidden && this.name !== undefined && this.name < msg.peer.name) this.listenOpts.onPeers?.([msg.peer.name]);
        return;
      case 'left':
        this.peers.delete(msg.name);
        this.local?.left(msg.name);
        if (s.members) this.view?.apply([{ left: msg.name, reason: 'connection_closed' }]);
        return;
      default:
        s.onChannelMessage(msg);
        return;
    }
  }

  private addPeer(p: PeerEntry): void {
    this.peers.set(p.name, p);
    this.direct?.learn(p);
  }

  async connect(peer: string): Promise<Channel> {
    if (this.closed) throw new ErlmeshError('closed', 'transport closed');
    const direct = this.direct;
    let retry = false;
    if (direct) {
      // The relay's entry first (the peer may have restarted elsewhere), else the last address heard.
      const entry = this.peers.get(peer) ?? (await this.lookup(peer));
      const address = entry?.direct ?? direct.address(peer);
      if (address) {
        try {
          return await direct.dial(peer, address);
        } catch (e) {
          if (direct.isCut(peer)) throw e;
          this.opts.log?.('info', `direct link to ${peer} at ${address} failed (${String(e)}); using the relay`);
          retry = true;
        }
      }
    }
    const s = this.session;
    if (!s) throw new ErlmeshError('relay_unreachable', 'not connected to the relay');
    const ch = await s.open(peer, ++this.reqSeq);
    const m = this.migrations;
    if (!m) return ch;
    const logical = m.wrap(peer, ch.relayId, ch);
    if (this.local?.address(peer) !== undefined && !(await m.moveNow(peer, logical, this.timeoutMs / 5))) retry = true;
    if (retry && this.opts.migrate !== false) m.retry(peer, logical);
    return logical;
  }

  /** Ask the relay for a peer's entry (its `joined` may not have reached us yet). */
  private lookup(peer: string): Promise<PeerEntry | undefined> {
    const s = this.session;
    if (!s) return Promise.resolve(undefined);
    return s.lookup(peer, ++this.reqSeq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reconnects.stop();
    this.migrations?.close();
    // Now, not after the relay socket: a page going away may not live that long.
    const local = this.local?.close();
    this.view?.stop();
    const s = this.session;
    if (s) {
      s.ws.close(1000, 'normal');
      await this.sessionClosed;
    }
    await this.direct?.close();
    await local;
  }
}

