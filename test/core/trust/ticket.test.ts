/**
 * Join tickets (src/core/trust/ticket.ts, src/server/tickets.ts): minting, parsing,
 * verifying, and the codes of every refusal.
 */
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { webCrypto } from '../../../src/core/net/proofs.js';
import { nobleCrypto } from '../../../src/browser/crypto.js';
import { ErlmeshError } from '../../../src/core/index.js';
import {
  checkClaims,
  encodeClaims,
  mintTicket,
  parsePayload,
  parseTicket,
  ticketKey,
  TicketSource,
} from '../../../src/core/trust/ticket.js';
import { mintTicket as mintTicketSync, ticketKeySync } from '../../../src/server/tickets.js';

const COOKIE = 'ticket-test-cookie';
const T0 = 1_700_000_000_000;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof ErlmeshError ? e.code : `not an ErlmeshError: ${String(e)}`;
  }
  return undefined;
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof ErlmeshError ? e.code : `not an ErlmeshError: ${String(e)}`),
  );
}

/** Does `key` verify `payload` under `cookie` (what a cookie holder checks)? */
async function verifies(payload: string, key: string, cookie = COOKIE): Promise<boolean> {
  return (await ticketKey(cookie, payload, webCrypto)) === key;
}

describe('join tickets', () => {
  it('mint → parse: em1.<payload>.<key>, claims as given, key = HMAC(HMAC(cookie, label), payload)', async () => {
    const t = await mintTicket({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000, now: T0, id: 'abc123' });
    expect(t).toMatch(/^em1\.[A-Za-z0-9_-]+\.[0-9a-f]{64}$/);
    const { claims, payload, key } = parseTicket(t);
    expect(claims).toEqual({ v: 1, role: 'guest', prefix: 'tab-', exp: T0 + 60_000, iat: T0, id: 'abc123' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual(claims);
    const signingKey = createHmac('sha256', COOKIE).update('erlmesh-ticket-1').digest('hex');
    expect(key).toBe(createHmac('sha256', signingKey).update(payload).digest('hex'));
    expect(await verifies(payload, key)).toBe(true);
    expect(parsePayload(payload)).toEqual(claims);
    // A random id when none is given.
    const u = parseTicket(await mintTicket({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000 }));
    expect(u.claims.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the Node mint (sync, node:crypto) and the core mint (WebCrypto, noble) give identical strings', async () => {
    const o = { cookie: COOKIE, role: 'demo', prefix: 'tab-', ttlMs: 600_000, now: T0, id: 'same-id' };
    const viaNode = mintTicketSync(o);
    expect(await mintTicket({ ...o, crypto: webCrypto })).toBe(viaNode);
    expect(await mintTicket({ ...o, crypto: nobleCrypto })).toBe(viaNode);
    const { payload, key } = parseTicket(viaNode);
    expect(ticketKeySync(COOKIE, payload)).toBe(key);
    expect(await ticketKey(COOKIE, payload, nobleCrypto)).toBe(key);
  });

  it('a tampered payload, a tampered key or another cookie does not verify (ticket_forged at the checkers)', async () => {
    const t = mintTicketSync({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000, now: T0, id: 'x1' });
    const { claims, payload, key } = parseTicket(t);
    // Same claims with another role: a valid payload, but the key was made for the original.
    const tampered = encodeClaims({ ...claims, role: 'admin' });
    expect(parsePayload(tampered).role).toBe('admin');
    expect(await verifies(tampered, key)).toBe(false);
    const longer = encodeClaims({ ...claims, exp: claims.exp + 86_400_000 });
    expect(await verifies(longer, key)).toBe(false);
    const flipped = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    expect(await verifies(payload, flipped)).toBe(false);
    expect(await verifies(payload, key, 'another-cookie')).toBe(false);
  });

  it('checkClaims: expired at exp, not at exp - 1; the name must start with the prefix', () => {
    const { claims } = parseTicket(mintTicketSync({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000, now: T0 }));
    expect(checkClaims(claims, 'tab-k3x9q2@host', claims.exp - 1)).toBe('ok');
    expect(checkClaims(claims, 'tab-k3x9q2@host', claims.exp)).toBe('ticket_expired');
    expect(checkClaims(claims, 'tab-k3x9q2@host', claims.exp + 1)).toBe('ticket_expired');
    expect(checkClaims(claims, 'demo@host', T0)).toBe('name_not_allowed');
    expect(checkClaims(claims, 'xtab-1@host', T0)).toBe('name_not_allowed');
    expect(checkClaims({ ...claims, prefix: '' }, 'tab-1@host', T0)).toBe('name_not_allowed');
    // A full name as prefix pins that name.
    const pinned = parseTicket(mintTicketSync({ cookie: COOKIE, role: 'guest', prefix: 'alice@erlmesh', ttlMs: 60_000, now: T0 })).claims;
    expect(checkClaims(pinned, 'alice@erlmesh', T0)).toBe('ok');
    expect(checkClaims(pinned, 'bob@erlmesh', T0)).toBe('name_not_allowed');
  });

  it('malformed tickets are refused with ticket_malformed, whatever the input', () => {
    const good = mintTicketSync({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000, now: T0 });
    const [, payload, key] = good.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = parsePayload(payload);
    const bad: unknown[] = [
      undefined, null, 42, {}, [], '', 'em1', 'em1..', `em2.${payload}.${key}`, `em1.${payload}`, `em1.${payload}.${key}.x`,
      `em1.${payload}.${key.toUpperCase()}`, `em1.${payload}.${key.slice(1)}`, `em1.${payload}!.${key}`,
      `em1.${'A'.repeat(2000)}.${key}`, `em1.${b64('not an object')}.${key}`, `em1.${b64([1])}.${key}`,
      `em1.${Buffer.from('{not json').toString('base64url')}.${key}`,
      `em1.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${key}`,
      `em1.${b64({ ...claims, v: 2 })}.${key}`, `em1.${b64({ ...claims, role: '' })}.${key}`,
      `em1.${b64({ ...claims, role: 'a b' })}.${key}`, `em1.${b64({ ...claims, prefix: '' })}.${key}`,
      `em1.${b64({ ...claims, exp: '1' })}.${key}`, `em1.${b64({ ...claims, iat: 1.5 })}.${key}`,
      `em1.${b64({ ...claims, id: undefined })}.${key}`,
    ];
    for (const s of bad) expect(codeOf(() => parseTicket(s)), String(s).slice(0, 80)).toBe('ticket_malformed');
    for (const p of [undefined, 7, '', 'a.b', '!!!', b64({ v: 1 })]) expect(codeOf(() => parsePayload(p)), String(p)).toBe('ticket_malformed');
    // Whitespace around a fetched ticket is fine.
    expect(parseTicket(`${good}\n`).payload).toBe(payload);
  });

  it('mint options are checked: badarg for role, prefix, ttl (1 s..24 h), cookie, now, id', async () => {
    const ok = { cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000 };
    const bad: Array<Record<string, unknown>> = [
      { ...ok, cookie: '' }, { ...ok, cookie: 3 }, { ...ok, role: '' }, { ...ok, role: 'a b' }, { ...ok, role: 7 },
      { ...ok, prefix: '' }, { ...ok, prefix: 'tab/' }, { ...ok, prefix: undefined }, { ...ok, ttlMs: 999 },
      { ...ok, ttlMs: 24 * 3_600_000 + 1 }, { ...ok, ttlMs: 1.5 }, { ...ok, ttlMs: '60000' }, { ...ok, now: -1 },
      { ...ok, id: 'a.b' },
    ];
    for (const o of bad) {
      expect(codeOf(() => mintTicketSync(o as never)), JSON.stringify(o)).toBe('badarg');
      expect(await asyncCodeOf(mintTicket(o as never)), JSON.stringify(o)).toBe('badarg');
    }
    expect(codeOf(() => mintTicketSync(null as never))).toBe('badarg');
    expect(parseTicket(mintTicketSync({ ...ok, ttlMs: 1_000 })).claims.role).toBe('guest');
    expect(parseTicket(mintTicketSync({ ...ok, ttlMs: 24 * 3_600_000 })).claims.role).toBe('guest');
  });

  it('TicketSource: a string is parsed at once; a function is called for every get, and its failures are ticket_malformed', async () => {
    const t1 = mintTicketSync({ cookie: COOKIE, role: 'r1', prefix: 'tab-', ttlMs: 60_000 });
    const t2 = mintTicketSync({ cookie: COOKIE, role: 'r2', prefix: 'tab-', ttlMs: 60_000 });
    expect(new TicketSource(t1).role).toBe('r1');
    expect(codeOf(() => new TicketSource('nope'))).toBe('ticket_malformed');
    expect(codeOf(() => new TicketSource(5 as never))).toBe('badarg');
    const given = [t1, t2];
    let calls = 0;
    const src = new TicketSource(() => given[calls++]!);
    expect(src.role).toBeUndefined();
    expect((await src.get()).claims.role).toBe('r1');
    expect((await src.get()).claims.role).toBe('r2');
    expect(src.role).toBe('r2');
    expect(calls).toBe(2);
    expect(await asyncCodeOf(new TicketSource(() => Promise.reject(new Error('offline'))).get())).toBe('ticket_malformed');
    expect(await asyncCodeOf(new TicketSource(() => 'garbage').get())).toBe('ticket_malformed');
    expect(await asyncCodeOf(new TicketSource(() => 42 as never).get())).toBe('ticket_malformed');
  });
});
