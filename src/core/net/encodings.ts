/**
 * Wire encodings of distribution frames, negotiated in the handshake (see protocol.ts).
 *
 * - `superjson-1`: one frame per transport frame, the superjson text of the frame
 *   (codec/superjson.ts). Every node speaks it; the handshake itself always uses it, so nodes
 *   of any version can open a connection.
 * - `superjson-2`, `fast-2`: the same with the BEAM-only term classes (List, Float, BeamRef…,
 *   codec/superjson-beam.ts and the fast tags 0x13–0x1a), so a term from an Erlang node crosses
 *   the mesh unchanged. To a peer of superjson-1 or fast-1 a List goes as a plain array and any
 *   other BEAM-only value is refused at the sender with `badarg`.
 * - `fast-1`: binary batches (codec/binary.ts). One transport frame carries every frame
 *   a connection sent during one turn of the event loop (flushed at the end of the turn, or
 *   earlier once a batch reaches {@link BATCH_FLUSH_BYTES} or {@link EARLY_FLUSH_FRAMES}), in
 *   order: `batch := 0xE1 frame*`, each frame a code byte and its fields (frame-codes.ts:
 *   positional forms for send, reg_send and tick, a generic object term for the others, and
 *   fragments of big frames, sent only to a peer that stated `flags.maxMessageBytes`).
 * - `fast-3`: fast-2 plus positional forms of the other hot signals (spawn_request,
 *   spawn_reply, down, link, unlink, exit, exit2, monitor, demonitor; frame-codes.ts), which
 *   carry no key names: a remote spawn or rpc round trip encodes and decodes in about a third
 *   of the time. Any fast reader reads them; only a peer that chose fast-3 is sent them.
 *
 * Choice: each side lists what it speaks in its `NodeFlags.encodings` (absent: superjson-1
 * only, which is what a node from before this list sends); both pick the first of
 * {@link WIRE_ENCODINGS} (the preference order) that both list, else superjson-1.
 */
import { ErlmeshError, badarg } from '../base/errors.js';
import { decodeTerm } from '../codec/superjson.js';
import { FAST_BEAM_FORMAT, FAST_TERM_FORMAT, TermReader, TermWriter, guardDecode } from '../codec/binary.js';
import type { AnyFrame, DistFrame } from './frames.js';
import { FragmentPiece } from './fragments.js';
import { F_FRAG_FIRST, F_FRAG_NEXT, readFrame, writeFrame, type BatchItem } from './frame-codes.js';
import { slabCopy } from './frame-slab.js';
import type { Frame } from './transport.js';

export type WireEncoding = 'fast-3' | 'fast-2' | 'fast-1' | 'superjson-2' | 'superjson-1';

/** fast-2 plus the positional signal frames (frame-codes.ts). */
export const FAST_SIGNALS_FORMAT = 'fast-3';

/** Every encoding this implementation speaks, most preferred first. */
export const WIRE_ENCODINGS: readonly WireEncoding[] = [FAST_SIGNALS_FORMAT, FAST_BEAM_FORMAT, FAST_TERM_FORMAT, 'superjson-2', 'superjson-1'];

/** A binary (batched) encoding: fast-1, fast-2 or fast-3. */
export function isFast(enc: WireEncoding): boolean {
  return enc === 'fast-1' || enc === 'fast-2' || enc === 'fast-3';
}

/** The baseline every node speaks (and the handshake uses). */
export const BASELINE_ENCODING: WireEncoding = 'superjson-1';

/** A batch reaching this many bytes is sent at once rather than at the end of the turn. */
export const BATCH_FLUSH_BYTES = 64 * 1024;

/**
 * The first this-many frames of a turn go out as soon as they are batched, the rest at the end
 * of the turn: a turn that answers many requests lets the peer start on the first answers
 * while it works on the others (the two processes then run side by side, as BEAM's pipelined
 * distribution output lets them) at the cost of one more transport frame per busy turn.
 * Measured with 32 concurrent rpc callers on 2 cores (calls/s, 6 runs each): 25.0k–26.9k with
 * none, 26.2k–27.6k at 1, 26.2k–27.9k at 2, 26.9k–29.1k at 4, 26.7k–29.5k at 8, 28.6k–29.6k
 * at 12, 27.9k–29.3k at 16, 26.2k–27.4k at 24.
 */
export const EARLY_FLUSH_FRAMES = 8;

/** A batch buffer grown beyond this (by a huge frame) is dropped after use. */
const SHRINK_ABOVE_BYTES = 4 * BATCH_FLUSH_BYTES;

/** First byte of a fast-1 batch. */
export const BATCH_MAGIC = 0xe1;

export type { BatchItem } from './frame-codes.js';

/**
 * The encoding two nodes use after their handshake: the first of {@link WIRE_ENCODINGS}
 * that both lists name. A missing or malformed list means superjson-1 only.
 *
 * @example
 * chooseEncoding(['fast-1', 'superjson-1'], undefined) // => 'superjson-1'
 */
export function chooseEncoding(mine: readonly unknown[] | undefined, theirs: unknown): WireEncoding {
  const a = Array.isArray(mine) ? mine : [BASELINE_ENCODING];
  const b: unknown[] = Array.isArray(theirs) ? theirs : [BASELINE_ENCODING];
  for (const e of WIRE_ENCODINGS) if (a.includes(e) && b.includes(e)) return e;
  return BASELINE_ENCODING;
}

/**
 * Checks a node's `encodings` option: a non-empty list of known encodings. superjson-1 is
 * always spoken (the handshake needs it), so it is added when missing.
 */
export function checkEncodings(list: unknown): WireEncoding[] {
  if (!Array.isArray(list) || list.length === 0) throw badarg('encodings must be a non-empty array', list);
  for (const e of list) {
    if (!(WIRE_ENCODINGS as readonly unknown[]).includes(e)) throw badarg(`unknown encoding ${String(e)} (known: ${WIRE_ENCODINGS.join(', ')})`, e);
  }
  const out = [...new Set(list as WireEncoding[])];
  if (!out.includes(BASELINE_ENCODING)) out.push(BASELINE_ENCODING);
  return out;
}

/**
 * Accumulates the frames of one batch. `add` encodes at once (a frame that cannot be
 * encoded throws `badarg` and leaves the batch as it was); `take` returns the batch.
 */
export class BatchWriter {
  private w: TermWriter;
  private count = 0;

  /**
   * `beam`: fast-2 terms (default) rather than fast-1 (see binary-tags.ts); `signals`: fast-3's
   * positional signal frames (frame-codes.ts) too.
   */
  constructor(
    readonly beam = true,
    readonly signals = false,
  ) {
    this.w = new TermWriter(1024, beam);
  }

  /** The writer for `enc` (a fast encoding). */
  static for(enc: WireEncoding): BatchWriter {
    return new BatchWriter(enc !== 'fast-1', enc === 'fast-3');
  }

  /** Frames in the current batch. */
  get frames(): number {
    return this.count;
  }

  /** Bytes in the current batch. */
  get bytes(): number {
    return this.w.length;
  }

  /**
   * Encode `f` into the batch. With `inlineMax`: a frame whose encoding is longer is not
   * kept in the batch; its bytes are returned instead (to be sent in fragments).
   */
  add(f: DistFrame, inlineMax = Infinity): Uint8Array | undefined {
    const w = this.w;
    if (w.length === 0) w.byte(BATCH_MAGIC);
    const start = w.length;
    try {
      writeFrame(w, f, this.signals);
    } catch (e) {
      this.rewind(start);
      throw e;
    }
    if (w.length - start > inlineMax) {
      // Hand the buffer itself over (no copy of the big frame); the batch so far moves to a new one.
      const out = w.buf.subarray(start, w.length);
      const before = w.buf.subarray(0, start);
      this.w = new TermWriter(Math.max(1024, start), this.beam);
      if (start > 1) {
        this.w.buf.set(before);
        this.w.pos = start;
      }
      return out;
    }
    this.count++;
    return undefined;
  }

  /** Append one frame encoded earlier (by {@link encodeFrame}). */
  addEncoded(bytes: Uint8Array): void {
    this.raw(bytes.length, () => this.w.buf.set(bytes, this.w.pos));
  }

  /** Append one fragment: `bytes[from, to)` of a big frame's encoding, `total` on the first. */
  addFragment(bytes: Uint8Array, from: number, to: number): void {
    const w = this.w;
    if (w.length === 0) w.byte(BATCH_MAGIC);
    if (from === 0) {
      w.byte(F_FRAG_FIRST);
      w.uv(bytes.length);
    } else w.byte(F_FRAG_NEXT);
    w.uv(to - from);
    this.raw(to - from, () => w.buf.set(bytes.subarray(from, to), w.pos));
  }

  private raw(n: number, write: () => void): void {
    const w = this.w;
    if (w.length === 0) w.byte(BATCH_MAGIC);
    w.ensure(n);
    write();
    w.pos += n;
    this.count++;
  }

  private rewind(start: number): void {
    this.w.pos = start;
    if (start === 1) this.w.reset();
    else if (this.w.buf.length > SHRINK_ABOVE_BYTES && this.count === 0) this.w = new TermWriter(1024, this.beam);
  }

  /** The batch as one transport frame (a view of the shared slab, frame-slab.ts), or undefined if empty. */
  take(): Uint8Array | undefined {
    if (this.count === 0) return undefined;
    this.count = 0;
    const w = this.w;
    const out = slabCopy(w.buf, w.pos);
    w.reset();
    // A huge frame grew the buffer: do not keep that much memory per connection.
    if (this.w.buf.length > SHRINK_ABOVE_BYTES) this.w = new TermWriter(1024, this.beam);
    return out;
  }

  /** Drop what was not sent. */
  clear(): void {
    this.count = 0;
    this.w.reset();
  }
}

/** One frame's fast encoding on its own, as `b` would write it (throws like {@link BatchWriter.add}). */
export function encodeFrame(f: DistFrame, b: Pick<BatchWriter, 'beam' | 'signals'> = { beam: true, signals: false }): Uint8Array {
  const w = new TermWriter(256, b.beam);
  writeFrame(w, f, b.signals);
  return w.take();
}

/** The frame a reassembled fragmented frame carries; a malformed one throws `bad_frame`. */
export function decodeFrame(bytes: Uint8Array): AnyFrame {
  return guardDecode(() => {
    const r = new TermReader(bytes);
    const f = readFrame(r);
    if (!r.done || f instanceof FragmentPiece) throw new ErlmeshError('bad_frame', 'malformed fragmented frame');
    return f;
  });
}

/** The frames (and fragments) of a fast batch, in order; a malformed batch throws `bad_frame` (and yields nothing). */
export function decodeBatch(bytes: Uint8Array): BatchItem[] {
  return guardDecode(() => {
    const r = new TermReader(bytes);
    if (r.byte() !== BATCH_MAGIC) throw new ErlmeshError('bad_frame', 'not a fast-1 batch');
    const out: BatchItem[] = [];
    while (!r.done) out.push(readFrame(r));
    return out;
  });
}

/**
 * The frames one transport frame carries, whatever the encoding: a string is one superjson-1
 * frame, a Uint8Array a fast-1 batch. For tools and tests that watch the wire (e.g. a
 * MemoryNetwork tap); throws `bad_frame` on anything else.
 *
 * @example
 * net.tap((from, to, f) => seen.push(...decodeWireFrame(f).map((x) => x.t)));
 */
export function decodeWireFrame(frame: Frame): BatchItem[] {
  if (typeof frame === 'string') return [decodeTerm(frame) as AnyFrame];
  return decodeBatch(frame);
}
