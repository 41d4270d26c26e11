/**
 * The BEAM-facing side of one erlmesh node: a TCP listener for Erlang distribution,
 * registered at epmd, and the table of its connections to BEAM nodes in both directions.
 *
 * - `listenBeam` listens (all interfaces by default, as `erl`), registers the alive name at
 *   epmd, hidden unless `visible` (the registration lives as long as the node), and answers
 *   handshakes as the acceptor.
 * - `connect(peer)` dials a BEAM node (epmd lookup, initiator handshake), or returns the
 *   connection already up or under way.
 *
 * Invariants: at most one connection per peer name. Simultaneous connects are settled as
 * OTP's net_kernel does: the node whose name is greater keeps its own attempt (the other
 * side's attempt is answered `nok`); the smaller answers `ok_simultaneous`, abandons its
 * attempt, and its `connect` resolves with the connection the greater one made. A peer that
 * connects while a connection from it is up is asked `alive`; when it confirms, the new
 * connection replaces the old (closed with `replaced`); a node whose attempt is asked `alive`
 * while that very connection is up here too (the peer's attempt came first) keeps it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { realClock, type Clock, type TimerHandle } from '../../core/base/clock.js';
import { AuthError, ErlmeshError } from '../../core/base/errors.js';
import type { BeamConnection } from './connection.js';
import { acceptBeam, dialBeam, randomCreation, splitNodeName, DEFAULT_HANDSHAKE_TIMEOUT_MS, type SetupOptions } from './dial.js';
import { registerAtEpmd, type EpmdRegistration } from './epmd.js';
import { DFLAG, OUR_FLAGS } from './flags.js';
import type { Admission } from './handshake.js';

export interface ListenBeamOptions {
  /** Full node name, `js@host` (the host part as `erl -sname` has it: `hostname -s`). */
  name: string;
  cookie: string;
  /** 32-bit creation; default the one epmd gives the registration (random when not registering). */
  creation?: number;
  /** Interface to listen on (default all, as `erl`). */
  host?: string;
  /** Port to listen on (default any free one). */
  port?: number;
  /** Register at epmd (default true). */
  register?: boolean;
  /**
   * Offer DFLAG_PUBLISHED, so that a connection with a node that publishes too is visible
   * (in its `nodes()`), and register at epmd as a normal node (default false: hidden). The
   * caller must then answer `global` (global-stand-in.ts).
   */
  visible?: boolean;
  /** epmd's host (default 127.0.0.1) and port (default `$ERL_EPMD_PORT` or 4369), also for dialling. */
  epmdHost?: string;
  epmdPort?: number;
  /** net_ticktime in seconds (default 60). */
  netTicktime?: number;
  /**
   * The only peers this node connects with, as OTP's `net_kernel:allow/1` (default: any cookie
   * holder): another node's handshake is answered `not_allowed`, and dialling one is `not_allowed`.
   */
  allow?: readonly string[];
  /** Deadline of each handshake (default 7,000 ms). */
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
  clock?: Clock;
}

interface Attempt {
  promise: Promise<BeamConnection>;
  /** Our attempt gave way to the peer's (simultaneous connect). */
  yielded: boolean;
  socket?: Socket;
  /** Settle `incoming`: the peer's connection to us is up, or its handshake failed. */
  arrived: (c: BeamConnection) => void;
  failed: (e: ErlmeshError) => void;
  incoming: Promise<BeamConnection>;
}

export class BeamNode {
  readonly name: string;
  readonly port: number;
  readonly creation: number;
  private readonly up = new Map<string, BeamConnection>();
  private readonly pending = new Map<string, Attempt>();
  private readonly handshaking = new Set<Socket>();
  private handlers: ((c: BeamConnection) => void)[] = [];
  private refusedHandlers: ((e: ErlmeshError) => void)[] = [];
  private closed = false;

  constructor(
    private readonly server: Server,
    port: number,
    creation: number,
    private readonly registration: EpmdRegistration | undefined,
    private readonly o: ListenBeamOptions,
    early: Socket[] = [],
  ) {
    this.name = o.name;
    this.port = port;
    this.creation = creation;
    server.on('connection', (s: Socket) => this.accept(s));
    for (const s of early) this.accept(s);
  }

  /** Whether this node offers DFLAG_PUBLISHED (ListenBeamOptions.visible). */
  get visible(): boolean {
    return this.o.visible === true;
  }

  /** Calls `handler` with every connection that comes up, accepted or dialled. */
  onConnection(handler: (c: BeamConnection) => void): void {
    this.handlers.push(handler);
  }

  /**
   * Calls `handler` with the reason of every handshake a connecting node failed here
   * (`bad_cookie`, `incompatible_version`, `timeout`, …), as `erl` logs those.
   */
  onRefused(handler: (e: ErlmeshError) => void): void {
    this.refusedHandlers.push(handler);
  }

  /** The connections up now. */
  connections(): BeamConnection[] {
    return [...this.up.values()];
  }

  /** The connection to `peer`, when one is up. */
  connection(peer: string): BeamConnection | undefined {
    return this.up.get(peer);
  }

  /** A connection to `peer` (`e@host`): the one up, the one under way, or a new one. */
  connect(peer: string): Promise<BeamConnection> {
    if (this.closed) return Promise.reject(new ErlmeshError('closed', `${this.name} no longer speaks Erlang distribution`));
    splitNodeName(peer);
    if (!this.allowed(peer)) return Promise.reject(new AuthError('not_allowed', `${peer} is not in this node's beam allow list`, { peer }));
    const up = this.up.get(peer);
    if (up) return Promise.resolve(up);
    const under = this.pending.get(peer);
    if (under) return under.promise;
    let arrived!: (c: BeamConnection) => void;
    let failed!: (e: ErlmeshError) => void;
    const incoming = new Promise<BeamConnection>((resolve, reject) => {
      arrived = resolve;
      failed = reject;
    });
    incoming.catch(() => {}); // awaited only when our attempt gives way
    const attempt: Attempt = { yielded: false, arrived, failed, incoming, promise: undefined as unknown as Promise<BeamConnection> };
    attempt.promise = this.dial(peer, attempt).finally(() => {
      if (this.pending.get(peer) === attempt) this.pending.delete(peer);
    });
    this.pending.set(peer, attempt);
    return attempt.promise;
  }

  /** Stops listening, unregisters from epmd, closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registration?.close();
    for (const s of this.handshaking) s.destroy();
    for (const a of this.pending.values()) a.socket?.destroy();
    for (const c of this.up.values()) c.close('closed');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private setup(): SetupOptions {
    const { o } = this;
    return {
      self: { name: o.name, cookie: o.cookie, creation: this.creation, flags: o.visible ? OUR_FLAGS | DFLAG.PUBLISHED : OUR_FLAGS },
      netTicktime: o.netTicktime,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      maxFrameBytes: o.maxFrameBytes,
      clock: o.clock,
    };
  }

  private async dial(peer: string, a: Attempt): Promise<BeamConnection> {
    try {
      const c = await dialBeam(peer, { ...this.setup(), epmdPort: this.o.epmdPort, onSocket: (s) => (a.socket = s), isUp: () => this.up.has(peer) });
      if (this.closed) {
        c.close('closed');
        throw new ErlmeshError('closed', `${this.name} closed while connecting to ${peer}`);
      }
      this.adopt(c);
      return c;
    } catch (e) {
      const status = e instanceof ErlmeshError ? (e.details as { status?: string } | undefined)?.status : undefined;
      const lost = status === 'nok' || status === 'alive'; // the peer's own attempt is the one
      if (!a.yielded && !lost) throw e;
      a.yielded = true;
      return this.awaitIncoming(peer, a);
    }
  }

  /** Our attempt gave way: the peer's own connection to us is the one. */
  private awaitIncoming(peer: string, a: Attempt): Promise<BeamConnection> {
    const up = this.up.get(peer);
    if (up) return Promise.resolve(up);
    const clock = this.o.clock ?? realClock;
    const ms = this.o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    let timer: TimerHandle | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () => reject(new ErlmeshError('timeout', `${peer} kept its own connection attempt, which did not complete within ${ms} ms`, { peer })),
        ms,
      );
    });
    return Promise.race([a.incoming, late]).finally(() => clock.clearTimeout(timer));
  }

  /** Whether `peer` is one this node may connect with (its allow list, when it has one). */
  allowed(peer: string): boolean {
    return this.o.allow === undefined || this.o.allow.includes(peer);
  }

  private admit(peer: string): Admission {
    if (this.closed || peer === this.name || !this.allowed(peer)) return 'not_allowed';
    const a = this.pending.get(peer);
    if (a && !a.yielded) {
      if (this.name > peer) return 'nok';
      a.yielded = true;
      a.socket?.destroy();
      return 'ok_simultaneous';
    }
    return this.up.has(peer) ? 'alive' : 'ok';
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.handshaking.add(socket);
    acceptBeam(socket, this.setup(), (peer) => this.admit(peer)).then(
      (c) => {
        this.handshaking.delete(socket);
        if (this.closed) c.close('closed');
        else this.adopt(c);
      },
      (e: unknown) => {
        // A failed handshake ends only that socket.
        this.handshaking.delete(socket);
        const err = e instanceof ErlmeshError ? e : new ErlmeshError('handshake_failed', String(e));
        // An attempt of ours that gave way to this one fails with it.
        const peer = (err.details as { peer?: unknown } | undefined)?.peer;
        const a = typeof peer === 'string' ? this.pending.get(peer) : undefined;
        if (a?.yielded) a.failed(err);
        // A simultaneous connect settled in our favour (`nok`: ours is kept) is not a refusal.
        if ((err.details as { status?: unknown } | undefined)?.status === 'nok') return;
        for (const h of this.refusedHandlers) h(err);
      },
    );
  }

  private adopt(c: BeamConnection): void {
    const old = this.up.get(c.peer);
    if (old && old !== c) old.close('replaced');
    this.up.set(c.peer, c);
    c.onClose(() => {
      if (this.up.get(c.peer) === c) this.up.delete(c.peer);
    });
    this.pending.get(c.peer)?.arrived(c);
    for (const h of this.handlers) h(c);
  }
}

/**
 * Starts speaking Erlang distribution as `o.name`: listens, registers at epmd, accepts BEAM
 * nodes' connections; `connect` dials them.
 */
export async function listenBeam(o: ListenBeamOptions): Promise<BeamNode> {
  const [alive] = splitNodeName(o.name);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '0.0.0.0', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  // Connections that arrive before the registration is done are held for the node.
  const early: Socket[] = [];
  const hold = (s: Socket): void => {
    s.on('error', () => {}); // a reset while held is the handshake's to find
    early.push(s);
  };
  server.on('connection', hold);
  let registration: EpmdRegistration | undefined;
  try {
    if (o.register !== false) registration = await registerAtEpmd(alive, port, { host: o.epmdHost, port: o.epmdPort, hidden: !o.visible });
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw e;
  }
  const creation = o.creation ?? registration?.creation ?? randomCreation();
  server.removeListener('connection', hold);
  return new BeamNode(server, port, creation, registration, o, early);
}
