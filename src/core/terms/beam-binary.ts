/**
 * Binaries and bitstrings for BEAM (docs/beam-interop.md). A binary is a `Uint8Array`
 * (`binary('text')` makes one from UTF-8 text); a bitstring whose length is not a whole
 * number of bytes is a {@link Bitstring}.
 *
 * Invariants of a Bitstring: `bitLength % 8 !== 0`, `bytes.length === ceil(bitLength / 8)`,
 * and the unused low bits of the last byte are zero (as `term_to_binary` writes them), so two
 * equal bitstrings have equal bytes.
 */
import { badarg } from '../base/errors.js';

const utf8 = new TextEncoder();

/**
 * The UTF-8 bytes of `text`, an Erlang binary: `binary('x')` is `<<"x">>`. Send text to BEAM
 * this way; a JS string alone travels as an atom, and BEAM never frees atoms.
 *
 * @example
 * encodeEtf(['store', binary('héllo')]);         // {store, <<"héllo"/utf8>>}: no new atom for the text
 * new TextDecoder().decode(binary('héllo'));     // 'héllo'
 */
export function binary(text: string): Uint8Array {
  return utf8.encode(text);
}

/**
 * An Erlang bitstring that is not a whole number of bytes, such as `<<1:3>>`: `bytes` holds
 * the bits from the most significant bit of the first byte on.
 *
 * @example
 * const b = bitstring(Uint8Array.of(0b0010_0000), 3);   // Erlang's <<1:3>>
 * b.bitLength;                                           // 3
 * b.bytes;                                               // Uint8Array [32]
 */
export class Bitstring {
  readonly bytes: Uint8Array;
  readonly bitLength: number;
  constructor(bytes: Uint8Array, bitLength: number) {
    if (!(bytes instanceof Uint8Array)) throw badarg('a bitstring is made of a Uint8Array');
    if (!Number.isSafeInteger(bitLength) || bitLength <= 0 || bitLength % 8 === 0) {
      throw badarg(`a bitstring's bit length must be a positive number that is not a multiple of 8 (use a Uint8Array for whole bytes), not ${String(bitLength)}`);
    }
    const n = Math.ceil(bitLength / 8);
    if (bytes.length !== n) throw badarg(`a bitstring of ${bitLength} bits has ${n} bytes, not ${bytes.length}`);
    const copy = bytes.slice();
    copy[n - 1] = copy[n - 1]! & ((0xff << (8 - (bitLength % 8))) & 0xff);
    this.bytes = copy;
    this.bitLength = bitLength;
  }

  /** True for another Bitstring of the same bits. */
  equals(other: unknown): boolean {
    if (!(other instanceof Bitstring) || other.bitLength !== this.bitLength) return false;
    return other.bytes.every((b, i) => b === this.bytes[i]);
  }

  toJSON(): string {
    return this.toString();
  }

  /** Erlang-like display: `<<1:3>>`, `<<255,1:1>>`. */
  toString(): string {
    const full = [...this.bytes.subarray(0, this.bytes.length - 1)].map(String);
    const bits = this.bitLength % 8;
    full.push(`${this.bytes[this.bytes.length - 1]! >> (8 - bits)}:${bits}`);
    return `<<${full.join(',')}>>`;
  }
}

/**
 * Makes a {@link Bitstring} of the first `bitLength` bits of `bytes` (`bytes.length` must be
 * `ceil(bitLength / 8)`; the unused bits of the last byte are cleared). Throws `badarg` for a
 * whole number of bytes: that is a binary, a Uint8Array.
 *
 * @example
 * bitstring(Uint8Array.of(0xff, 0x80), 9);   // Erlang's <<255, 1:1>>
 */
export function bitstring(bytes: Uint8Array, bitLength: number): Bitstring {
  return new Bitstring(bytes, bitLength);
}
