/**
 * The relay-to-relay protocol of a cluster on Redis (issue 13). Every relay subscribes to one
 * channel, `erlmesh:r:<its id>`, and publishes to the others' on one connection, so that Redis
 * keeps the order of what one relay sends another; while it has a direct link to a relay
 * (links.ts) the same messages go over that instead. Messages are binary:
 *
 *   [0]       kind: 0 control (JSON follows), 1 binary frame, 2 text frame (`d`)
 *   [1..16]   the sender's relay id (16 lowercase hex characters)
 *   [17..24]  seq: per (sender, receiver) pair, 1, 2, 3, … (two uint32, big-endian)
 *   control:  [25..]  JSON, one of `Control`
 *   frames:   [25]    who numbered the channel: 0 the sender, 1 the receiver
 *             [26..29] that channel id (uint32, big-endian); [30..] the frame's bytes
 *
 * Control messages:
 *   reset {}                 "I forgot you": drop every node of mine you hold and their
 *                            channels, then send me your `sync` (sent on start, after a gap,
 *                            to a relay not heard from before, after Redis came back)
 *   sync { nodes }           every node registered at the sender now: the receiver adds those
 *                            it lacks and drops those not listed (and channels with them)
 *   joined { node } / left { name, reason }     one change, in order
 *   open { ch, from, to }    node `from` (sender's) opens to `to` (receiver's); `ch` is the
 *                            sender's channel id; failure comes back as a `close` of it
 *   close { ch, own, reason }   the channel ended (`own`: numbered by the sender)
 *   hb {}                    heartbeat, every heartbeat interval, to every relay known
 *   bye {}                   the sender shuts down: drop its nodes now
 *
 * Invariants: the receiver processes a pair's messages in seq order only (in-order.ts puts
 * the two paths back in order): a seq below the next expected one is a duplicate and is
 * dropped; a missing one that cannot come any more (no link it could be on, or held past half
 * a lease) means messages were lost, and the receiver first drops every node of the sender
 * (its nodes see `nodedown`, their channels close) and sends `reset` + `sync`, so that nothing
 * is delivered past a gap on a channel that lived through it. A frame for a channel that is no
 * longer open is dropped.
 */
import type { PeerEntry } from '../../../core/relay-client/protocol.js';

/** A registered node as other relays learn it. */
export interface ClusterNode {
  entry: PeerEntry;
  creation: number;
  /** It asked for membership (relay-vouching needs both ends to). */
  members: boolean;
}

export type Control =
  | { t: 'reset' }
  | { t: 'sync'; nodes: ClusterNode[] }
  | { t: 'joined'; node: ClusterNode }
  | { t: 'left'; name: string; reason: string }
  | { t: 'open'; ch: number; from: string; to: string }
  | { t: 'close'; ch: number; own: boolean; reason: string }
  | { t: 'hb' }
  | { t: 'bye' };

export type WireMessage =
  | { kind: 'control'; from: string; seq: number; msg: Control }
  | { kind: 'bin' | 'text'; from: string; seq: number; own: boolean; ch: number; payload: Buffer };

/** Length of a relay id (hex). */
export const RELAY_ID_CHARS = 16;
const HEAD = 1 + RELAY_ID_CHARS + 8;
const FRAME_HEAD = HEAD + 5;
const KIND = { control: 0, bin: 1, text: 2 } as const;

/** The Redis channel a relay subscribes to. */
export const relayChannel = (id: string): string => `erlmesh:r:${id}`;

function head(buf: Buffer, kind: number, from: string, seq: number): void {
  buf[0] = kind;
  buf.write(from, 1, RELAY_ID_CHARS, 'latin1');
  buf.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 17);
  buf.writeUInt32BE(seq >>> 0, 21);
}

export function encodeControl(from: string, seq: number, msg: Control): Buffer {
  const json = Buffer.from(JSON.stringify(msg), 'utf8');
  const buf = Buffer.allocUnsafe(HEAD + json.length);
  head(buf, KIND.control, from, seq);
  json.copy(buf, HEAD);
  return buf;
}

/** A frame on channel `ch` (`own`: numbered by the sender) carrying `payload`. */
export function encodeFrame(from: string, seq: number, kind: 'bin' | 'text', own: boolean, ch: number, payload: Uint8Array | string): Buffer {
  const n = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const buf = Buffer.allocUnsafe(FRAME_HEAD + n);
  head(buf, KIND[kind], from, seq);
  buf[HEAD] = own ? 0 : 1;
  buf.writeUInt32BE(ch, HEAD + 1);
  if (typeof payload === 'string') buf.write(payload, FRAME_HEAD, 'utf8');
  else buf.set(payload, FRAME_HEAD);
  return buf;
}

/** Decode one message; undefined for anything malformed (the caller logs and drops it). */
export function decodeWire(buf: Buffer): WireMessage | undefined {
  if (buf.length < HEAD) return undefined;
  const from = buf.toString('latin1', 1, 1 + RELAY_ID_CHARS);
  const seq = buf.readUInt32BE(17) * 0x1_0000_0000 + buf.readUInt32BE(21);
  if (buf[0] === KIND.control) {
    try {
      const msg = JSON.parse(buf.toString('utf8', HEAD)) as Control;
      return msg && typeof msg === 'object' && typeof msg.t === 'string' ? { kind: 'control', from, seq, msg } : undefined;
    } catch {
      return undefined;
    }
  }
  if ((buf[0] !== KIND.bin && buf[0] !== KIND.text) || buf.length < FRAME_HEAD) return undefined;
  const kind = buf[0] === KIND.bin ? 'bin' : 'text';
  return { kind, from, seq, own: buf[HEAD] === 0, ch: buf.readUInt32BE(HEAD + 1), payload: buf.subarray(FRAME_HEAD) };
}
