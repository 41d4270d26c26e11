/**
 * The BEAM-only term classes through erlmesh's own encodings (issue 14: a term from BEAM goes
 * back to BEAM unchanged, also after crossing the erlmesh mesh): fast-2 and superjson-2 carry
 * List, ImproperList, Float, Bitstring, BeamRef, BeamPort, BeamFun and BeamExport exactly —
 * same class, and the same ETF bytes when the value goes on to BEAM — at any depth; checkTerm
 * accepts them; fast-1 and superjson-1 (older peers) get a List as an array and refuse the rest.
 * The port, fun and ref are erl's own bytes (term_to_binary of `{fun(X) -> X end,
 * hd(erlang:ports()), make_ref()}` on OTP 25).
 */
import { describe, expect, it } from 'vitest';
import { decodeTermFast, encodeTermFast, TermWriter } from '../../../src/core/codec/binary.js';
import { decodeTerm, encodeTerm } from '../../../src/core/codec/superjson.js';
import { sameTerm } from '../../../src/core/codec/term-equal.js';
import { decodeEtf } from '../../../src/core/etf/reader.js';
import { encodeEtf } from '../../../src/core/etf/writer.js';
import { bitstring, binary } from '../../../src/core/terms/beam-binary.js';
import { float, Float } from '../../../src/core/terms/beam-float.js';
import { charlist, improper, ImproperList, list, List } from '../../../src/core/terms/beam-list.js';
import { BeamExport, BeamFun, BeamPort, exportFun } from '../../../src/core/terms/beam-opaque.js';
import { BeamRef } from '../../../src/core/terms/beam-ref.js';
import { checkTerm } from '../../../src/core/terms/check.js';
import { Pid } from '../../../src/core/terms/pid.js';

// prettier-ignore
const ERL_BYTES = Uint8Array.from([131,104,3,112,0,0,0,151,1,6,83,97,170,70,21,144,209,189,241,235,98,209,166,235,8,0,0,0,42,0,0,0,1,119,8,101,114,108,95,101,118,97,108,97,42,98,0,50,155,13,88,119,13,110,111,110,111,100,101,64,110,111,104,111,115,116,0,0,0,9,0,0,0,0,0,0,0,0,104,6,97,1,106,119,4,110,111,110,101,119,4,110,111,110,101,116,0,0,0,0,108,0,0,0,1,104,5,119,6,99,108,97,117,115,101,97,1,108,0,0,0,1,104,3,119,3,118,97,114,97,1,119,1,88,106,106,108,0,0,0,1,104,3,119,3,118,97,114,97,1,119,1,88,106,106,89,119,13,110,111,110,111,100,101,64,110,111,104,111,115,116,0,0,0,0,0,0,0,0,90,0,3,119,13,110,111,110,111,100,101,64,110,111,104,111,115,116,0,0,0,0,0,0,133,48,0,128,0,1,97,202,13,253]);
const [fun, port, ref] = decodeEtf(ERL_BYTES) as [BeamFun, BeamPort, BeamRef];
const exported = decodeEtf(encodeEtf(exportFun('erlang', 'node', 0))) as BeamExport;

/** One term with every BEAM class, nested in lists, tuples and map keys. */
function everything(): unknown {
  const m = new Map<unknown, unknown>([
    [float(3), 'float key'],
    [charlist('abc'), 'list key'],
    [bitstring(Uint8Array.of(0x20), 3), 'bits key'],
    [ref, port],
  ]);
  return [
    float(3),
    float(-0),
    2.5,
    charlist('abc'),
    list([]),
    improper([1], 2),
    improper([list([1]), 'a'], new Pid('e@h', 1, 0, 1)),
    bitstring(Uint8Array.of(0xff, 0x80), 9),
    binary('x'),
    ref,
    port,
    fun,
    exported,
    exportFun('lists', 'reverse', 1),
    ['ok', 'fine'],
    m,
    list([list([float(1)]), [improper(['alias'], ref)]]),
  ];
}

/** Each codec, and a depth it carries (superjson stops at MAX_SUPERJSON_DEPTH, fast at none). */
const codecs: [string, (t: unknown) => unknown, number][] = [
  ['fast-2', (t) => decodeTermFast(encodeTermFast(t)), 3000],
  ['superjson-2', (t) => decodeTerm(encodeTerm(t)), 300],
];

describe.each(codecs)('%s carries every BEAM term class exactly', (_name, roundTrip, depth) => {
  it('the same ETF bytes after the round trip, and the same classes', () => {
    const t = everything();
    const back = roundTrip(t) as unknown[];
    expect(Buffer.from(encodeEtf(back))).toEqual(Buffer.from(encodeEtf(t)));
    expect(sameTerm(back, t)).toBe(true);
    expect(back[0]).toBeInstanceOf(Float);
    expect(Object.is((back[1] as Float).value, -0)).toBe(true);
    expect(back[3]).toBeInstanceOf(List);
    expect(back[5]).toBeInstanceOf(ImproperList);
    expect(back[9]).toBeInstanceOf(BeamRef);
    expect((back[9] as BeamRef).equals(ref)).toBe(true);
    expect(back[10]).toBeInstanceOf(BeamPort);
    expect(back[11]).toBeInstanceOf(BeamFun);
    expect(back[12]).toBeInstanceOf(BeamExport);
    expect((back[13] as BeamExport).bytes).toBeUndefined();
    expect(Array.isArray(back[14]) && !(back[14] instanceof List)).toBe(true);
  });

  it('lists and improper lists nested deep (past the recursive walk of fast-2)', () => {
    let t: unknown = 'leaf';
    for (let i = 0; i < depth; i++) t = i % 2 ? list([t, float(i)]) : improper([t], i);
    const back = roundTrip(t);
    expect(Buffer.from(encodeEtf(back))).toEqual(Buffer.from(encodeEtf(t)));
  });
});

describe('older peers: fast-1 and superjson-1', () => {
  it('a List goes as a plain array; any other BEAM-only value is badarg at the sender', () => {
    const w = new TermWriter(64, false);
    w.term(['x', list([1, 2])]);
    const back = decodeTermFast(w.take()) as unknown[];
    expect(back[1]).toEqual([1, 2]);
    expect(back[1]).not.toBeInstanceOf(List);
    expect(decodeTerm(encodeTerm(list([1]), { beam: false }))).not.toBeInstanceOf(List);
    for (const v of [float(3), improper([1], 2), bitstring(Uint8Array.of(0x80), 1), ref, port, fun, exported]) {
      expect(() => w.term(['x', v]), String(v)).toThrow(expect.objectContaining({ code: 'badarg' }));
      expect(() => encodeTerm(['x', v], { beam: false }), String(v)).toThrow(expect.objectContaining({ code: 'badarg' }));
    }
    expect(w.length).toBe(0);
  });
});

describe('checkTerm', () => {
  it('accepts every BEAM term class, and looks inside an improper list', () => {
    expect(() => checkTerm(everything())).not.toThrow();
    expect(() => checkTerm(['m', improper([1], () => 1)])).toThrow('msg[1].tail is a function');
    expect(() => checkTerm(['m', improper([1, Symbol('s')], 2)])).toThrow('msg[1].items[1] is a symbol');
  });
});

describe('malformed BEAM tags are bad_frame', () => {
  it('an improper list without items, a float that is NaN, a ref of 6 words, a port whose bytes are a fun', () => {
    const nanFloat = Uint8Array.of(0x15, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f);
    const improperEmpty = Uint8Array.of(0x14, 0, 0x81);
    const sixWords = Uint8Array.of(0x17, 0x07, 1, 0x61, 1, 6, 1, 2, 3, 4, 5, 6);
    const portOfFun = encodeTermFast(new BeamPort('e@h', 1n, 1, fun.bytes));
    for (const bad of [nanFloat, improperEmpty, sixWords, portOfFun]) {
      expect(() => decodeTermFast(bad)).toThrow(expect.objectContaining({ code: 'bad_frame' }));
    }
    expect(() => decodeTerm(encodeTerm(new BeamFun('m', 1, port.bytes)))).toThrow(expect.objectContaining({ code: 'bad_frame' }));
  });
});
