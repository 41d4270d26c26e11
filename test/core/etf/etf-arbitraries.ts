/**
 * fast-check arbitraries of JS terms in the form the ETF decoder produces (docs/beam-interop.md):
 * so a term that goes JS → BEAM → JS must come back the same, class for class. No plain
 * objects (they come back as Maps), no strings 'true'/'false'/'undefined'/'null' (they come
 * back as those JS values), no safe-integer bigints (they come back as numbers), whole floats
 * boxed in Float, BeamRefs only with words not in erlmesh's form.
 */
import fc from 'fast-check';
import { BeamRef, List, Pid, Ref, binary, bitstring, encodeEtf, exportFun, float, improper, list } from '../../../src/core/index.js';

const SPECIAL = new Set(['true', 'false', 'undefined', 'null']);
const codePoints = (s: string) => [...s].length;

export const atomArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('ok', 'error', 'EXIT', 'DOWN', 'normal', '', "it's", 'ĳ', '😀', 'a@host', 'kvs'),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 250, maxLength: 255 }),
  )
  .filter((s) => !SPECIAL.has(s) && codePoints(s) <= 255 && !/[\ud800-\udfff]/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));

const u32 = fc.nat({ max: 2 ** 32 - 1 });
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

const bigArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 1200n), max: 2n ** 1200n }).filter((x) => x > MAX || x < -MAX),
  fc.bigInt({ min: 1n, max: 1000n }).chain((d) => fc.constantFrom(MAX + d, -MAX - d)),
);

const floatArb = fc
  .oneof(fc.constantFrom(0, -0, 3, -7, 1e15, 2 ** 53 - 1, 2 ** 53, 0.5, 5e-324, 1e300, -1e300), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((x) => (Number.isSafeInteger(x) ? float(x) : x));

const refArb = fc.oneof(
  fc.tuple(atomArb, u32, fc.nat({ max: Number.MAX_SAFE_INTEGER })).map(([n, c, id]) => new Ref(n, c, id)),
  fc
    .tuple(atomArb, u32, fc.array(u32, { minLength: 1, maxLength: 5 }))
    .filter(([, , w]) => !(w.length === 3 && w[0]! < 2 ** 18 && w[2]! < 8))
    .map(([n, c, w]) => new BeamRef(n, c, w)),
);

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  atomArb,
  fc.constantFrom(true, false, undefined, null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.maxSafeInteger(),
  bigArb,
  floatArb,
  fc.uint8Array({ maxLength: 40 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 7 })).map(([b, bits]) => bitstring(b, (b.length - 1) * 8 + bits)),
  fc.tuple(atomArb, u32, u32, u32).map(([n, id, s, c]) => new Pid(n, id, s, c)),
  refArb,
  fc.tuple(atomArb, atomArb, fc.integer({ min: 0, max: 255 })).map(([m, f, a]) => exportFun(m, f, a)),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }).map((xs) => list(xs)),
);

/** Map keys: terms without maps inside (so that "the same key" is plain to decide). */
const keyArb: fc.Arbitrary<unknown> = fc.oneof(atomArb, fc.integer(), fc.uint8Array({ maxLength: 8 }), fc.array(atomArb, { maxLength: 3 }), floatArb);

const keyId = (k: unknown): string => (k instanceof Uint8Array ? `b:${[...k].join()}` : Array.isArray(k) ? `t:${k.join('\u0000')}` : typeof k === 'object' && k !== null ? `f:${String((k as { value: number }).value)}` : `${typeof k}:${String(k)}`);

export const { term: termArb } = fc.letrec<{ term: unknown }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('term'), { maxLength: 5 }),
    fc.array(tie('term'), { maxLength: 5 }).map((xs) => list(xs)),
    fc.tuple(fc.array(tie('term'), { minLength: 1, maxLength: 4 }), fc.oneof(leafArb, fc.array(leafArb, { maxLength: 2 })).filter((t) => !(t instanceof List))).map(([items, tail]) => improper(items, tail)),
    fc.uniqueArray(fc.tuple(keyArb, tie('term')), { maxLength: 5, selector: ([k]) => keyId(k) }).map((kv) => new Map(kv)),
  ),
}));

/** Does `t` hold a map of two or more entries (whose order BEAM may change)? */
export function hasMultiKeyMap(t: unknown): boolean {
  if (t instanceof Map) return t.size > 1 || [...t].some(([k, v]) => hasMultiKeyMap(k) || hasMultiKeyMap(v));
  if (Array.isArray(t)) return t.some(hasMultiKeyMap);
  if (t !== null && typeof t === 'object' && 'items' in t && 'tail' in t) return (t.items as unknown[]).some(hasMultiKeyMap) || hasMultiKeyMap(t.tail);
  return false;
}

/** An Erlang atom literal: quoted, with `\` and `'` escaped. */
function atomSource(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Erlang source text of random terms, for erl to evaluate and encode: so the decoder meets
 * BEAM's own encodings (its map order, its strings, its refs and pids), not only ours.
 */
export const { src: erlangSourceArb } = fc.letrec<{ src: string }>((tie) => ({
  src: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomArb.map(atomSource),
    fc.constantFrom('true', 'false', 'undefined', 'null', 'self()', 'make_ref()', 'alias()', 'hd(erlang:ports())', 'fun lists:map/2', 'fun(X) -> X end', '-0.0', '3.0'),
    fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map((n) => (n < 0n ? `(${n})` : `${n}`)),
    fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.nat(99_999)).map(([i, f]) => `(${i}.${f})`),
    fc.uint8Array({ maxLength: 12 }).map((b) => `<<${[...b].join(',')}>>`),
    fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 7 })).map(([b, bits]) => `<<${[...b].join(',')},1:${bits}>>`),
    fc.string({ unit: 'binary', maxLength: 10 }).map((s) => `[${[...s].map((c) => c.codePointAt(0)).join(',')}]`),
    fc.array(tie('src'), { maxLength: 4 }).map((xs) => `{${xs.join(', ')}}`),
    fc.array(tie('src'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(fc.array(tie('src'), { minLength: 1, maxLength: 3 }), tie('src')).map(([xs, t]) => `[${xs.join(', ')} | ${t}]`),
    fc.array(fc.tuple(tie('src'), tie('src')), { maxLength: 4 }).map((kv) => `maps:from_list([${kv.map(([k, v]) => `{${k}, ${v}}`).join(', ')}])`),
    fc.nat(40).map((n) => `maps:from_list([{I, I} || I <- lists:seq(1, ${n})])`),
  ),
}));

/** The encoding of a term with every kind of tag, to truncate and mutate. */
export const SAMPLE: Uint8Array = encodeEtf([
  'ok', 'ĳ', true, null, 1, 300, -5, 2n ** 70n, -(2n ** 600n), 3.5, float(2), binary('bin'), bitstring(Uint8Array.of(0xa0), 3),
  list([1, 2]), list(['x', list([])]), improper([1], 2), new Map<unknown, unknown>([['a', 1], [binary('k'), list(['x'])]]),
  new Pid('e@h', 1, 2, 3), new Ref('e@h', 3, 99), [], list([]), exportFun('m', 'f', 2),
]);

/** SAMPLE with one to four bytes changed. */
export const mutatedSampleArb: fc.Arbitrary<Uint8Array> = fc
  .array(fc.tuple(fc.nat(SAMPLE.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
  .map((edits) => {
    const copy = SAMPLE.slice();
    for (const [i, v] of edits) copy[i] = v;
    return copy;
  });
