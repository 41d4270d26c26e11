/**
 * The fast binary term encoding (`FAST_TERM_FORMAT = 'fast-1'`): {@link encodeTermFast} /
 * {@link decodeTermFast}, and the {@link TermWriter} / {@link TermReader} the distribution
 * layer streams frames through (src/core/net/encodings.ts).
 *
 * The wire format (the tag table) and the codec's invariants are documented in
 * binary-tags.ts; the writer is binary-writer.ts, the reader binary-reader.ts.
 */
import { TermReader, guardDecode, malformed } from './binary-reader.js';
import { TermWriter } from './binary-writer.js';

export * from './binary-tags.js';
export { TermReader, guardDecode } from './binary-reader.js';
export { TermWriter } from './binary-writer.js';

/**
 * Encodes a term in the fast binary format (see binary-tags.ts).
 *
 * @example
 * encodeTermFast(['msg', 1]) // => Uint8Array [0x09, 0x02, 0x07, 0x03, 0x6d, 0x73, 0x67, 0x81]
 */
export function encodeTermFast(term: unknown): Uint8Array {
  const w = new TermWriter(64);
  w.term(term);
  return w.take();
}

/**
 * Decodes bytes made by {@link encodeTermFast}; anything else throws `bad_frame`.
 *
 * @example
 * decodeTermFast(encodeTermFast(['msg', 1])) // => ['msg', 1]
 */
export function decodeTermFast(bytes: Uint8Array): unknown {
  const r = new TermReader(bytes);
  const t = guardDecode(() => r.term());
  if (!r.done) throw malformed('trailing bytes');
  return t;
}
