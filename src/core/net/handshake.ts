/**
 * The distribution handshake, written once for both roles (as OTP's dist_util):
 * `handshakeWeStarted` (the initiator, A) and `handshakeOtherStarted` (the acceptor, B).
 *
 *   A → B  hello { v, name, creation, flags, ticket? }
 *   B → A  status { ok | ok_simultaneous | nok | not_allowed | incompatible_version | name_mode_mismatch | bad_name | alive
 *                   | ticket_expired | ticket_malformed | name_not_allowed }
 *   B → A  challenge { v, name, creation, flags, challenge: cB, ticket? }
 *   A → B  challenge_reply { challenge: cA, digest: HMAC(K, initiator|cB|A|B) }
 *   B → A  challenge_ack { digest: HMAC(K, acceptor|cA|A|B) }  | refused { bad_cookie | ticket_forged | not_allowed }
 *
 * Invariants: the cookie is never sent; A proves first; each step is bounded by the setup
 * timeout; every refusal names its reason, which becomes the caller's `lastConnectError`
 * while the API result stays `pang`; the acceptor logs refusals as Erlang does.
 *
 * Join tickets (src/core/trust/ticket.ts). A ticket holder (an untrusted tab) sends its
 * ticket's payload in `ticket` (hello as A, challenge as B), never its key_t. Each side picks
 * the digest key K once it has the other's frame:
 * - neither side has a ticket: K = the cookie (the frames are exactly those of before);
 * - exactly one side has one: K = key_t of that ticket. The holder knows it; the cookie side
 *   recomputes it from the payload, and first checks the claims: not expired (`ticket_expired`),
 *   the holder's name starts with the prefix (`name_not_allowed`). A wrong digest then means a
 *   forged ticket, or one signed with another cookie (`ticket_forged`). The peer's role is the
 *   ticket's, as verified;
 * - both have one (tab ↔ tab): neither can verify the other. They connect only over a channel
 *   the transport attests (src/core/trust/attestation.ts): the relay admitted the other
 *   end, with this name and this role. Digests are then '' on both sides and not checked; the
 *   peer's role is the relay's word, and a ticket whose role differs from it is refused. This
 *   trust rests on the relay connection (wss://). Cookie holders never accept such an attested
 *   handshake: they always check a proof.
 * Whatever the case, on an attested channel the peer's name must be the one the relay admitted,
 * and a ticket holder is accepted on attested channels only (elsewhere its name would be its
 * own word): refusals `not_allowed`.
 *
 * Relay-vouched hello (issue 13). Between two cookie holders on a channel the relay vouches for
 * (attestation.ts `vouched`: it admitted the other end with the cluster cookie, and both ends
 * take part in its membership), and when each side's cookie for the other is the one it
 * registered with at that relay (`env.vouch`), the proofs add nothing the relay has not checked
 * already (it holds the cookie). Then:
 *
 *   A → B  hello { …, vouch: true }
 *   B → A  status { ok | ok_simultaneous, vouched: true }
 *   B → A  challenge { v, name, creation, flags, challenge: '' }     — and the handshake ends
 *
 * B agrees only when it can vouch too (its own `env.vouch`), after every check of a hello
 * (version, name, mode, allow list, arbitration). Otherwise it answers as ever (status without
 * `vouched`, a real challenge), and A goes on with the full handshake: a node that does not
 * know `vouch` ignores it, so the exchange is negotiated in the frames themselves. A, having
 * asked, takes the encoding it prefers from its hello on (B may send in it right after its
 * challenge); B sends in it after its challenge. A `vouched` status A did not ask for is a
 * protocol error (`handshake_failed`). Ticket holders never ask and never agree.
 *
 * Encoding: every handshake frame is superjson-1 text. Each side computes the encoding of
 * the rest of the connection from both `flags.encodings` lists (encodings.ts `chooseEncoding`,
 * symmetric), accepts it from the peer as soon as it knows it (A on `challenge`, B on
 * `hello`: before the peer can send in it), and sends in it once its own last handshake frame
 * is out (A after `challenge_reply`, B after `challenge_ack`).
 */
import type { Clock } from '../base/clock.js';
import { AuthError, ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import type { ChannelAttestation } from './attestation.js';
import { checkClaims, parsePayload, ticketKey, type ParsedTicket } from '../trust/ticket.js';
import type { TicketClaims } from '../interfaces/trust.js';
import { digestsEqual, proofInput, type DistCrypto } from './proofs.js';
import { parseNodeName } from '../terms/node-names.js';
import type { FramedChannel } from './framed-channel.js';
import { PROTOCOL_VERSION, type AnyFrame, type FrameOf, type HandshakeStatus, type NodeFlags, type RefusedReason } from './frames.js';
import { chooseEncoding, type WireEncoding } from './encodings.js';
import { fragmentLimits } from './fragments.js';

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
  /** The connection was made on the relay's word ("Relay-vouched hello"). */
  vouched?: boolean;
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
  /**
   * This node's join ticket, fetched anew for each handshake; absent for a cookie holder.
   * Rejects with an ErlmeshError (`ticket_malformed`) when there is no usable ticket.
   */
  ticket?: () => Promise<ParsedTicket>;
  /** Wall-clock time, ms since the epoch (ticket expiry). Default `Date.now`. */
  wallNow?: () => number;
  /**
   * True when this node may connect to `peer` on the relay's word over a channel attested
   * `att` (see "Relay-vouched hello"); absent: never.
   */
  vouch?(peer: string, att: ChannelAttestation | undefined): boolean;
}

async function expect<T extends AnyFrame['t']>(framed: FramedChannel, env: HandshakeEnv, ...tags: T[]): Promise<FrameOf<T>> {
  const f = await framed.next(env.clock, env.setupTimeoutMs);
  if (!(tags as string[]).includes(f.t)) {
    framed.close('handshake_failed');
    throw new AuthError('handshake_failed', `expected ${tags.join(' or ')}, got ${String(f.t)}`);
  }
  return f as FrameOf<T>;
}

const STATUS_CODES: Partial<Record<HandshakeStatus, ErlmeshErrorCode>> = {
  not_allowed: 'not_allowed',
  incompatible_version: 'incompatible_version',
  name_mode_mismatch: 'name_mode_mismatch',
  bad_name: 'badarg',
  ticket_expired: 'ticket_expired',
  ticket_malformed: 'ticket_malformed',
  name_not_allowed: 'name_not_allowed',
};

const REFUSED_CODES: Record<RefusedReason, ErlmeshErrorCode> = {
  bad_cookie: 'bad_cookie',
  not_allowed: 'not_allowed',
  handshake_failed: 'handshake_failed',
  ticket_forged: 'ticket_forged',
};

/**
 * How this side proves and checks, once it knows both sides: a digest key (and the code a
 * wrong digest means), or the relay's attestation between two ticket holders.
 */
type KeyPlan =
  | { kind: 'key'; key: string; mismatch: 'bad_cookie' | 'ticket_forged'; peerRole: string | undefined; claims?: TicketClaims }
  | { kind: 'attested'; peerRole: string };

type Refusal = { refuse: 'ticket_expired' | 'ticket_malformed' | 'name_not_allowed' | 'not_allowed'; why: string };

/** This node's own ticket for one handshake, bounded by the setup timeout. */
function ownTicket(env: HandshakeEnv): Promise<ParsedTicket | undefined> {
  const get = env.ticket;
  if (!get) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const timer = env.clock.setTimeout(() => reject(new AuthError('ticket_malformed', 'no ticket within the setup timeout')), env.setupTimeoutMs);
    get().then(
      (t) => {
        env.clock.clearTimeout(timer);
        resolve(t);
      },
      (e: unknown) => {
        env.clock.clearTimeout(timer);
        reject(e instanceof ErlmeshError ? e : new AuthError('ticket_malformed', `no usable ticket: ${String(e)}`));
      },
    );
  });
}

/** Decide the key (see the header) from what the peer `peerName` sent and the channel's attestation. */
async function plan(
  env: HandshakeEnv,
  mine: ParsedTicket | undefined,
  peerName: string,
  peerTicket: unknown,
  att: ChannelAttestation | undefined,
): Promise<KeyPlan | Refusal> {
  if (att && att.name !== peerName) return { refuse: 'not_allowed', why: `the relay admitted the other end of this channel as ${att.name}` };
  if (peerTicket === undefined) {
    if (att?.role !== undefined) return { refuse: 'not_allowed', why: `the relay admitted it with a ticket (role ${att.role}), but it shows none` };
    // A cookie holder: it proves the cookie, or (towards a ticket holder) key_t of our ticket.
    if (mine) return { kind: 'key', key: mine.key, mismatch: 'ticket_forged', peerRole: undefined };
    return { kind: 'key', key: env.cookieFor(peerName), mismatch: 'bad_cookie', peerRole: undefined };
  }
  let claims: TicketClaims;
  try {
    claims = parsePayload(peerTicket);
  } catch {
    return { refuse: 'ticket_malformed', why: 'its join ticket is malformed' };
  }
  if (!att) return { refuse: 'not_allowed', why: `a ticket holder (role ${claims.role}) is admitted only over the relay, which vouches for its name` };
  if (att.role !== claims.role) {
    return { refuse: 'not_allowed', why: `its ticket says role ${claims.role}, the relay admitted it as ${att.role === undefined ? 'a cookie holder' : `role ${att.role}`}` };
  }
  if (mine) return { kind: 'attested', peerRole: att.role };
  const verdict = checkClaims(claims, peerName, (env.wallNow ?? Date.now)());
  if (verdict === 'ticket_expired') return { refuse: verdict, why: `its join ticket (id ${claims.id}, role ${claims.role}) expired at ${new Date(claims.exp).toISOString()}` };
  if (verdict === 'name_not_allowed') return { refuse: verdict, why: `its join ticket (id ${claims.id}) is for names starting with ${claims.prefix}` };
  const key = await ticketKey(env.cookieFor(peerName), peerTicket as string, env.crypto);
  return { kind: 'key', key, mismatch: 'ticket_forged', peerRole: claims.role, claims };
}

function withRole(info: Omit<PeerInfo, 'role'>, role: string | undefined): PeerInfo {
  return role === undefined ? info : { ...info, role };
}

/** The initiator's side. Resolves with the peer's info, or rejects with an `AuthError`. */
export async function handshakeWeStarted(
  framed: FramedChannel,
  env: HandshakeEnv,
  peer: string,
  att?: ChannelAttestation,
  stillWanted?: () => boolean,
): Promise<PeerInfo> {
  let mine: ParsedTicket | undefined;
  try {
    mine = await ownTicket(env);
  } catch (e) {
    framed.close('handshake_failed');
    env.log('error', `** Connection attempt to node ${peer} aborted: this node has no usable join ticket (${e instanceof Error ? e.message : String(e)}) **`);
    throw e;
  }
  // Fetching the ticket took time: the peer's own attempt may have connected us meanwhile. A
  // hello now would replace that connection (the peer takes it for a reconnect) and lose both.
  if (stillWanted && !stillWanted()) {
    framed.close('superseded');
    throw new AuthError('handshake_failed', `connection to ${peer} made by the other side meanwhile`, { status: 'superseded' });
  }
  const vouch = !mine && env.vouch?.(peer, att) === true;
  framed.send({ t: 'hello', v: PROTOCOL_VERSION, name: env.name, creation: env.creation, flags: env.flags, ...(mine ? { ticket: mine.payload } : {}), ...(vouch ? { vouch: true } : {}) });
  const early = chooseEncoding(env.flags.encodings, env.flags.encodings);
  if (vouch) framed.acceptEncoding(early, fragmentLimits(env.flags, undefined).recv);
  const { status, vouched } = await expect(framed, env, 'status');
  if (status !== 'ok' && status !== 'ok_simultaneous') {
    framed.close(status);
    throw new AuthError(STATUS_CODES[status] ?? 'handshake_failed', `handshake refused by ${peer}: ${status}`, { status });
  }
  const ch = await expect(framed, env, 'challenge');
  if (ch.name !== peer || ch.v !== PROTOCOL_VERSION) {
    framed.close('handshake_failed');
    throw new AuthError(ch.v !== PROTOCOL_VERSION ? 'incompatible_version' : 'handshake_failed', `unexpected peer ${String(ch.name)} v${String(ch.v)}`);
  }
  if (vouched === true) {
    if (!vouch || ch.ticket !== undefined) {
      framed.close('handshake_failed');
      throw new AuthError('handshake_failed', `${peer} answered a vouched status to a hello that did not ask for it`);
    }
    const encoding = chooseEncoding(env.flags.encodings, ch.flags?.encodings);
    const limits = fragmentLimits(env.flags, ch.flags);
    if (encoding !== early) framed.acceptEncoding(encoding, limits.recv);
    framed.useEncoding(encoding, limits.send);
    return { name: ch.name, creation: ch.creation, flags: ch.flags, encoding, vouched: true };
  }
  const p = await plan(env, mine, peer, ch.ticket, att);
  if ('refuse' in p) {
    env.log('error', `** Connection attempt to node ${peer} aborted: ${p.why} **`);
    framed.close(p.refuse);
    throw new AuthError(p.refuse, `${peer}: ${p.why}`);
  }
  const encoding = chooseEncoding(env.flags.encodings, ch.flags?.encodings);
  const limits = fragmentLimits(env.flags, ch.flags);
  framed.acceptEncoding(encoding, limits.recv);
  const myChallenge = env.crypto.randomHex(32);
  const digest = p.kind === 'key' ? await env.crypto.hmacSha256Hex(p.key, proofInput('initiator', ch.challenge, env.name, peer)) : '';
  framed.send({ t: 'challenge_reply', challenge: myChallenge, digest });
  const ack = await expect(framed, env, 'challenge_ack', 'refused');
  if (ack.t === 'refused') {
    framed.close(ack.reason);
    throw new AuthError(REFUSED_CODES[ack.reason] ?? 'handshake_failed', `refused by ${peer}: ${String(ack.reason)}`);
  }
  if (p.kind === 'key') {
    const expected = await env.crypto.hmacSha256Hex(p.key, proofInput('acceptor', myChallenge, env.name, peer));
    if (!digestsEqual(ack.digest, expected)) {
      framed.close(p.mismatch);
      env.log(
        'error',
        p.mismatch === 'bad_cookie'
          ? `** Connection attempt to node ${peer} aborted: the peer's challenge ack is invalid (cookie mismatch) **`
          : `** Connection attempt to node ${peer} aborted: the peer's challenge ack is invalid (join ticket not signed with this cookie) **`,
      );
      throw new AuthError(p.mismatch, `${peer} could not prove the ${p.mismatch === 'bad_cookie' ? 'cookie' : 'join ticket'}`);
    }
  }
  framed.useEncoding(encoding, limits.send);
  return withRole({ name: ch.name, creation: ch.creation, flags: ch.flags, encoding }, p.peerRole);
}

/** The acceptor's side. Resolves with the peer's info, or rejects with an `AuthError`. */
export async function handshakeOtherStarted(framed: FramedChannel, env: HandshakeEnv, att?: ChannelAttestation): Promise<PeerInfo> {
  // Fetch our own ticket while the hello is on its way.
  const mineP = ownTicket(env);
  mineP.catch(() => {});
  const hello = await expect(framed, env, 'hello');
  const refuse = (status: HandshakeStatus, code: ErlmeshErrorCode, log?: string): never => {
    if (log) env.log('error', log);
    framed.send({ t: 'status', status });
    framed.close(status);
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
  let mine: ParsedTicket | undefined;
  try {
    mine = await mineP;
  } catch (e) {
    env.log('error', `** Connection attempt from node ${hello.name} rejected: this node has no usable join ticket (${e instanceof Error ? e.message : String(e)}) **`);
    framed.close('handshake_failed');
    throw e;
  }
  const p = await plan(env, mine, hello.name, hello.ticket, att);
  if ('refuse' in p) refuse(p.refuse, p.refuse, `** Connection attempt from node ${hello.name} rejected: ${p.why} **`);
  const keyPlan = p as KeyPlan;
  const verdict = env.arbitrate(hello.name, hello.creation);
  if (verdict === 'nok') {
    framed.send({ t: 'status', status: 'nok' });
    framed.close('nok');
    throw new AuthError('handshake_failed', 'simultaneous connect: keeping our own attempt', { status: 'nok' });
  }
  const encoding = chooseEncoding(env.flags.encodings, hello.flags?.encodings);
  const limits = fragmentLimits(env.flags, hello.flags);
  framed.acceptEncoding(encoding, limits.recv);
  if (hello.vouch === true && hello.ticket === undefined && !mine && env.vouch?.(hello.name, att) === true) {
    framed.send({ t: 'status', status: verdict, vouched: true });
    framed.send({ t: 'challenge', v: PROTOCOL_VERSION, name: env.name, creation: env.creation, flags: env.flags, challenge: '' });
    framed.useEncoding(encoding, limits.send);
    return { name: hello.name, creation: hello.creation, flags: hello.flags, encoding, vouched: true };
  }
  framed.send({ t: 'status', status: verdict });
  const myChallenge = env.crypto.randomHex(32);
  framed.send({
    t: 'challenge',
    v: PROTOCOL_VERSION,
    name: env.name,
    creation: env.creation,
    flags: env.flags,
    challenge: myChallenge,
    ...(mine ? { ticket: mine.payload } : {}),
  });
  const reply = await expect(framed, env, 'challenge_reply');
  let digest = '';
  if (keyPlan.kind === 'key') {
    const expected = await env.crypto.hmacSha256Hex(keyPlan.key, proofInput('initiator', myChallenge, hello.name, env.name));
    if (!digestsEqual(reply.digest, expected)) {
      const c = keyPlan.claims;
      env.log(
        'error',
        keyPlan.mismatch === 'bad_cookie'
          ? `** Connection attempt from node ${hello.name} rejected. Invalid challenge reply. **`
          : c
            ? `** Connection attempt from node ${hello.name} rejected. Invalid challenge reply: forged join ticket (id ${c.id}, role ${c.role}) or one signed with another cookie. **`
            : `** Connection attempt from node ${hello.name} rejected. Invalid challenge reply: it cannot prove this node's join ticket. **`,
      );
      framed.send({ t: 'refused', reason: keyPlan.mismatch });
      framed.close(keyPlan.mismatch);
      throw new AuthError(keyPlan.mismatch, `${hello.name} could not prove the ${keyPlan.mismatch === 'bad_cookie' ? 'cookie' : 'join ticket'}`);
    }
    digest = await env.crypto.hmacSha256Hex(keyPlan.key, proofInput('acceptor', reply.challenge, hello.name, env.name));
  }
  framed.send({ t: 'challenge_ack', digest });
  framed.useEncoding(encoding, limits.send);
  return withRole({ name: hello.name, creation: hello.creation, flags: hello.flags, encoding }, keyPlan.peerRole);
}
