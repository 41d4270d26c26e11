/**
 * The ETF codec against golden bytes: every tag, each written by OTP 25.2.3's
 * `term_to_binary(T, [{minor_version, 2}])` (what the distribution sends: UTF-8 atoms) or
 * taken from erts/doc/guides/erl_ext_dist.md for what OTP 25 does not write (V4_PORT_EXT,
 * 1- and 5-word refs, the old tags). Each JS value encodes to exactly those bytes and the
 * bytes decode to exactly that value (same classes: a List is not a tuple, a Float is not a
 * number). Old tags decode to what OTP 25 re-encodes them as.
 */
import { describe, expect, it } from 'vitest';
import {
  BeamExport,
  BeamFun,
  BeamPort,
  BeamRef,
  Float,
  List,
  Pid,
  Ref,
  binary,
  bitstring,
  charlist,
  decodeEtf,
  encodeEtf,
  exportFun,
  float,
  improper,
  list,
} from '../../../src/core/index.js';
import { shapeDiff } from './same-shape.js';

const b = (...xs: (number | string)[]) => Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...Buffer.from(x, 'utf8')] : [x])));
const NONODE = [119, 13, 'nonode@nohost'] as const;

/** [name, JS value, bytes]: encodes to the bytes, and the bytes decode to the value. */
const GOLDEN: [string, unknown, Uint8Array][] = [
  ['atom', 'foo', b(131, 119, 3, 'foo')],
  ['UTF-8 atom', 'ĳ', b(131, 119, 2, 196, 179)],
  ['the empty atom', '', b(131, 119, 0)],
  ['true', true, b(131, 119, 4, 'true')],
  ['false', false, b(131, 119, 5, 'false')],
  ['undefined', undefined, b(131, 119, 9, 'undefined')],
  ['null', null, b(131, 119, 4, 'null')],
  ['0', 0, b(131, 97, 0)],
  ['255', 255, b(131, 97, 255)],
  ['256', 256, b(131, 98, 0, 0, 1, 0)],
  ['-1', -1, b(131, 98, 255, 255, 255, 255)],
  ['-2^31', -(2 ** 31), b(131, 98, 128, 0, 0, 0)],
  ['2^31', 2 ** 31, b(131, 110, 4, 0, 0, 0, 0, 128)],
  ['2^53-1', 2 ** 53 - 1, b(131, 110, 7, 0, 255, 255, 255, 255, 255, 255, 31)],
  ['1 bsl 70', 2n ** 70n, b(131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64)],
  ['-(1 bsl 70)', -(2n ** 70n), b(131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 64)],
  ['3.5', 3.5, b(131, 70, 64, 12, 0, 0, 0, 0, 0, 0)],
  ['3.0', float(3), b(131, 70, 64, 8, 0, 0, 0, 0, 0, 0)],
  ['-0.0', float(-0), b(131, 70, 128, 0, 0, 0, 0, 0, 0, 0)],
  ['1.0e300 (whole, but not a safe integer: a plain number)', 1e300, b(131, 70, 0x7e, 0x37, 0xe4, 0x3c, 0x88, 0x00, 0x75, 0x9c)],
  ['<<"x">>', binary('x'), b(131, 109, 0, 0, 0, 1, 'x')],
  ['<<>>', new Uint8Array(0), b(131, 109, 0, 0, 0, 0)],
  ['<<1:3>>', bitstring(b(0b0010_0000), 3), b(131, 77, 0, 0, 0, 1, 3, 32)],
  ['"abc"', charlist('abc'), b(131, 107, 0, 3, 'abc')],
  ['[1,2,3]', list([1, 2, 3]), b(131, 107, 0, 3, 1, 2, 3)],
  ['[]', list([]), b(131, 106)],
  ['{}', [], b(131, 104, 0)],
  ['[x]', list(['x']), b(131, 108, 0, 0, 0, 1, 119, 1, 'x', 106)],
  ['[256]', list([256]), b(131, 108, 0, 0, 0, 1, 98, 0, 0, 1, 0, 106)],
  ['[1|2]', improper([1], 2), b(131, 108, 0, 0, 0, 1, 97, 1, 97, 2)],
  ['{ok, fine}', ['ok', 'fine'], b(131, 104, 2, 119, 2, 'ok', 119, 4, 'fine')],
  ['#{}', new Map(), b(131, 116, 0, 0, 0, 0)],
  ['#{1 => x, a => 2, b => 1}', new Map<unknown, unknown>([[1, 'x'], ['a', 2], ['b', 1]]), b(131, 116, 0, 0, 0, 3, 97, 1, 119, 1, 'x', 119, 1, 'a', 97, 2, 119, 1, 'b', 97, 1)],
  ['pid', new Pid('nonode@nohost', 9, 0, 0), b(131, 88, ...NONODE, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0)],
  ['pid with 32-bit fields', new Pid('x', 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1), b(131, 88, 119, 1, 'x', ...Array(12).fill(255))],
  ['ref (make_ref())', new BeamRef('nonode@nohost', 0, [0x0002d177, 0x6e9c0001, 0x16d03366]), b(131, 90, 0, 3, ...NONODE, 0, 0, 0, 0, 0, 2, 209, 119, 110, 156, 0, 1, 22, 208, 51, 102)],
  ['ref of 1 word', new BeamRef('x', 1, [1]), b(131, 90, 0, 1, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 1)],
  ['ref of 5 words', new BeamRef('x', 1, [1, 2, 3, 4, 5]), b(131, 90, 0, 5, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5)],
  ['erlmesh ref (id 2^52 + 2^20 + 5)', new Ref('js@h', 7, 2 ** 52 + 2 ** 20 + 5), b(131, 90, 0, 3, 119, 4, 'js@h', 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 4)],
  ['fun lists:reverse/1', exportFun('lists', 'reverse', 1), b(131, 113, 119, 5, 'lists', 119, 7, 'reverse', 97, 1)],
];

describe('ETF golden bytes (OTP 25)', () => {
  it.each(GOLDEN)('%s: encodes to its bytes and decodes back', (_name, value, bytes) => {
    expect([...encodeEtf(value)]).toEqual([...bytes]);
    expect(shapeDiff(decodeEtf(bytes), value)).toBeUndefined();
  });

  it('a plain object is a map with atom keys (it decodes as a Map)', () => {
    const bytes = encodeEtf({ a: 1 });
    expect([...bytes]).toEqual([...b(131, 116, 0, 0, 0, 1, 119, 1, 'a', 97, 1)]);
    expect(decodeEtf(bytes)).toEqual(new Map([['a', 1]]));
  });

  it('a Buffer is a binary; a bigint in the int32 range is a small integer; -0 is the integer 0', () => {
    expect([...encodeEtf(Buffer.from('x'))]).toEqual([...b(131, 109, 0, 0, 0, 1, 'x')]);
    expect([...encodeEtf(7n)]).toEqual([131, 97, 7]);
    expect([...encodeEtf(-0)]).toEqual([131, 97, 0]);
    expect(decodeEtf(encodeEtf(2n ** 40n))).toBe(2 ** 40);
  });

  it('a list of bytes is STRING_EXT up to 65535 elements, LIST_EXT beyond; a tuple of 256 is LARGE_TUPLE', () => {
    expect([...encodeEtf(list(Array(65535).fill(1))).subarray(0, 4)]).toEqual([131, 107, 255, 255]);
    expect([...encodeEtf(list(Array(65536).fill(1))).subarray(0, 8)]).toEqual([131, 108, 0, 1, 0, 0, 97, 1]);
    expect([...encodeEtf(Array(256).fill(0)).subarray(0, 6)]).toEqual([131, 105, 0, 0, 1, 0]);
    expect([...encodeEtf(2n ** 2048n).subarray(0, 8)]).toEqual([131, 111, 0, 0, 1, 1, 0, 0]);
  });

  it('an erlmesh Ref goes out as three words and comes back a plain Ref that equals it', () => {
    const ref = new Ref('js@h', 3, 2 ** 53 - 1);
    const back = decodeEtf(encodeEtf(ref)) as Ref;
    expect(back).not.toBeInstanceOf(BeamRef);
    expect(back.equals(ref)).toBe(true);
    const beam = decodeEtf(b(131, 90, 0, 3, 119, 4, 'js@h', 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) as BeamRef;
    expect(beam).toBeInstanceOf(BeamRef);
    expect(beam.equals(new BeamRef('js@h', 3, [0x40000, 0, 0]))).toBe(true);
    expect(new Ref('js@h', 3, 0).equals(beam)).toBe(false);
    expect(beam.equals(new Ref('js@h', 3, 0))).toBe(false);
    expect(beam.key).not.toBe(new Ref('js@h', 3, 0x40000).key);
  });

  it('ports, funs and exports from BEAM keep their bytes and go back byte for byte', () => {
    const port = b(131, 89, ...NONODE, 0, 0, 0, 0, 0, 0, 0, 0);
    const v4 = b(131, 120, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 2);
    const fun = b(131, 112, 0, 0, 0, 70, 1, 172, 197, 122, 150, 53, 167, 91, 157, 171, 169, 62, 21, 249, 129, 134, 120, 0, 0, 0, 0, 0, 0, 0, 0, 119, 4, 'etfx', 97, 0, 98, 5, 102, 43, 212, 88, ...NONODE, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0);
    const latin1Export = b(131, 113, 100, 0, 5, 'lists', 100, 0, 7, 'reverse', 97, 1);
    for (const bytes of [port, v4, fun, latin1Export]) expect([...encodeEtf(decodeEtf(bytes))]).toEqual([...bytes]);
    expect(decodeEtf(port)).toMatchObject({ node: 'nonode@nohost', id: 0n, creation: 0 });
    expect(decodeEtf(port)).toBeInstanceOf(BeamPort);
    expect(decodeEtf(v4)).toMatchObject({ node: 'x', id: 2n ** 32n + 7n, creation: 2 });
    expect(decodeEtf(fun)).toBeInstanceOf(BeamFun);
    expect(decodeEtf(fun)).toMatchObject({ module: 'etfx', arity: 1 });
    expect(decodeEtf(latin1Export)).toBeInstanceOf(BeamExport);
    expect((decodeEtf(latin1Export) as BeamExport).equals(exportFun('lists', 'reverse', 1))).toBe(true);
  });

  it.each([
    ['ATOM_EXT (Latin-1)', b(131, 100, 0, 3, 'f', 0xf6, 'o'), 'föo', b(131, 119, 4, 'f', 0xc3, 0xb6, 'o')],
    ['SMALL_ATOM_EXT', b(131, 115, 2, 'ok'), 'ok', b(131, 119, 2, 'ok')],
    ['FLOAT_EXT', b(131, 99, '3.50000000000000000000e+00', 0, 0, 0, 0, 0), 3.5, b(131, 70, 64, 12, 0, 0, 0, 0, 0, 0)],
    ['FLOAT_EXT, whole', b(131, 99, '3.00000000000000000000e+00', 0, 0, 0, 0, 0), float(3), b(131, 70, 64, 8, 0, 0, 0, 0, 0, 0)],
    ['PID_EXT', b(131, 103, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 0, 3), new Pid('x', 1, 0, 3), b(131, 88, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3)],
    ['NEW_REFERENCE_EXT (words in erlmesh\'s form: a plain Ref)', b(131, 114, 0, 3, 100, 0, 1, 'x', 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3), new Ref('x', 2, 1 + 2 * 2 ** 18 + 3 * 2 ** 50), b(131, 90, 0, 3, 119, 1, 'x', 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3)],
    ['REFERENCE_EXT', b(131, 101, 100, 0, 1, 'x', 0, 0, 0, 7, 2), new BeamRef('x', 2, [7]), b(131, 90, 0, 1, 119, 1, 'x', 0, 0, 0, 2, 0, 0, 0, 7)],
    ['[1 | [2]] (a list as a tail)', b(131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 106), list([1, 2]), b(131, 107, 0, 2, 1, 2)],
    ['[1 | "ab"]', b(131, 108, 0, 0, 0, 1, 98, 0, 0, 1, 0, 107, 0, 2, 'ab'), list([256, 97, 98]), b(131, 108, 0, 0, 0, 3, 98, 0, 0, 1, 0, 97, 97, 97, 98, 106)],
    ['[1 | [2 | 3]]', b(131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 97, 3), improper([1, 2], 3), b(131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 97, 3)],
    ['LIST_EXT of 0 elements: its tail', b(131, 108, 0, 0, 0, 0, 97, 3), 3, b(131, 97, 3)],
    ['LIST_EXT of 0 elements, NIL tail', b(131, 108, 0, 0, 0, 0, 106), list([]), b(131, 106)],
    ['BIT_BINARY_EXT of 8 bits: a binary', b(131, 77, 0, 0, 0, 1, 8, 5), b(5), b(131, 109, 0, 0, 0, 1, 5)],
    ['BIT_BINARY_EXT of 0 bytes', b(131, 77, 0, 0, 0, 0, 0), new Uint8Array(0), b(131, 109, 0, 0, 0, 0)],
    ['BIT_BINARY_EXT, padding bits set', b(131, 77, 0, 0, 0, 1, 3, 255), bitstring(b(224), 3), b(131, 77, 0, 0, 0, 1, 3, 224)],
    ['SMALL_BIG of 0 bytes', b(131, 110, 0, 0), 0, b(131, 97, 0)],
    ['SMALL_BIG with a leading zero byte', b(131, 110, 2, 0, 5, 0), 5, b(131, 97, 5)],
  ])('decodes %s as OTP 25 does, and re-encodes it as OTP 25 does', (_name, bytes, value, again) => {
    const d = decodeEtf(bytes);
    expect(shapeDiff(d, value)).toBeUndefined();
    expect([...encodeEtf(d)]).toEqual([...again]);
  });

  it('a decoded list is an array that re-encodes as a list; its map/filter stay lists; a spread copy is a tuple', () => {
    const l = decodeEtf(b(131, 107, 0, 3, 1, 2, 3)) as List<number>;
    expect(Array.isArray(l)).toBe(true);
    expect(l.map((x) => x * 2)).toBeInstanceOf(List);
    expect([...encodeEtf(l.filter((x) => x > 1))]).toEqual([131, 107, 0, 2, 2, 3]);
    expect([...encodeEtf([...l])]).toEqual([131, 104, 3, 97, 1, 97, 2, 97, 3]);
    expect(decodeEtf(b(131, 70, 64, 8, 0, 0, 0, 0, 0, 0))).toBeInstanceOf(Float);
    expect(+(decodeEtf(b(131, 70, 64, 8, 0, 0, 0, 0, 0, 0)) as Float)).toBe(3);
  });
});

describe('BEAM values print and serialise', () => {
  it('as Erlang shows them, and JSON.stringify does not throw on a port (its id is a bigint)', () => {
    const port = decodeEtf(b(131, 120, 119, 1, 'x', 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 2));
    expect(JSON.stringify([port, float(3), bitstring(b(0xff, 0x80), 9), exportFun('lists', 'reverse', 1)])).toBe('["#Port<x.4294967303>",3,"<<255,1:1>>","fun lists:reverse/1"]');
    expect([String(float(-0)), String(float(0.5)), String(improper([1, 2], 3)), String(new BeamRef('e@h', 1, [1, 2, 3]))]).toEqual(['-0.0', '0.5', '[1, 2 | 3]', '#Ref<e@h.3.2.1>']);
  });
});

describe('decoding a Node Buffer', () => {
  it('copies what it keeps: changing the Buffer afterwards changes no decoded binary, port or export', () => {
    const frame = Buffer.from(encodeEtf([binary('abc'), decodeEtf(b(131, 89, ...NONODE, 0, 0, 0, 0, 0, 0, 0, 0)), exportFun('m', 'f', 1)]));
    const [bin, port, exp] = decodeEtf(frame) as [Uint8Array, BeamPort, BeamExport];
    const before = encodeEtf([bin, port, exp]);
    frame.fill(0);
    expect(Object.getPrototypeOf(bin)).toBe(Uint8Array.prototype);
    expect([...encodeEtf([bin, port, exp])]).toEqual([...before]);
  });
});
