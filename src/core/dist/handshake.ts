/**
 * The distribution handshake, written once for both roles (as OTP's dist_util):
 * `handshakeWeStarted` (the initiator, A) and `handshakeOtherStarted` (the acceptor, B).
 *
 *   A → B  hello { v, name, creation, flags }
 *   B → A  status { ok | ok_simultaneous | nok | not_allowed | incompatible_version | name_mode_mismatch | bad_name | alive }
 *   B → A  challenge { v, name, creation, flags, challenge: cB }
 *   A → B  challenge_reply { challenge: cA, digest: HMAC(cookie, initiator|cB|A|B) }
 *   B → A  challenge_ack { digest: HMAC(cookie, acceptor|cA|A|B) }  | refused { bad_cookie }
 *
 * Invariants: the cookie is never sent; A proves first; each step is bounded by the setup
 * timeout; every refusal names its reason, which becomes the caller's `lastConnectError`
 * while the API result stays `pang`; the acceptor logs refusals as Erlang does.
 *
 * Encoding: every handshake frame is superjson-1 text. Each side computes the encoding of
 * the rest of the connection from both `flags.encodings` lists (wire.ts `chooseEncoding`,
 * symmetric), accepts it from the peer as soon as it knows it (A on `challenge`, B on
 * `hello`: before the peer can send in it), and sends in it once its own last handshake frame
 * is out (A after `challenge_reply`, B after `challenge_ack`).
 */
import type { Clock } from '../clock.js';
import { AuthError, type ErlmeshErrorCode } from '../errors.js';
import { digestsEqual, proofInput, type DistCrypto } from './auth.js';
import { parseNodeName } from './names.js';
import type { Port } from './port.js';
import { PROTOCOL_VERSION, type AnyFrame, type FrameOf, type HandshakeStatus, type NodeFlags } from './protocol.js';
import { chooseEncoding, type WireEncoding } from './wire.js';

/** What each side learns about the other. */
export interface PeerInfo {
  name: string;
  creation: number;
  flags: NodeFlags;
  /** The encoding both sides use after the handshake. */
  encoding: WireEncoding;
  /**
   * The peer's role when it was admitted with a join ticket (src/core/security); undefined
   * for a cookie holder (full trust).
   */
  role?: string;
}

export interface HandshakeEnv {
  name: string;
  creation: number;
  flags: NodeFlags;
  clock: Clock;
  setupTimeoutMs: number;
  crypto: DistCrypto;
  cookieFor(peer: string): string;
  isAllowed(peer: string): boolean;
  /** Acceptor only: decide about a hello from `peer` given connections already in place. */
  arbitrate(peer: string, creation: number): 'ok' | 'ok_simultaneous' | 'nok';
  log(level: 'info' | 'warning' | 'error', text: string): void;
}

async function expect<T extends AnyFrame['t']>(port: Port, env: HandshakeEnv, ...tags: T[]): Promise<FrameOf<T>> {
  const f = await port.next(env.clock, env.setupTimeoutMs);
  if (!(tags as string[]).includes(f.t)) {
    port.close('handshake_failed');
    throw new AuthError('handshake_failed', `expected ${tags.join(' or ')}, got ${String(f.t)}`);
  }
  return f as FrameOf<T>;
}

const STATUS_CODES: Partial<Record<HandshakeStatus, ErlmeshErrorCode>> = {
  not_allowed: 'not_allowed',
  incompatible_version: 'incompatible_version',
  name_mode_mismatch: 'name_mode_mismatch',
  bad_name: 'badarg',
};

/** The initiator's side. Resolves with the peer's info, or rejects with an `AuthError`. */
export async function handshakeWeStarted(port: Port, env: HandshakeEnv, peer: string): Promise<PeerInfo> {
  port.send({ t: 'hello', v: PROTOCOL_VERSION, name: env.name, creation: env.creation, flags: env.flags });
  const { status } = await expect(port, env, 'status');
  if (status !== 'ok' && status !== 'ok_simultaneous') {
    port.close(status);
    throw new AuthError(STATUS_CODES[status] ?? 'handshake_failed', `handshake refused by ${peer}: ${status}`, { status });
  }
  const ch = await expect(port, env, 'challenge');
  if (ch.name !== peer || ch.v !== PROTOCOL_VERSION) {
    port.close('handshake_failed');
    throw new AuthError(ch.v !== PROTOCOL_VERSION ? 'incompatible_version' : 'handshake_failed', `unexpected peer ${String(ch.name)} v${String(ch.v)}`);
  }
  const encoding = chooseEncoding(env.flags.encodings, ch.flags?.encodings);
  port.acceptEncoding(encoding);
  const cookie = env.cookieFor(peer);
  const myChallenge = env.crypto.randomHex(32);
  const digest = await env.crypto.hmacSha256Hex(cookie, proofInput('initiator', ch.challenge, env.name, peer));
  port.send({ t: 'challenge_reply', challenge: myChallenge, digest });
  const ack = await expect(port, env, 'challenge_ack', 'refused');
  if (ack.t === 'refused') {
    port.close(ack.reason);
    throw new AuthError(ack.reason === 'not_allowed' ? 'not_allowed' : ack.reason === 'bad_cookie' ? 'bad_cookie' : 'handshake_failed', `refused by ${peer}: ${ack.reason}`);
  }
  const expected = await env.crypto.hmacSha256Hex(cookie, proofInput('acceptor', myChallenge, env.name, peer));
  if (!digestsEqual(ack.digest, expected)) {
    port.close('bad_cookie');
    env.log('error', `** Connection attempt to node ${peer} aborted: the peer's challenge ack is invalid (cookie mismatch) **`);
    throw new AuthError('bad_cookie', `${peer} could not prove the cookie`);
  }
  port.useEncoding(encoding);
  return { name: ch.name, creation: ch.creation, flags: ch.flags, encoding };
}

/** The acceptor's side. Resolves with the peer's info, or rejects with an `AuthError`. */
export async function handshakeOtherStarted(port: Port, env: HandshakeEnv): Promise<PeerInfo> {
  const hello = await expect(port, env, 'hello');
  const refuse = (status: HandshakeStatus, code: ErlmeshErrorCode, log?: string): never => {
    if (log) env.log('error', log);
    port.send({ t: 'status', status });
    port.close(status);
    throw new AuthError(code, `refused ${String(hello.name)}: ${status}`, { status });
  };
  if (hello.v !== PROTOCOL_VERSION) {
    refuse('incompatible_version', 'incompatible_version', `** Connection attempt from node ${String(hello.name)} rejected: protocol version ${String(hello.v)}, this node speaks ${PROTOCOL_VERSION} **`);
  }
  const parsed = parseNodeName(hello.name);
  if (!parsed || hello.name === env.name) refuse('bad_name', 'badarg', `** Connection attempt with an illegal node name ${String(hello.name)} **`);
  if (parsed!.mode !== env.flags.mode || hello.flags?.mode !== env.flags.mode) {
    refuse('name_mode_mismatch', 'name_mode_mismatch', `** Connection attempt from node ${hello.name} rejected: it uses ${parsed!.mode} names, this node ${env.flags.mode} names **`);
  }
  if (!env.isAllowed(hello.name)) refuse('not_allowed', 'not_allowed', `** Connection attempt from disallowed node ${hello.name} **`);
  const verdict = env.arbitrate(hello.name, hello.creation);
  if (verdict === 'nok') {
    port.send({ t: 'status', status: 'nok' });
    port.close('nok');
    throw new AuthError('handshake_failed', 'simultaneous connect: keeping our own attempt', { status: 'nok' });
  }
  const encoding = chooseEncoding(env.flags.encodings, hello.flags?.encodings);
  port.acceptEncoding(encoding);
  port.send({ t: 'status', status: verdict });
  const myChallenge = env.crypto.randomHex(32);
  port.send({ t: 'challenge', v: PROTOCOL_VERSION, name: env.name, creation: env.creation, flags: env.flags, challenge: myChallenge });
  const reply = await expect(port, env, 'challenge_reply');
  const cookie = env.cookieFor(hello.name);
  const expected = await env.crypto.hmacSha256Hex(cookie, proofInput('initiator', myChallenge, hello.name, env.name));
  if (!digestsEqual(reply.digest, expected)) {
    env.log('error', `** Connection attempt from node ${hello.name} rejected. Invalid challenge reply. **`);
    port.send({ t: 'refused', reason: 'bad_cookie' });
    port.close('bad_cookie');
    throw new AuthError('bad_cookie', `${hello.name} could not prove the cookie`);
  }
  const digest = await env.crypto.hmacSha256Hex(cookie, proofInput('acceptor', reply.challenge, hello.name, env.name));
  port.send({ t: 'challenge_ack', digest });
  port.useEncoding(encoding);
  return { name: hello.name, creation: hello.creation, flags: hello.flags, encoding };
}
