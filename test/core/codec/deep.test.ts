/**
 * Deep terms in the codecs and the term check (docs/semantics.md, "Term limits"): fast-1 and
 * checkTerm handle any depth (past a few hundred levels they switch from recursion to an
 * explicit stack, with the same bytes, values and failures), superjson-1 refuses a term
 * deeper than MAX_SUPERJSON_DEPTH with `term_too_deep`. Never a RangeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { TermWriter, decodeTermFast, encodeTermFast } from '../../../src/core/codec/binary.js';
import { RECURSION_DEPTH, writeDeep } from '../../../src/core/codec/binary-deep.js';
import { MAX_SUPERJSON_DEPTH, decodeTerm, encodeTerm } from '../../../src/core/codec/superjson.js';
import { sameTerm } from '../../../src/core/codec/term-equal.js';
import { CHECK_RECURSION_DEPTH, checkDeep, deeperThan } from '../../../src/core/terms/check-deep.js';
import { checkTerm } from '../../../src/core/terms/check.js';
import { formatTerm } from '../../../src/core/terms/format.js';
import { DEEP_KINDS, deepTerm, depthOf } from '../../support/deep-terms.js';
import { thrownCode } from '../../support/errors.js';
import { hex, identical, term, termEquals } from '../../support/terms.js';

/** What checkTerm throws for `v` (its message), or undefined when it passes. */
function checkMessage(v: unknown): string | undefined {
  try {
    checkTerm(v);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ErlmeshError);
    expect((e as ErlmeshError).code).toBe('badarg');
    return (e as Error).message;
  }
}

/** `t` inside `n` one-element arrays: deep enough that the whole term takes the iterative path. */
const wrapped = (t: unknown, n = RECURSION_DEPTH + 50): unknown => {
  let x = t;
  for (let i = 0; i < n; i++) x = [x];
  return x;
};
const unwrap = (x: unknown, n = RECURSION_DEPTH + 50): unknown => {
  for (let i = 0; i < n; i++) x = (x as unknown[])[0];
  return x;
};

describe('terms of any depth', () => {
  for (const depth of [5_000, 100_000]) {
    for (const kind of DEEP_KINDS) {
      it(`a ${kind} ${depth.toLocaleString('en')} deep: checkTerm passes, fast-1 round-trips, sameTerm compares, formatTerm prints`, () => {
        const t = deepTerm(kind, depth);
        expect(checkMessage(t)).toBeUndefined();
        expect(depthOf(kind, decodeTermFast(encodeTermFast(t)))).toBe(depth);
        expect(sameTerm(t, deepTerm(kind, depth))).toBe(true);
        expect(sameTerm(t, deepTerm(kind, depth, 'other leaf'))).toBe(false);
        expect(formatTerm(t).length).toBeLessThan(1000); // maxDepth bounds it, error causes included
        expect(deeperThan(t, depth)).toBe(false);
        expect(deeperThan(t, depth - 1)).toBe(true);
      });
    }
  }

  it('a bad leaf at the bottom of a 100,000-deep term is badarg with its full path', () => {
    const msg = checkMessage(deepTerm('object', 100_000, () => 1));
    expect(msg).toBe(`msg${'.x'.repeat(100_000)} is a function`);
    expect(thrownCode(() => encodeTermFast(deepTerm('array', 100_000, Symbol('s'))))).toBe('badarg');
  });

  it('a cycle through a deep term is badarg from checkTerm and the encoder (not a hang), and sameTerm is false', () => {
    const top: unknown[] = [];
    let bottom = top;
    for (let i = 0; i < 5_000; i++) {
      const next: unknown[] = [];
      bottom.push(next);
      bottom = next;
    }
    bottom.push(top);
    expect(checkMessage(top)).toMatch(/refers back to an enclosing term \(a cycle\)$/);
    expect(thrownCode(() => encodeTermFast(top))).toBe('badarg');
    expect(sameTerm(top, [top])).toBe(false);
  });

  it('an error keeps its name, message, stack and code past the recursion depth', () => {
    const inner = Object.assign(new TypeError('deep'), { code: ['c', 1] });
    const back = unwrap(decodeTermFast(encodeTermFast(wrapped(inner)))) as TypeError & { code: unknown };
    expect(back).toBeInstanceOf(TypeError);
    expect([back.message, back.stack, back.code]).toEqual(['deep', inner.stack, ['c', 1]]);
  });
});

describe('property: the iterative paths agree with the recursive ones', () => {
  const runs = { numRuns: Number(process.env.RUNS ?? 300) };

  it('writeDeep writes the bytes the recursive writer writes', () => {
    fc.assert(
      fc.property(term, (t) => {
        const w = new TermWriter(16);
        writeDeep(w, t);
        expect(hex(w.take())).toBe(hex(encodeTermFast(t)));
      }),
      runs,
    );
  });

  it('a term read past the recursion depth is identical to the term read recursively', () => {
    fc.assert(
      fc.property(term, (t) => {
        const deep = unwrap(decodeTermFast(encodeTermFast(wrapped(t))));
        expect(identical(deep, decodeTermFast(encodeTermFast(t)))).toBeUndefined();
        expect(termEquals(deep, t)).toBe(true);
      }),
      runs,
    );
  });

  const bad = fc.constantFrom<unknown>(() => 1, Symbol('s'), new WeakMap(), new Int16Array(2), new (class Thing {})(), Object.assign(new Array<unknown>(3), { 0: 1, 2: 3 }));
  const withBad = fc.array(fc.oneof(term, bad, fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(term, bad), { maxKeys: 3 }), bad.map((b) => new Map([['k', b]])), bad.map((b) => new Set([1, b])), bad.map((b) => new Error('e', { cause: b }))), { maxLength: 5 });

  it('checkDeep finds the failure, and the path, the recursive check finds', () => {
    fc.assert(
      fc.property(withBad, (t) => {
        const shallow = checkMessage(t);
        const deep = checkMessage(wrapped(t, CHECK_RECURSION_DEPTH + 10));
        expect(deep).toBe(shallow === undefined ? undefined : shallow.replace(/^msg/, `msg${'[0]'.repeat(CHECK_RECURSION_DEPTH + 10)}`));
        const f = checkDeep(t as object);
        expect(f === undefined).toBe(shallow === undefined);
      }),
      runs,
    );
  });
});

describe('malformed deep input is bad_frame', () => {
  it('a million nested array headers with no leaf: bad_frame, not a RangeError', () => {
    const bytes = new Uint8Array(2_000_000);
    for (let i = 0; i < bytes.length; i += 2) [bytes[i], bytes[i + 1]] = [0x09, 0x01];
    expect(thrownCode(() => decodeTermFast(bytes))).toBe('bad_frame');
  });

  it('a million nested arrays, well formed, decode', () => {
    const n = 1_000_000;
    const bytes = new Uint8Array(2 * n + 1);
    for (let i = 0; i < 2 * n; i += 2) [bytes[i], bytes[i + 1]] = [0x09, 0x01];
    bytes[2 * n] = 0x80; // the small integer 0
    let t = decodeTermFast(bytes);
    let d = 0;
    while (Array.isArray(t)) [t, d] = [t[0], d + 1];
    expect([d, t]).toEqual([n, 0]);
  });

  it('a pid whose id is a nested term is bad_frame (integer fields read no containers)', () => {
    // T_PID, node 'a', then an id that is an array [0] instead of an integer
    const pid = new Uint8Array([0x11, 0x07, 0x01, 0x61, 0x09, 0x01, 0x80, 0x80, 0x80]);
    expect(thrownCode(() => decodeTermFast(pid))).toBe('bad_frame');
  });
});

describe('superjson-1: refused past MAX_SUPERJSON_DEPTH', () => {
  for (const kind of DEEP_KINDS) {
    it(`a ${kind} ${MAX_SUPERJSON_DEPTH} deep round-trips; one level more is term_too_deep`, () => {
      expect(depthOf(kind, decodeTerm(encodeTerm(deepTerm(kind, MAX_SUPERJSON_DEPTH))))).toBe(MAX_SUPERJSON_DEPTH);
      expect(thrownCode(() => encodeTerm(deepTerm(kind, MAX_SUPERJSON_DEPTH + 1)))).toBe('term_too_deep');
      expect(thrownCode(() => encodeTerm(deepTerm(kind, 100_000)))).toBe('term_too_deep');
    });
  }

  it('deep superjson text from a peer decodes or is bad_frame, never a RangeError', () => {
    const n = 100_000;
    expect(depthOf('array', decodeTerm(`{"json":${'['.repeat(n)}"leaf"${']'.repeat(n)}}`))).toBe(n);
    const annotated = `{"json":${'['.repeat(n)}null${']'.repeat(n)},"meta":{"values":${'['.repeat(n)}["undefined"]${']'.repeat(n)},"v":1}}`;
    let code: string | undefined;
    try {
      decodeTerm(annotated);
    } catch (e) {
      expect(e).toBeInstanceOf(ErlmeshError);
      code = (e as ErlmeshError).code;
    }
    expect([undefined, 'bad_frame']).toContain(code);
  });
});
