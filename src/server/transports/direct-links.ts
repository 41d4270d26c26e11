/**
 * Direct links between server-nodes: each server-node listens on its own WebSocket port and
 * advertises the address through the relay; a peer that knows it dials directly, one socket
 * per node pair. The distribution handshake runs inside, exactly as over the relay, so the
 * listener admits nothing before the cookie is proven. Such links keep working while the relay
 * is down. The dialer names itself in the URL (`?to=<peer>&from=<self>`), so that a node under
 * a partition can refuse the links of the peers it is cut from (core/relay-client/direct-paths.ts),
 * and a link that is to carry a relayed connection names its relayed channel and a one-time token (`&migrate=<id>.<token>`,
 * core/relay-client/migrations.ts).
 */
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { Channel } from '../../core/net/transport.js';
import { ErlmeshError } from '../../core/base/errors.js';
import type { DirectLinks } from '../../core/relay-client/direct-paths.js';
import { WS_CLIENT_OPTIONS, noDelay, wsChannel } from './ws-channel.js';

export const DIRECT_PATH = '/erlmesh-direct';

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
  const wss = new WebSocketServer({ host, port: opts.port ?? 0, path: DIRECT_PATH, maxPayload, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const address = `ws://${hostPart}:${port}${DIRECT_PATH}`;
  const sockets = new Set<WebSocket>();
  let myName: string | undefined;
  let onInbound: ((ch: Channel, from?: string, migrate?: string) => void) | undefined;

  wss.on('connection', (ws, req) => {
    req.socket.setNoDelay(true);
    const params = new URL(req.url ?? '/', 'ws://x').searchParams;
    const to = params.get('to');
    const from = params.get('from') ?? undefined;
    const migrate = params.get('migrate') ?? undefined;
    if (!onInbound || to !== myName) {
      ws.close(4404, 'no such node here');
      return;
    }
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    onInbound(wsChannel(ws), from, migrate);
  });

  return {
    address,
    start(name, inbound) {
      myName = name;
      onInbound = inbound;
    },
    dial(addr, peer, migrate) {
      return new Promise<Channel>((resolve, reject) => {
        const self = myName !== undefined ? `&from=${encodeURIComponent(myName)}` : '';
        const carry = migrate !== undefined ? `&migrate=${encodeURIComponent(migrate)}` : '';
        const ws = new WebSocket(`${addr}?to=${encodeURIComponent(peer)}${self}${carry}`, {
          ...WS_CLIENT_OPTIONS,
          maxPayload,
          handshakeTimeout: opts.dialTimeoutMs ?? 3_000,
        });
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
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
