/**
 * The ETF codec against real Erlang (one `erl -noshell`, no distribution, for the whole file):
 * a corpus of terms made by `term_to_binary(T, [{minor_version, 2}])` in OTP 25 (atoms incl.
 * UTF-8 and 255 characters, huge and negative bigs, floats incl. 3.0 and -0.0, improper
 * lists, nested and large maps, refs of 1–5 words, pids, ports, funs, exports, strings, empty
 * list/tuple/map, bitstrings, deep terms) is decoded and re-encoded byte for byte; terms in
 * OTP 25's default encoding (Latin-1 atoms) decode to the same terms; and the acceptance term
 * of issue 14 goes BEAM → JS → BEAM `=:=` and byte for byte, and JS → BEAM `=:=`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeamExport, BeamFun, BeamPort, BeamRef, Float, ImproperList, List, Pid, Ref, binary, charlist, decodeEtf, encodeEtf, etfEquals, list } from '../../../src/core/index.js';
import { ERL, ErlOracle, NO_ERL } from './erl-oracle.js';

const CORPUS: string[] = [
  // atoms
  'foo', "'ĳ'", "'😀 ünïcode'", "''", 'true', 'false', 'undefined', 'null', 'nil',
  'list_to_atom(lists:duplicate(255, $a))', 'list_to_atom(lists:duplicate(255, 16#1F600))', "'EXIT'",
  // integers
  '0', '255', '256', '-1', '1 bsl 31 - 1', '1 bsl 31', '-(1 bsl 31)', '-(1 bsl 31) - 1', '1 bsl 32',
  '(1 bsl 53) - 1', '1 bsl 53', '-(1 bsl 53)', '1 bsl 70', '-(1 bsl 70)', '1 bsl 2040', '1 bsl 2048', '-(1 bsl 5000) + 7',
  // floats
  '3.5', '3.0', '-0.0', '0.0', '-1.5', '1.0e300', '-1.0e300', '2.2250738585072014e-308', '5.0e-324', 'math:pi()',
  '9007199254740992.0', '9007199254740993.0', '1.0e15', '0.1',
  // strings, binaries, bitstrings
  '"abc"', '""', '"héllo"', '"日本"', 'lists:duplicate(65535, $x)', 'lists:duplicate(65536, $x)', 'lists:seq(0, 255)',
  '<<"bin">>', '<<>>', '<<1:3>>', '<<255, 1:1>>', '<<0:7>>', 'list_to_binary(lists:duplicate(1000, $x))', '<<"日本"/utf8>>',
  // lists and tuples
  '[1, 2 | 3]', '[a | b]', '[[] | []]', '[[], [[]]]', '[{}]', '[x, <<"y">>, 1.5, "s"]', '[1 | <<"tail">>]', '["a" | "b"]',
  '{}', '{ok, fine}', '{{}, [], #{}}', 'list_to_tuple(lists:seq(1, 300))', 'lists:seq(1, 70000)',
  // maps
  '#{}', '#{a => 1, <<"k">> => [x]}', '#{a => #{b => #{c => []}}}', 'maps:from_list([{I, I * 2} || I <- lists:seq(1, 100)])',
  '#{{1, 2} => a, [1] => b, 1.0 => c, 1 => d, "s" => e, <<"b">> => f, #{k => v} => g}',
  // pids, refs, ports, funs, exports
  'self()', 'list_to_pid("<0.1.0>")', 'make_ref()', 'alias()', 'erlang:monitor(process, self())',
  'binary_to_term(<<131,90,0,1,119,1,$x,0,0,0,1,0,0,0,7>>)',
  'binary_to_term(<<131,90,0,4,119,3,"a@b",0,0,0,9,0,0,0,1,0,0,0,2,0,0,0,3,0,0,0,4>>)',
  'binary_to_term(<<131,90,0,5,119,3,"a@b",255,255,255,255,255,255,255,255,0,0,0,2,0,0,0,3,0,0,0,4,0,0,0,5>>)',
  'binary_to_term(<<131,88,119,3,"a@b",255,255,255,255,255,255,255,255,255,255,255,255>>)',
  'hd(erlang:ports())', 'binary_to_term(<<131,120,119,3,"a@b",0,0,0,1,0,0,0,7,0,0,0,2>>)',
  'fun(X) -> X end', 'begin Y = {5, "free"}, fun(X) -> {X, Y} end end', 'fun lists:reverse/1', 'fun erlang:abs/1',
  // nested and deep
  '{[#{k => {<<"v">>, "s", [1 | 2]}}], 1.0, [self(), make_ref()]}',
  'lists:foldl(fun(_, A) -> {A} end, x, lists:seq(1, 10000))',
  'lists:foldl(fun(_, A) -> [A, 1] end, [], lists:seq(1, 10000))',
  'lists:foldl(fun(_, A) -> #{k => A} end, #{}, lists:seq(1, 5000))',
];

let erl: ErlOracle;

describe.skipIf(!ERL)(`ETF against erl (OTP term_to_binary/binary_to_term)${ERL ? '' : ` — skipped: ${NO_ERL}`}`, () => {
  beforeAll(() => {
    erl = new ErlOracle(ERL!);
  });
  afterAll(async () => {
    await erl.stop();
  });

  it.each(CORPUS)('%s: decodes, and re-encodes byte for byte', async (expr) => {
    const bytes = await erl.eval(expr);
    const term = decodeEtf(bytes);
    expect(Buffer.from(encodeEtf(term)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('decodes each kind to its JS class', async () => {
    const kinds: [string, (t: unknown) => boolean][] = [
      ['foo', (t) => t === 'foo'],
      ['true', (t) => t === true],
      ['undefined', (t) => t === undefined],
      ['null', (t) => t === null],
      ['1 bsl 70', (t) => t === 2n ** 70n],
      ['1 bsl 40', (t) => t === 2 ** 40],
      ['3.0', (t) => t instanceof Float && t.value === 3],
      ['-0.0', (t) => t instanceof Float && Object.is(t.value, -0)],
      ['3.5', (t) => t === 3.5],
      ['"abc"', (t) => t instanceof List && t.join() === '97,98,99'],
      ['[1 | 2]', (t) => t instanceof ImproperList],
      ['{a, b}', (t) => Array.isArray(t) && !(t instanceof List)],
      ['<<"x">>', (t) => t instanceof Uint8Array],
      ['#{a => 1}', (t) => t instanceof Map && t.get('a') === 1],
      ['self()', (t) => t instanceof Pid && t.node === 'nonode@nohost'],
      ['make_ref()', (t) => t instanceof BeamRef && t.words.length === 3],
      ['hd(erlang:ports())', (t) => t instanceof BeamPort],
      ['fun(X) -> X end', (t) => t instanceof BeamFun && t.module === 'erl_eval'],
      ['fun lists:reverse/1', (t) => t instanceof BeamExport && t.name === 'reverse'],
    ];
    for (const [expr, check] of kinds) expect([expr, check(decodeEtf(await erl.eval(expr)))]).toEqual([expr, true]);
  });

  it("terms in OTP 25's default encoding (Latin-1 atoms) decode to the terms BEAM has", async () => {
    // [expression, re-encoded to the same bytes?]: atoms are written back as UTF-8; an export
    // (like ports and funs) is opaque and goes back in the very bytes it came in.
    const cases: [string, boolean][] = [
      ["{ok, 'föo', [a, b | c], self(), make_ref(), hd(erlang:ports()), #{k => v}}", false],
      ['fun lists:reverse/1', true],
    ];
    for (const [expr, sameBytes] of cases) {
      const wrapped = decodeEtf(await erl.eval(`term_to_binary(${expr})`)) as Uint8Array;
      const again = encodeEtf(decodeEtf(wrapped));
      expect([expr, Buffer.from(again).equals(Buffer.from(wrapped))]).toEqual([expr, sameBytes]);
      expect(await erl.same(wrapped, again)).toBe(true);
    }
  });

  describe('the acceptance term of issue 14', () => {
    const ACCEPTANCE = '{<<"bin">>, "chars", [1,2,3], 3.5, -7, 1 bsl 70, #{a => 1, <<"k">> => [x]}, [], {}}';

    it('BEAM → JS (stored) → BEAM comes back =:= and byte for byte', async () => {
      const bytes = await erl.eval(ACCEPTANCE);
      const store = new Map<string, unknown>([['term', decodeEtf(bytes)]]); // what kvs does with it
      const again = encodeEtf(store.get('term'));
      expect(await erl.same(bytes, again)).toBe(true);
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    });

    it('built in JS with the constructors, it is =:= to the Erlang term', async () => {
      const js = [binary('bin'), charlist('chars'), list([1, 2, 3]), 3.5, -7, 2n ** 70n, new Map<unknown, unknown>([['a', 1], [binary('k'), list(['x'])]]), list([]), []];
      const bytes = await erl.eval(ACCEPTANCE);
      expect(await erl.same(bytes, encodeEtf(js))).toBe(true);
      expect(etfEquals(decodeEtf(bytes), js)).toBe(true);
      // and a plain object is a map with atom keys
      expect(await erl.same(await erl.eval('#{a => 1, b => [x]}'), encodeEtf({ a: 1, b: list(['x']) }))).toBe(true);
    });

    it('without the constructors it is a different term (which is why they exist)', async () => {
      const naive = ['bin', 'chars', [1, 2, 3], 3.5, -7, 2n ** 70n, { a: 1, k: ['x'] }, [], []];
      expect(await erl.same(await erl.eval(ACCEPTANCE), encodeEtf(naive))).toBe(false);
    });
  });

  it('an erlmesh Ref sent to BEAM and echoed back equals the original; BEAM refs come back word for word', async () => {
    const ref = new Ref('js@host', 12345, 2 ** 53 - 2);
    const back = decodeEtf(await erl.roundTrip(encodeEtf(['ref', ref]))) as [string, Ref];
    expect(back[1].equals(ref)).toBe(true);
    const beam = decodeEtf(await erl.eval('make_ref()')) as BeamRef;
    expect((decodeEtf(await erl.roundTrip(encodeEtf(beam))) as BeamRef).equals(beam)).toBe(true);
  });
});
