/**
 * Socket helpers of the relay (relay.ts): refusing a connection or an upgrade with an HTTP
 * status, naming a peer, listening, and the host part of the relay's URL.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';

/** A socket the relay closed gets this long to finish the close handshake before it is destroyed. */
export const CLOSE_GRACE_MS = 2000;

/** Answer an upgrade (or a connection) with `status` and close it. */
export function rejectUpgrade(socket: Duplex, status: string): void {
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // A peer that does not read must not keep it open either.
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}

/** Refuse or drop a connection: with an HTTP status when one can be said (plain HTTP), else just closed. */
export function dropSocket(socket: Duplex, status: string | undefined): void {
  if (status === undefined) return void socket.destroy();
  rejectUpgrade(socket, status);
}

/** `address:port` of the peer, as logged (and the key of its slot). */
export function peerOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The host part of the relay URL: wildcard binds are reached over loopback; IPv6 in brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** ws hands messages as Buffer (nodebuffer), ArrayBuffer or Buffer[] (fragments). */
export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** WebSocket close reasons are at most 123 bytes of UTF-8. */
export function truncateReason(reason: string): string {
  let r = String(reason);
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}
