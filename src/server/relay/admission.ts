/**
 * Admission: checking a `register` against the challenge, and handing out creations.
 * Pure functions; the name table lives in the router.
 */
import { createHmac } from 'node:crypto';
import { digestsEqual } from '../../core/dist/auth.js';
import { parseNodeName } from '../../core/dist/names.js';
import { RELAY_PROTOCOL_VERSION, relayProofInput, type RelayRefusal } from '../../core/relay/protocol.js';

/** A well-formed, authenticated registration (the name may still be taken). */
export interface Registration {
  name: string;
  hidden: boolean;
  /** The node takes binary data messages. */
  bin: boolean;
  creation?: number;
  direct?: string;
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
 * `webCrypto.hmacSha256Hex` of src/core/dist/auth.ts, computed synchronously so that
 * admission (check + name claim) happens in one turn of the event loop.
 */
export function relayProof(cookie: string, nonce: string, name: string): string {
  return createHmac('sha256', cookie).update(relayProofInput(nonce, name)).digest('hex');
}

/**
 * Check a `register` message, in this order: version (incompatible_version), name and field
 * shapes (badarg), proof (bad_cookie). Name uniqueness is the caller's business.
 */
export function checkRegister(raw: Record<string, unknown>, nonce: string, cookie: string): Verdict {
  if (raw.v !== RELAY_PROTOCOL_VERSION) {
    return refuse('incompatible_version', `relay protocol version ${RELAY_PROTOCOL_VERSION} required, got ${JSON.stringify(raw.v) ?? 'none'}`);
  }
  const { name, proof, hidden, creation, direct, bin } = raw;
  if (typeof name !== 'string' || name.length > MAX_NAME || !parseNodeName(name)) return refuse('badarg', 'invalid node name');
  if (typeof proof !== 'string') return refuse('badarg', 'proof must be a string');
  if (typeof hidden !== 'boolean') return refuse('badarg', 'hidden must be a boolean');
  if (creation !== undefined && !(Number.isSafeInteger(creation) && (creation as number) >= 0 && (creation as number) <= MAX_CREATION)) {
    return refuse('badarg', 'creation must be an integer in 0..2^32-1');
  }
  if (direct !== undefined && (typeof direct !== 'string' || direct.length > MAX_DIRECT)) return refuse('badarg', 'direct must be a string');
  if (bin !== undefined && typeof bin !== 'boolean') return refuse('badarg', 'bin must be a boolean');
  if (!digestsEqual(proof, relayProof(cookie, nonce, name))) return refuse('bad_cookie', 'cookie proof does not match');
  const reg: Registration = { name, hidden, bin: bin === true };
  if (creation !== undefined) reg.creation = creation as number;
  if (direct !== undefined) reg.direct = direct;
  return { ok: true, reg };
}

/**
 * The creation of a new registration: the greatest of (last handed out for the name + 1), the
 * requested one, and a clock floor (seconds since 2023-11-14), so that creations keep growing
 * across relay restarts.
 */
export function nextCreation(last: number | undefined, requested: number | undefined, nowMs: number = Date.now()): number {
  const floor = Math.floor(nowMs / 1000) - CREATION_EPOCH_S;
  return Math.max(last === undefined ? 1 : last + 1, requested ?? 0, floor);
}

function refuse(code: RelayRefusal, message: string): Verdict {
  return { ok: false, code, message };
}
