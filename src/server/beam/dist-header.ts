/**
 * Frames from a BEAM peer that uses the distribution header (DFLAG_DIST_HDR_ATOM_CACHE) and
 * fragments (DFLAG_FRAGMENTS), as OTP's erl_ext_dist "Distribution Header" defines them. Each
 * frame is, after its 4-byte length:
 *
 * | first bytes | frame |
 * |---|---|
 * | `112` | pass-through: the control term and the message, each with its own 131 |
 * | `131 68 N Flags Refs` | a normal header: N atom cache references, then the terms without 131 |
 * | `131 69 Seq(8) FragId(8) N Flags Refs` | the first fragment of message Seq, FragId fragments in all |
 * | `131 70 Seq(8) FragId(8)` | a later fragment of Seq; FragId counts down to 1, the last |
 *
 * `Flags` is N/2+1 bytes of half-byte fields, reference i's in the low half of byte i/2 when i
 * is even and the high half when odd: bit 3 NewCacheEntry, bits 0–2 the segment. Half-byte N
 * holds LongAtoms (bit 0: atom lengths take 2 bytes). Each reference is then the index within
 * its segment (1 byte), and for a new entry the atom's length and UTF-8 text. The cache has
 * 8 × 256 entries, kept per connection: a new entry replaces the one at its index.
 *
 * Invariants: a header's new entries enter the cache when the header arrives (for a fragmented
 * message, with its first fragment: later frames may use them before its last fragment); a
 * message's own references are the atoms its header named, whatever the cache holds later;
 * fragments of one message arrive in order (TCP, one sender), those of different messages may
 * interleave; the bytes held for incomplete messages never exceed the frame limit; anything
 * else (a reference to an empty entry, a fragment out of order, a header cut short) throws
 * `bad_frame`, and the connection closes.
 */
import { ErlmeshError } from '../../core/base/errors.js';

export const PASS_THROUGH = 112;
const VERSION = 131;
const DIST_HEADER = 68;
const DIST_FRAG_HEADER = 69;
const DIST_FRAG_CONT = 70;
const CACHE_SIZE = 2048;

/** One whole frame: where its control term starts, and how its terms are written. */
export interface DistFrame {
  bytes: Uint8Array;
  offset: number;
  /** Terms without their 131, ATOM_CACHE_REFs naming `refs` (a distribution header); else with 131 (pass-through). */
  refs: readonly string[] | undefined;
}

interface Partial {
  refs: string[];
  chunks: Uint8Array[];
  bytes: number;
  /** The FragmentId the next fragment must carry. */
  next: bigint;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(why: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `a bad distribution frame: ${why}`);
}

export class DistHeaderReader {
  private readonly cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE);
  private readonly partial = new Map<bigint, Partial>();
  private held = 0;
  /** Messages that came in more than one fragment, put together. */
  fragmented = 0;

  /** @param maxBytes the largest message, also the most bytes held for incomplete ones */
  constructor(private readonly maxBytes: number) {}

  /** The frame in `payload`, or undefined while the message it is a fragment of is incomplete. */
  read(payload: Uint8Array): DistFrame | undefined {
    if (payload[0] === PASS_THROUGH) return { bytes: payload, offset: 1, refs: undefined };
    if (payload[0] !== VERSION || payload.length < 3) throw bad(`it starts with ${payload[0]}, not 112 or 131`);
    const kind = payload[1];
    if (kind === DIST_HEADER) {
      const { refs, end } = this.header(payload, 2);
      return { bytes: payload, offset: end, refs };
    }
    if (kind !== DIST_FRAG_HEADER && kind !== DIST_FRAG_CONT) throw bad(`header tag ${kind}`);
    if (payload.length < 18) throw bad('a fragment header cut short');
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const seq = view.getBigUint64(2);
    const id = view.getBigUint64(10);
    if (kind === DIST_FRAG_HEADER) {
      if (this.partial.has(seq) || id === 0n) throw bad(`a first fragment of message ${seq} again, or numbered 0`);
      const { refs, end } = this.header(payload, 18);
      if (id === 1n) return { bytes: payload, offset: end, refs };
      this.hold({ refs, chunks: [], bytes: 0, next: id - 1n }, seq, payload.subarray(end));
      return undefined;
    }
    const p = this.partial.get(seq);
    if (!p || id !== p.next) throw bad(`fragment ${id} of message ${seq}, expected ${p ? p.next : 'its first fragment'}`);
    this.hold(p, seq, payload.subarray(18));
    if (id !== 1n) {
      p.next = id - 1n;
      return undefined;
    }
    this.partial.delete(seq);
    this.held -= p.bytes;
    this.fragmented++;
    const whole = new Uint8Array(p.bytes);
    let at = 0;
    for (const c of p.chunks) {
      whole.set(c, at);
      at += c.length;
    }
    return { bytes: whole, offset: 0, refs: p.refs };
  }

  private hold(p: Partial, seq: bigint, chunk: Uint8Array): void {
    // `held` counts every incomplete message's bytes, this one's too.
    if (this.held + chunk.length > this.maxBytes) {
      throw new ErlmeshError('frame_too_large', `a fragmented message over ${this.maxBytes} bytes`);
    }
    p.chunks.push(chunk.slice());
    p.bytes += chunk.length;
    this.held += chunk.length;
    this.partial.set(seq, p);
  }

  /** Reads the atom cache part at `at` (updating the cache); returns the refs and where the terms start. */
  private header(b: Uint8Array, at: number): { refs: string[]; end: number } {
    const need = (n: number): void => {
      if (at + n > b.length) throw bad('a distribution header cut short');
    };
    need(1);
    const n = b[at++]!;
    const refs: string[] = [];
    if (n === 0) return { refs, end: at };
    const flagBytes = (n >> 1) + 1;
    need(flagBytes);
    const flags = b.subarray(at, at + flagBytes);
    at += flagBytes;
    const half = (i: number): number => (flags[i >> 1]! >> ((i & 1) * 4)) & 0xf;
    const longAtoms = (half(n) & 1) === 1;
    for (let i = 0; i < n; i++) {
      const f = half(i);
      need(1);
      const index = (f & 7) * 256 + b[at++]!;
      if ((f & 8) !== 0) {
        need(longAtoms ? 2 : 1);
        const len = longAtoms ? (b[at]! << 8) | b[at + 1]! : b[at]!;
        at += longAtoms ? 2 : 1;
        need(len);
        let text: string;
        try {
          text = utf8.decode(b.subarray(at, at + len));
        } catch {
          throw bad('an atom cache entry that is not UTF-8');
        }
        at += len;
        this.cache[index] = text;
      }
      const text = this.cache[index];
      if (text === undefined) throw bad(`a reference to atom cache entry ${index}, which is empty`);
      refs.push(text);
    }
    return { refs, end: at };
  }
}
