/**
 * Every kind of JS value of the bad-input table (issue 17, test/core/bad-inputs/kinds.ts),
 * given to encodeEtf: each either encodes (and its bytes decode) or is refused with a named
 * code, never a raw TypeError/RangeError or a getter's own error. Which kinds are refused is
 * the mapping of docs/beam-interop.md ("No Erlang form: refused").
 */
import { describe, expect, it } from 'vitest';
import { ErlmeshError, decodeEtf, encodeEtf } from '../../../src/core/index.js';
import { KINDS } from '../bad-inputs/kinds.js';

const REFUSED = new Set([
  'NaN', 'Infinity', '-Infinity', 'symbol', 'function', 'class instance', 'Date', 'RegExp', 'Set', 'WeakMap', 'Promise',
  'Int32Array', 'Float64Array', 'ArrayBuffer', 'DataView', 'sparse array', 'object with a getter that throws',
  'Proxy whose traps throw', 'cyclic object', 'Error with cause',
]);

describe('encodeEtf on every kind of JS value', () => {
  it.each(KINDS.map((k) => [k.kind, k.make] as const))('%s', (kind, make) => {
    let outcome: string;
    try {
      decodeEtf(encodeEtf(make()));
      outcome = 'encoded';
    } catch (e) {
      outcome = e instanceof ErlmeshError ? e.code : `raw ${String(e)}`;
    }
    expect(outcome).toBe(REFUSED.has(kind) ? 'not_etf_encodable' : 'encoded');
  });

  it('a getter that throws is named, not rethrown', () => {
    const o = {
      get x(): number {
        throw new Error('getter boom');
      },
    };
    expect(() => encodeEtf(o)).toThrow(/cannot be read: Error: getter boom \(a getter or proxy trap threw\)/);
  });
});
