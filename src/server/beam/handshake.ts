/**
 * The Erlang distribution handshake as OTP 25 speaks it, in both roles (the message formats
 * are in handshake-messages.ts; dist_util.erl is the reference).
 *
 *   initiator                                   acceptor
 *   send_name 'N' (or old 'n')          →
 *                                       ←       status 's' ok | ok_simultaneous | nok | not_allowed | alive
 *   ('s' true, after alive)             →
 *                                       ←       challenge 'N' (flags, challenge, creation, name)
 *   (complement 'c', after an 'n')      →
 *   reply 'r' (own challenge, digest)   →
 *                                       ←       ack 'a' (digest)
 *
 * Digests are md5(Cookie ++ integer_to_list(Challenge)), Challenge a 32-bit unsigned integer.
 *
 * Invariants: a peer without OTP 25's mandatory flags is refused (`incompatible_version`;
 * the acceptor first answers `not_allowed`, as OTP does); a wrong digest is `bad_cookie` on
 * the side that checks it, and the side whose reply was refused sees the connection close
 * right after its reply, which is also reported as `bad_cookie`; the initiator checks that
 * the node that answered is the node it dialled. These functions only read and write
 * handshake messages: timeouts and closing the socket are the caller's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AuthError, ErlmeshError } from '../../core/base/errors.js';
import { expandMandatory25, flagNames, missingMandatory } from './flags.js';
import {
  decodeAck,
  decodeChallenge,
  decodeComplement,
  decodeReply,
  decodeSendName,
  decodeStatus,
  encodeAck,
  encodeChallenge,
  encodeComplement,
  encodeReply,
  encodeSendName,
  encodeSendNameV5,
  encodeStatus,
} from './handshake-messages.js';

/** Where handshake messages come from and go to (a PacketSocket, in practice). */
export interface HandshakeIo {
  read(): Promise<Uint8Array>;
  write(message: Uint8Array): void;
}

/** This side of a handshake. */
export interface HandshakeSelf {
  /** Full node name, `js@host`. */
  name: string;
  cookie: string;
  /** 32-bit creation of this incarnation. */
  creation: number;
  flags: bigint;
  /** A fresh 32-bit challenge (default: 4 random bytes). */
  challenge?: () => number;
}

/** What a completed handshake established. */
export interface Handshaken {
  peer: string;
  /** The flags the peer offered. */
  peerFlags: bigint;
  peerCreation: number;
  /** The flags in force on the connection: ours and the peer's (its digest bit expanded). */
  flags: bigint;
  /** The peer's send_name version (acceptor) or 6 (initiator). */
  version: 5 | 6;
}

/**
 * The acceptor's answer to a peer that has named itself: `ok`, or what a connection to that
 * peer already in progress or up decides (see BeamNode: the greater name keeps its own
 * attempt).
 */
export type Admission = 'ok' | 'ok_simultaneous' | 'nok' | 'alive' | 'not_allowed';

/** md5(Cookie ++ integer_to_list(Challenge)). */
export function handshakeDigest(cookie: string, challenge: number): Uint8Array {
  return createHash('md5').update(cookie, 'latin1').update(String(challenge >>> 0)).digest();
}

export function randomChallenge(): number {
  return randomBytes(4).readUInt32BE(0);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `name@host` with both parts non-empty, as dist_util:is_node_name/1. */
export function isNodeName(name: string): boolean {
  const parts = name.split('@');
  return parts.length === 2 && parts[0] !== '' && parts[1] !== '';
}

function refuseFlags(peer: string, flags: bigint): ErlmeshError {
  const missing = missingMandatory(flags);
  return new ErlmeshError(
    'incompatible_version',
    `${peer} lacks distribution flags OTP 25 makes mandatory: ${missing.join(', ')}`,
    { peer, missing, flags: flagNames(flags) },
  );
}

/** A read that happens after our reply: a close there means the peer refused our digest. */
async function readAfterReply(io: HandshakeIo, peer: string): Promise<Uint8Array> {
  try {
    return await io.read();
  } catch (e) {
    if (e instanceof ErlmeshError && e.code === 'closed') {
      throw new AuthError('bad_cookie', `${peer} closed the connection at our challenge reply: its cookie is not ours`, { peer });
    }
    throw e;
  }
}

/**
 * The initiator's side: we dialled `peer` and speak first. `version` 5 sends the old 'n'
 * send_name (for tests of acceptors). `isUp` tells whether a connection with `peer` came up
 * meanwhile (its own attempt, accepted here): then an `alive` is answered `false` and the one
 * up is kept, as OTP's initiator does.
 */
export async function initiateHandshake(io: HandshakeIo, me: HandshakeSelf, peer: string, version: 5 | 6 = 6, isUp?: () => boolean): Promise<Handshaken> {
  io.write(version === 6 ? encodeSendName(me.flags, me.creation, me.name) : encodeSendNameV5(me.flags, me.name));
  const status = decodeStatus(await io.read());
  switch (status) {
    case 'ok':
    case 'ok_simultaneous':
      break;
    case 'alive':
      // The peer has a connection with our name up: it is ours too (its attempt reached us
      // first), or a dead incarnation's, which this one replaces.
      if (isUp?.()) {
        io.write(encodeStatus('false'));
        throw new ErlmeshError('handshake_failed', `${peer} and this node are connected already`, { peer, status });
      }
      io.write(encodeStatus('true'));
      break;
    case 'nok':
      throw new ErlmeshError('handshake_failed', `${peer} is connecting to us too and keeps its own attempt`, { peer, status });
    case 'not_allowed':
      throw new AuthError('not_allowed', `${peer} does not allow a connection from ${me.name}`, { peer, status });
    default:
      throw new ErlmeshError('handshake_failed', `${peer} answered our name with the status ${JSON.stringify(status)}`, { peer, status });
  }
  const ch = decodeChallenge(await io.read());
  if (ch.name !== peer) {
    throw new ErlmeshError('handshake_failed', `dialled ${peer} but ${ch.name} answered`, { peer, answered: ch.name });
  }
  if (missingMandatory(ch.flags).length > 0) throw refuseFlags(peer, ch.flags);
  if (version === 5) io.write(encodeComplement({ flagsHigh: Number(me.flags >> 32n), creation: me.creation }));
  const mine = (me.challenge ?? randomChallenge)();
  io.write(encodeReply({ challenge: mine, digest: handshakeDigest(me.cookie, ch.challenge) }));
  const ack = decodeAck(await readAfterReply(io, peer));
  if (!sameBytes(ack, handshakeDigest(me.cookie, mine))) {
    throw new AuthError('bad_cookie', `${peer} answered our challenge with another cookie's digest`, { peer });
  }
  return { peer, peerFlags: ch.flags, peerCreation: ch.creation, flags: me.flags & expandMandatory25(ch.flags), version: 6 };
}

/**
 * The acceptor's side: a peer dialled us. `admit` decides the status once the peer has
 * named itself; for `alive` the peer confirms with 's' true before we go on.
 */
export async function acceptHandshake(io: HandshakeIo, me: HandshakeSelf, admit: (peer: string) => Admission = () => 'ok'): Promise<Handshaken> {
  const sn = decodeSendName(await io.read());
  if (!isNodeName(sn.name)) throw new ErlmeshError('handshake_failed', `a peer named itself ${JSON.stringify(sn.name)}, not name@host`);
  const peer = sn.name;
  // A v5 send_name carries only the low 32 flags; the mandatory ones are all among them.
  if (missingMandatory(sn.flags).length > 0) {
    io.write(encodeStatus('not_allowed'));
    throw refuseFlags(peer, sn.flags);
  }
  const admission = admit(peer);
  io.write(encodeStatus(admission));
  if (admission === 'nok') {
    throw new ErlmeshError('handshake_failed', `${peer} connected while our own connection to it was under way; ours is kept`, { peer, status: admission });
  }
  if (admission === 'not_allowed') throw new AuthError('not_allowed', `${peer} is not allowed to connect`, { peer });
  if (admission === 'alive') {
    const answer = decodeStatus(await io.read());
    if (answer !== 'true') {
      throw new ErlmeshError('handshake_failed', `${peer} answered alive with ${JSON.stringify(answer)}: the connection up is the live one`, { peer, status: answer });
    }
  }
  const mine = (me.challenge ?? randomChallenge)();
  io.write(encodeChallenge({ flags: me.flags, challenge: mine, creation: me.creation, name: me.name }));
  let flags = sn.flags;
  let creation = sn.creation;
  if (sn.version === 5) {
    const c = decodeComplement(await io.read());
    flags |= BigInt(c.flagsHigh) << 32n;
    creation = c.creation;
  }
  const reply = decodeReply(await io.read());
  if (!sameBytes(reply.digest, handshakeDigest(me.cookie, mine))) {
    throw new AuthError('bad_cookie', `${peer} answered our challenge with another cookie's digest`, { peer });
  }
  io.write(encodeAck(handshakeDigest(me.cookie, reply.challenge)));
  return { peer, peerFlags: flags, peerCreation: creation, flags: me.flags & expandMandatory25(flags), version: sn.version };
}
