/**
 * The relay protocol: between a node and the relay (erlmesh's epmd + router), over one
 * WebSocket. Control messages are JSON text, one per WebSocket message; binary channel data
 * travels as binary WebSocket messages when both ends said `bin` (below).
 *
 * Admission (the relay proves nothing; the node proves the cluster cookie, or a join ticket,
 * never sending either):
 *
 *   relay → node   challenge { v, nonce, bin? }                 (first message after open)
 *   node  → relay  register  { v, name, proof, hidden, creation?, direct?, bin?, ticket? }
 *                  proof = HMAC-SHA-256(cookie, `erlmesh-relay-1|${nonce}|${name}`), hex
 *                  — a ticket holder (src/core/trust/ticket.ts) sends its ticket's payload
 *                  as `ticket` and proof = HMAC-SHA-256(key_t, same input) instead
 *   relay → node   welcome   { creation, peers: PeerEntry[], partitioned? }   — or —
 *   relay → node   refused   { code, message }  then closes with a 4xxx close code (below)
 *
 * Tickets: the relay (it holds the cookie) recomputes key_t from the payload and checks, in
 * this order: the payload's shape (`ticket_malformed`, 4400), the proof (`ticket_forged`,
 * 4401), `exp` (`ticket_expired`, 4440: a fresh ticket may do), the name starts with the
 * prefix (`name_not_allowed`, 4403). An admitted ticket holder's `PeerEntry` carries its
 * `role` (absent: a cookie holder), in welcome, joined, lookup_reply; its `direct` is dropped.
 * Channels carry the role of the other end too (`incoming.role`, `opened.role`), so each end
 * of a channel knows whom the relay admitted at the other (its name is `from` / `to`, set by
 * the relay): the dist handshake relies on this attestation (src/core/trust/attestation.ts).
 *
 * Routing (after welcome). Channels are node-to-node byte pipes through the relay; the
 * distribution handshake runs end to end inside them (the relay never sees a node cookie
 * proof between nodes, and cannot forge one):
 *
 *   node → relay   open      { req, to }                → relay → peer  incoming { ch, from }
 *   relay → node   opened    { req, ch }   or  open_failed { req, code: 'nodedown' }
 *   either way     d { ch, d: string }  /  b { ch, d: base64 }   (text / binary frame)
 *   either way     binary message: type 0x01, channel id (uint32, big-endian), frame bytes
 *                  — a binary frame, without base64 (see "Binary data" below)
 *   either way     close { ch, reason }  → the other end gets  closed { ch, reason }
 *   relay → node   joined { peer } / left { name }          (membership, for the mesh)
 *   node  → relay  lookup { req, name } → relay → node  lookup_reply { req, peer? }
 *                  (a peer's entry, e.g. its direct address, before `joined` has arrived)
 *   node  → relay  ping {} → relay → node pong {}           (client-side liveness; the relay
 *                                                            also uses WebSocket pings)
 *
 * Membership (a compatible extension of version 1, issue 13): a relay that offers it says
 * `members: true` in its challenge; a node that wants it says `members: true` in its register
 * (with `connectAll: false` when it does not take part in the mesh). When both said it:
 *
 *   relay → node   welcome { …, peers }     the snapshot: every registered node's entry, each
 *                                           with its `creation` (and `connectAll: false` when so,
 *                                           `vouched: true` for a cookie holder that said `members`)
 *   relay → node   members { changes }      the deltas since, batched (at most one message per
 *                  changes: Array<{ joined: PeerEntry } | { left: name, reason }>
 *                                           batch interval, MEMBERS_BATCH_MS), in the order they
 *                                           happened; `reason` is `net_tick_timeout` for a socket
 *                                           that stopped answering the relay's pings,
 *                                           `connection_closed` otherwise. One message goes to
 *                                           every member session: a node skips changes about
 *                                           itself. Such a node gets no `joined` / `left` of
 *                                           its own (but still `joined` after `healed`).
 *   relay → node   incoming / opened carry `vouched: true`: the relay admitted the other end
 *                  with the cluster cookie (it has no role) and the other end asked for
 *                  membership too, so the two may connect on the relay's word (net/handshake.ts,
 *                  "Relay-vouched hello").
 *   node  → relay  ping {} every tick interval; a node that hears nothing from its relay for
 *                  4 intervals closes the socket (its relayed peers go down with
 *                  `net_tick_timeout`). The relay drops a node that stops answering its
 *                  WebSocket pings and reports it `left`.
 *
 * Invariants of membership: a node's view is a set of entries, each added by the snapshot or
 * a `joined` and removed by a `left` of that name (or, for the node, when the socket drops: then
 * every member is gone with `connection_closed`); changes reach every member session in the
 * order the relay saw them; a registration's `joined` is never sent before its welcome went out,
 * and a `left` is sent only after the relay has ended every channel of that node. A ticket
 * holder gets the same view as a cookie holder (nodes() is not a capability, docs/security.md),
 * but is never vouched for: its connections keep the full handshake.
 *
 * Partitions (Relay.partition / heal, a testing tool). The relay fails `open` across a cut and
 * ends the relayed channels across it; it also tells the nodes on both sides, so that nodes
 * joined by direct links (which the relay does not carry) are cut too:
 *
 *   relay → node   partitioned { peers: string[] }   this node is cut off from `peers` (names,
 *                  registered or not) until `healed`: it closes its direct links to them
 *                  ('connection_closed', as the relayed channels end), dials none, and refuses
 *                  theirs (a direct dialer names itself in the URL: `?to=<peer>&from=<self>`)
 *   relay → node   healed {}                          every cut is lifted; sent before the
 *                  `joined` messages with which the mesh re-forms
 *   welcome.partitioned?: string[]                    the cuts a node that registers during a
 *                  partition is under from the start (absent: none)
 *   A node forgets its cuts when it registers again (the relay's welcome says them anew).
 *
 * Binary data (a compatible extension of version 1): a relay that takes binary messages says
 * `bin: true` in its challenge, a node that takes them says `bin: true` in its register. A node
 * sends a binary frame as a binary message only to a relay that said `bin`, else as `b`. The
 * relay forwards a binary message unchanged to a node that said `bin` and re-encodes it as `b`
 * for one that did not; `b` and `d` messages are forwarded as they are. A node accepts `d`,
 * `b` and binary messages alike. Binary messages are 5 header bytes then the payload:
 *
 *   [0]     0x01 (BIN_DATA; other types are reserved and a protocol violation)
 *   [1..4]  channel id, unsigned 32-bit big-endian
 *   [5..]   the frame's bytes
 *
 * Invariants:
 * - A name is held by at most one live socket; it is freed when that socket closes; each
 *   registration gets a creation greater than any the relay handed out for that name
 *   (a node re-registering after a relay restart may ask to keep its creation, and gets it
 *   if it is greater than what the relay knows).
 * - Frames on one channel are forwarded in order; a channel ends when either end closes it
 *   or either node's socket drops (the other end gets `closed` with 'connection_closed').
 * - A client may only send on channels it is an endpoint of; anything else is a protocol
 *   violation and closes its socket with 4400.
 * - Frame size and per-socket buffered bytes are capped; a socket over the cap is closed with
 *   4413 / 4429 and logged, and nobody else is affected.
 * - Messages per socket are rate-limited (a token bucket over every WebSocket message, control
 *   frames included; relay option maxMessagesPerSecond); a socket over the limit is closed
 *   with 4420 'rate_limited' and logged, and nobody else is affected.
 *
 * Close codes the relay uses (code, reason): 4400 protocol_error / badarg, 4401 bad_cookie,
 * 4403 not_allowed, 4408 auth_timeout, 4409 name_taken, 4413 frame_too_large, 4420
 * rate_limited, 4426 incompatible_version, 4429 slow_consumer, 4503 relay_shutdown; and from
 * the WebSocket range: 1008 (Relay.kick), 1009 frame_too_large (far over the cap, cut by the
 * WebSocket layer), 1002 protocol_error (a broken WebSocket frame; 1007 for text that is not
 * UTF-8; both sent by the WebSocket layer, without a reason), 1011 internal_error, 1013
 * cluster_unavailable (a relay of a cluster on Redis that cannot reach Redis now admits no
 * one: try again later; src/server/relay/cluster/), and 1006 (no close frame: a socket
 * destroyed after a missed ping).
 */

export const RELAY_PROTOCOL_VERSION = 1;

/** The WebSocket path the relay serves. */
export const RELAY_PATH = '/erlmesh';

export interface PeerEntry {
  name: string;
  hidden: boolean;
  /** ws:// address where the peer accepts direct links (server-nodes only). */
  direct?: string;
  /** The role of a node admitted with a join ticket; absent for a cookie holder. */
  role?: string;
  /** Its creation (relays with membership; absent from older relays). */
  creation?: number;
  /** False when the node does not take part in the mesh (membership only; absent: true). */
  connectAll?: false;
  /** The relay vouches for it: a cookie holder that takes part in membership (membership only). */
  vouched?: true;
}

/** One membership change (`members` message), in order. */
export type MemberChange = { joined: PeerEntry } | { left: string; reason: string };

/** How long a relay gathers membership changes before it sends them (one `members` message). */
export const MEMBERS_BATCH_MS = 50;

export type RelayRefusal =
  | 'bad_cookie'
  | 'name_taken'
  | 'badarg'
  | 'incompatible_version'
  | 'not_allowed'
  | 'ticket_malformed'
  | 'ticket_forged'
  | 'ticket_expired'
  | 'name_not_allowed';

/** WebSocket close codes used by the relay (4000–4999 is the application range). */
export const CLOSE_CODES = {
  bad_cookie: 4401,
  not_allowed: 4403,
  name_taken: 4409,
  badarg: 4400,
  incompatible_version: 4426,
  ticket_malformed: 4400,
  ticket_forged: 4401,
  ticket_expired: 4440,
  name_not_allowed: 4403,
  frame_too_large: 4413,
  slow_consumer: 4429,
  /** Over the per-connection message-rate limit (4420: "enhance your calm"; 4429 was taken). */
  rate_limited: 4420,
  auth_timeout: 4408,
  relay_shutdown: 4503,
} as const;

/** What a close code means, for messages: standard WebSocket codes and the relay's own. */
const CLOSE_MEANINGS: Record<number, string> = {
  1000: 'closed normally',
  1001: 'the relay went away',
  1002: 'a broken WebSocket frame',
  1006: 'the connection closed abnormally — nothing answered, or it is not an erlmesh relay',
  1007: 'text that is not UTF-8',
  1008: 'kicked by the relay',
  1009: 'a message far over the size limit',
  1011: 'an internal error of the relay',
  1013: 'the relay cannot admit anyone now (its cluster lost Redis); try again later',
  1015: 'the TLS handshake failed',
  4400: 'protocol error',
  4401: 'bad cookie or forged ticket',
  4403: 'not allowed',
  4408: 'did not register in time',
  4409: 'the name is taken',
  4413: 'a message over the size limit',
  4420: 'over the message-rate limit',
  4426: 'incompatible protocol version',
  4429: 'a slow consumer',
  4440: 'the ticket expired',
  4503: 'the relay shut down',
};

/**
 * A close code and reason as text that says what happened, e.g.
 * `1006: the connection closed abnormally — nothing answered, or it is not an erlmesh relay`.
 */
export function describeClose(code: number, reason = ''): string {
  const meaning = CLOSE_MEANINGS[code];
  const parts = [meaning, reason && reason !== meaning ? `(${reason})` : ''].filter(Boolean);
  return parts.length ? `${code}: ${parts.join(' ')}` : String(code);
}

/** Type byte of a binary data message. */
export const BIN_DATA = 0x01;
/** Bytes before the payload in a binary data message. */
export const BIN_HEADER_BYTES = 5;

/** A binary data message for channel `ch` carrying `payload`. */
export function encodeBinData(ch: number, payload: Uint8Array): Uint8Array {
  const m = new Uint8Array(BIN_HEADER_BYTES + payload.length);
  m[0] = BIN_DATA;
  m[1] = ch >>> 24;
  m[2] = (ch >>> 16) & 0xff;
  m[3] = (ch >>> 8) & 0xff;
  m[4] = ch & 0xff;
  m.set(payload, BIN_HEADER_BYTES);
  return m;
}

/** The channel id of a binary data message, or undefined if the header is malformed. */
export function binDataChannel(m: Uint8Array): number | undefined {
  if (m.length < BIN_HEADER_BYTES || m[0] !== BIN_DATA) return undefined;
  const ch = ((m[1]! << 24) | (m[2]! << 16) | (m[3]! << 8) | m[4]!) >>> 0;
  return ch > 0 ? ch : undefined;
}

export type ToRelay =
  | {
      t: 'register';
      v: number;
      name: string;
      proof: string;
      hidden: boolean;
      creation?: number;
      direct?: string;
      bin?: boolean;
      ticket?: string;
      members?: boolean;
      connectAll?: boolean;
    }
  | { t: 'open'; req: number; to: string }
  | { t: 'd'; ch: number; d: string }
  | { t: 'b'; ch: number; d: string }
  | { t: 'close'; ch: number; reason: string }
  | { t: 'lookup'; req: number; name: string }
  | { t: 'ping' };

export type FromRelay =
  | { t: 'challenge'; v: number; nonce: string; bin?: boolean; members?: boolean }
  | { t: 'welcome'; creation: number; peers: PeerEntry[]; partitioned?: string[] }
  | { t: 'refused'; code: RelayRefusal; message: string }
  /** `role`: the opener's ticket role (absent: a cookie holder). */
  | { t: 'incoming'; ch: number; from: string; role?: string; vouched?: boolean }
  /** `role`: the ticket role of the node opened to (absent: a cookie holder). */
  | { t: 'opened'; req: number; ch: number; role?: string; vouched?: boolean }
  | { t: 'open_failed'; req: number; code: 'nodedown' }
  | { t: 'd'; ch: number; d: string }
  | { t: 'b'; ch: number; d: string }
  | { t: 'closed'; ch: number; reason: string }
  | { t: 'joined'; peer: PeerEntry }
  | { t: 'left'; name: string }
  | { t: 'members'; changes: MemberChange[] }
  | { t: 'lookup_reply'; req: number; peer?: PeerEntry }
  | { t: 'pong' }
  | { t: 'partitioned'; peers: string[] }
  | { t: 'healed' };

/** The text a node signs to register. */
export function relayProofInput(nonce: string, name: string): string {
  return `erlmesh-relay-1|${nonce}|${name}`;
}
