/**
 * The relay's admission gate (src/server/relay/gate.ts, issue 18 point 6): connections not yet
 * admitted are bounded per remote address and in total, and each one must be admitted within
 * `authTimeoutMs` of its accept, whatever stage it is stuck in. First the gate on a simulated
 * clock, then real sockets on loopback against a relay on port 0: clients bind 127.0.0.2 /
 * 127.0.0.3 (Linux routes all of 127/8 to lo) to come from different addresses. Every wait is
 * bounded; nothing asserts on elapsed time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket from 'ws';
import { SimulatedClock } from '../../src/core/testing/simulated-clock.js';
import { CLOSE_CODES } from '../../src/core/relay-client/protocol.js';
import { AdmissionGate, LOG_WINDOW_MS } from '../../src/server/relay/gate.js';
import { startRelay, type Relay, type RelayLogLine, type RelayOptions } from '../../src/server/relay/index.js';
import { RelayClient, until } from '../support/relay-client.js';

const COOKIE = 'relay-admission-cookie';
const ATTACKER = '127.0.0.2';
const HONEST = '127.0.0.3';

const relays: Relay[] = [];
const sockets: net.Socket[] = [];
const clients: RelayClient[] = [];
const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(relays.splice(0).map((r) => r.close()));
  for (const f of cleanups.splice(0)) await f();
});

async function relay(extra: Partial<RelayOptions> = {}): Promise<{ r: Relay; logs: RelayLogLine[] }> {
  const logs: RelayLogLine[] = [];
  const r = await startRelay({ port: 0, cookie: COOKIE, logger: (l) => logs.push(l), ...extra });
  relays.push(r);
  return { r, logs };
}

/** A raw TCP connection from `from`: what it was sent, and whether it was closed. */
interface Raw {
  sock: net.Socket;
  got: () => string;
  closed: () => boolean;
}

async function tcp(port: number, from: string): Promise<Raw> {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
  sockets.push(sock);
  let got = '';
  let closed = false;
  sock.on('data', (d) => (got += d.toString('latin1')));
  sock.on('close', () => (closed = true));
  sock.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  return { sock, got: () => got, closed: () => closed };
}

/** A WebSocket from `from` up to the challenge (pending); or the HTTP status it was refused with. */
async function ws(url: string, from: string): Promise<RelayClient | number> {
  const c = new RelayClient(new WebSocket(url, { localAddress: from }), COOKIE);
  clients.push(c);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    c.ws.once('open', () => resolve(undefined));
    c.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    c.ws.once('error', reject);
  });
  if (status !== undefined) return status;
  c.nonce = (await c.tag('challenge')).nonce as string;
  return c;
}

async function pendingWs(url: string, from: string): Promise<RelayClient> {
  const c = await ws(url, from);
  if (typeof c === 'number') throw new Error(`refused with ${c}`);
  return c;
}

const lines = (logs: RelayLogLine[], event: string): RelayLogLine[] => logs.filter((l) => l.event === event);

describe('AdmissionGate (simulated clock)', () => {
  it('bounds slots per address and in total, frees them on release, and fires the deadline of held ones only', async () => {
    const clock = new SimulatedClock();
    const logs: Array<Omit<RelayLogLine, 'ts'>> = [];
    const gate = new AdmissionGate({ maxPending: 3, maxPendingPerAddress: 2, deadlineMs: 1000 }, (l) => logs.push(l), clock);
    const fired: string[] = [];
    const a1 = gate.take('a', 'a:1', () => fired.push('a1'));
    const a2 = gate.take('a', 'a:2', () => fired.push('a2'));
    expect(gate.take('a', 'a:3', () => fired.push('a3'))).toBeUndefined();
    const b1 = gate.take('b', 'b:1', () => fired.push('b1'));
    expect(gate.take('c', 'c:1', () => fired.push('c1'))).toBeUndefined();
    expect(gate.pending).toBe(3);
    a1?.release();
    a1?.release(); // idempotent
    expect(gate.pending).toBe(2);
    const a4 = gate.take('a', 'a:4', () => fired.push('a4'));
    expect(a4).toBeDefined();
    b1?.release();
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['a2', 'a4']);
    expect(logs.filter((l) => l.event === 'pending_limit').map((l) => [l.level, l.remote, l.code])).toEqual([['warn', 'a:3', '503']]);
    expect(a2).toBeDefined();
  });

  it('logs a flood of refusals as one line, then one summary line at the end of the window', async () => {
    const clock = new SimulatedClock();
    const logs: Array<Omit<RelayLogLine, 'ts'>> = [];
    const gate = new AdmissionGate({ maxPending: 1, maxPendingPerAddress: undefined, deadlineMs: 60_000 }, (l) => logs.push(l), clock);
    gate.take('x', 'x:0', () => {});
    for (let i = 1; i <= 100; i++) expect(gate.take('x', `x:${i}`, () => {})).toBeUndefined();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn', event: 'pending_limit', remote: 'x:1' });
    await clock.advance(LOG_WINDOW_MS);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatchObject({ level: 'warn', event: 'pending_limit', detail: expect.stringMatching(/^99 more /) });
    gate.take('x', 'x:101', () => {});
    expect(logs).toHaveLength(3); // a new window
    gate.flush();
    expect(logs).toHaveLength(3); // nothing held back
  });
});

describe('the relay bounds connections not yet admitted', () => {
  it('refuses pre-admission sockets over maxPendingPerAddress with 503 (logged, throttled), while a node from elsewhere registers', async () => {
    const { r, logs } = await relay({ maxPendingPerAddress: 8 });
    const held: RelayClient[] = [];
    for (let i = 0; i < 8; i++) held.push(await pendingWs(r.url, ATTACKER));
    const raw = await tcp(r.port, ATTACKER);
    expect(r.stats().pending).toBe(8);
    // Over the bound: WebSockets get 503, a raw connection gets 503 and is closed.
    for (let i = 0; i < 5; i++) expect(await ws(r.url, ATTACKER)).toBe(503);
    await until(raw.closed, 'the extra raw socket closed');
    expect(raw.got()).toMatch(/^HTTP\/1\.1 503 /);
    const refusals = lines(logs, 'pending_limit');
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals.length).toBeLessThan(6); // six refusals, not one line each
    expect(refusals[0]).toMatchObject({ level: 'warn', code: '503', remote: expect.stringMatching(/^127\.0\.0\.2:\d+$/) });
    expect(refusals[0]?.detail).toContain('maxPendingPerAddress 8');

    const honest = await pendingWs(r.url, HONEST);
    expect((await honest.register('honest@h')).t).toBe('welcome');
    expect(r.names().map((p) => p.name)).toEqual(['honest@h']);
    // The held ones are still served; once one leaves, its address may connect again.
    held[0]!.ws.close();
    await until(() => r.stats().pending === 7, 'a slot freed');
    const again = await pendingWs(r.url, ATTACKER);
    expect((await again.register('late@h')).t).toBe('welcome');
    expect(r.stats().pending).toBe(7);
  });

  it('refuses over maxPending from any address; an admitted node no longer counts', async () => {
    const { r } = await relay({ maxPending: 4, maxPendingPerAddress: false });
    const a = await pendingWs(r.url, HONEST);
    expect((await a.register('a@h')).t).toBe('welcome');
    const raws: Raw[] = [];
    for (let i = 0; i < 4; i++) raws.push(await tcp(r.port, i % 2 ? ATTACKER : '127.0.0.4'));
    await until(() => r.stats().pending === 4, 'four pending');
    expect(await ws(r.url, HONEST)).toBe(503);
    await a.roundTrip();
    raws[0]!.sock.destroy();
    await until(() => r.stats().pending === 3, 'a slot freed');
    const b = await pendingWs(r.url, HONEST);
    expect((await b.register('b@h')).t).toBe('welcome');
  });

  it('bounds upgrades on a server it is attached to', async () => {
    const server = http.createServer((_req, res) => res.end('site'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { r } = await relay({ server, maxPendingPerAddress: 2 });
    const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/erlmesh`;
    await pendingWs(url, ATTACKER);
    await pendingWs(url, ATTACKER);
    expect(await ws(url, ATTACKER)).toBe(503);
    const honest = await pendingWs(url, HONEST);
    expect((await honest.register('honest@h')).t).toBe('welcome');
    expect(r.stats().pending).toBe(2);
  });
});

describe('the admission deadline counts from the accept', () => {
  it('drops a connection that never sends its upgrade (slowloris), with 408, and logs it', async () => {
    const { r, logs } = await relay({ authTimeoutMs: 300 });
    const silent = await tcp(r.port, ATTACKER);
    const slow = await tcp(r.port, ATTACKER);
    slow.sock.write('GET /erlmesh HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n'); // and never the rest
    await until(() => silent.closed() && slow.closed(), 'both closed by the relay', 10_000);
    expect(silent.got()).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.got()).toMatch(/^HTTP\/1\.1 408 /);
    await until(() => r.stats().pending === 0, 'no connection held');
    // Each connection the relay held and cut is logged, with its address.
    const timeouts = lines(logs, 'auth_timeout');
    expect(timeouts).toHaveLength(2);
    for (const l of timeouts) expect(l).toMatchObject({ level: 'warn', code: '408', detail: 'not upgraded within 300 ms', remote: expect.stringMatching(/^127\.0\.0\.2:\d+$/) });
  });

  it('closes a WebSocket that upgrades but never registers with 4408', async () => {
    const { r, logs } = await relay({ authTimeoutMs: 300 });
    const c = await pendingWs(r.url, ATTACKER);
    expect(await c.closed(10_000)).toEqual({ code: CLOSE_CODES.auth_timeout, reason: 'auth_timeout' });
    await until(() => r.stats().pending === 0 && r.stats().sockets === 0, 'no connection held');
    expect(lines(logs, 'auth_timeout')[0]).toMatchObject({ level: 'warn', code: '4408', detail: 'not registered within 300 ms' });
  });

  it('an admitted node outlives the deadline', async () => {
    const { r, logs } = await relay({ authTimeoutMs: 300 });
    const c = await pendingWs(r.url, HONEST);
    expect((await c.register('n@h')).t).toBe('welcome');
    const slow = await tcp(r.port, ATTACKER);
    await until(slow.closed, 'a later slowloris dropped', 10_000); // the deadline has passed for n@h too
    await c.roundTrip();
    expect(c.closeInfo).toBeUndefined();
    expect(lines(logs, 'auth_timeout').length).toBe(1);
  });

  it('validates the options', async () => {
    await expect(startRelay({ port: 0, cookie: 'c', maxPending: 0 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxPendingPerAddress: 1.5 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxPendingPerAddress: true as unknown as false })).rejects.toMatchObject({ code: 'badarg' });
  });
});
