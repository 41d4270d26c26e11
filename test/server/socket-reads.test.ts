/**
 * Reads without the readable stream (src/server/transports/socket-reads.ts) on real loopback
 * sockets: on this Node both an accepted socket and one out of an HTTP upgrade are read through
 * `onread`; every byte arrives once and in order, what the stream had buffered first; each
 * chunk is its own copy, though libuv reuses one buffer for every read; the socket still ends,
 * closes and lets its server close; and the `'data'` fallback delivers the same bytes.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { describe, expect } from 'vitest';
import { it } from '../fixtures.js';
import { readSocket, type ReadPath } from '../../src/server/transports/socket-reads.js';
import { eventually } from '../support/cluster.js';
import { socketPair } from '../support/socket-pair.js';

/** 4 MB of a pattern no two reads share, so a chunk overwritten by a later read shows. */
function pattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 12)) & 0xff;
  return out;
}

describe('socket reads without the readable stream', () => {
  for (const path of ['onread', 'data'] as ReadPath[]) {
    it(`${path}: every byte once and in order, what the stream buffered first, each chunk its own copy`, async () => {
      const { a, b, stop } = await socketPair();
      try {
        const bytes = pattern(4 << 20);
        // Some bytes reach b's stream before the takeover (it starts reading when asked).
        a.write(bytes.subarray(0, 1000));
        b.read(0);
        await eventually(() => b.readableLength === 1000);
        const chunks: Buffer[] = [];
        expect(readSocket(b, (c) => chunks.push(c), path)).toBe(path);
        for (let i = 1000; i < bytes.length; i += 60_000) a.write(bytes.subarray(i, i + 60_000));
        await eventually(() => chunks.reduce((n, c) => n + c.length, 0) >= bytes.length, 10_000);
        expect(chunks.length).toBeGreaterThan(2);
        // Compared only now: a chunk that was a view of the reused read buffer has been overwritten.
        expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      } finally {
        stop();
      }
    });
  }

  it('the socket still ends and closes, and its server can close', async () => {
    const { a, b, server } = await socketPair();
    const events: string[] = [];
    expect(readSocket(b, () => events.push('bytes'))).toBe('onread');
    b.on('end', () => (events.push('end'), b.end()));
    b.on('close', () => events.push('close'));
    a.end('bye');
    await eventually(() => events.includes('close'));
    expect(events).toEqual(['bytes', 'end', 'close']);
    a.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('both sockets of an HTTP upgrade are read through onread on this Node', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const paths: ReadPath[] = [];
    const got: string[] = [];
    server.on('upgrade', (_req, socket: net.Socket) => {
      paths.push(readSocket(socket, (c) => socket.write(c)));
      socket.on('end', () => socket.end()); // an upgraded server socket allows half-open
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
    });
    const req = http.request({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, headers: { Connection: 'Upgrade', Upgrade: 'x' } });
    req.end();
    const client = await new Promise<net.Socket>((r) => req.once('upgrade', (_res, s: net.Socket) => r(s)));
    try {
      paths.push(readSocket(client, (c) => got.push(c.toString())));
      client.write('echo me');
      await eventually(() => got.join('') === 'echo me');
      expect(paths).toEqual(['onread', 'onread']);
    } finally {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a socket made with its own onread is left to it: the fallback reads it', async () => {
    const server = net.createServer((s) => s.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const own: string[] = [];
    const s = net.connect({
      port: (server.address() as net.AddressInfo).port,
      host: '127.0.0.1',
      onread: {
        buffer: Buffer.alloc(64),
        callback: (n, b) => {
          own.push(Buffer.from(b.buffer, b.byteOffset, n).toString());
          return true;
        },
      },
    });
    try {
      expect(readSocket(s, () => {})).toBe('data');
      await eventually(() => own.join('') === 'hello');
    } finally {
      s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
