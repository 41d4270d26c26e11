/**
 * The plain-HTTP side of a relay on its own server: who it is, and a local admin interface
 * (what `epmd -names` and `epmd -kill` are to epmd).
 *
 *   GET  /erlmesh/info   → 200 {"erlmesh":"relay","version":"…","protocol":1}
 *        Anyone may ask: this is how a node or the CLI tells an erlmesh relay from epmd or any
 *        other program that holds the port.
 *   POST /erlmesh/admin  {"op":"challenge"}                      → {"nonce":"…"}
 *                        {"op":"names"|"stop"|"stats","nonce","proof"}
 *                          → {"names":[PeerEntry…]} / {"stopping":true,"pid":…} / {"stats":RelayStats}
 *        proof = HMAC-SHA-256(cookie, adminProofInput(nonce, op)), hex: the caller proves the
 *        cluster cookie without sending it. Loopback peers only (403 otherwise); a nonce is
 *        good once, for ADMIN_NONCE_MS.
 *   GET  /erlmesh        → 426 (WebSocket only); anything else → 404.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { digestsEqual } from '../../core/net/proofs.js';
import { RELAY_PATH, RELAY_PROTOCOL_VERSION, type PeerEntry } from '../../core/relay-client/protocol.js';
import { packageVersion } from '../package-info.js';

export const RELAY_INFO_PATH = `${RELAY_PATH}/info`;
export const RELAY_ADMIN_PATH = `${RELAY_PATH}/admin`;
/** How long an admin challenge nonce is good for. */
export const ADMIN_NONCE_MS = 30_000;
/** Outstanding nonces kept at most (the oldest is dropped past this). */
const MAX_NONCES = 64;
/** Largest admin request body read. */
const MAX_BODY = 4096;

/**
 * The identity a relay answers at GET /erlmesh/info (what `probeRelay` reports).
 *
 * @example
 * const probe = await probeRelay('ws://127.0.0.1:4367');
 * if (probe.kind === 'relay') console.log((probe.info satisfies RelayInfo).version);
 */
export interface RelayInfo {
  erlmesh: 'relay';
  version: string;
  protocol: number;
}

export type AdminOp = 'names' | 'stop' | 'stats';

/** The text an admin request signs. */
export function adminProofInput(nonce: string, op: AdminOp): string {
  return `erlmesh-admin-1|${nonce}|${op}`;
}

/** HMAC-SHA-256(cookie, adminProofInput(nonce, op)) in lowercase hex. */
export function adminProof(cookie: string, nonce: string, op: AdminOp): string {
  return createHmac('sha256', cookie).update(adminProofInput(nonce, op)).digest('hex');
}

export function relayInfo(): RelayInfo {
  return { erlmesh: 'relay', version: packageVersion(), protocol: RELAY_PROTOCOL_VERSION };
}

export interface HttpApiContext {
  cookie: string;
  names(): PeerEntry[];
  /** The relay's counters (`relay.stats()`: registered, channels, framesRouted, refused, …). */
  stats(): Record<string, number>;
  /** Asked to stop by an authenticated admin request (after the answer is sent). */
  stop(): void;
  log(line: { level: 'info' | 'warn'; event: string; remote?: string; detail?: string }): void;
}

/** True for a peer address on this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** The 'request' handler of a relay's own server. */
export function httpApi(ctx: HttpApiContext): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const nonces = new Map<string, number>();
  const fresh = (nonce: unknown): boolean => {
    if (typeof nonce !== 'string') return false;
    const issued = nonces.get(nonce);
    nonces.delete(nonce);
    return issued !== undefined && Date.now() - issued <= ADMIN_NONCE_MS;
  };
  const admin = (body: Record<string, unknown>, remote: string, res: http.ServerResponse): void => {
    const { op } = body;
    if (op === 'challenge') {
      const nonce = randomBytes(16).toString('hex');
      nonces.set(nonce, Date.now());
      if (nonces.size > MAX_NONCES) nonces.delete(nonces.keys().next().value!);
      return json(res, 200, { nonce });
    }
    if (op !== 'names' && op !== 'stop' && op !== 'stats') return json(res, 400, { error: 'unknown op' });
    const proof = typeof body.proof === 'string' ? body.proof : '';
    const nonce = body.nonce;
    if (!fresh(nonce) || !digestsEqual(proof, adminProof(ctx.cookie, nonce as string, op))) {
      ctx.log({ level: 'warn', event: 'admin_refused', remote, detail: op });
      return json(res, 401, { error: 'bad_cookie' });
    }
    if (op === 'names') return json(res, 200, { names: ctx.names() });
    if (op === 'stats') return json(res, 200, { stats: ctx.stats() });
    ctx.log({ level: 'info', event: 'admin_stop', remote });
    res.once('finish', () => ctx.stop());
    json(res, 200, { stopping: true, pid: process.pid });
  };
  return (req, res) => {
    const path = pathOf(req.url);
    if (path === RELAY_INFO_PATH && req.method === 'GET') return json(res, 200, relayInfo());
    if (path === RELAY_ADMIN_PATH && req.method === 'POST') {
      const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
      if (!isLoopbackAddress(req.socket.remoteAddress)) return json(res, 403, { error: 'loopback only' });
      return readBody(req, (body) => (body ? admin(body, remote, res) : json(res, 400, { error: 'bad request' })));
    }
    res.writeHead(path === RELAY_PATH ? 426 : 404, { 'content-type': 'text/plain', connection: 'close' });
    res.end(path === RELAY_PATH ? 'erlmesh relay: WebSocket only\n' : 'not found\n');
  };
}

function readBody(req: http.IncomingMessage, done: (body: Record<string, unknown> | undefined) => void): void {
  let text = '';
  let over = false;
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    text += chunk;
    if (text.length > MAX_BODY && !over) {
      over = true;
      done(undefined);
    }
  });
  req.on('end', () => {
    if (over) return;
    try {
      const v: unknown = JSON.parse(text);
      done(v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
    } catch {
      done(undefined);
    }
  });
  req.on('error', () => {});
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The path of a request URL ('' when it does not parse). */
export function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://relay.invalid').pathname;
  } catch {
    return '';
  }
}
