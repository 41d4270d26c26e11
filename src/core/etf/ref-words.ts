/**
 * How a reference's words are chosen (see terms/beam-ref.ts). An erlmesh `Ref`'s id (a
 * non-negative integer below 2^53) is written as three words: the low 18 bits (the width of
 * the first word of a BEAM ref), the next 32 bits, the top 3 bits. Words of exactly that form
 * read back as a plain `Ref` with the same id; any others as a `BeamRef`. The two directions
 * are inverse, so every reference round-trips word for word.
 */
import { ErlmeshError } from '../base/errors.js';
import { BeamRef } from '../terms/beam-ref.js';
import { Ref } from '../terms/ref.js';

const W0 = 2 ** 18;
const W1 = 2 ** 32;

/** The words `ref` is written with; throws `not_etf_encodable` for an id outside [0, 2^53). */
export function refWords(ref: Ref): readonly number[] {
  if (ref instanceof BeamRef) return ref.words;
  const id = ref.id;
  if (!Number.isSafeInteger(id) || id < 0) throw new ErlmeshError('not_etf_encodable', `a reference id must be an integer in [0, 2^53) to be sent to BEAM, not ${String(id)}`);
  return [id % W0, Math.floor(id / W0) % W1, Math.floor(id / (W0 * W1))];
}

/** The reference `words` name on `node`: a plain Ref when they are in erlmesh's form. */
export function refFromWords(node: string, creation: number, words: readonly number[]): Ref {
  if (words.length === 3 && words[0]! < W0 && words[2]! < 8) {
    return new Ref(node, creation, words[0]! + words[1]! * W0 + words[2]! * W0 * W1);
  }
  return new BeamRef(node, creation, words);
}
