/**
 * `sameTerm`: are two terms equal? Decided by their fast-1 encoding (codec/binary.ts), so
 * two terms are the same exactly when they would arrive as the same message: object keys
 * compare in insertion order, `-0` differs from `0`, `NaN` equals `NaN`, a Buffer equals a
 * Uint8Array of the same bytes, and an Error compares by name, message, stack, code and cause.
 * Terms of any depth compare (the encoder does not recurse past a few hundred levels).
 */
import { encodeTermFast } from './binary.js';

/**
 * Structural equality of two terms; false when either is not a term.
 *
 * @example
 * sameTerm(['shutdown', 'x'], ['shutdown', 'x']);   // true
 * sameTerm({ a: 1, b: 2 }, { b: 2, a: 1 });         // false (key order is part of the encoding)
 */
export function sameTerm(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = encodeTermFast(a);
    y = encodeTermFast(b);
  } catch {
    return false;
  }
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
