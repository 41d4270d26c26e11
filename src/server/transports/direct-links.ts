/**
 * Direct links between server-nodes: each server-node listens on its own port and advertises
 * the address through the relay; a peer that knows it dials directly, one socket per node
 * pair. The distribution handshake runs inside, exactly as over the relay, so the listener
 * admits nothing before the cookie is proven. Such links keep working while the relay is
 * down. The dialer names itself in the URL (`?to=<peer>&from=<self>`), so that a node under
 * a partition can refuse the links of the peers it is cut from (core/relay-client/direct-paths.ts),
 * and a link that is to carry a relayed connection names its relayed channel and a one-time
 * token (`&migrate=<id>.<token>`, core/relay-client/migrations.ts).
 *
 * Exchange: the dialer sends an HTTP `GET <path>?to=…` with `Upgrade: erlmesh-direct`; the
 * listener answers `101` and both sides frame the socket as tcp-channel.ts does (a 5-byte
 * header per frame, no masking, no WebSocket parser: ~2 µs less per round trip than a
 * WebSocket on the 2-core bench machine), or `404` for a name that is not its node's. A
 * listener of a version before this framing answers that upgrade `400`, and the dialer then
 * dials it with a WebSocket; a WebSocket from such a dialer is still admitted (`Upgrade:
 * websocket` on the same path, ws-channel.ts), and a wrong name closes it with 4404. The
 * advertised address keeps its `ws://` form, so nodes of either version read it. Both the
 * upgrade and its `101` carry `x-erlmesh-host-process` where the sender has one (Linux,
 * co-location.ts): a peer on the same host and in the same pid namespace is known by its pid
 * to the busy waiter. Either side may leave it out; a listener of a version before it ignores it.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { Channel } from '../../core/net/transport.js';
import { ErlmeshError } from '../../core/base/errors.js';
import type { DirectLinks } from '../../core/relay-client/direct-paths.js';
import { WS_CLIENT_OPTIONS, noDelay, wsChannel } from './ws-channel.js';
import { tcpChannel } from './tcp-channel.js';
import { HOST_PROCESS_HEADER, hostProcessId, peerPidOnThisHost } from '../co-location.js';

export const DIRECT_PATH = '/erlmesh-direct';

/** The HTTP upgrade to the bare framing of tcp-channel.ts; a peer that does not know it gets a WebSocket. */
const DIRECT_UPGRADE = 'erlmesh-direct';

export interface DirectLinksOptions {
  host?: string;
  port?: number;
  maxFrameBytes?: number;
  dialTimeoutMs?: number;
}

/** Start listening for direct links; the address is known once this resolves. */
export async function startDirectLinks(opts: DirectLinksOptions = {}): Promise<DirectLinks> {
  const host = opts.host ?? '127.0.0.1';
  const maxPayload = opts.maxFrameBytes ?? 64 * 1024 * 1024;
  // Small frames: no per-message deflate, no Nagle delay (see ws-channel.ts).
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const server = createServer((_req, res) => res.writeHead(426).end());
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(opts.port ?? 0, host);
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const address = `ws://${hostPart}:${port}${DIRECT_PATH}`;
  const sockets = new Set<{ terminate(): void }>();
  const me = hostProcessId();
  const myHeader = me !== undefined ? `${HOST_PROCESS_HEADER}: ${me}\r\n` : '';
  let myName: string | undefined;
  let onInbound: ((ch: Channel, from?: string, migrate?: string) => void) | undefined;

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'ws://x');
    const params = url.searchParams;
    const to = params.get('to');
    const from = params.get('from') ?? undefined;
    const migrate = params.get('migrate') ?? undefined;
    const admit = url.pathname === DIRECT_PATH && onInbound !== undefined && to === myName;
    if (req.headers.upgrade?.toLowerCase() === DIRECT_UPGRADE) {
      if (!admit) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${DIRECT_UPGRADE}\r\nConnection: Upgrade\r\n${myHeader}\r\n`);
      const entry = { terminate: () => socket.destroy() };
      sockets.add(entry);
      socket.once('close', () => sockets.delete(entry));
      onInbound!(tcpChannel(socket, head, maxPayload, peerPidOnThisHost(req.headers[HOST_PROCESS_HEADER], me)), from, migrate);
      return;
    }
    if (url.pathname !== DIRECT_PATH) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    // A node of a version before the bare framing dials with a WebSocket.
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.setNoDelay(true);
      if (!admit) return ws.close(4404, 'no such node here');
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      onInbound!(wsChannel(ws), from, migrate);
    });
  });

  /** Dial with a WebSocket (a peer of a version before the bare framing). */
  const dialWs = (url: string, peer: string): Promise<Channel> =>
    new Promise<Channel>((resolve, reject) => {
      const ws = new WebSocket(url, { ...WS_CLIENT_OPTIONS, maxPayload, handshakeTimeout: opts.dialTimeoutMs ?? 3_000 });
      noDelay(ws);
      sockets.add(ws);
      ws.once('open', () => {
        ws.removeAllListeners('error');
        resolve(wsChannel(ws));
      });
      ws.once('error', (e) => {
        sockets.delete(ws);
        reject(new ErlmeshError('nodedown', `direct link to ${peer} failed: ${e.message}`));
      });
      ws.once('close', () => sockets.delete(ws));
    });

  /** Dial with the bare framing; a peer that answers the upgrade with 400 or 426 gets a WebSocket instead. */
  const dial = (url: string, peer: string): Promise<Channel> =>
    new Promise<Channel>((resolve, reject) => {
      const u = new URL(url);
      const req = request({
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        headers: { Connection: 'Upgrade', Upgrade: DIRECT_UPGRADE, ...(me !== undefined ? { [HOST_PROCESS_HEADER]: me } : {}) },
        timeout: opts.dialTimeoutMs ?? 3_000,
      });
      const fail = (why: string): void => reject(new ErlmeshError('nodedown', `direct link to ${peer} failed: ${why}`));
      req.once('upgrade', (res, socket: Socket, head: Buffer) => {
        const entry = { terminate: () => socket.destroy() };
        sockets.add(entry);
        socket.once('close', () => sockets.delete(entry));
        resolve(tcpChannel(socket, head, maxPayload, peerPidOnThisHost(res.headers[HOST_PROCESS_HEADER], me)));
      });
      req.once('response', (res) => {
        res.resume();
        if (res.statusCode === 400 || res.statusCode === 426) dialWs(url, peer).then(resolve, reject);
        else fail(res.statusCode === 404 ? 'no such node here' : `HTTP ${String(res.statusCode)}`);
      });
      req.once('timeout', () => req.destroy(new Error('timed out')));
      req.once('error', (e) => fail(e.message));
      req.end();
    });

  return {
    address,
    start(name, inbound) {
      myName = name;
      onInbound = inbound;
    },
    dial(addr, peer, migrate) {
      const self = myName !== undefined ? `&from=${encodeURIComponent(myName)}` : '';
      const carry = migrate !== undefined ? `&migrate=${encodeURIComponent(migrate)}` : '';
      return dial(`${addr}?to=${encodeURIComponent(peer)}${self}${carry}`, peer);
    },
    async close() {
      for (const s of sockets) s.terminate();
      sockets.clear();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
