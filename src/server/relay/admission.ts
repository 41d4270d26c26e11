/**
 * Admission: checking a `register` against the challenge (a cookie proof, or a join ticket
 * and the proof of its key), and handing out creations. Pure functions; the name table lives
 * in the router.
 */
import { createHmac } from 'node:crypto';
import { digestsEqual } from '../../core/net/proofs.js';
import { parseNodeName } from '../../core/terms/node-names.js';
import { RELAY_PROTOCOL_VERSION, relayProofInput, type PeerEntry, type RelayRefusal } from '../../core/relay-client/protocol.js';
import { checkClaims, parsePayload } from '../../core/trust/ticket.js';
import type { TicketClaims } from '../../core/interfaces/trust.js';
import { ticketKeySync } from '../tickets.js';

/** A well-formed, authenticated registration (the name may still be taken). */
export interface Registration {
  name: string;
  hidden: boolean;
  /** The node takes binary data messages. */
  bin: boolean;
  creation?: number;
  direct?: string;
  /** The role of a ticket holder (absent: a cookie holder). */
  role?: string;
  /** The ticket a ticket holder registered with (for logs). */
  claims?: TicketClaims;
  /** The node asked for membership (`members` messages; protocol.ts "Membership"). */
  members: boolean;
  /** False: the node does not take part in the mesh (said with `members` only). */
  connectAll: boolean;
}

export type Verdict = { ok: true; reg: Registration } | { ok: false; code: RelayRefusal; message: string };

/** Longest node name accepted (Erlang atoms are at most 255 characters). */
const MAX_NAME = 255;
/** Longest `direct` address accepted. */
const MAX_DIRECT = 2048;
/** Creations are 32-bit in Erlang's external term format. */
const MAX_CREATION = 0xffff_ffff;
/** Creation floor epoch: seconds since this instant (2023-11-14) keep creations growing across relay restarts. */
const CREATION_EPOCH_S = 1_700_000_000;

/**
 * HMAC-SHA-256(cookie, relayProofInput(nonce, name)) in lowercase hex — the same value as
 * `webCrypto.hmacSha256Hex` of src/core/base/crypto.ts, computed synchronously so that
 * admission (check + name claim) happens in one turn of the event loop.
 */
export function relayProof(cookie: string, nonce: string, name: string): string {
  return createHmac('sha256', cookie).update(relayProofInput(nonce, name)).digest('hex');
}

/**
 * Check a `register` message, in this order: version (incompatible_version), name and field
 * shapes (badarg), proof (bad_cookie). With a `ticket`: its shape (ticket_malformed), the proof
 * of its key (ticket_forged), its expiry at `nowMs` (ticket_expired), the name's prefix
 * (name_not_allowed); a ticket holder's `direct` is dropped (tabs take no direct links).
 * Name uniqueness is the caller's business.
 */
export function checkRegister(raw: Record<string, unknown>, nonce: string, cookie: string, nowMs: number = Date.now()): Verdict {
  if (raw.v !== RELAY_PROTOCOL_VERSION) {
    return refuse('incompatible_version', `relay protocol version ${RELAY_PROTOCOL_VERSION} required, got ${JSON.stringify(raw.v) ?? 'none'}`);
  }
  const { name, proof, hidden, creation, direct, bin, members, connectAll } = raw;
  if (typeof name !== 'string' || name.length > MAX_NAME || !parseNodeName(name)) return refuse('badarg', 'invalid node name');
  if (typeof proof !== 'string') return refuse('badarg', 'proof must be a string');
  if (typeof hidden !== 'boolean') return refuse('badarg', 'hidden must be a boolean');
  if (creation !== undefined && !(Number.isSafeInteger(creation) && (creation as number) >= 0 && (creation as number) <= MAX_CREATION)) {
    return refuse('badarg', 'creation must be an integer in 0..2^32-1');
  }
  if (direct !== undefined && (typeof direct !== 'string' || direct.length > MAX_DIRECT)) return refuse('badarg', 'direct must be a string');
  if (bin !== undefined && typeof bin !== 'boolean') return refuse('badarg', 'bin must be a boolean');
  if (members !== undefined && typeof members !== 'boolean') return refuse('badarg', 'members must be a boolean');
  if (connectAll !== undefined && typeof connectAll !== 'boolean') return refuse('badarg', 'connectAll must be a boolean');
  const common = { name, hidden, bin: bin === true, members: members === true, connectAll: connectAll !== false };
  if (raw.ticket !== undefined) return checkTicket(raw.ticket, { ...common, proof, creation: creation as number | undefined }, nonce, cookie, nowMs);
  if (!digestsEqual(proof, relayProof(cookie, nonce, name))) return refuse('bad_cookie', 'cookie proof does not match');
  const reg: Registration = { ...common };
  if (creation !== undefined) reg.creation = creation as number;
  if (direct !== undefined) reg.direct = direct;
  return { ok: true, reg };
}

function checkTicket(
  payload: unknown,
  r: { name: string; proof: string; hidden: boolean; bin: boolean; members: boolean; connectAll: boolean; creation: number | undefined },
  nonce: string,
  cookie: string,
  nowMs: number,
): Verdict {
  let claims: TicketClaims;
  try {
    claims = parsePayload(payload);
  } catch (e) {
    return refuse('ticket_malformed', e instanceof Error ? e.message : 'not a join ticket');
  }
  const key = ticketKeySync(cookie, payload as string);
  const expected = createHmac('sha256', key).update(relayProofInput(nonce, r.name)).digest('hex');
  if (!digestsEqual(r.proof, expected)) return refuse('ticket_forged', `ticket ${claims.id} (role ${claims.role}): the proof does not match (forged, or signed with another cookie)`);
  const verdict = checkClaims(claims, r.name, nowMs);
  if (verdict === 'ticket_expired') return refuse(verdict, `ticket ${claims.id} (role ${claims.role}) expired at ${new Date(claims.exp).toISOString()}`);
  if (verdict === 'name_not_allowed') return refuse(verdict, `ticket ${claims.id} (role ${claims.role}) is for names starting with '${claims.prefix}'`);
  const reg: Registration = { name: r.name, hidden: r.hidden, bin: r.bin, members: r.members, connectAll: r.connectAll, role: claims.role, claims };
  if (r.creation !== undefined) reg.creation = r.creation;
  return { ok: true, reg };
}

/**
 * The creation of a new registration: the greatest of (last handed out for the name + 1), the
 * requested one, and a clock floor (seconds since 2023-11-14), so that creations keep growing
 * across relay restarts. A node that re-registers asks for the creation it has (the same
 * incarnation, back after a lost relay socket or a relay restart) and keeps it when it is the
 * last one handed out for the name, or when this relay has handed out none: its pids and its
 * peers' view of it stay those of one incarnation (the relay's membership vouches for the
 * creation the node's handshakes carry).
 */
export function nextCreation(last: number | undefined, requested: number | undefined, nowMs: number = Date.now()): number {
  if (requested !== undefined && requested > 0 && (last === undefined || requested === last)) return requested;
  return Math.max(last === undefined ? 1 : last + 1, requested ?? 0, creationFloor(nowMs));
}

/** The clock floor of creations at `nowMs`: seconds since 2023-11-14 (see nextCreation). */
export function creationFloor(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000) - CREATION_EPOCH_S;
}

/** The entry a registration is listed with (protocol.ts `PeerEntry`, before membership fields). */
export function peerEntry(reg: Registration): PeerEntry {
  const entry: PeerEntry = { name: reg.name, hidden: reg.hidden };
  if (reg.direct !== undefined) entry.direct = reg.direct;
  if (reg.role !== undefined) entry.role = reg.role;
  return entry;
}

function refuse(code: RelayRefusal, message: string): Verdict {
  return { ok: false, code, message };
}
