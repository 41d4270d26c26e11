/**
 * sanitizeTerm (terms/unencodable.ts): the placeholder `['unencodable', description]` for
 * what cannot travel (issue 17; docs/semantics.md, "Reasons that cannot travel").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTermFast, encodeTermFast } from '../../../src/core/codec/binary.js';
import { decodeTerm, encodeTerm } from '../../../src/core/codec/superjson.js';
import { checkTerm } from '../../../src/core/terms/check.js';
import { isUnencodable, sanitizeTerm } from '../../../src/core/terms/unencodable.js';
import { deepTerm } from '../../support/deep-terms.js';
import { Bitstring, bitstring } from '../../../src/core/terms/beam-binary.js';
import { float } from '../../../src/core/terms/beam-float.js';
import { improper, ImproperList, list, List } from '../../../src/core/terms/beam-list.js';
import { term, termEquals } from '../../support/terms.js';
import { withBad } from '../../support/unencodable.js';

class Foo {}

describe('sanitizeTerm', () => {
  it('describes each kind of part that cannot travel; a hole becomes undefined', () => {
    const cyc: unknown[] = [1];
    cyc.push(cyc);
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays -- a hole is the point
    const s = sanitizeTerm([function foo() {}, () => 1, Symbol('x'), new Foo(), new Int32Array(1), cyc, sparse]);
    expect(s.term).toEqual([
      ['unencodable', 'function foo'],
      ['unencodable', 'function <anonymous>'],
      ['unencodable', 'symbol Symbol(x)'],
      ['unencodable', 'instance of Foo'],
      ['unencodable', 'instance of Int32Array'],
      [1, ['unencodable', 'cyclic object']],
      [1, undefined, 3],
    ]);
    expect(s.first).toEqual(['unencodable', 'function foo']);
    expect(isUnencodable(s.first)).toBe(true);
  });

  it('BEAM terms are kept as what they are: a List stays a List, an improper list is walked into', () => {
    const s = sanitizeTerm(['shutdown', list([1, () => 1]), improper([float(3), Symbol('s')], () => 2), bitstring(Uint8Array.of(0x80), 1)]);
    const [, l, i, b] = s.term as [string, unknown, ImproperList, unknown];
    expect(l).toBeInstanceOf(List);
    expect([...(l as unknown[])]).toEqual([1, ['unencodable', 'function <anonymous>']]);
    expect(i).toBeInstanceOf(ImproperList);
    expect(i.items).toEqual([float(3), ['unencodable', 'symbol Symbol(s)']]);
    expect(i.tail).toEqual(['unencodable', 'function <anonymous>']);
    expect(b).toBeInstanceOf(Bitstring);
  });

  it('replaces what is nested at maxDepth, and walks 100 000 levels without recursion', () => {
    const s = sanitizeTerm(deepTerm('array', 100_000), 10, 'too deep');
    let t = s.term;
    let d = 0;
    while (Array.isArray(t) && t.length === 1) [t, d] = [t[0], d + 1];
    expect([t, d]).toEqual([['unencodable', 'too deep'], 9]);
    const flat = sanitizeTerm(deepTerm('object', 100_000, () => 0));
    expect(flat.first).toEqual(['unencodable', 'function <anonymous>']);
  });

  it('keeps shared subterms, errors (with code and cause) and __proto__ keys', () => {
    const shared = { x: [Symbol.iterator] };
    const e = Object.assign(new TypeError('bad', { cause: shared }), { code: 'E1' });
    const o = JSON.parse('{"__proto__": 1}') as Record<string, unknown>;
    o.f = Math.max;
    const s = sanitizeTerm([shared, shared, e, o]).term as unknown[];
    expect(s[0]).toBe(s[1]);
    expect(s[2]).toBeInstanceOf(TypeError);
    expect((s[2] as Error).message).toBe('bad');
    expect((s[2] as Error & { code: unknown }).code).toBe('E1');
    expect((s[2] as Error).cause).toEqual({ x: [['unencodable', 'symbol Symbol(Symbol.iterator)']] });
    expect(Object.keys(s[3] as object)).toEqual(['__proto__', 'f']);
    expect(Object.getPrototypeOf(s[3])).toBe(Object.prototype);
  });

  it('a term comes back as it is (the same object); anything becomes a term both encodings carry', () => {
    fc.assert(
      fc.property(term, (t) => {
        const s = sanitizeTerm(t);
        expect(s.first).toBeUndefined();
        expect(s.term).toBe(t);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(withBad, (t) => {
        const s = sanitizeTerm(t);
        let ok = true;
        try {
          checkTerm(t);
        } catch {
          ok = false;
        }
        if (ok) expect(s.first).toBeUndefined();
        if (s.first !== undefined) expect(ok).toBe(false);
        checkTerm(s.term);
        expect(termEquals(decodeTermFast(encodeTermFast(s.term)), s.term)).toBe(true);
        expect(termEquals(decodeTerm(encodeTerm(s.term)), s.term)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
