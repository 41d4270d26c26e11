/**
 * The erlmesh distribution protocol: every frame two nodes exchange, in one place.
 *
 * Exchange (over one `Channel`; the initiator is A, the acceptor is B):
 *
 *   A → B  hello            { v, name, creation, flags, ticket? }
 *   B → A  status           { status }        'ok' | 'ok_simultaneous' | refusal, see HandshakeStatus
 *   B → A  challenge        { v, name, creation, flags, challenge: cB, ticket? }
 *   A → B  challenge_reply  { challenge: cA, digest: HMAC(K, 'A' | cB | A | B) }
 *   B → A  challenge_ack    { digest: HMAC(K, 'B' | cA | A | B) }   or refused { reason }
 *   …then either side, in any order: the DistFrame signals below, `peers`, and `tick`.
 *
 * Join tickets (src/core/trust/ticket.ts): a ticket holder puts its ticket's payload (never
 * its key) in `ticket`. The digest key K is the cookie when neither side has a ticket, key_t
 * of the one ticket when exactly one side has one, and there are no digests ('') between two
 * ticket holders, which connect only on the relay's attestation (see handshake.ts).
 *
 * Invariants:
 * - The cookie never travels; each side proves it with an HMAC-SHA-256 digest over the other
 *   side's fresh random challenge, bound to the role and both names (no reflection).
 *   A proves first, then B (as in Erlang's dist_util).
 * - A refusing acceptor says why (`status` or `refused`) before it closes, so the caller can
 *   report a local reason (`lastConnectError`) while the API result stays Erlang's `pang`.
 * - `v` must equal PROTOCOL_VERSION on both sides; a mismatch is refused with
 *   `incompatible_version` during the handshake, never discovered later.
 * - Frames between one pair of processes arrive in the order sent (the channel is ordered).
 * - Simultaneous connects: an acceptor with its own attempt in flight keeps the connection
 *   started by the node whose name sorts lower (`ok_simultaneous`), refusing the other (`nok`).
 * - Encodings (encodings.ts): the handshake frames are always superjson-1 text, one per transport
 *   frame. `flags.encodings` lists the encodings a node speaks (absent: superjson-1 only); after
 *   the handshake both sides use the first of ['fast-3', 'fast-2', 'fast-1', 'superjson-2', 'superjson-1']
 *   both list (the -2 versions also carry BEAM terms, fast-3 positional signal frames). In the
 *   fast encodings the DistFrames of one event-loop turn travel as one binary batch, in order; a batch counts as
 *   traffic for ticks like any frame. A frame or batch that cannot be decoded closes the
 *   connection with `bad_frame`.
 *
 * History: 1 — first version (superjson-encoded frames). Still 1, compatibly extended: the
 * optional `flags.encodings` and the fast-1 binary batches negotiated with it (a node that
 * does not list encodings gets superjson-1, exactly as before), and fast-2 / superjson-2 (the
 * BEAM term classes) negotiated the same way, and fast-3 (positional signal frames,
 * frame-codes.ts) likewise; the optional
 * `flags.maxMessageBytes` and the fast-1 fragments of big frames sent only to a node that
 * states it (fragments.ts); the optional `flags.flowControl` and the `pause`/`resume` frames
 * sent only to a node that states it (inbound-flow.ts); the optional `ticket` of
 * hello and challenge, with the ticket statuses and `refused` 'ticket_forged' (between two
 * cookie holders the frames are byte for byte those of before; a node that does not know
 * tickets ignores the field and refuses a ticket holder as bad_cookie).
 */
import type { NameMode } from '../terms/node-names.js';
import type { SignalFrame } from '../process/signals.js';

export const PROTOCOL_VERSION = 1;

/** Flags a node states about itself in the handshake. */
export interface NodeFlags {
  hidden: boolean;
  /** Whether the node takes part in the transitive full mesh (Erlang's connect_all). */
  connectAll: boolean;
  /** 'short' for `a@host`, 'long' for `a@host.domain` or `a@127.0.0.1`. */
  mode: NameMode;
  /**
   * The frame encodings the node speaks after the handshake (see encodings.ts), e.g.
   * `['fast-3', 'fast-2', 'fast-1', 'superjson-2', 'superjson-1']`. Optional: absent means superjson-1 only.
   */
  encodings?: string[];
  /**
   * The largest message (encoded frame, in bytes) the node takes, in fragments (see
   * fragments.ts). Optional: absent means the node takes no fragments (frames go to it whole).
   */
  maxMessageBytes?: number;
  /**
   * The node holds its signals to a peer that sends it `pause`, until `resume` (inbound-flow.ts).
   * Optional: absent means the node is never sent `pause`.
   */
  flowControl?: boolean;
}

export type { NameMode } from '../terms/node-names.js';
// Signals are a process concept (process/signals.ts); the network carries them.
export type { ProcTarget, SignalFrame, SignalTag, SpawnSpec } from '../process/signals.js';
export { isSignalTag, signalSenderNode, signalTargetNode } from '../process/signals.js';

/** The acceptor's answer to `hello`. Everything but ok/ok_simultaneous is a refusal. */
export type HandshakeStatus =
  | 'ok'
  | 'ok_simultaneous'
  | 'nok'
  | 'not_allowed'
  | 'alive'
  | 'incompatible_version'
  | 'name_mode_mismatch'
  | 'bad_name'
  // the initiator's join ticket: past its exp, not a ticket, or its name outside the prefix
  | 'ticket_expired'
  | 'ticket_malformed'
  | 'name_not_allowed';

/** Why an acceptor refused a challenge reply. */
export type RefusedReason = 'bad_cookie' | 'not_allowed' | 'handshake_failed' | 'ticket_forged';

export type HandshakeFrame =
  /** `ticket`: the payload of the sender's join ticket; absent for a cookie holder. */
  /** `vouch`: the sender asks to connect on the relay's word (handshake.ts "Relay-vouched hello"). */
  | { t: 'hello'; v: number; name: string; creation: number; flags: NodeFlags; ticket?: string; vouch?: boolean }
  /** `vouched`: the acceptor agrees; its `challenge` follows and ends the handshake. */
  | { t: 'status'; status: HandshakeStatus; vouched?: boolean }
  | { t: 'challenge'; v: number; name: string; creation: number; flags: NodeFlags; challenge: string; ticket?: string }
  | { t: 'challenge_reply'; challenge: string; digest: string }
  | { t: 'challenge_ack'; digest: string }
  | { t: 'refused'; reason: RefusedReason };

/** Connection housekeeping. */
export type ControlFrame =
  /** The sender's visible, mesh-taking-part peers (sent on nodeup; drives connect_all). */
  | { t: 'peers'; nodes: string[] }
  /** Liveness; sent when nothing else was sent during a tick interval. */
  | { t: 'tick' }
  /**
   * Back-pressure (to a peer that states `flags.flowControl`): hold your signals to me (ticks
   * and control frames still go) / send them again, in order (inbound-flow.ts).
   */
  | { t: 'pause' }
  | { t: 'resume' }
  /**
   * The sender starts this connection with its signals held, as if paused (its last one was
   * cut for send_queue_full); the receiver answers `resume` when it is ready (inbound-flow.ts).
   */
  | { t: 'holding' };

export type DistFrame = SignalFrame | ControlFrame;
export type AnyFrame = HandshakeFrame | DistFrame;

export type FrameOf<T extends AnyFrame['t']> = Extract<AnyFrame, { t: T }>;
