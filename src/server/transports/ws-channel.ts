/**
 * Node-side WebSocket plumbing for erlmesh: `wsChannel`, one `ws` WebSocket carrying exactly
 * one channel (a direct link between two server-nodes; text messages are string frames,
 * binary messages Uint8Array frames), and `NodeWebSocket`, the relay client's WebSocket in
 * Node, set up for small frames.
 *
 * Small frames: per-message deflate is off (compressing 100-byte batches costs more than it
 * saves) and Nagle's algorithm is off (`setNoDelay`), on both ends of every socket erlmesh
 * opens in Node.
 *
 * Every message in or out kicks the process's busy waiter (busy-wait.ts).
 *
 * Output of one turn in one write: a channel's owner sends what it gathered in a turn of the
 * event loop once the turn is over (`Channel.afterTurn` is `setImmediate` here), not after the
 * first microtask chain that sent something: each socket write is a system call that costs
 * more than a frame (a quarter of a busy rpc server's CPU with one write per reply).
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { BaseChannel } from '../../core/relay-client/base-channel.js';
import type { WebSocketCtor } from '../../core/relay-client/websocket-like.js';
import { busyWaitKick } from '../busy-wait.js';

/**
 * The part of a `ws` WebSocket that `wsChannel` and `noDelay` use. The published types name
 * this instead of `ws`'s own class, so a user of `erlmesh/server` type-checks without
 * `@types/ws` (a development dependency here); a `ws` WebSocket is one.
 *
 * @example
 * import { WebSocket } from 'ws';
 * const socket: WsSocket = new WebSocket(url);   // what wsChannel(socket) takes
 */
export interface WsSocket {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'upgrade', listener: (res: IncomingMessage) => void): unknown;
}

/** `ws` client options for erlmesh sockets (relay and direct links). */
export const WS_CLIENT_OPTIONS = { perMessageDeflate: false } as const;

/** Turn off Nagle's algorithm on the socket under a `ws` client, once it is upgraded. */
export function noDelay(ws: WsSocket): void {
  ws.once('upgrade', (res: IncomingMessage) => res.socket.setNoDelay(true));
}

/**
 * The WebSocket constructor the relay client gets in Node: `ws` without per-message deflate
 * and without Nagle delay.
 */
export const NodeWebSocket: WebSocketCtor = class extends WebSocket {
  constructor(url: string) {
    super(url, WS_CLIENT_OPTIONS);
    noDelay(this);
    this.on('message', busyWaitKick);
  }

  // The overloads of ws's send, passed through as they are.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override send(...args: any[]): void {
    busyWaitKick();
    (super.send as (...a: unknown[]) => void).apply(this, args);
  }
} as unknown as WebSocketCtor;

/**
 * One `ws` WebSocket as one erlmesh channel (a direct link between server-nodes): string
 * frames as text messages, Uint8Array frames as binary ones.
 *
 * @example
 * wss.on('connection', (socket) => onInbound(wsChannel(socket)));
 */
export function wsChannel(ws: WsSocket): BaseChannel {
  const ch = new BaseChannel(
    (f) => {
      busyWaitKick();
      ws.send(f);
    },
    (reason) => ws.close(1000, reason.slice(0, 120)),
    undefined,
    'direct',
    // One socket write per turn of the event loop, whatever the microtask chains sent in it.
    (fn) => void setImmediate(fn),
  );
  ws.on('message', (data, isBinary) => {
    busyWaitKick();
    if (isBinary) {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      // A plain Uint8Array view of the received bytes (ws hands a fresh Buffer per message).
      ch.deliver(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    } else {
      ch.deliver(data.toString());
    }
  });
  ws.on('close', (code, reason) => ch.ended(code === 1000 && reason.length ? reason.toString() : 'connection_closed'));
  ws.on('error', () => ch.ended('connection_closed'));
  return ch;
}
