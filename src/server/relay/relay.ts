/**
 * The relay: erlmesh's stand-in for epmd + cookie check + router, one WebSocket per node,
 * speaking the protocol of src/core/relay-client/protocol.ts.
 *
 * What it guarantees:
 * - admission only with a proof of the cluster cookie over a fresh 16-byte nonce (the cookie
 *   itself never travels), or of a join ticket's key (the ticket signed with the cookie, not
 *   expired, the name within its prefix; src/core/trust/ticket.ts); a ticket holder is
 *   listed with its role, and each channel tells both ends the role of the other; a name is held by at most one live socket and every registration of
 *   a name gets a greater creation than the last one the relay handed out (with a clock floor,
 *   so creations keep growing across relay restarts);
 * - frames of one channel reach the other end whole, in order, unchanged, until the channel
 *   ends; when a channel ends because a socket dropped (or a partition), the surviving end is
 *   told `closed` with 'connection_closed'; members are told `joined` / `left`;
 * - a socket that breaks the protocol (4400), sends an oversize message (4413, or 1009 far
 *   above the cap), sends messages faster than the rate limit (4420, rate-limit.ts), falls too
 *   far behind (4429), does not register in time (4408) or stops answering pings is closed,
 *   logged, and nobody else is affected;
 * - connections not yet admitted are bounded per remote address and in total (one more gets
 *   HTTP 503), and each must be admitted within `authTimeoutMs` of being accepted, whatever
 *   stage it is stuck in (TLS, HTTP upgrade, register): gate.ts.
 * - with `redis`, all of the above across every relay of a cluster on that Redis: names unique
 *   cluster-wide, nodes of other relays routed to as local ones (cluster/redis-cluster.ts).
 *
 * What it does not do:
 * - read, check or keep node-to-node frames: it routes `d` / `b` and binary data messages by
 *   channel id and never looks at the payload (the distribution handshake between nodes runs
 *   end to end inside the channel; the relay cannot forge it); a binary message is forwarded
 *   as the very bytes received, re-encoded as `b` only for a node that did not say `bin`;
 * - retransmit, buffer for a disconnected node, or persist anything: a restart forgets
 *   every name and channel (nodes re-register and reconnect);
 * - authenticate itself to nodes (use `tls` or a TLS-terminating proxy for that), check
 *   Origin headers, or rate-limit connection attempts (it bounds the ones it holds).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, RELAY_PATH, type PeerEntry } from '../../core/relay-client/protocol.js';
import { httpApi, pathOf } from './http-api.js';
import { AdmissionGate, type PendingSlot } from './gate.js';
import { CLOSE_GRACE_MS, dropSocket, listen, peerOf, rejectUpgrade, toBuffer, truncateReason, urlHost } from './sockets.js';
import { makeLog, resolveOptions, type RelayOptions, type ResolvedOptions } from './options.js';
import { RateLimiter, attachRateLimiter } from './rate-limit.js';
import { Router, type Conn, type Session } from './router.js';
import { busyWaitKick } from '../busy-wait.js';
import { CLUSTER_LINK_PATH, linkUrlOf } from './cluster/links.js';

/**
 * Counters of a running relay (`relay.stats()`).
 *
 * @example
 * const { registered, framesRouted }: RelayStats = relay.stats();
 */
export interface RelayStats {
  /** Open WebSockets, registered or not. */
  sockets: number;
  /** Connections not yet admitted (TCP, HTTP or WebSocket stage), bounded by maxPending. */
  pending: number;
  registered: number;
  channels: number;
  framesRouted: number;
  refused: number;
  /** Receivers above the high-water mark now (their senders paused; flow-control.ts). */
  backlogged: number;
  /** With `redis`: the other relays of the cluster known now. */
  clusterRelays?: number;
  /** With `redis`: open channels between this relay's nodes and other relays' nodes. */
  clusterChannels?: number;
  /** With `redis`: 1 while Redis is reachable, 0 while not (the relay then stands alone). */
  clusterUp?: number;
  /** With `redis`: the other relays this one sends to over a direct link (cluster/links.ts). */
  clusterLinks?: number;
}

/**
 * A running relay, as `startRelay` resolves it.
 *
 * @example
 * const relay: Relay = await startRelay({ port: 0, cookie: 'secret' });
 * relay.names().map((p) => p.name);
 * relay.partition(['a@host'], ['b@host']);
 * relay.heal();
 * await relay.close();
 */
export interface Relay {
  /** Where nodes connect, e.g. `ws://127.0.0.1:4367/erlmesh` (wss:// with TLS). */
  readonly url: string;
  readonly port: number;
  /** Close every socket with 4503 'relay_shutdown' (and the server if the relay made it). Idempotent. */
  close(): Promise<void>;
  /** The registered nodes. */
  names(): PeerEntry[];
  stats(): RelayStats;
  /**
   * Cut A from B: close every channel between a node of A and a node of B (both ends get
   * `closed` 'connection_closed') and fail `open` between them with 'nodedown' until `heal()`;
   * tell the nodes on both sides (`partitioned`), so that server-nodes also close and refuse
   * their direct links across the cut.
   */
  partition(a: string[], b: string[]): void;
  /** Lift every partition (the nodes are told: `healed`, then `joined` for the peers they were cut from). */
  heal(): void;
  /** Close that node's socket (close code 1008, `reason`); false if it is not registered. */
  kick(name: string, reason?: string): boolean;
}


/** ws's own cap: a little above ours, so oversize messages still reach us and get a clear 4413. */
function wsMaxPayload(o: ResolvedOptions): number {
  const cap = Math.max(o.maxFrameBytes, o.maxPreAuthBytes);
  return cap + Math.max(64 * 1024, Math.ceil(cap / 8));
}

/**
 * Start a relay. Resolves once it listens (at once with `server`).
 *
 * @example
 * import { startRelay } from 'erlmesh/server';
 * const relay = await startRelay({ port: 0, cookie: 'secret' });
 * console.log(relay.url); // ws://127.0.0.1:54321/erlmesh — hand it to the nodes
 * // …
 * await relay.close();
 */
export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const o = resolveOptions(opts);
  const log = makeLog(opts.logger);
  // A cluster on Redis (cluster/redis-cluster.ts) joins before the relay listens; a lone relay never loads ioredis.
  const cluster = o.redis ? new (await import('./cluster/redis-cluster.js')).RedisCluster(o.redis, log, wsMaxPayload(o)) : undefined;
  const router = new Router(o, log, undefined, cluster);
  await cluster?.start(router);
  const wss = new WebSocketServer({ noServer: true, maxPayload: wsMaxPayload(o), perMessageDeflate: false, clientTracking: false });
  const owned = !opts.server;
  const server: http.Server | https.Server =
    opts.server ?? (opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }) : http.createServer());
  const secure = server instanceof https.Server;
  const live = new Map<Session, Liveness>();
  const gate = new AdmissionGate({ maxPending: o.maxPending, maxPendingPerAddress: o.maxPendingPerAddress, deadlineMs: o.authTimeoutMs }, log);
  /** Own server: each connection's slot from accept on, by the peer's address:port. */
  const slots = new Map<string, PendingSlot>();
  let onAllClosed: (() => void) | undefined;
  let shuttingDown = false;

  /** Own server: every connection takes a slot of the gate as it is accepted, or is refused. */
  const onConnection = (socket: net.Socket): void => {
    const remote = peerOf(socket);
    const slot = socket.remoteAddress === undefined ? undefined : gate.take(socket.remoteAddress, remote, () => {
      log({ level: 'warn', event: 'auth_timeout', code: '408', remote, detail: `not upgraded within ${o.authTimeoutMs} ms` });
      dropSocket(socket, secure ? undefined : '408 Request Timeout');
    });
    // Over TLS nothing can be said before the handshake: the socket is just closed.
    if (!slot) return dropSocket(socket, secure ? undefined : '503 Service Unavailable');
    slots.set(remote, slot);
    socket.once('close', () => {
      slot.release();
      if (slots.get(remote) === slot) slots.delete(remote);
    });
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = pathOf(req.url);
    const links = path === CLUSTER_LINK_PATH ? cluster?.links : undefined; // another relay's link (cluster/links.ts)
    if (path !== RELAY_PATH && !links) {
      if (!owned) return; // someone else's upgrade
      return rejectUpgrade(socket, '404 Not Found');
    }
    if (shuttingDown) return rejectUpgrade(socket, '503 Service Unavailable');
    const remote = peerOf(req.socket);
    let slot = owned ? slots.get(remote) : undefined;
    if (owned && !slot) return void socket.destroy(); // refused or timed out as it was accepted
    if (!slot) {
      // Attached to another server: held (and timed) from the upgrade request on.
      slot = gate.take(req.socket.remoteAddress ?? '?', remote, () => socket.destroy());
      if (!slot) return rejectUpgrade(socket, '503 Service Unavailable');
      socket.once('close', slot.release);
    }
    const held = slot;
    wss.handleUpgrade(req, socket, head, (ws) => (links ? links.accept(ws, held) : accept(ws, remote, socket, held)));
  };

  const accept = (ws: WebSocket, remote: string, socket: Duplex, slot: PendingSlot): void => {
    // Small frames: no Nagle delay (ws does it too; explicit, whatever the ws version).
    (socket as Partial<net.Socket>).setNoDelay?.(true);
    const l: Liveness = { ws, alive: true, closing: false, killTimer: undefined };
    // Before admission, bound the raw bytes read, whatever the message framing says.
    let preAuthBytes = 0;
    const preAuthCap = 2 * o.maxPreAuthBytes + 4096;
    const countPreAuth = (chunk: Buffer): void => {
      preAuthBytes += chunk.length;
      if (preAuthBytes > preAuthCap && s.state === 'pending') {
        // Read no more of it, but say why: the close frame still goes out (then the grace timer).
        socket.pause();
        router.close(s, CLOSE_CODES.frame_too_large, 'frame_too_large', { level: 'warn', event: 'frame_too_large', detail: `over ${preAuthCap} bytes before admission` });
      }
    };
    const stopDeadline = (): void => {
      socket.off('data', countPreAuth);
    };
    const conn: Conn = {
      remote,
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send: (data) => ws.send(data, { binary: false }),
      sendBinary: (data) => ws.send(data, { binary: true }),
      close: (code, reason) => {
        stopDeadline();
        if (l.closing) return;
        l.closing = true;
        ws.close(code, reason);
        l.killTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        l.killTimer.unref();
      },
      terminate: () => {
        stopDeadline();
        l.closing = true;
        ws.terminate();
      },
      admitted: () => {
        stopDeadline();
        slot.release();
      },
      pauseReading: () => socket.pause(),
      resumeReading: () => socket.resume(),
      onDrain: (fn) => {
        socket.once('drain', fn);
      },
    };
    // Attached before the session exists, so that the router may set this socket's own limit.
    const limiter = new RateLimiter(o.rateLimit);
    attachRateLimiter(conn, limiter);
    const s = router.attach(conn);
    live.set(s, l);
    socket.on('data', countPreAuth);
    // The deadline runs on from the accept.
    slot.onDeadline = () => {
      if (s.state !== 'pending') return;
      const detail = `not registered within ${o.authTimeoutMs} ms`;
      router.close(s, CLOSE_CODES.auth_timeout, 'auth_timeout', { level: 'warn', event: 'auth_timeout', code: String(CLOSE_CODES.auth_timeout), detail });
    };

    const internalError = (e: unknown): void => {
      router.close(s, 1011, 'internal_error', { level: 'error', event: 'internal_error', detail: String((e as Error)?.stack ?? e) });
    };
    const guard = (f: () => void): void => {
      try {
        f();
      } catch (e) {
        internalError(e);
      }
    };
    /** Count one message against the rate limit; false (and the socket is closed) when over it. */
    const withinRate = (): boolean => {
      if (limiter.take() || s.state === 'gone') return true;
      const { perSecond, burst } = limiter.limit!;
      router.close(s, CLOSE_CODES.rate_limited, 'rate_limited', {
        level: 'warn',
        event: 'rate_limited',
        detail: `over ${perSecond} messages/s (burst ${burst})`,
      });
      return false;
    };
    // The per-message path: no closure per message.
    ws.on('message', (data, isBinary) => {
      busyWaitKick();
      if (!withinRate()) return;
      try {
        if (isBinary) router.onBinary(s, toBuffer(data));
        else router.onText(s, data as Buffer);
      } catch (e) {
        internalError(e);
      }
    });
    ws.on('pong', () => {
      l.alive = true;
      withinRate();
    });
    // ws answers pings by itself; they cost like messages, so they count like messages.
    ws.on('ping', withinRate);
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself after a receive error (1009 for a message over maxPayload).
      const tooLarge = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      router.close(s, tooLarge ? 1009 : 1002, tooLarge ? 'frame_too_large' : 'protocol_error', {
        level: 'warn',
        event: tooLarge ? 'frame_too_large' : 'socket_error',
        code: err.code,
        detail: err.message,
      });
    });
    ws.on('close', (code) => {
      stopDeadline();
      slot.release();
      clearTimeout(l.killTimer);
      live.delete(s);
      guard(() => router.onClosed(s, code));
      if (live.size === 0) onAllClosed?.();
    });
  };

  // Liveness: a socket that did not pong since the previous ping is dropped.
  const pinger = setInterval(() => {
    for (const [s, l] of live) {
      if (l.closing) continue;
      if (!l.alive) {
        router.terminate(s, { level: 'warn', event: 'timeout', detail: `no pong within ${o.pingIntervalMs} ms` });
        continue;
      }
      l.alive = false;
      l.ws.ping();
    }
  }, o.pingIntervalMs);
  pinger.unref();

  server.on('upgrade', onUpgrade);
  if (owned) {
    server.on('connection', onConnection);
    // Identity (GET /erlmesh/info) and the loopback admin interface (names, stats, stop): http-api.ts.
    const stop = (): void => {
      Promise.resolve()
        .then(opts.onStop ?? (() => relay.close()))
        .catch((e: unknown) => log({ level: 'error', event: 'internal_error', detail: String(e) }));
    };
    server.on('request', httpApi({ cookie: o.cookie, names: () => router.names(), stats: () => ({ ...relay.stats() }), stop, log }));
    try {
      await listen(server, o.port, o.host);
    } catch (e) {
      clearInterval(pinger);
      await cluster?.stop();
      server.off('upgrade', onUpgrade);
      server.off('connection', onConnection);
      wss.close();
      throw e;
    }
  }

  const address = (): { address: string; port: number } | undefined => {
    const a = server.address();
    return a && typeof a === 'object' ? a : undefined;
  };
  // Read on demand: an attached server may start listening after startRelay.
  // (The last known address is kept once the server stops listening.)
  let known = { address: owned ? o.host : '127.0.0.1', port: 0 };
  const portNow = (): number => (known = address() ?? known).port;
  const urlNow = (): string => `${secure ? 'wss' : 'ws'}://${urlHost(owned ? o.host : known.address)}:${portNow()}${RELAY_PATH}`;
  log({ level: 'info', event: 'listening', detail: urlNow() });
  const wildcard = (): boolean => ['0.0.0.0', '::'].includes(owned ? o.host : known.address);
  cluster?.advertise(() => (portNow() === 0 ? undefined : linkUrlOf(urlNow(), wildcard(), o.redis?.advertise)));

  let closed: Promise<void> | undefined;
  const relay: Relay = {
    get url() {
      return urlNow();
    },
    get port() {
      return portNow();
    },
    close: () =>
      (closed ??= (async () => {
        shuttingDown = true;
        clearInterval(pinger);
        server.off('upgrade', onUpgrade);
        const allClosed = new Promise<void>((resolve) => {
          onAllClosed = resolve;
          if (live.size === 0) resolve();
        });
        await cluster?.stop(); // the other relays drop this one's nodes at once
        router.shutdown();
        await allClosed;
        gate.flush();
        wss.close();
        if (owned) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        }
        log({ level: 'info', event: 'closed' });
      })()),
    names: () => router.names(),
    stats: () => ({ sockets: live.size, pending: gate.pending, ...router.stats(), ...cluster?.stats() }),
    partition: (a, b) => {
      router.partition(a, b);
      log({ level: 'info', event: 'partition', detail: `${JSON.stringify(a)} | ${JSON.stringify(b)}` });
    },
    heal: () => {
      router.heal();
      log({ level: 'info', event: 'heal' });
    },
    kick: (name, reason = 'kicked') => router.kick(name, truncateReason(reason)),
  };
  return relay;
}

interface Liveness {
  ws: WebSocket;
  alive: boolean;
  closing: boolean;
  killTimer: NodeJS.Timeout | undefined;
}
