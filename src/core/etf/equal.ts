/**
 * `etfEquals`: Erlang's exact equality (`=:=`) on the JS side of the mapping
 * (docs/beam-interop.md). Two values are equal exactly when BEAM would receive the same term:
 * decided by their canonical encodings (writer.ts `encodeCanonical`: map entries in key
 * order), so `1` and `float(1)` differ, a Map equals another with the same entries in any
 * order, `list([1])` differs from the tuple `[1]`, and pids and refs compare as `equals` does.
 * Like the encoder it takes any depth. `float(0)` and `float(-0)` differ (as in OTP 27;
 * OTP 25 counts `0.0 =:= -0.0`).
 */
import { encodeCanonical } from './writer.js';

/**
 * True when `a` and `b` are the same Erlang term; false when either has no Erlang form.
 *
 * @example
 * etfEquals(decodeEtf(bytes), [binary('bin'), list([1, 2, 3])]);   // compares as =:= would
 * etfEquals(3, float(3));                                         // false: 3 =/= 3.0
 * etfEquals(new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]]));   // true
 */
export function etfEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = encodeCanonical(a);
    y = encodeCanonical(b);
  } catch {
    return false;
  }
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
