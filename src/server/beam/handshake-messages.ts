/**
 * The messages of the Erlang distribution handshake (erl_dist_protocol, "Distribution
 * Handshake"), encoded and decoded without their 2-byte length prefix.
 *
 * The exchange, A the initiator and B the acceptor:
 *
 *   A → B  send_name   'N' Flags(8) Creation(4) Nlen(2) Name      (v6; old v5: 'n' Version(2) Flags(4) Name)
 *   B → A  status      's' ok | ok_simultaneous | nok | not_allowed | alive | named:…
 *  (A → B  status      's' true | false                           only after 'alive')
 *   B → A  challenge   'N' Flags(8) Challenge(4) Creation(4) Nlen(2) Name
 *  (A → B  complement  'c' FlagsHigh(4) Creation(4)                only after a v5 send_name)
 *   A → B  reply       'r' Challenge(4) Digest(16)
 *   B → A  ack         'a' Digest(16)
 *
 * Invariants: every integer is big-endian and unsigned; data after a name is ignored, as the
 * protocol asks; a message that is too short or of another tag is `handshake_failed`.
 */
import { ErlmeshError } from '../../core/base/errors.js';

export const TAG_NAME = 0x4e; // 'N'
export const TAG_NAME_V5 = 0x6e; // 'n'
export const TAG_STATUS = 0x73; // 's'
export const TAG_COMPLEMENT = 0x63; // 'c'
export const TAG_REPLY = 0x72; // 'r'
export const TAG_ACK = 0x61; // 'a'

/** The statuses an acceptor answers a send_name with (and `true`/`false` after `alive`). */
export type HandshakeStatus = 'ok' | 'ok_simultaneous' | 'nok' | 'not_allowed' | 'alive' | 'true' | 'false' | `named:${string}`;

export interface SendName {
  version: 5 | 6;
  flags: bigint;
  /** 0 (unknown) in a v5 send_name: it comes in the complement. */
  creation: number;
  name: string;
}

export interface Challenge {
  flags: bigint;
  challenge: number;
  creation: number;
  name: string;
}

export interface Complement {
  flagsHigh: number;
  creation: number;
}

export interface ChallengeReply {
  challenge: number;
  digest: Uint8Array;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function failed(what: string, bytes: Uint8Array): ErlmeshError {
  return new ErlmeshError('handshake_failed', `bad ${what} in the Erlang distribution handshake (${bytes.length} bytes, tag ${bytes[0] ?? 'none'})`);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function expectTag(bytes: Uint8Array, tag: number, min: number, what: string): DataView {
  if (bytes.length < min || bytes[0] !== tag) throw failed(what, bytes);
  return view(bytes);
}

export function encodeSendName(flags: bigint, creation: number, name: string): Uint8Array {
  const n = utf8.encode(name);
  const out = new Uint8Array(15 + n.length);
  const v = view(out);
  out[0] = TAG_NAME;
  v.setBigUint64(1, flags);
  v.setUint32(9, creation);
  v.setUint16(13, n.length);
  out.set(n, 15);
  return out;
}

/** An old (v5) send_name, as OTP 23/24 send it when they do not know the peer's version. */
export function encodeSendNameV5(flags: bigint, name: string): Uint8Array {
  const n = utf8.encode(name);
  const out = new Uint8Array(7 + n.length);
  const v = view(out);
  out[0] = TAG_NAME_V5;
  v.setUint16(1, 5);
  v.setUint32(3, Number(flags & 0xffffffffn));
  out.set(n, 7);
  return out;
}

export function decodeSendName(bytes: Uint8Array): SendName {
  if (bytes[0] === TAG_NAME_V5) {
    const v = expectTag(bytes, TAG_NAME_V5, 7, 'send_name');
    return { version: 5, flags: BigInt(v.getUint32(3)), creation: 0, name: fromUtf8.decode(bytes.subarray(7)) };
  }
  const v = expectTag(bytes, TAG_NAME, 15, 'send_name');
  const len = v.getUint16(13);
  if (bytes.length < 15 + len) throw failed('send_name', bytes);
  return { version: 6, flags: v.getBigUint64(1), creation: v.getUint32(9), name: fromUtf8.decode(bytes.subarray(15, 15 + len)) };
}

export function encodeStatus(status: HandshakeStatus): Uint8Array {
  const s = utf8.encode(status);
  const out = new Uint8Array(1 + s.length);
  out[0] = TAG_STATUS;
  out.set(s, 1);
  return out;
}

export function decodeStatus(bytes: Uint8Array): string {
  expectTag(bytes, TAG_STATUS, 1, 'status');
  return fromUtf8.decode(bytes.subarray(1));
}

export function encodeChallenge(c: Challenge): Uint8Array {
  const n = utf8.encode(c.name);
  const out = new Uint8Array(19 + n.length);
  const v = view(out);
  out[0] = TAG_NAME;
  v.setBigUint64(1, c.flags);
  v.setUint32(9, c.challenge);
  v.setUint32(13, c.creation);
  v.setUint16(17, n.length);
  out.set(n, 19);
  return out;
}

export function decodeChallenge(bytes: Uint8Array): Challenge {
  const v = expectTag(bytes, TAG_NAME, 19, 'challenge');
  const len = v.getUint16(17);
  if (bytes.length < 19 + len) throw failed('challenge', bytes);
  return {
    flags: v.getBigUint64(1),
    challenge: v.getUint32(9),
    creation: v.getUint32(13),
    name: fromUtf8.decode(bytes.subarray(19, 19 + len)),
  };
}

export function encodeComplement(c: Complement): Uint8Array {
  const out = new Uint8Array(9);
  const v = view(out);
  out[0] = TAG_COMPLEMENT;
  v.setUint32(1, c.flagsHigh);
  v.setUint32(5, c.creation);
  return out;
}

export function decodeComplement(bytes: Uint8Array): Complement {
  const v = expectTag(bytes, TAG_COMPLEMENT, 9, 'complement');
  return { flagsHigh: v.getUint32(1), creation: v.getUint32(5) };
}

export function encodeReply(r: ChallengeReply): Uint8Array {
  const out = new Uint8Array(21);
  out[0] = TAG_REPLY;
  view(out).setUint32(1, r.challenge);
  out.set(r.digest, 5);
  return out;
}

export function decodeReply(bytes: Uint8Array): ChallengeReply {
  const v = expectTag(bytes, TAG_REPLY, 21, 'challenge reply');
  if (bytes.length !== 21) throw failed('challenge reply', bytes);
  return { challenge: v.getUint32(1), digest: bytes.slice(5, 21) };
}

export function encodeAck(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(17);
  out[0] = TAG_ACK;
  out.set(digest, 1);
  return out;
}

export function decodeAck(bytes: Uint8Array): Uint8Array {
  expectTag(bytes, TAG_ACK, 17, 'challenge ack');
  if (bytes.length !== 17) throw failed('challenge ack', bytes);
  return bytes.slice(1, 17);
}
