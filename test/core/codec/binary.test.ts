/**
 * The fast-1 binary term encoding (src/core/codec/binary.ts): golden bytes, edge cases,
 * malformed input, and the property that it decodes every term to exactly what superjson-1
 * decodes (same classes, prototypes, own keys and attributes), which equals the term.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { decodeTerm, encodeTerm } from '../../../src/core/codec/superjson.js';
import { FAST_TERM_FORMAT, TermWriter, decodeTermFast, encodeTermFast } from '../../../src/core/codec/binary.js';
import { Pid } from '../../../src/core/terms/pid.js';
import { fixedError, goldenPid, goldenRef, hex, identical, term, termEquals, unhex } from '../../support/terms.js';

const pid = goldenPid();
const ref = goldenRef();
const fast = (t: unknown): unknown => decodeTermFast(encodeTermFast(t));
const sj = (t: unknown): unknown => decodeTerm(encodeTerm(t));

/** Both encodings decode `t` to the same value graph, equal to `t`. */
function expectBothAgree(t: unknown): void {
  const a = fast(t);
  expect(identical(a, sj(t))).toBeUndefined();
  expect(termEquals(t, a)).toBe(true);
}

describe('fast-1 golden bytes', () => {
  it('names its format', () => {
    expect(FAST_TERM_FORMAT).toBe('fast-1');
  });

  it.each<[string, () => unknown, string]>([
    ['a tuple of JSON values', () => ['msg', 1, 'x'], '09 03 07036d7367 81 070178'],
    ['a pid', () => pid, '11 070c67616e64616c6640686f7374 aa 80 83'],
    ['a ref', () => ref, '12 070c67616e64616c6640686f7374 83 87'],
    ['a binary', () => new Uint8Array([1, 2, 3]), '0f 03 010203'],
    [
      'an error',
      fixedError,
      '10 01 0709547970654572726f72 0704626f6f6d 0723547970654572726f723a20626f6f6d0a20202020617420662028782e6a733a313a3129',
    ],
    ['a map', () => new Map<unknown, unknown>([['a', 1], [2, 'b']]), '0b 02 070161 81 82 070162'],
    ['undefined inside an array', () => [1, undefined, 'x'], '09 03 81 00 070178'],
    ['a bigint', () => 12345678901234567890n, '06 00 08 d20a1feb8ca954ab'],
    ['a negative bigint', () => -256n, '06 01 02 0001'],
    ['a date', () => new Date('2024-01-01T00:00:00.000Z'), '0d 0000401f25cc7842'],
    ['-0', () => -0, '05 0000000000000080'],
    ['NaN (canonical)', () => NaN, '05 000000000000f87f'],
    ['an int32', () => -2, '04 feffffff'],
    ['an integer beyond int32', () => 2 ** 31, '05 000000000000e041'],
    ['a string with a lone surrogate (UTF-16)', () => 'a\ud800', '08 02 6100 00d8'],
    ['a null-prototype object', () => Object.assign(Object.create(null), { ok: true }), '0a 01 07026f6b 03'],
    ['a regexp', () => /a+/g, '0e 0702612b 070167'],
  ])('%s', (_name, make, bytes) => {
    expect(hex(encodeTermFast(make()))).toBe(bytes.replace(/\s+/g, ''));
    expect(termEquals(make(), decodeTermFast(unhex(bytes)))).toBe(true);
  });
});

describe('fast-1 round trips agree with superjson-1', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['booleans', [true, false]],
    ['small and boundary integers', [0, 127, 128, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER]],
    ['floats and specials', [3.25, NaN, Infinity, -Infinity, -0, 5e-324, -Number.MAX_VALUE]],
    ['bigints', [0n, -1n, 2n ** 64n, -(2n ** 100n), 10n ** 40n]],
    ['strings', ['', 'héllo "wörld" \u2028', '\ud800', '\udc00x', '𝄞', '\u0000', 'x'.repeat(500), `${'é'.repeat(100)}\ud800`]],
    ['a long string just over the short path', 'a'.repeat(43)],
    ['an empty array', []],
    ['an array with undefined', [undefined, 1, undefined]],
    ['a nested array', [[1, [2, [3, []]]]]],
    ['a long array', Array.from({ length: 300 }, (_, i) => i)],
    ['a plain object with undefined', { a: undefined, b: { c: [undefined] } }],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['an object with reserved keys', JSON.parse('{"__proto__": 1, "constructor": {"prototype": [null]}, "toJSON": 2}')],
    ['an object with many keys', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]))],
    ['an object with integer-like keys', { b: 1, 2: 'two', a: 3, 1: 'one' }],
    ['a map with term keys', new Map<unknown, unknown>([[pid, 1], [[1, 2], new Set([ref])], [undefined, NaN]])],
    ['a set', new Set<unknown>([1, 'a', pid, new Date(0)])],
    ['a date', new Date('2024-01-01T00:00:00.000Z')],
    ['an invalid date', new Date(NaN)],
    ['regexps', [/a\/b+[x]/giu, new RegExp(''), /[\ud800]/y]],
    ['binaries', [new Uint8Array([0, 255, 128]), new Uint8Array(0), new Uint8Array(300).fill(9)]],
    ['an error', new Error('plain')],
    ['an ErlmeshError (own code)', new ErlmeshError('timeout', 'too slow')],
    ['an error with code and cause', Object.assign(new TypeError('outer', { cause: new RangeError('inner') }), { code: ['x', 1] })],
    ['an error with an undefined cause', new Error('x', { cause: undefined })],
    ['an error without a stack', Object.assign(new Error('s'), { stack: undefined })],
    ['pids and refs', [pid, ref, new Pid('ünïcode@h', 2 ** 40, 2 ** 33, 2 ** 32 - 1)]],
  ])('%s', (_name, t) => {
    expectBothAgree(t);
  });

  it('Buffers and views decode as fresh plain Uint8Array copies of the viewed bytes', () => {
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    for (const b of [Buffer.from('hi there'), view]) {
      const d = fast(b) as Uint8Array;
      expect(d.constructor).toBe(Uint8Array);
      expect([...d]).toEqual([...b]);
      expect(d.byteOffset).toBe(0);
      expect(d.buffer.byteLength).toBe(d.length);
      expectBothAgree(b);
    }
  });

  it('decodes from a Buffer, or a view with an offset, as from a Uint8Array', () => {
    const bytes = encodeTermFast(['x', new Uint8Array([1, 2])]);
    const padded = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.from(bytes)]).subarray(3);
    const d = decodeTermFast(padded) as [string, Uint8Array];
    expect(d[1].constructor).toBe(Uint8Array);
    expect(identical(d, ['x', new Uint8Array([1, 2])])).toBeUndefined();
  });

  it('a __proto__ key stays an own key and pollutes nothing', () => {
    const o = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const d = fast(o) as Record<string, unknown>;
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
    expect(Object.keys(d)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(d.polluted).toBeUndefined();
  });

  it('large binaries and strings do not blow the stack', () => {
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 7) & 255);
    expect(termEquals(big, fast(big))).toBe(true);
    const s = '☃'.repeat(200_000);
    expect(fast(s)).toBe(s);
  });

  it('short ASCII strings, read through the cache of strings read before, come back exact whatever shares a slot', () => {
    // A small alphabet and short lengths: thousands of distinct strings over the cache's slots,
    // read in an order that keeps evicting and refilling them.
    const short = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '@', '.', '1'), minLength: 0, maxLength: 70 }); // past the 64 bytes cached
    const words = fc.sample(short, { numRuns: 6_000, seed: 7 });
    for (let round = 0; round < 2; round++) {
      for (const w of words) expect(fast(w)).toBe(w);
      for (const w of words) expect(fast([w, `${w}x`, w])).toEqual([w, `${w}x`, w]);
    }
  });

  it('shared subterms decode as equal, independent copies', () => {
    const shared = { a: [1] };
    const d = fast([shared, shared]) as [typeof shared, typeof shared];
    expect(termEquals([shared, shared], d)).toBe(true);
    expect(d[0]).not.toBe(d[1]);
  });
});

describe('fast-1 encoding failures', () => {
  it.each<[string, unknown]>([
    ['a function', [1, () => 1]],
    ['a symbol', { s: Symbol('x') }],
    ['a class instance', new (class Foo {})()],
    ['a typed array other than Uint8Array', new Int16Array(2)],
    ['a Promise', Promise.resolve(1)],
    ['a getter that throws', { get boom(): never { throw new Error('nope'); } }],
  ])('%s is badarg, and the writer is left as it was', (_name, bad) => {
    const w = new TermWriter(8);
    w.term(['before']);
    const at = w.length;
    expect(() => w.term(['x', bad])).toThrow(expect.objectContaining({ code: 'badarg' }));
    expect(w.length).toBe(at);
    w.term('after');
    const r = w.take();
    expect(decodeTermFast(r.subarray(0, at))).toEqual(['before']);
    expect(decodeTermFast(r.subarray(at))).toBe('after');
  });
});

describe('fast-1 decoding of malformed bytes', () => {
  it.each([
    ['empty input', ''],
    ['an unknown tag', '7f'],
    ['a truncated int32', '04ffff'],
    ['a truncated string', '0705616263'],
    ['invalid UTF-8', '0702c328'],
    ['invalid UTF-8 in a long string', `0732${'61'.repeat(48)}c328`],
    ['a count larger than the input', '09ffffffff0f'],
    ['an endless varint', '09ffffffffffffffffff'],
    ['trailing bytes', '8181'],
    ['an object key that is not a string', '0a018181'],
    ['a pid with a fractional id', '1107016105000000000000f83f8080'],
    ['a pid whose node is not a string', '11818080 80'],
    ['an error with unknown flag bits', '1008070141070142'],
    ['a bigint with a bad sign byte', '060201ff'],
    ['an invalid regexp', '0e07012807 00'],
  ])('%s throws bad_frame', (_name, h) => {
    expect(() => decodeTermFast(unhex(h))).toThrow(expect.objectContaining({ code: 'bad_frame' }));
  });

  it('random bytes never throw anything but bad_frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeTermFast(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(ErlmeshError);
          expect((e as ErlmeshError).code).toBe('bad_frame');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('property: fast-1 and superjson-1 decode every term identically', () => {
  it('decode_fast(encode_fast(t)) is identical to decode_sj(encode_sj(t)), and equals t', () => {
    fc.assert(
      fc.property(term, (t) => {
        const viaFast = fast(t);
        const viaSj = sj(t);
        expect(identical(viaFast, viaSj)).toBeUndefined();
        expect(termEquals(t, viaFast)).toBe(true);
        expect(termEquals(t, viaSj)).toBe(true);
      }),
      { numRuns: Number(process.env.RUNS ?? 1000) },
    );
  });

  it('identical() itself tells prototypes, classes and attributes apart', () => {
    expect(identical({ a: 1 }, Object.assign(Object.create(null), { a: 1 }))).toMatch(/prototypes/);
    expect(identical(new Uint8Array([1]), Buffer.from([1]))).toMatch(/prototypes/);
    expect(identical(new TypeError('x'), new Error('x'))).toMatch(/prototypes/);
    expect(identical({ a: 1, b: 2 }, { b: 2, a: 1 })).toMatch(/own keys/);
    expect(identical([-0], [0])).toBeDefined();
    expect(identical([NaN, pid], [NaN, new Pid('gandalf@host', 42, 0, 3)])).toBeUndefined();
  });
});
