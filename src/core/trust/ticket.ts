/**
 * Join tickets: how an untrusted node (a browser tab) joins the mesh without the cookie.
 *
 * A server that holds the cookie mints a ticket and hands it to the page:
 *
 *   claims      = TicketClaims (./types.ts): { v: 1, role, prefix, exp, iat, id }
 *   payload     = base64url(JSON(claims))                  (no padding)
 *   signingKey  = HMAC-SHA-256(cookie, 'erlmesh-ticket-1')  (hex)
 *   key_t       = HMAC-SHA-256(signingKey, payload)         (hex, 64 characters)
 *   ticket      = `em1.${payload}.${key_t}`
 *
 * Invariants:
 * - key_t is a secret shared by the holder and every cookie holder (who recompute it from the
 *   payload). It never travels: the holder sends the payload only and proves key_t with HMACs
 *   over fresh challenges (the relay's nonce, the handshake's challenges). So a ticket seen on
 *   the wire (a payload) cannot be replayed, and a payload cannot be altered without changing
 *   key_t, which only cookie holders can compute.
 * - The claims are believed only by someone who checked the proof (a cookie holder: the relay,
 *   a server-node). Expiry is checked when the holder joins (relay admission, handshake), from
 *   `exp` on; connections made before it live on.
 * - The holder's node name must start with `prefix`, so a ticket for `tab-` cannot be used
 *   to register as `demo@host`.
 *
 * Platform-free: HMAC comes from the injected `DistCrypto`; src/server/tickets.ts mints the
 * same strings synchronously with node:crypto.
 */
import { webCrypto, type DistCrypto } from '../base/crypto.js';
import { AuthError, badarg } from '../base/errors.js';
import type { TicketClaims } from '../interfaces/trust.js';

/** The version tag that starts every ticket string. */
export const TICKET_TAG = 'em1';
/** The HMAC input that derives the ticket signing key from the cookie. */
export const TICKET_KEY_LABEL = 'erlmesh-ticket-1';
/** Shortest and longest ticket lifetime `mintTicket` accepts. */
export const MIN_TICKET_TTL_MS = 1_000;
export const MAX_TICKET_TTL_MS = 24 * 60 * 60 * 1_000;
/** Longest payload accepted (a real one is ~150 characters). */
export const MAX_PAYLOAD_CHARS = 1024;

/**
 * A parsed ticket string: its claims, the payload they came from, and key_t (secret).
 *
 * @example
 * const parsed: ParsedTicket = parseTicket(ticket);
 * console.log(parsed.claims.role, new Date(parsed.claims.exp));
 */
export interface ParsedTicket {
  readonly claims: TicketClaims;
  readonly payload: string;
  /** key_t, lowercase hex: never send it. */
  readonly key: string;
}

/** The outcome of checking claims against a holder's name and the time. */
export type ClaimsVerdict = 'ok' | 'ticket_expired' | 'name_not_allowed';

/**
 * What `mintTicket` needs.
 *
 * @example
 * const opts: MintTicketOptions = { cookie, role: 'guest', prefix: 'tab-', ttlMs: 10 * 60_000 };
 * const ticket = await mintTicket(opts);
 */
export interface MintTicketOptions {
  /** The cluster cookie that signs the ticket. */
  cookie: string;
  /** The role the holder acts in (a key of the nodes' Capabilities), e.g. `'guest'`. */
  role: string;
  /** The holder's node name must start with this, e.g. `'tab-'` (or a full name to pin one). */
  prefix: string;
  /** Lifetime in milliseconds, 1 s .. 24 h. */
  ttlMs: number;
  /** Issue time, ms since the epoch; default `Date.now()`. */
  now?: number;
  /** Ticket id (for logs); default 16 random hex digits. */
  id?: string;
  crypto?: DistCrypto;
}

const ROLE_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** The characters of node names (terms/node-names.ts), '@' included so that a prefix may pin a whole name. */
const PREFIX_RE = /^[A-Za-z0-9_.:@[\]-]{1,255}$/;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;
const KEY_RE = /^[0-9a-f]{64}$/;

const enc = new TextEncoder();

function base64url(text: string): string {
  let bin = '';
  for (const b of enc.encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function malformed(why: string): AuthError {
  return new AuthError('ticket_malformed', `not a join ticket: ${why}`);
}

/**
 * Check `mintTicket`'s options and build the claims (shared by the async core and the sync
 * Node minting, so both produce the same payload). Throws `badarg`.
 * @internal
 */
export function mintClaims(o: MintTicketOptions, randomId: () => string): TicketClaims {
  if (o === null || typeof o !== 'object') throw badarg('mintTicket: expects an options object');
  if (typeof o.cookie !== 'string' || o.cookie === '') throw badarg('mintTicket: cookie must be a non-empty string');
  if (typeof o.role !== 'string' || !ROLE_RE.test(o.role)) throw badarg('mintTicket: role must be 1-64 characters of A-Z a-z 0-9 _ -', o.role);
  if (typeof o.prefix !== 'string' || !PREFIX_RE.test(o.prefix)) throw badarg('mintTicket: prefix must be 1-255 node-name characters', o.prefix);
  if (typeof o.ttlMs !== 'number' || !Number.isSafeInteger(o.ttlMs) || o.ttlMs < MIN_TICKET_TTL_MS || o.ttlMs > MAX_TICKET_TTL_MS) {
    throw badarg('mintTicket: ttlMs must be an integer from 1 000 (1 s) to 86 400 000 (24 h)', o.ttlMs);
  }
  const iat = o.now ?? Date.now();
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) throw badarg('mintTicket: now must be a non-negative integer (ms since the epoch)', o.now);
  const id = o.id ?? randomId();
  if (typeof id !== 'string' || !ID_RE.test(id)) throw badarg('mintTicket: id must be 1-64 characters of A-Z a-z 0-9 _ -', o.id);
  // Key order is fixed here: the payload is the signed text.
  return { v: 1, role: o.role, prefix: o.prefix, exp: iat + o.ttlMs, iat, id };
}

/** base64url(JSON(claims)). @internal */
export function encodeClaims(claims: TicketClaims): string {
  return base64url(JSON.stringify({ v: claims.v, role: claims.role, prefix: claims.prefix, exp: claims.exp, iat: claims.iat, id: claims.id }));
}

/** The ticket string for `payload` and its key. @internal */
export function ticketString(payload: string, key: string): string {
  return `${TICKET_TAG}.${payload}.${key}`;
}

/**
 * The claims of a ticket payload (as sent in `register` and the handshake), checked for
 * shape only: the signature is NOT verified here. Throws AuthError `ticket_malformed`.
 *
 * @example
 * parsePayload(parseTicket(ticket).payload).role  // 'guest'
 */
export function parsePayload(payload: unknown): TicketClaims {
  if (typeof payload !== 'string' || payload.length === 0 || payload.length > MAX_PAYLOAD_CHARS || !B64URL_RE.test(payload)) {
    throw malformed('the payload is not base64url text of at most 1024 characters');
  }
  let c: unknown;
  try {
    c = JSON.parse(fromBase64url(payload));
  } catch {
    throw malformed('the payload is not base64url-encoded JSON');
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw malformed('the claims are not an object');
  const o = c as Record<string, unknown>;
  if (o.v !== 1) throw malformed(`unknown ticket version ${JSON.stringify(o.v) ?? 'none'}`);
  if (typeof o.role !== 'string' || !ROLE_RE.test(o.role)) throw malformed('bad role');
  if (typeof o.prefix !== 'string' || !PREFIX_RE.test(o.prefix)) throw malformed('bad prefix');
  if (!Number.isSafeInteger(o.exp) || !Number.isSafeInteger(o.iat)) throw malformed('exp and iat must be integers');
  if (typeof o.id !== 'string' || !ID_RE.test(o.id)) throw malformed('bad id');
  return { v: 1, role: o.role, prefix: o.prefix, exp: o.exp as number, iat: o.iat as number, id: o.id };
}

/**
 * Split a ticket string into its claims, payload and key. Shape only: whether the key really
 * belongs to the payload only a cookie holder can tell. Throws AuthError `ticket_malformed`.
 *
 * @example
 * const { claims, payload, key } = parseTicket('em1.eyJ2Ijox….3f9a…');
 * claims.role  // 'guest'
 */
export function parseTicket(s: unknown): ParsedTicket {
  if (typeof s !== 'string') throw malformed('a ticket is a string');
  const parts = s.trim().split('.');
  if (parts.length !== 3 || parts[0] !== TICKET_TAG) throw malformed(`expected ${TICKET_TAG}.<payload>.<key>`);
  const [, payload, key] = parts as [string, string, string];
  const claims = parsePayload(payload);
  if (!KEY_RE.test(key)) throw malformed('the key is not 64 lowercase hex digits');
  return { claims, payload, key };
}

/**
 * key_t of a payload: what its holder proves, recomputed by a cookie holder.
 *
 * @example
 * const key = await ticketKey(cookie, payload, webCrypto);
 * digestsEqual(proof, await webCrypto.hmacSha256Hex(key, relayProofInput(nonce, name)))
 */
export async function ticketKey(cookie: string, payload: string, crypto: DistCrypto = webCrypto): Promise<string> {
  const signingKey = await crypto.hmacSha256Hex(cookie, TICKET_KEY_LABEL);
  return crypto.hmacSha256Hex(signingKey, payload);
}

/**
 * Check verified claims for a holder named `name` at `nowMs` (ms since the epoch): expired
 * from `exp` on, and the name must start with the (non-empty) prefix.
 *
 * @example
 * checkClaims(claims, 'tab-k3x9q2@myhost', Date.now())  // 'ok' | 'ticket_expired' | 'name_not_allowed'
 */
export function checkClaims(claims: TicketClaims, name: string, nowMs: number): ClaimsVerdict {
  if (!(nowMs < claims.exp)) return 'ticket_expired';
  if (claims.prefix.length === 0 || typeof name !== 'string' || !name.startsWith(claims.prefix)) return 'name_not_allowed';
  return 'ok';
}

/**
 * Mint a join ticket (platform-free, async). On a Node server, `mintTicket` of
 * `erlmesh/server` does the same synchronously.
 *
 * @example
 * const ticket = await mintTicket({ cookie, role: 'guest', prefix: 'tab-', ttlMs: 10 * 60_000 });
 * // 'em1.eyJ2IjoxLCJyb2xlIjoiZ3Vlc3Qi….9c1e…' — hand it to the page, which starts with
 * // startNode({ ticket }) and never sees the cookie
 */
export async function mintTicket(o: MintTicketOptions): Promise<string> {
  const crypto = o?.crypto ?? webCrypto;
  const claims = mintClaims(o, () => crypto.randomHex(8));
  const payload = encodeClaims(claims);
  return ticketString(payload, await ticketKey(o.cookie, payload, crypto));
}

/**
 * What a node's `ticket` option may be: the ticket, or a function fetching a fresh one.
 *
 * @example
 * const ticket: TicketOption = () => fetch('/erlmesh/ticket').then((r) => r.text());
 * await startNode({ sname: `tab-${id}`, relay: 'wss://example.com/erlmesh', ticket });
 */
export type TicketOption = string | (() => string | Promise<string>);

/**
 * A node's own ticket: the option, called anew each time it is needed (relay registration,
 * handshake), so that a page can hand short-lived tickets out one by one.
 *
 * @example
 * const source = new TicketSource(() => fetch('/erlmesh/ticket').then((r) => r.text()));
 * const { payload, key } = await source.get();
 */
export class TicketSource {
  private last: ParsedTicket | undefined;

  constructor(private readonly option: TicketOption) {
    if (typeof option !== 'string' && typeof option !== 'function') throw badarg('ticket: expected a ticket string or a function returning one');
    if (typeof option === 'string') this.last = parseTicket(option);
  }

  /** True when the option is a function (each `get` may give another ticket). */
  get refreshable(): boolean {
    return typeof this.option === 'function';
  }

  /** The role of the last ticket obtained (undefined before the first). */
  get role(): string | undefined {
    return this.last?.claims.role;
  }

  /** The current ticket. Rejects with AuthError `ticket_malformed` when there is no usable one. */
  async get(): Promise<ParsedTicket> {
    if (typeof this.option === 'string') return this.last!;
    let s: unknown;
    try {
      s = await this.option();
    } catch (e) {
      throw new AuthError('ticket_malformed', `the ticket function failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    this.last = parseTicket(s);
    return this.last;
  }
}
