/**
 * Direct links over the bare framing (src/server/transports/tcp-channel.ts) on real loopback
 * sockets: records split at every byte and packed several to a chunk come out whole and in
 * order; a batch goes out when the code that sent it is done; a close record carries its
 * reason; an oversized or unknown record ends the channel without buffering it; and the
 * upgrade works across versions: a dialer of this version and a listener that only speaks
 * WebSocket (a node from before) fall back to a WebSocket, and a WebSocket dialer is still
 * admitted by a listener of this version. Both the upgrade and its 101 name the process that
 * sends them (co-location.ts), where it has an id.
 */
import * as net from 'node:net';
import { describe, expect } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { it } from '../fixtures.js';
import type { Channel, Frame } from '../../src/core/net/transport.js';
import { tcpChannel } from '../../src/server/transports/tcp-channel.js';
import { DIRECT_PATH, startDirectLinks } from '../../src/server/transports/direct-links.js';
import { HOST_PROCESS_HEADER, hostProcessId } from '../../src/server/co-location.js';
import { wsChannel } from '../../src/server/transports/ws-channel.js';
import { eventually } from '../support/cluster.js';
import { socketPair } from '../support/socket-pair.js';

function record(kind: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = kind;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

function collect(ch: Channel): { frames: Frame[]; closed: string[] } {
  const frames: Frame[] = [];
  const closed: string[] = [];
  ch.attach({ onFrame: (f) => frames.push(f), onClose: (r) => closed.push(r) });
  return { frames, closed };
}

describe('direct links: the bare framing over TCP', () => {
  for (const readPath of ['onread', 'data'] as const) {
  it(`records split at every byte, and packed several to a chunk, come out whole and in order (reads: ${readPath})`, async () => {
    const { a, b, stop } = await socketPair();
    try {
      const got = collect(tcpChannel(b, undefined, 1 << 20, undefined, readPath));
      const frames: Frame[] = [new Uint8Array([1, 2, 3]), 'text é', new Uint8Array(0), new Uint8Array(70_000).fill(7), ''];
      const bytes = Buffer.concat(frames.map((f) => record(typeof f === 'string' ? 1 : 0, typeof f === 'string' ? Buffer.from(f) : f)));
      for (const step of [1, 3, 4096]) {
        for (let i = 0; i < bytes.length; i += step) {
          a.write(bytes.subarray(i, i + step));
          if (step < 4096 && i % 64 === 0) await new Promise((r) => setImmediate(r)); // let chunks arrive apart
        }
      }
      await eventually(() => got.frames.length === 3 * frames.length, 10_000);
      for (let k = 0; k < 3; k++) {
        got.frames.slice(k * frames.length, (k + 1) * frames.length).forEach((f, i) => {
          const want = frames[i]!;
          if (typeof want === 'string') expect(f).toBe(want);
          else expect(Buffer.from(f as Uint8Array).equals(Buffer.from(want))).toBe(true);
        });
      }
      expect(got.closed).toEqual([]);
    } finally {
      stop();
    }
  });
  }

  it('a batch goes when the sending code is done: after a callback, or after the microtask queue when a microtask sent', async () => {
    const { a, b, stop } = await socketPair();
    try {
      const ch = tcpChannel(b, undefined, 1 << 20);
      collect(tcpChannel(a, undefined, 1 << 20));
      const order: string[] = [];
      await new Promise<void>((done) =>
        setTimeout(() => {
          // A callback of the loop sends (afterTurn), and starts a microtask chain that sends too.
          setImmediate(() => (order.push('next phase of the loop'), done()));
          ch.afterTurn!(() => order.push('batch of the callback'));
          void Promise.resolve()
            .then(() => {
              order.push('microtask');
              ch.afterTurn!(() => order.push('batch of the microtasks'));
            })
            .then(() => order.push('chained microtask'));
        }, 0),
      );
      expect(order).toEqual(['batch of the callback', 'microtask', 'chained microtask', 'batch of the microtasks', 'next phase of the loop']);
    } finally {
      stop();
    }
  });

  it('a close record ends the peer with its reason, and frames before it are delivered', async () => {
    const { a, b, stop } = await socketPair();
    try {
      const sender = tcpChannel(a, undefined, 1024);
      const got = collect(tcpChannel(b, undefined, 1024));
      sender.send(new Uint8Array([9]));
      sender.close('shutdown');
      await eventually(() => got.closed.length === 1);
      expect(got.frames).toEqual([new Uint8Array([9])]);
      expect(got.closed).toEqual(['shutdown']);
    } finally {
      stop();
    }
  });

  it('an oversized record, an unknown kind, or a socket gone without a close record end the channel', async () => {
    for (const bad of [record(0, new Uint8Array(1025)).subarray(0, 5), Buffer.from([9, 0, 0, 0, 0]), undefined]) {
      const { a, b, stop } = await socketPair();
      try {
        const got = collect(tcpChannel(b, undefined, 1024));
        if (bad === undefined) a.destroy();
        else a.write(bad);
        await eventually(() => got.closed.length === 1);
        expect(got.closed[0]).toBe(bad === undefined ? 'connection_closed' : bad[0] === 9 ? 'bad_frame' : 'frame_too_large');
        expect(got.frames).toEqual([]);
      } finally {
        stop();
      }
    }
  });

  it('a dialer of this version falls back to a WebSocket with a listener that speaks only that', async () => {
    // The listener of a version before the bare framing: a WebSocketServer on the direct path.
    const old = new WebSocketServer({ host: '127.0.0.1', port: 0, path: DIRECT_PATH });
    await new Promise((r) => old.once('listening', r));
    const inbound: Frame[] = [];
    old.on('connection', (ws) => wsChannel(ws).attach({ onFrame: (f) => inbound.push(f), onClose: () => {} }));
    const links = await startDirectLinks({ host: '127.0.0.1' });
    try {
      links.start('new@127.0.0.1', () => {});
      const ch = await links.dial(`ws://127.0.0.1:${(old.address() as net.AddressInfo).port}${DIRECT_PATH}`, 'old@127.0.0.1');
      ch.attach({ onFrame: () => {}, onClose: () => {} });
      ch.send('over a websocket');
      await eventually(() => inbound.includes('over a websocket'));
    } finally {
      await links.close();
      old.close();
    }
  });

  it('a WebSocket dialer (a node from before) is admitted by a listener of this version; a wrong name is refused', async () => {
    const links = await startDirectLinks({ host: '127.0.0.1' });
    const inbound: Array<{ frames: Frame[]; from?: string }> = [];
    links.start('new@127.0.0.1', (ch, from) => inbound.push({ frames: collect(ch).frames, from }));
    try {
      const ws = new WebSocket(`${links.address}?to=${encodeURIComponent('new@127.0.0.1')}&from=old%40127.0.0.1`);
      await new Promise((r) => ws.once('open', r));
      const ch = wsChannel(ws);
      ch.attach({ onFrame: () => {}, onClose: () => {} });
      ch.send(new Uint8Array([1, 2]));
      await eventually(() => inbound[0]?.frames.length === 1);
      expect(inbound[0]!.from).toBe('old@127.0.0.1');
      ch.close();

      const wrong = new WebSocket(`${links.address}?to=someone-else`);
      const code = await new Promise<number>((r) => wrong.once('close', (c) => r(c)));
      expect(code).toBe(4404);
      await expect(links.dial(links.address, 'someone-else')).rejects.toMatchObject({ code: 'nodedown' });
    } finally {
      await links.close();
    }
  });

  it("the upgrade and its 101 both carry the sender's host process id (none where it has none)", async () => {
    const me = hostProcessId();
    const line = me === undefined ? undefined : `${HOST_PROCESS_HEADER}: ${me}`.toLowerCase();
    const carries = (head: string): boolean => (line === undefined ? !head.toLowerCase().includes(HOST_PROCESS_HEADER) : head.toLowerCase().split('\r\n').includes(line));
    const links = await startDirectLinks({ host: '127.0.0.1' });
    links.start('new@127.0.0.1', () => {});
    // A listener of this version answers with its id.
    const raw = net.connect(Number(new URL(links.address).port), '127.0.0.1');
    let answer = '';
    raw.on('data', (d) => (answer += d.toString('latin1')));
    raw.write(`GET ${DIRECT_PATH}?to=${encodeURIComponent('new@127.0.0.1')} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: erlmesh-direct\r\n${HOST_PROCESS_HEADER}: someone/else/42\r\n\r\n`);
    // A listener that records what a dialer of this version sends.
    let asked = '';
    const fake = net.createServer((s) => {
      s.on('data', (d) => {
        asked += d.toString('latin1');
        if (asked.includes('\r\n\r\n')) s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: erlmesh-direct\r\nConnection: Upgrade\r\n${HOST_PROCESS_HEADER}: someone/else/43\r\n\r\n`);
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      await eventually(() => answer.includes('\r\n\r\n'));
      expect(answer.startsWith('HTTP/1.1 101')).toBe(true);
      expect(carries(answer.split('\r\n\r\n')[0]!)).toBe(true);
      const ch = await links.dial(`ws://127.0.0.1:${(fake.address() as net.AddressInfo).port}${DIRECT_PATH}`, 'fake@127.0.0.1');
      expect(ch.isOpen).toBe(true);
      expect(carries(asked.split('\r\n\r\n')[0]!)).toBe(true);
      ch.close();
    } finally {
      raw.destroy();
      fake.close();
      await links.close();
    }
  });
});
