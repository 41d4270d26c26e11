/**
 * What the ETF codec refuses, and how: every bad input is an `ErlmeshError` with a stable
 * code, never a RangeError or a crash. Bytes that are not a term are `bad_etf` (truncated
 * anywhere, lengths claiming more than remains, unknown tags, values Erlang rejects); a JS
 * value with no Erlang form is `not_etf_encodable`; atoms are bounded (`atom_too_long`,
 * `atom_limit`); compressed terms need an injected inflate. Terms of any depth pass both ways.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtomBudget, ErlmeshError, List, Pid, Ref, binary, bitstring, decodeEtf, decodeEtfAt, encodeEtf, float, improper, list } from '../../../src/core/index.js';
import { fuzzSeed } from '../../support/fuzz-settings.js';
import { SAMPLE, mutatedSampleArb } from './etf-arbitraries.js';

const b = (...xs: (number | string)[]) => Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...Buffer.from(x, 'utf8')] : [x])));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ErlmeshError) return e.code;
    return `not an ErlmeshError: ${String(e)}`;
  }
  return 'no error';
}

describe('decoding bad bytes', () => {
  it.each([
    ['no bytes', new Uint8Array(0)],
    ['no version byte', b(97, 1)],
    ['version byte only', b(131)],
    ['unknown tag', b(131, 1)],
    ['ATOM_CACHE_REF (no atom cache here)', b(131, 82, 0)],
    ['LOCAL_EXT (OTP 26, not sent to OTP 25 peers)', b(131, 121, 0)],
    ['bytes after the term', b(131, 97, 1, 0)],
    ['a binary claiming 2^32-1 bytes', b(131, 109, 255, 255, 255, 255, 1)],
    ['a tuple claiming 2^32-1 elements', b(131, 105, 255, 255, 255, 255, 97, 1)],
    ['a list claiming 2^32-1 elements', b(131, 108, 255, 255, 255, 255, 106)],
    ['a map claiming 2^31 pairs', b(131, 116, 128, 0, 0, 0, 97, 1)],
    ['a string claiming more than remains', b(131, 107, 0, 9, 1)],
    ['a big claiming more than remains', b(131, 111, 0, 1, 0, 0, 0, 1)],
    ['a big with sign byte 2', b(131, 110, 1, 2, 5)],
    ['a NaN float', b(131, 70, 127, 248, 0, 0, 0, 0, 0, 0)],
    ['an infinite float', b(131, 70, 127, 240, 0, 0, 0, 0, 0, 0)],
    ['an old float that is not a number', b(131, 99, 'nonsense', ...Array(23).fill(0))],
    ['a map with the same key twice', b(131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3)],
    ['a map with the same binary key twice', b(131, 116, 0, 0, 0, 2, 109, 0, 0, 0, 1, 'k', 97, 2, 109, 0, 0, 0, 1, 'k', 97, 3)],
    ['a map with the same tuple key twice', b(131, 116, 0, 0, 0, 2, 104, 1, 97, 1, 97, 2, 104, 1, 97, 1, 97, 3)],
    ['a ref of 0 words', b(131, 90, 0, 0, 119, 1, 'x', 0, 0, 0, 1)],
    ['a ref of 6 words', b(131, 90, 0, 6, 119, 1, 'x', 0, 0, 0, 1, ...Array(24).fill(0))],
    // OTP 25's binary_to_term refuses these (badarg): the old forms' first word has 18 bits.
    ['an old REFERENCE_EXT whose id has more than 18 bits', b(131, 101, 119, 1, 'm', 119, 1, 'f', 97, 2)],
    ['a NEW_REFERENCE_EXT whose first word has more than 18 bits', b(131, 114, 0, 1, 119, 1, 'm', 2, 255, 255, 255, 255)],
    ['an atom of 256 characters', b(131, 118, 1, 0, 'a'.repeat(256))],
    ['an atom that is not UTF-8', b(131, 119, 2, 0xc3, 0x28)],
    ['a pid whose node is not an atom', b(131, 88, 97, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)],
    ['a bitstring of 0 bits in its last byte', b(131, 77, 0, 0, 0, 1, 0, 5)],
    ['a bitstring of 9 bits in its last byte', b(131, 77, 0, 0, 0, 1, 9, 5)],
    ['an empty bitstring of 8 bits', b(131, 77, 0, 0, 0, 0, 8)],
    ['a fun whose size is more than remains', b(131, 112, 0, 0, 1, 0, 1)],
    ['a fun too short to hold its header', b(131, 112, 0, 0, 0, 8, 1, 2, 3, 4)],
    ['an export whose arity is not a small integer', b(131, 113, 119, 1, 'm', 119, 1, 'f', 98, 0, 0, 0, 1)],
    ['a compressed term inside a term', b(131, 104, 1, 80, 0, 0, 0, 1, 0)],
  ])('%s is bad_etf', (_name, bytes) => {
    expect(codeOf(() => decodeEtf(bytes))).toBe('bad_etf');
  });

  it('a valid term cut short anywhere is bad_etf', () => {
    for (let n = 0; n < SAMPLE.length; n++) expect(codeOf(() => decodeEtf(SAMPLE.subarray(0, n)))).toBe('bad_etf');
  });

  it('random bytes and mutated terms give a term or a named error, never anything else (fast-check)', () => {
    const mutated = mutatedSampleArb;
    const random = fc.uint8Array({ maxLength: 64 }).map((x) => Uint8Array.of(131, ...x));
    fc.assert(
      fc.property(fc.oneof(mutated, random), (bytes) => {
        const code = codeOf(() => decodeEtf(bytes));
        expect(['no error', 'bad_etf', 'etf_compressed_unsupported', 'message_too_large']).toContain(code);
      }),
      { numRuns: 3000, seed: fuzzSeed() },
    );
  });

  it('decodeEtfAt reads the terms of a distribution frame one after the other', () => {
    const frame = Uint8Array.of(112, ...encodeEtf([2, '', new Pid('e@h', 1, 0, 1)]), ...encodeEtf(['hello', 1]));
    const ctl = decodeEtfAt(frame, 1);
    expect(ctl.term).toEqual([2, '', new Pid('e@h', 1, 0, 1)]);
    expect(decodeEtfAt(frame, ctl.end)).toEqual({ term: ['hello', 1], end: frame.length });
    expect(codeOf(() => decodeEtfAt(frame, frame.length))).toBe('bad_etf');
    expect(codeOf(() => decodeEtfAt(frame, 0))).toBe('bad_etf');
  });
});

describe('compressed terms (tag 80)', () => {
  // term_to_binary(lists:duplicate(100, a), [compressed]) on OTP 25
  const erl = b(131, 80, 0, 0, 1, 150, 120, 156, 203, 97, 96, 96, 72, 73, 97, 96, 76, 28, 197, 131, 7, 103, 1, 0, 48, 70, 78, 147);
  const inflate = (data: Uint8Array) => new Uint8Array(inflateSync(data));

  it('decode through the injected inflate; without one they are etf_compressed_unsupported', () => {
    expect(decodeEtf(erl, { inflate })).toEqual(list(Array(100).fill('a')));
    expect(codeOf(() => decodeEtf(erl))).toBe('etf_compressed_unsupported');
  });

  it('a claimed size over maxInflatedBytes is message_too_large; a wrong size or bad zlib is bad_etf', () => {
    expect(codeOf(() => decodeEtf(erl, { inflate, maxInflatedBytes: 100 }))).toBe('message_too_large');
    const wrongSize = erl.slice();
    wrongSize[5] = 151;
    expect(codeOf(() => decodeEtf(wrongSize, { inflate }))).toBe('bad_etf');
    expect(codeOf(() => decodeEtf(b(131, 80, 0, 0, 0, 2, 1, 2, 3), { inflate }))).toBe('bad_etf');
    const trailing = deflateSync(Buffer.from([97, 1, 0]));
    expect(codeOf(() => decodeEtf(Uint8Array.of(131, 80, 0, 0, 0, 3, ...trailing), { inflate }))).toBe('bad_etf');
  });
});

describe('encoding JS values with no Erlang form', () => {
  class Foo {}
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  it.each([
    ['a Date', new Date(0)],
    ['a Set', new Set([1])],
    ['an Error', new Error('x')],
    ['a RegExp', /x/],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['NaN', NaN],
    ['Infinity', -Infinity],
    ['an Int32Array', new Int32Array(1)],
    ['a class instance', new Foo()],
    ['a sparse array', new Array(3)],
    ['a cycle', cyclic],
    ['a lone surrogate', '\ud800'],
    ['a pid id over 32 bits', new Pid('e@h', 2 ** 32, 0, 1)],
    ['a ref with a negative id', new Ref('e@h', 1, -1)],
    ['a Date deep inside', list([new Map([['k', [new Date(0)]]])])],
  ])('%s is not_etf_encodable', (_name, value) => {
    expect(codeOf(() => encodeEtf(value))).toBe('not_etf_encodable');
  });

  it('a string over 255 characters cannot be an atom (atom_too_long); 255 four-byte characters can', () => {
    expect(codeOf(() => encodeEtf('a'.repeat(256)))).toBe('atom_too_long');
    expect(codeOf(() => encodeEtf({ ['k'.repeat(300)]: 1 }))).toBe('atom_too_long');
    const emoji = '😀'.repeat(255);
    expect([...encodeEtf(emoji).subarray(0, 4)]).toEqual([131, 118, 1020 >> 8, 1020 & 255]);
    expect(decodeEtf(encodeEtf(emoji))).toBe(emoji);
  });

  it('constructors refuse what has no form: badarg', () => {
    expect(codeOf(() => float(NaN))).toBe('badarg');
    expect(codeOf(() => improper([], 1))).toBe('badarg');
    expect(codeOf(() => improper([1], list([2])))).toBe('badarg');
    expect(codeOf(() => bitstring(b(1), 8))).toBe('badarg');
    expect(codeOf(() => bitstring(b(1, 2), 3))).toBe('badarg');
  });
});

describe('re-entrance', () => {
  it('a getter that itself calls encodeEtf while the term is written gets its own buffer', () => {
    const inner = { get v(): unknown { return encodeEtf(['inner', 1]); } };
    expect([...encodeEtf(['outer', inner])]).toEqual([...encodeEtf(['outer', new Map([['v', encodeEtf(['inner', 1])]])])]);
    expect(codeOf(() => encodeEtf(new Date()))).toBe('not_etf_encodable');
    expect([...encodeEtf('ok')]).toEqual([131, 119, 2, 111, 107]); // and the shared writer is fine after a refusal
  });
});

describe('the atom budget', () => {
  it('charges each new atom once; atoms from the peer are free; the one over the limit is atom_limit and is not counted', () => {
    const atoms = new AtomBudget(3);
    decodeEtf(encodeEtf(['from_peer', 'ok']), { atoms });
    encodeEtf(['ok', 'from_peer', 'a', 'b'], { atoms });
    expect(atoms.spent).toBe(2);
    encodeEtf(['a', 'c', 'a'], { atoms });
    expect(atoms.spent).toBe(3);
    const e = (() => {
      try {
        encodeEtf(['ok', binary('text is free'), 'd'], { atoms });
      } catch (err) {
        return err as ErlmeshError;
      }
    })();
    expect(e?.code).toBe('atom_limit');
    expect(e?.message).toContain("send text as binary('…')");
    expect(atoms.spent).toBe(3);
    expect(atoms.has('d')).toBe(false);
    expect(codeOf(() => encodeEtf(['ok', 'a', true], { atoms }))).toBe('atom_limit'); // true is an atom too
  });

  it('a term that fails to encode gives back the atoms it charged: none of it was sent', () => {
    const atoms = new AtomBudget(3);
    expect(codeOf(() => encodeEtf(['x', 'y', new Set([1])], { atoms }))).toBe('not_etf_encodable');
    expect(codeOf(() => encodeEtf(['p', 'q', 'r', 's'], { atoms }))).toBe('atom_limit');
    expect(atoms.spent).toBe(0);
    expect(atoms.has('x') || atoms.has('p')).toBe(false);
    encodeEtf(['p', 'q', 'r'], { atoms });
    expect(atoms.spent).toBe(3);
  });

  it('counts node names in pids and refs, map keys of plain objects, and booleans', () => {
    const atoms = new AtomBudget();
    encodeEtf([new Pid('a@h', 1, 0, 1), new Ref('b@h', 1, 1), { key: false }], { atoms });
    expect(atoms.spent).toBe(4);
    expect(['a@h', 'b@h', 'key', 'false'].every((a) => atoms.has(a))).toBe(true);
  });
});

describe('depth', () => {
  it('tuples, lists, maps and improper lists 100 000 levels deep encode and decode to the same bytes', () => {
    const kinds: ((inner: unknown) => unknown)[] = [(x) => [x], (x) => list([x, 1]), (x) => new Map([['k', x]]), (x) => improper([x], 1)];
    for (const wrap of kinds) {
      let t: unknown = 'leaf';
      for (let i = 0; i < 100_000; i++) t = wrap(t);
      const bytes = encodeEtf(t);
      expect(Buffer.from(encodeEtf(decodeEtf(bytes))).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('a list 100 000 tails deep ([1 | [2 | …]]) reads as one flat list in linear time', () => {
    const n = 100_000;
    const parts: number[] = [131];
    for (let i = 0; i < n; i++) parts.push(108, 0, 0, 0, 1, 97, i % 256);
    parts.push(106);
    const l = decodeEtf(Uint8Array.from(parts)) as List<number>;
    expect(l).toBeInstanceOf(List);
    expect(l.length).toBe(n);
    expect(l[n - 1]).toBe((n - 1) % 256);
  });
});
