/**
 * `BeamRef`: a reference made by a BEAM node, kept word for word so that it goes back to BEAM
 * unchanged (docs/beam-interop.md). An erlmesh `Ref` has one numeric id; a BEAM reference has
 * 1 to 5 32-bit words (3 in OTP 25, up to 5 in later releases).
 *
 * Which one the ETF decoder makes: words in the form erlmesh's own refs are written in
 * (3 words, the first below 2^18 and the last below 8, together the 53-bit id) decode to a
 * plain `Ref`, so an erlmesh ref that went to BEAM and back `equals` the original; any other
 * words decode to a BeamRef. So a BeamRef never names the same reference as a plain Ref, and
 * its `id` is -1, which no erlmesh ref has (ids are ≥ 0), so `ref.equals(beamRef)` is false.
 *
 * Invariants: `words` has 1 to 5 entries, each an integer in [0, 2^32).
 */
import { badarg } from '../base/errors.js';
import { Ref } from './ref.js';

/**
 * A BEAM node's reference: its node, its creation and its 1–5 words. Compare with `equals`
 * (or `key` as a Map key), as for any Ref.
 *
 * @example
 * const ref = decodeEtf(bytesOfMakeRef) as BeamRef;   // term_to_binary(make_ref()) from e@host
 * ref instanceof Ref;                                  // true
 * ref.words;                                           // [184695, 1855717377, 382741350]
 * ref.equals(decodeEtf(encodeEtf(ref)));               // true: it goes back word for word
 */
export class BeamRef extends Ref {
  readonly words: readonly number[];
  constructor(node: string, creation: number, words: readonly number[]) {
    super(node, creation, -1);
    if (words.length < 1 || words.length > 5 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw badarg('a BEAM reference has 1 to 5 words, each an unsigned 32-bit integer');
    }
    this.words = Object.freeze([...words]);
  }

  override equals(other: unknown): boolean {
    return (
      other instanceof BeamRef &&
      other.node === this.node &&
      other.creation === this.creation &&
      other.words.length === this.words.length &&
      other.words.every((w, i) => w === this.words[i])
    );
  }

  /** A string unique per reference, for use as a Map key (never a plain Ref's key). */
  override get key(): string {
    return `${this.node}/${this.creation}/#${this.words.join('.')}`;
  }

  /** Erlang-like display, e.g. `#Ref<e@host.3.1.2>` (words last to first, as erl prints them). */
  override toString(): string {
    return `#Ref<${this.node}.${[...this.words].reverse().join('.')}>`;
  }
}
