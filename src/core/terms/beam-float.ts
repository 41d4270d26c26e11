/**
 * `Float`: an Erlang float whose value is a whole number (`3.0`, `-0.0`). A JS number that is
 * a safe integer travels to BEAM as an integer, and in Erlang `3.0 =:= 3` is false, so such a
 * float is kept in this box when it comes from BEAM and goes back as a float. Floats with a
 * fraction are plain numbers (docs/beam-interop.md).
 *
 * Invariant: `value` is finite (Erlang has no NaN or infinity).
 */
import { badarg } from '../base/errors.js';

/**
 * A number that travels to BEAM as a float even when it is whole. `+f` or `f.value` reads it.
 *
 * @example
 * const f = float(3);
 * f.value;        // 3
 * +f + 1;         // 4
 * String(f);      // '3.0'
 */
export class Float {
  readonly value: number;
  constructor(value: number) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw badarg(`a float must be a finite number, not ${String(value)}`);
    this.value = value;
  }

  valueOf(): number {
    return this.value;
  }

  /** True for another Float of the same value (`-0.0` and `0.0` differ, as in OTP 27). */
  equals(other: unknown): boolean {
    return other instanceof Float && Object.is(other.value, this.value);
  }

  toJSON(): number {
    return this.value;
  }

  /** Erlang-like display: `3.0`, `-0.0`, `0.5`. */
  toString(): string {
    const s = Object.is(this.value, -0) ? '-0' : String(this.value);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
}

/**
 * Makes a {@link Float}: `float(3)` is Erlang's `3.0`. Throws `badarg` for NaN or ±Infinity.
 *
 * @example
 * encodeEtf(float(3));   // 3.0: Uint8Array [131, 70, 64, 8, 0, 0, 0, 0, 0, 0]
 * encodeEtf(3);          // 3, an integer: Uint8Array [131, 97, 3]
 */
export function float(n: number): Float {
  return new Float(n);
}
