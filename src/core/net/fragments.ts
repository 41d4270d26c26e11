/**
 * Big messages in fragments (fast-1 only; Erlang's DFLAG_FRAGMENTS, OTP 22+).
 *
 * A frame whose fast-1 encoding is over {@link FRAGMENT_BYTES} does not travel as one transport
 * frame (a relay or a direct link would cut the connection over its frame cap, and one huge
 * frame would hold up everything behind it). Its bytes are cut into fragments of at most
 * FRAGMENT_BYTES, carried inside ordinary fast-1 batches (encodings.ts, codes 0x04 / 0x05):
 *
 *     0x04 total:uv len:uv bytes[len]     first fragment; `total` is the frame's whole size
 *     0x05 len:uv bytes[len]              next fragment of the frame being reassembled
 *
 * The receiver delivers the frame when `total` bytes have arrived, at that point in the stream.
 * One frame is reassembled at a time per connection; a fragment out of turn, an empty one, one
 * past `total`, or a `total` above the receiver's limit is a protocol error (bad_frame), so a
 * peer can make a receiver hold at most its limit, never more.
 *
 * Sending ({@link OutQueue}): the fragments of one big frame go out at most
 * {@link PUMP_BYTES_PER_TURN} per event-loop turn. Frames sent meanwhile overtake the waiting
 * ones only when that keeps Erlang's order guarantee (signals between one pair of processes
 * arrive in the order sent): a frame addressed to a pid that no waiting frame is addressed to
 * goes at once (it cannot be of the same sender→receiver pair); a frame for a pid some waiting
 * frame targets, or one whose receiving process is not known here (a registered name, a
 * spawn request, `peers`), waits its turn, and once such a frame waits, every later one does.
 * Ticks always go at once (they order nothing).
 *
 * Negotiation: each node states the largest message it takes in its handshake flags
 * (`NodeFlags.maxMessageBytes`); a node sends fragments only to a peer that stated it, and
 * refuses (`message_too_large`, at `send`) a frame over the smaller of the two limits. A peer
 * that does not state it (an older node) gets every frame whole, as before.
 */
import { ErlmeshError, badarg } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import type { DistFrame } from './frames.js';

/** Frames whose encoding is larger than this travel in fragments of at most this size. */
export const FRAGMENT_BYTES = 64 * 1024;

/** How much of the waiting frames a connection sends per event-loop turn. */
export const PUMP_BYTES_PER_TURN = 2 * 1024 * 1024;

/**
 * Default of the node option `maxMessageBytes`: the largest encoded message (frame) a node
 * sends or takes. 256 MB: far above any message a JS program handles comfortably (a JS
 * string caps at about 512 MB of UTF-16, i.e. 2^29 characters), yet bounded so that one
 * peer cannot make a node buffer without end.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * What one side of a connection takes and sends in fragments, from both handshake flags:
 * `recv` is our own stated limit, `send` the smaller of both when the peer stated one (an
 * older peer states none: frames go to it whole, as before).
 */
export function fragmentLimits(mine: { maxMessageBytes?: unknown }, theirs: { maxMessageBytes?: unknown } | undefined): { recv?: number; send?: number } {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > FRAGMENT_BYTES;
  const recv = ok(mine.maxMessageBytes) ? mine.maxMessageBytes : undefined;
  const peer = theirs?.maxMessageBytes;
  return { ...(recv !== undefined ? { recv } : {}), ...(ok(peer) ? { send: Math.min(peer, recv ?? DEFAULT_MAX_MESSAGE_BYTES) } : {}) };
}

/** Checks the node option `maxMessageBytes`: an integer from 2 × FRAGMENT_BYTES to 2^31. */
export function checkMaxMessageBytes(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 2 * FRAGMENT_BYTES || v > 2 ** 31) {
    throw badarg(`maxMessageBytes must be an integer from ${2 * FRAGMENT_BYTES} to ${2 ** 31}`, v);
  }
  return v;
}

/** A fragment as decoded from a batch (`total` on the first fragment of a frame only). */
export class FragmentPiece {
  readonly t = 'fragment';
  constructor(
    readonly bytes: Uint8Array,
    readonly total?: number,
  ) {}
}

/** The error a send over the limit throws. */
export function messageTooLarge(bytes: number, limit: number): ErlmeshError {
  return new ErlmeshError('message_too_large', `message of ${bytes} bytes encoded, over the limit of ${limit} bytes (maxMessageBytes)`);
}

/** Reassembles fragmented frames; `add` returns the whole frame's bytes once complete. */
export class Reassembler {
  /** The frame being put together (`total` bytes once a first fragment came). */
  private buf = new Uint8Array(0);
  private have = 0;
  private total = 0;

  constructor(private readonly limit: number) {}

  /** True while a frame is partly received. */
  get busy(): boolean {
    return this.total > 0;
  }

  /** Takes one fragment; throws `bad_frame` on a protocol violation. */
  add(p: FragmentPiece): Uint8Array | undefined {
    const bad = (why: string): ErlmeshError => new ErlmeshError('bad_frame', `fragment: ${why}`);
    if (p.bytes.length === 0) throw bad('empty');
    if (p.total !== undefined) {
      if (this.busy) throw bad('a new frame before the last one was complete');
      if (p.total <= FRAGMENT_BYTES || p.total > this.limit) throw bad(`total ${p.total} out of range`);
      this.total = p.total;
    } else if (!this.busy) {
      throw bad('continuation without a first fragment');
    }
    if (this.have + p.bytes.length > this.total) throw bad('more bytes than announced');
    const need = this.have + p.bytes.length;
    // Room for the whole frame at once (no copies while it grows): at most the limit, and
    // pages that are not written yet cost the process no memory.
    if (this.buf.length < this.total) this.buf = new Uint8Array(this.total);
    this.buf.set(p.bytes, this.have);
    this.have = need;
    if (this.have < this.total) return undefined;
    const out = this.buf;
    this.clear();
    return out;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
    this.have = 0;
    this.total = 0;
  }
}

/** A frame waiting to be sent: its encoding, how much of it went, what it is ordered by. */
export interface Waiting {
  bytes: Uint8Array;
  sent: number;
  key: string | undefined;
}

const TICK_KEY = '\0tick';

/**
 * What orders `f` (see the module comment): the receiving pid's identity, TICK_KEY for a tick,
 * undefined when the receiving process is not known from the frame.
 */
export function orderKey(f: DistFrame): string | undefined {
  switch (f.t) {
    case 'tick':
      return TICK_KEY;
    case 'send':
    case 'link':
    case 'unlink':
    case 'exit':
    case 'exit2':
    case 'monitor':
    case 'demonitor':
    case 'down':
    case 'spawn_reply': {
      const to = (f as { to?: unknown }).to;
      return to instanceof Pid ? `${to.node}\0${to.id}\0${to.serial}\0${to.creation}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The frames that wait behind a fragmented one, and which new frames must wait too. */
export class OutQueue {
  private readonly items: Waiting[] = [];
  private head = 0;
  /** Waiting frames per order key, and those without one (which hold up everything after them). */
  private readonly blocked = new Map<string, number>();
  private unkeyed = 0;

  get empty(): boolean {
    return this.head === this.items.length;
  }

  /** The frame being sent (undefined when none waits). */
  get first(): Waiting | undefined {
    return this.items[this.head];
  }

  /** True when a frame ordered by `key` may go before the waiting ones. */
  mayOvertake(key: string | undefined): boolean {
    if (this.empty || key === TICK_KEY) return true;
    return this.unkeyed === 0 && key !== undefined && !this.blocked.has(key);
  }

  push(w: Waiting): void {
    this.items.push(w);
    if (w.key === undefined) this.unkeyed++;
    else this.blocked.set(w.key, (this.blocked.get(w.key) ?? 0) + 1);
  }

  /** Drop the first frame (sent in full). */
  shift(): void {
    const w = this.items[this.head];
    if (w === undefined) return;
    this.items[this.head++] = undefined as unknown as Waiting;
    if (w.key === undefined) this.unkeyed--;
    else {
      const n = (this.blocked.get(w.key) ?? 1) - 1;
      if (n === 0) this.blocked.delete(w.key);
      else this.blocked.set(w.key, n);
    }
    if (this.empty || this.head > 1024) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
    this.blocked.clear();
    this.unkeyed = 0;
  }
}
