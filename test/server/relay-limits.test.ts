/**
 * The relay's message-rate limit (src/server/relay/rate-limit.ts): the token bucket on a
 * simulated clock, then real sockets on 127.0.0.1 against a relay with a small limit. No
 * timed assertions: a flood far over the bucket is cut whatever the timing, traffic that fits
 * in the bucket never is, and waiting longer only ever refills more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { webCrypto } from '../../src/core/net/proofs.js';
import { CLOSE_CODES, RELAY_PROTOCOL_VERSION, relayProofInput } from '../../src/core/relay-client/protocol.js';
import { startRelay, type Relay, type RelayLogLine, type RelayOptions } from '../../src/server/relay/index.js';
import { RateLimiter, attachRateLimiter, rateLimiterOf, setRateLimit } from '../../src/server/relay/rate-limit.js';
import { parseTicket } from '../../src/core/index.js';
import { mintTicket } from '../../src/server/index.js';
import { RelayClient, until } from '../support/relay-client.js';

const COOKIE = 'relay-limits-cookie';

/** The relay client of these tests, registering with COOKIE. */
class Client extends RelayClient {
  constructor(ws: WebSocket) {
    super(ws, COOKIE);
  }
}

const relays: Relay[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function relay(extra: Partial<RelayOptions> = {}): Promise<{ r: Relay; logs: RelayLogLine[] }> {
  const logs: RelayLogLine[] = [];
  const r = await startRelay({ port: 0, cookie: COOKIE, logger: (l) => logs.push(l), ...extra });
  relays.push(r);
  return { r, logs };
}

async function connect(r: Relay): Promise<Client> {
  const c = new Client(new WebSocket(r.url));
  clients.push(c);
  await new Promise<void>((resolve, reject) => {
    c.ws.once('open', () => resolve());
    c.ws.once('error', reject);
  });
  c.nonce = (await c.tag('challenge')).nonce as string;
  return c;
}

async function node(r: Relay, name: string): Promise<Client> {
  const c = await connect(r);
  const proof = await webCrypto.hmacSha256Hex(COOKIE, relayProofInput(c.nonce, name));
  c.send({ t: 'register', v: RELAY_PROTOCOL_VERSION, name, proof, hidden: false });
  await c.tag('welcome');
  return c;
}

describe('RateLimiter (simulated clock)', () => {
  it('lets a burst through, refuses the next message, and refills at the sustained rate', () => {
    let t = 0;
    const l = new RateLimiter({ perSecond: 10, burst: 5 }, () => t);
    for (let i = 0; i < 5; i++) expect(l.take()).toBe(true);
    expect(l.take()).toBe(false);
    t += 100; // one token
    expect(l.take()).toBe(true);
    expect(l.take()).toBe(false);
    t += 60_000; // a long quiet spell refills to the burst, no more
    for (let i = 0; i < 5; i++) expect(l.take()).toBe(true);
    expect(l.take()).toBe(false);
  });

  it('a refused message does not count; no limit lets everything through; set() replaces the limit with a full bucket', () => {
    let t = 0;
    const l = new RateLimiter({ perSecond: 1, burst: 1 }, () => t);
    expect(l.take()).toBe(true);
    for (let i = 0; i < 100; i++) expect(l.take()).toBe(false);
    t += 1000;
    expect(l.take()).toBe(true);
    l.set(undefined);
    expect(l.limit).toBeUndefined();
    for (let i = 0; i < 10_000; i++) expect(l.take()).toBe(true);
    l.set({ perSecond: 1000, burst: 3 });
    expect([l.take(), l.take(), l.take(), l.take()]).toEqual([true, true, true, false]);
  });

  it('a clock that goes backwards refills nothing', () => {
    let t = 1000;
    const l = new RateLimiter({ perSecond: 1000, burst: 2 }, () => t);
    expect([l.take(), l.take()]).toEqual([true, true]);
    t = 0;
    expect(l.take()).toBe(false);
  });

  it('rejects nonsense limits', () => {
    for (const bad of [{ perSecond: 0, burst: 1 }, { perSecond: 1, burst: 0 }, { perSecond: NaN, burst: 1 }, { perSecond: 1, burst: 1.5 }]) {
      expect(() => new RateLimiter(bad)).toThrow(TypeError);
    }
  });

  it('setRateLimit reaches the limiter attached to a connection object (the router hook)', () => {
    const conn = {};
    const l = new RateLimiter(undefined);
    expect(setRateLimit(conn, { perSecond: 1, burst: 1 })).toBe(false);
    attachRateLimiter(conn, l);
    expect(rateLimiterOf(conn)).toBe(l);
    expect(setRateLimit(conn, { perSecond: 1, burst: 1 })).toBe(true);
    expect(l.limit).toEqual({ perSecond: 1, burst: 1 });
    expect([l.take(), l.take()]).toEqual([true, false]);
  });
});

describe('the relay cuts a socket over its message rate', () => {
  it('closes a flooding node with 4420 rate_limited and logs it; its peers and the others go on', async () => {
    const { r, logs } = await relay({ maxMessagesPerSecond: 100, burstMessages: 50 });
    const a = await node(r, 'a@h');
    const b = await node(r, 'b@h');
    a.send({ t: 'open', req: 1, to: 'b@h' });
    const ch = (await a.tag('opened')).ch as number;
    await b.tag('incoming');
    for (let i = 0; i < 2000; i++) a.send({ t: 'd', ch, d: String(i) });
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.rate_limited, reason: 'rate_limited' });
    expect(CLOSE_CODES.rate_limited).toBe(4420);
    expect(await b.tag('closed', (m) => m.ch === ch)).toMatchObject({ reason: 'connection_closed' });
    await b.tag('left', (m) => m.name === 'a@h');
    // what got through came in order, and b was never cut
    const got = b.inbox.filter((m) => m.t === 'd').map((m) => Number(m.d));
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    expect(got.length).toBeLessThan(2000);
    b.send({ t: 'ping' });
    await b.tag('pong');
    expect(b.closeInfo).toBeUndefined();
    const line = logs.find((l) => l.event === 'rate_limited');
    expect(line).toMatchObject({ level: 'warn', name: 'a@h', detail: 'over 100 messages/s (burst 50)' });
    expect(line?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(r.names().map((p) => p.name)).toEqual(['b@h']);
  });

  it('never cuts traffic that fits in the bucket, and refills over time', async () => {
    const { r, logs } = await relay({ maxMessagesPerSecond: 1000, burstMessages: 60 });
    const a = await node(r, 'a@h'); // the register took one token
    for (let i = 0; i < 50; i++) a.send({ t: 'ping' });
    await until(() => a.count('pong') === 50 || a.closeInfo !== undefined, '50 pongs');
    const t0 = Date.now();
    await until(() => Date.now() - t0 >= 100, '100 ms: a full refill at 1000/s');
    for (let i = 0; i < 50; i++) a.send({ t: 'ping' });
    await until(() => a.count('pong') === 100 || a.closeInfo !== undefined, '100 pongs');
    expect(a.closeInfo).toBeUndefined();
    expect(logs.some((l) => l.event === 'rate_limited')).toBe(false);
  });

  it('counts WebSocket pings too, before admission as after', async () => {
    const { r, logs } = await relay({ maxMessagesPerSecond: 100, burstMessages: 20 });
    const pending = await connect(r);
    for (let i = 0; i < 500; i++) pending.ws.ping();
    expect(await pending.closed()).toEqual({ code: CLOSE_CODES.rate_limited, reason: 'rate_limited' });
    const a = await node(r, 'a@h');
    for (let i = 0; i < 500; i++) a.ws.ping();
    expect(await a.closed()).toEqual({ code: CLOSE_CODES.rate_limited, reason: 'rate_limited' });
    expect(logs.filter((l) => l.event === 'rate_limited').map((l) => l.name)).toEqual([undefined, 'a@h']);
    const b = await node(r, 'b@h');
    b.send({ t: 'ping' });
    await b.tag('pong');
  });

  it('by default lets 10,000 back-to-back messages through; false turns the limit off', async () => {
    for (const opts of [{}, { maxMessagesPerSecond: false as const }]) {
      const { r, logs } = await relay(opts);
      const a = await node(r, 'a@h');
      for (let i = 0; i < 10_000; i++) a.send({ t: 'ping' });
      await until(() => a.count('pong') === 10_000 || a.closeInfo !== undefined, '10,000 pongs', 20_000);
      expect(a.closeInfo).toBeUndefined();
      expect(logs.some((l) => l.event === 'rate_limited')).toBe(false);
    }
  });

  it('a node admitted with a ticket gets the stricter ticket limit; a cookie holder sending the same is not cut', async () => {
    const { r, logs } = await relay({ ticketMessagesPerSecond: 20 });
    const t = parseTicket(mintTicket({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000 }));
    const tab = await connect(r);
    const proof = await webCrypto.hmacSha256Hex(t.key, relayProofInput(tab.nonce, 'tab-1@h'));
    tab.send({ t: 'register', v: RELAY_PROTOCOL_VERSION, name: 'tab-1@h', ticket: t.payload, proof, hidden: false });
    await tab.tag('welcome');
    const srv = await node(r, 'srv@h');
    for (let i = 0; i < 500; i++) srv.send({ t: 'ping' });
    for (let i = 0; i < 500; i++) tab.send({ t: 'ping' });
    expect(await tab.closed()).toEqual({ code: CLOSE_CODES.rate_limited, reason: 'rate_limited' });
    await until(() => srv.count('pong') === 500, '500 pongs');
    expect(srv.closeInfo).toBeUndefined();
    expect(logs.filter((l) => l.event === 'rate_limited').map((l) => l.name)).toEqual(['tab-1@h']);
  });

  it('validates the options', async () => {
    await expect(startRelay({ port: 0, cookie: 'c', ticketMessagesPerSecond: 0 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxMessagesPerSecond: 0 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxMessagesPerSecond: 1.5 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', burstMessages: -1 })).rejects.toMatchObject({ code: 'badarg' });
    await expect(startRelay({ port: 0, cookie: 'c', maxMessagesPerSecond: false, burstMessages: 5 })).rejects.toMatchObject({ code: 'badarg' });
  });
});
