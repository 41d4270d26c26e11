/**
 * The relay server (src/server/relay) against raw `ws` clients speaking
 * src/core/relay-client/protocol.ts: admission, routing, limits, liveness, partitions, hosting.
 * All traffic is on 127.0.0.1, ephemeral ports; every wait is bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  BIN_DATA,
  CLOSE_CODES,
  RELAY_PATH,
  RELAY_PROTOCOL_VERSION,
  encodeBinData,
} from '../../src/core/relay-client/protocol.js';
import { nextCreation, startRelay, type Relay, type RelayLogLine, type RelayOptions } from '../../src/server/relay/index.js';
import { RelayClient, until, type Msg } from '../support/relay-client.js';

const COOKIE = 'relay-test-cookie';

// ----- helpers ---------------------------------------------------------------------------

const clients: Client[] = [];

/** The relay client of these tests, registering with COOKIE by default. */
class Client extends RelayClient {
  constructor(ws: WebSocket) {
    super(ws, COOKIE);
  }
}
const relays: Relay[] = [];
const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(relays.splice(0).map((r) => r.close()));
  for (const f of cleanups.splice(0)) await f();
});

async function relay(extra: Partial<RelayOptions> = {}): Promise<{ r: Relay; logs: RelayLogLine[] }> {
  const logs: RelayLogLine[] = [];
  const r = await startRelay({ port: 0, cookie: COOKIE, logger: (l) => logs.push(l), ...extra });
  relays.push(r);
  return { r, logs };
}

async function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, opts);
  const c = new Client(ws);
  clients.push(c);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  c.nonce = (await c.tag('challenge')).nonce as string;
  return c;
}

async function node(r: Relay, name: string, o: Parameters<Client['register']>[1] = {}): Promise<Client> {
  const c = await connect(r.url);
  const w = await c.register(name, o);
  if (w.t !== 'welcome') throw new Error(`${name}: ${JSON.stringify(w)}`);
  return c;
}

const has = (logs: RelayLogLine[], event: string, name?: string): boolean =>
  logs.some((l) => l.event === event && (name === undefined || l.name === name));

// ----- admission -------------------------------------------------------------------------

describe('admission', () => {
  it('welcomes with a creation and the peer list, and tells the others joined / left', async () => {
    const { r, logs } = await relay();
    expect(r.url).toBe(`ws://127.0.0.1:${r.port}${RELAY_PATH}`);
    const a = await connect(r.url);
    expect(a.nonce).toMatch(/^[0-9a-f]{32}$/);
    const wa = await a.register('a@h', { direct: 'ws://127.0.0.1:9/erlmesh' });
    expect(wa).toMatchObject({ t: 'welcome', peers: [] });
    expect(wa.creation).toBeGreaterThanOrEqual(nextCreation(undefined, undefined) - 5);
    const b = await connect(r.url);
    const wb = await b.register('b@h', { hidden: true });
    expect(wb.peers).toEqual([{ name: 'a@h', hidden: false, direct: 'ws://127.0.0.1:9/erlmesh' }]);
    expect(await a.tag('joined')).toEqual({ t: 'joined', peer: { name: 'b@h', hidden: true } });
    expect(r.names()).toEqual([
      { name: 'a@h', hidden: false, direct: 'ws://127.0.0.1:9/erlmesh' },
      { name: 'b@h', hidden: true },
    ]);
    expect(r.stats()).toMatchObject({ sockets: 2, registered: 2, channels: 0 });
    b.ws.close();
    expect(await a.tag('left')).toEqual({ t: 'left', name: 'b@h' });
    expect(r.names().map((p) => p.name)).toEqual(['a@h']);
    expect(logs.find((l) => l.event === 'left')).toMatchObject({ name: 'b@h', code: '1005' });
    expect(has(logs, 'registered', 'a@h')).toBe(true);
  });

  it('refuses a wrong cookie with bad_cookie / 4401 and logs the name', async () => {
    const { r, logs } = await relay();
    const c = await connect(r.url);
    expect(await c.register('mallory@h', { cookie: 'wrong' })).toMatchObject({ t: 'refused', code: 'bad_cookie' });
    expect(await c.closed()).toEqual({ code: CLOSE_CODES.bad_cookie, reason: 'bad_cookie' });
    const line = logs.find((l) => l.event === 'refused');
    expect(line).toMatchObject({ level: 'warn', name: 'mallory@h', code: 'bad_cookie' });
    expect(line?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(logs)).not.toContain(COOKIE);
    expect(r.stats().refused).toBe(1);
  });

  it('refuses a name held by a live socket (4409), frees it on drop, and grows creations', async () => {
    const { r } = await relay();
    const watcher = await node(r, 'w@h');
    const a1 = await connect(r.url);
    const c1 = (await a1.register('a@h')).creation as number;
    const a2 = await connect(r.url);
    expect(await a2.register('a@h')).toMatchObject({ t: 'refused', code: 'name_taken' });
    expect((await a2.closed()).code).toBe(CLOSE_CODES.name_taken);
    await a1.roundTrip(); // the holder is unaffected

    a1.ws.terminate();
    await watcher.tag('left', (m) => m.name === 'a@h');
    const a3 = await connect(r.url);
    const c3 = (await a3.register('a@h')).creation as number;
    expect(c3).toBeGreaterThan(c1);

    // A requested creation is honoured when greater than the relay's, else bumped.
    a3.ws.close();
    await watcher.tag('left', (m) => m.name === 'a@h');
    const a4 = await connect(r.url);
    expect((await a4.register('a@h', { creation: c3 + 1000 })).creation).toBe(c3 + 1000);
    a4.ws.close();
    await watcher.tag('left', (m) => m.name === 'a@h');
    const a5 = await connect(r.url);
    expect((await a5.register('a@h', { creation: 5 })).creation).toBe(c3 + 1001);
  });

  it('computes creations as max(last + 1, requested, clock floor)', () => {
    const now = (1_700_000_000 + 1234) * 1000;
    expect(nextCreation(undefined, undefined, now)).toBe(1234);
    expect(nextCreation(5000, undefined, now)).toBe(5001);
    expect(nextCreation(5000, 9000, now)).toBe(9000);
    expect(nextCreation(5000, 10, now)).toBe(5001);
    expect(nextCreation(undefined, 10, 0)).toBe(10);
    // A node re-registering keeps its creation: the last one handed out, or one this relay never saw.
    expect(nextCreation(5000, 5000, now)).toBe(5000);
    expect(nextCreation(undefined, 1000, now)).toBe(1000);
  });

  it('refuses a bad version (4426), an invalid name and bad fields (badarg, 4400)', async () => {
    const { r, logs } = await relay();
    const v = await connect(r.url);
    expect(await v.register('a@h', { v: 2 })).toMatchObject({ t: 'refused', code: 'incompatible_version' });
    expect(await v.closed()).toEqual({ code: CLOSE_CODES.incompatible_version, reason: 'incompatible_version' });
    const n = await connect(r.url);
    expect(await n.register('no-at-sign')).toMatchObject({ t: 'refused', code: 'badarg' });
    expect(await n.closed()).toEqual({ code: CLOSE_CODES.badarg, reason: 'badarg' });
    const f = await connect(r.url);
    f.send({ t: 'register', v: RELAY_PROTOCOL_VERSION, name: 'a@h', proof: 'x', hidden: 'no' });
    expect(await f.tag('refused')).toMatchObject({ code: 'badarg' });
    expect((await f.closed()).code).toBe(4400);
    expect(logs.filter((l) => l.event === 'refused').map((l) => l.name)).toEqual(['a@h', 'no-at-sign', 'a@h']);
    expect(r.names()).toEqual([]);
  });

  it('closes a socket that does not register in time (4408)', async () => {
    const { r, logs } = await relay({ authTimeoutMs: 200 });
    const c = await connect(r.url);
    expect(await c.closed()).toEqual({ code: CLOSE_CODES.auth_timeout, reason: 'auth_timeout' });
    expect(has(logs, 'auth_timeout')).toBe(true);
  });

  it('accepts only a small register before admission', async () => {
    const { r, logs } = await relay({ maxPreAuthBytes: 1024 });
    const p = await connect(r.url);
    p.send({ t: 'ping' });
    expect(await p.closed()).toEqual({ code: 4400, reason: 'protocol_error' });
    const big = await connect(r.url);
    big.send({ t: 'register', v: 1, name: 'a@h', proof: 'x'.repeat(4000), hidden: false });
    expect(await big.closed()).toEqual({ code: CLOSE_CODES.frame_too_large, reason: 'frame_too_large' });
    const huge = await connect(r.url);
    huge.send({ t: 'register', pad: 'x'.repeat(1 << 20) });
    await huge.closed(); // cut without reading it all (1006 or 1009)
    expect(logs.filter((l) => l.event === 'frame_too_large').length).toBeGreaterThanOrEqual(2);
    expect(r.stats().registered).toBe(0);
  });
});

// ----- routing ---------------------------------------------------------------------------

describe('routing', () => {
  it('opens channels and routes 1,000 text and binary frames in order both ways', async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    a.send({ t: 'open', req: 7, to: 'b@h' });
    const opened = await a.tag('opened');
    expect(opened).toMatchObject({ req: 7 });
    const ch = opened.ch as number;
    expect(await b.tag('incoming')).toEqual({ t: 'incoming', ch, from: 'a@h' });

    const N = 1000;
    const frame = (from: string, i: number) =>
      i % 2 ? { t: 'b', ch, d: Buffer.from([i & 255, i >> 8, from.charCodeAt(0)]).toString('base64') } : { t: 'd', ch, d: `${from}:${i}` };
    for (let i = 0; i < N; i++) {
      a.send(frame('a', i));
      b.send(frame('b', i));
    }
    const isFrame = (m: Msg) => m.t === 'd' || m.t === 'b';
    await until(() => a.inbox.filter(isFrame).length === N && b.inbox.filter(isFrame).length === N, '1000 frames each way');
    expect(b.inbox.filter(isFrame)).toEqual(Array.from({ length: N }, (_, i) => frame('a', i)));
    expect(a.inbox.filter(isFrame)).toEqual(Array.from({ length: N }, (_, i) => frame('b', i)));
    expect(r.stats()).toMatchObject({ channels: 1, framesRouted: 2 * N });
  });

  it('fails open to an unknown node, to itself, and answers ping', async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h');
    a.send({ t: 'open', req: 1, to: 'nobody@h' });
    expect(await a.tag('open_failed')).toEqual({ t: 'open_failed', req: 1, code: 'nodedown' });
    a.send({ t: 'open', req: 2, to: 'a@h' });
    expect(await a.tag('open_failed')).toMatchObject({ req: 2, code: 'nodedown' });
    await a.roundTrip();
  });

  it('propagates close as closed and ignores frames that race it', async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    const ch = await a.open('b@h');
    await b.tag('incoming');
    a.send({ t: 'close', ch, reason: 'normal' });
    expect(await b.tag('closed')).toEqual({ t: 'closed', ch, reason: 'normal' });
    b.send({ t: 'd', ch, d: 'late' });
    b.send({ t: 'close', ch, reason: 'normal' });
    await b.roundTrip();
    await a.roundTrip();
    expect(a.inbox.filter((m) => m.t === 'd' || m.t === 'closed')).toEqual([]);
    expect(r.stats().channels).toBe(0);
  });

  it("closes the other ends with 'connection_closed' when a socket drops", async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    const c = await node(r, 'c@h');
    const ab = await a.open('b@h');
    const ca = await c.open('a@h');
    a.ws.terminate();
    expect(await b.tag('closed')).toEqual({ t: 'closed', ch: ab, reason: 'connection_closed' });
    expect(await c.tag('closed')).toEqual({ t: 'closed', ch: ca, reason: 'connection_closed' });
    await b.tag('left', (m) => m.name === 'a@h');
    expect(r.stats()).toMatchObject({ registered: 2, channels: 0 });
  });

  it('closes with 4400 a sender on a foreign channel, or of malformed messages', async () => {
    const { r, logs } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    const ch = await a.open('b@h');
    const bad: Array<[string, unknown]> = [
      ['foreign', { t: 'd', ch, d: 'x' }],
      ['never allocated', { t: 'close', ch: 999, reason: 'x' }],
      ['malformed', '{"t":"d",'],
      ['unknown tag', { t: 'hello' }],
      ['field type', { t: 'd', ch: String(ch), d: 'x' }],
      ['register again', { t: 'register', v: 1, name: 'q@h', proof: '', hidden: false }],
    ];
    for (const [i, [what, m]] of bad.entries()) {
      const c = await node(r, `c${i}@h`);
      c.send(m);
      expect(await c.closed(), what).toEqual({ code: 4400, reason: 'protocol_error' });
    }
    const binary = await node(r, 'bin@h');
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed()).code).toBe(4400);
    expect(logs.filter((l) => l.event === 'protocol_error').length).toBe(bad.length + 1);
    a.send({ t: 'd', ch, d: 'still here' });
    expect(await b.tag('d')).toEqual({ t: 'd', ch, d: 'still here' });
  });
});

// ----- limits and liveness ---------------------------------------------------------------

describe('limits and liveness', () => {
  it('closes an oversize frame with 4413 (and far oversize with 1009), logged', async () => {
    const { r, logs } = await relay({ maxFrameBytes: 64 * 1024 });
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    const ch = await a.open('b@h');
    a.send({ t: 'd', ch, d: 'x'.repeat(100 * 1024) });
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.frame_too_large, reason: 'frame_too_large' });
    expect(await b.tag('closed')).toMatchObject({ ch, reason: 'connection_closed' });
    const c = await node(r, 'c@h');
    c.send({ t: 'd', ch: 1, d: 'x'.repeat(1 << 20) });
    expect((await c.closed()).code).toBe(1009);
    expect(logs.filter((l) => l.event === 'frame_too_large').map((l) => l.name)).toEqual(['a@h', 'c@h']);
    await b.roundTrip();
  });

  it('closes a slow consumer with 4429 while the sender and others keep going', async () => {
    const { r, logs } = await relay({ maxBufferedBytes: 256 * 1024 });
    const a = await node(r, 'a@h');
    const slow = await node(r, 'slow@h');
    const c = await node(r, 'c@h');
    const toSlow = await a.open('slow@h');
    const toC = await a.open('c@h');
    await slow.tag('incoming');
    await c.tag('incoming');
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const cut = () => a.inbox.some((m) => m.t === 'closed' && m.ch === toSlow);
    for (let round = 0; !cut() && sent < 64 * 1024 * 1024; round++) {
      for (let i = 0; i < 16; i++, sent += chunk.length) a.send({ t: 'd', ch: toSlow, d: chunk });
      a.send({ t: 'd', ch: toC, d: `beat ${round}` });
      await until(() => a.ws.bufferedAmount < 1 << 20, 'sender drain');
      await new Promise((res) => setTimeout(res, 1));
    }
    await until(() => has(logs, 'slow_consumer', 'slow@h'), 'slow_consumer log');
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await a.tag('closed', (m) => m.ch === toSlow)).toMatchObject({ reason: 'connection_closed' });
    await a.tag('left', (m) => m.name === 'slow@h');
    expect((await slow.closed()).code).toBe(CLOSE_CODES.slow_consumer);

    a.send({ t: 'd', ch: toC, d: 'after' });
    c.send({ t: 'd', ch: toC, d: 'reply' });
    await c.tag('d', (m) => m.d === 'after');
    await a.tag('d', (m) => m.d === 'reply');
    expect(r.names().map((p) => p.name)).toEqual(['a@h', 'c@h']);
  });

  it('back-pressure: a receiver that reads slowly gets every frame, in order, and is never cut', async () => {
    // 16 MiB through a relay that may buffer at most 4 MiB for a receiver: only pausing the
    // sender can keep the backlog under the cap.
    const { r, logs } = await relay({ highWaterBytes: 256 * 1024, maxBufferedBytes: 4 * 1024 * 1024, slowConsumerMs: 10_000 });
    const a = await node(r, 'a@h');
    const slow = await node(r, 'slow@h');
    const ch = await a.open('slow@h');
    await slow.tag('incoming');
    const sock = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    let reading = true;
    const toggler = setInterval(() => {
      reading = !reading;
      if (reading) sock.resume();
      else sock.pause();
    }, 40);
    cleanups.push(() => clearInterval(toggler));
    const N = 256;
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < N; i++) a.send({ t: 'd', ch, d: `${i}:${chunk}` });
    const got = () => slow.inbox.filter((m) => m.t === 'd' && m.ch === ch).length;
    await until(() => got() === N || slow.closeInfo !== undefined, 'every frame at the slow reader', 30_000);
    clearInterval(toggler);
    sock.resume();
    expect(slow.closeInfo).toBeUndefined();
    const order = slow.inbox.filter((m) => m.t === 'd' && m.ch === ch).map((m) => Number(String(m.d).split(':')[0]));
    expect(order).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(has(logs, 'slow_consumer', 'slow@h')).toBe(false);
    await a.roundTrip();
  });

  it('back-pressure: a receiver that stops reading is cut after slowConsumerMs, and its senders go on', async () => {
    const { r, logs } = await relay({ highWaterBytes: 256 * 1024, maxBufferedBytes: 256 * 1024 * 1024, slowConsumerMs: 500 });
    const a = await node(r, 'a@h');
    const stuck = await node(r, 'stuck@h');
    const c = await node(r, 'c@h');
    const toStuck = await a.open('stuck@h');
    const toC = await a.open('c@h');
    await stuck.tag('incoming');
    await c.tag('incoming');
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 128; i++) a.send({ t: 'd', ch: toStuck, d: chunk });
    a.send({ t: 'd', ch: toC, d: 'after the flood' });
    await until(() => has(logs, 'slow_consumer', 'stuck@h'), 'slow_consumer log', 10_000);
    // the relay reads a again: what a sent after the flood reaches c
    await c.tag('d', (m) => m.d === 'after the flood');
    await a.tag('left', (m) => m.name === 'stuck@h');
  });

  it('terminates a socket that stops answering pings', async () => {
    const { r, logs } = await relay({ pingIntervalMs: 200 });
    const w = await node(r, 'w@h');
    const mute = await node(r, 'mute@h');
    (mute.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await w.tag('left', (m) => m.name === 'mute@h');
    expect(logs.find((l) => l.event === 'timeout')).toMatchObject({ name: 'mute@h' });
    await w.roundTrip();
  });
});

// ----- operations ------------------------------------------------------------------------

describe('operations', () => {
  it('partitions and heals', async () => {
    const { r } = await relay();
    const [a, b, c] = [await node(r, 'a@h'), await node(r, 'b@h'), await node(r, 'c@h')];
    const ab = await a.open('b@h');
    const ac = await a.open('c@h');
    await b.tag('incoming');
    await c.tag('incoming');
    r.partition(['a@h'], ['b@h', 'x@h']);
    expect(await a.tag('closed')).toEqual({ t: 'closed', ch: ab, reason: 'connection_closed' });
    expect(await b.tag('closed')).toEqual({ t: 'closed', ch: ab, reason: 'connection_closed' });
    a.send({ t: 'd', ch: ac, d: 'through' });
    expect(await c.tag('d')).toMatchObject({ ch: ac, d: 'through' });
    a.send({ t: 'open', req: 1, to: 'b@h' });
    expect(await a.tag('open_failed')).toMatchObject({ req: 1, code: 'nodedown' });
    b.send({ t: 'open', req: 2, to: 'a@h' });
    expect(await b.tag('open_failed')).toMatchObject({ req: 2, code: 'nodedown' });
    expect(r.names()).toHaveLength(3); // membership is untouched
    r.heal();
    await a.open('b@h');
  });

  it('tells the nodes on both sides whom they are cut from (for their direct links), a newcomer in its welcome, and heals before re-joining them', async () => {
    const { r } = await relay();
    const [a, b, c] = [await node(r, 'a@h'), await node(r, 'b@h'), await node(r, 'c@h')];
    r.partition(['a@h'], ['b@h', 'x@h']);
    expect(await a.tag('partitioned')).toEqual({ t: 'partitioned', peers: ['b@h', 'x@h'] });
    expect(await b.tag('partitioned')).toEqual({ t: 'partitioned', peers: ['a@h'] });
    // x registers during the partition: its welcome says the cut.
    const x = await connect(r.url);
    expect(await x.register('x@h')).toMatchObject({ t: 'welcome', partitioned: ['a@h'] });
    const y = await connect(r.url);
    expect(await y.register('y@h')).not.toHaveProperty('partitioned');
    r.heal();
    // `healed` comes before the `joined` that re-forms the mesh.
    await a.roundTrip();
    const healedAt = a.inbox.findIndex((m) => m.t === 'healed');
    const joinedAt = a.inbox.map((m) => m.t === 'joined' && (m.peer as { name: string }).name === 'b@h').lastIndexOf(true);
    expect(healedAt).toBeGreaterThanOrEqual(0);
    expect(joinedAt).toBeGreaterThan(healedAt);
    for (const n of [b, x]) await n.tag('healed');
    await c.roundTrip();
    await y.roundTrip();
    expect(c.count('partitioned') + c.count('healed') + y.count('healed')).toBe(0);
  });

  it('kicks a node', async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    expect(r.kick('nobody@h')).toBe(false);
    expect(r.kick('b@h', 'maintenance')).toBe(true);
    expect(await b.closed()).toEqual({ code: 1008, reason: 'maintenance' });
    await a.tag('left', (m) => m.name === 'b@h');
  });

  it('answers plain HTTP and unknown upgrade paths on its own server', async () => {
    const { r } = await relay();
    const res = await fetch(`http://127.0.0.1:${r.port}${RELAY_PATH}`);
    expect(res.status).toBe(426);
    const ws = new WebSocket(`ws://127.0.0.1:${r.port}/other`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, resp) => resolve(resp.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
  });

  it('attaches to an existing http server and leaves its other routes alone', async () => {
    const server = http.createServer((req, res) => res.end(req.url === '/hello' ? 'hi' : 'other'));
    server.on('upgrade', (req, socket) => {
      if (req.url === '/mine') socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    cleanups.push(() => new Promise<void>((res) => server.close(() => res())));
    const port = (server.address() as { port: number }).port;
    const { r } = await relay({ server, port: 1 });
    expect(r.url).toBe(`ws://127.0.0.1:${port}${RELAY_PATH}`);
    const a = await node(r, 'a@h');
    await a.roundTrip();
    expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('hi');
    const teapot = new WebSocket(`ws://127.0.0.1:${port}/mine`);
    teapot.on('error', () => {});
    const status = await new Promise<number>((resolve) => teapot.on('unexpected-response', (_q, resp) => resolve(resp.statusCode ?? 0)));
    expect(status).toBe(418);
    teapot.terminate();
    await r.close();
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.relay_shutdown, reason: 'relay_shutdown' });
    expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe('hi');
  });

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!openssl) console.warn('relay.test.ts: openssl not found — skipping the wss:// test');

  it.skipIf(!openssl)('serves wss:// with tls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'erlmesh-relay-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [keyPath, certPath] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
    const { r } = await relay({ tls: { key: readFileSync(keyPath), cert: readFileSync(certPath) } });
    expect(r.url).toBe(`wss://127.0.0.1:${r.port}${RELAY_PATH}`);
    const a = new Client(new WebSocket(r.url, { rejectUnauthorized: false }));
    clients.push(a);
    a.nonce = (await a.tag('challenge')).nonce as string;
    expect(await a.register('a@h')).toMatchObject({ t: 'welcome' });
    const b = await connect(r.url, { rejectUnauthorized: false });
    await b.register('b@h');
    const ch = await a.open('b@h');
    a.send({ t: 'b', ch, d: 'AAEC' });
    expect(await b.tag('b')).toEqual({ t: 'b', ch, d: 'AAEC' });
  });

  it('close() closes every socket with 4503, once', async () => {
    const { r, logs } = await relay();
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    const pending = await connect(r.url);
    await a.open('b@h');
    const [p1, p2] = [r.close(), r.close()];
    expect(p1).toBe(p2);
    await p1;
    for (const c of [a, b, pending]) expect(await c.closed()).toEqual({ code: CLOSE_CODES.relay_shutdown, reason: 'relay_shutdown' });
    expect(a.inbox.filter((m) => m.t === 'left' || m.t === 'closed')).toEqual([]);
    expect(r.stats()).toMatchObject({ sockets: 0, registered: 0, channels: 0 });
    expect(has(logs, 'closed')).toBe(true);
    await expect(connect(r.url)).rejects.toThrow();
  });

  it('validates its options', async () => {
    await expect(startRelay({ port: 0, cookie: '' })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxFrameBytes: -1 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', bogus: 1 } as RelayOptions)).rejects.toMatchObject({ code: 'unknown_options' });
  });
});

// ----- binary data ---------------------------------------------------------------------------

describe('binary data messages (bin)', () => {
  /** A binary data message: type, channel id (big-endian), payload. */
  const binMsg = (ch: number, payload: number[]): Buffer => Buffer.from(encodeBinData(ch, new Uint8Array(payload)));
  const bins = (c: Client): Buffer[] => c.inbox.filter((m) => (m.t as string) === 'bin').map((m) => (m as unknown as { bytes: Buffer }).bytes);

  it('the challenge offers bin; the header is type 0x01 then the channel id, big-endian', async () => {
    const { r } = await relay();
    expect(BIN_DATA).toBe(1);
    expect([...encodeBinData(0x01020304, new Uint8Array([9, 8]))]).toEqual([1, 1, 2, 3, 4, 9, 8]);
    const raw = new WebSocket(r.url);
    const first = await new Promise<Record<string, unknown>>((resolve) => raw.once('message', (d) => resolve(JSON.parse(String(d)))));
    raw.terminate();
    expect(first).toMatchObject({ t: 'challenge', v: RELAY_PROTOCOL_VERSION, bin: true });
  });

  it('between two bin nodes: forwarded unchanged, in order with text frames, both ways', async () => {
    const { r } = await relay();
    const a = await node(r, 'a@h', { bin: true });
    const b = await node(r, 'b@h', { bin: true });
    const ch = await a.open('b@h');
    await b.tag('incoming');
    const N = 500;
    const payload = (from: number, i: number) => [from, i & 255, i >> 8, 0, 255];
    for (let i = 0; i < N; i++) {
      a.ws.send(binMsg(ch, payload(1, i)));
      a.send({ t: 'd', ch, d: `a${i}` });
      b.ws.send(binMsg(ch, payload(2, i)));
      b.send({ t: 'd', ch, d: `b${i}` });
    }
    const isData = (m: Msg) => m.t === 'd' || (m.t as string) === 'bin';
    await until(() => a.inbox.filter(isData).length === 2 * N && b.inbox.filter(isData).length === 2 * N, 'all frames');
    const expectStream = (c: Client, from: number, prefix: string) => {
      const got = c.inbox.filter(isData);
      for (let i = 0; i < N; i++) {
        expect([...(got[2 * i] as unknown as { bytes: Buffer }).bytes]).toEqual([...binMsg(ch, payload(from, i))]);
        expect(got[2 * i + 1]).toEqual({ t: 'd', ch, d: `${prefix}${i}` });
      }
    };
    expectStream(b, 1, 'a');
    expectStream(a, 2, 'b');
    expect(r.stats().framesRouted).toBe(4 * N);
  });

  it("from a bin node to one that did not say bin: re-encoded as 'b'; 'b' the other way is forwarded as is", async () => {
    const { r } = await relay();
    const modern = await node(r, 'm@h', { bin: true });
    const old = await node(r, 'o@h');
    const ch = await modern.open('o@h');
    await old.tag('incoming');
    modern.ws.send(binMsg(ch, [0, 1, 2, 255]));
    expect(await old.tag('b')).toEqual({ t: 'b', ch, d: Buffer.from([0, 1, 2, 255]).toString('base64') });
    expect(bins(old)).toEqual([]);
    old.send({ t: 'b', ch, d: 'AAEC' });
    expect(await modern.tag('b')).toEqual({ t: 'b', ch, d: 'AAEC' });
  });

  it('closes with 4400 a binary message before admission, from a node that did not say bin, or with a bad header or channel', async () => {
    const { r, logs } = await relay();
    const a = await node(r, 'a@h', { bin: true });
    const b = await node(r, 'b@h', { bin: true });
    const ch = await a.open('b@h');
    const pending = await connect(r.url);
    pending.ws.send(binMsg(1, [1]));
    expect((await pending.closed()).code).toBe(4400);
    const notBin = await node(r, 'nb@h');
    notBin.ws.send(binMsg(ch, [1]));
    expect((await notBin.closed()).code).toBe(4400);
    const bad: Array<[string, Buffer]> = [
      ['unknown type', Buffer.from([2, 0, 0, 0, 1, 7])],
      ['channel 0', Buffer.from([1, 0, 0, 0, 0, 7])],
      ['short header', Buffer.from([1, 0, 0, 1])],
      ['foreign channel', binMsg(ch, [7])],
      ['never allocated', binMsg(999_999, [7])],
    ];
    for (const [i, [what, m]] of bad.entries()) {
      const c = await node(r, `c${i}@h`, { bin: true });
      c.ws.send(m);
      expect(await c.closed(), what).toEqual({ code: 4400, reason: 'protocol_error' });
    }
    expect(logs.filter((l) => l.event === 'protocol_error').length).toBe(bad.length + 2);
    a.ws.send(binMsg(ch, [42]));
    await b.tag('bin');
  });

  it('refuses a register whose bin is not a boolean', async () => {
    const { r } = await relay();
    const c = await connect(r.url);
    expect(await c.register('a@h', { bin: 'yes' })).toMatchObject({ t: 'refused', code: 'badarg' });
  });

  it('closes an oversize binary message with 4413', async () => {
    const { r, logs } = await relay({ maxFrameBytes: 64 * 1024 });
    const a = await node(r, 'a@h', { bin: true });
    const b = await node(r, 'b@h', { bin: true });
    const ch = await a.open('b@h');
    a.ws.send(Buffer.from(encodeBinData(ch, new Uint8Array(100 * 1024))));
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.frame_too_large, reason: 'frame_too_large' });
    expect(await b.tag('closed')).toMatchObject({ ch, reason: 'connection_closed' });
    expect(has(logs, 'frame_too_large', 'a@h')).toBe(true);
  });
});
