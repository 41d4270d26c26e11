import fc from 'fast-check';
import SuperJSON from 'superjson';
import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { PROTOCOL_TERM_FORMAT, decodeTerm, encodeTerm } from '../../../src/core/codec/superjson.js';
import { Pid } from '../../../src/core/terms/pid.js';
import { Ref } from '../../../src/core/terms/ref.js';
import { fixedError, goldenPid, goldenRef, term, termEquals } from '../../support/terms.js';

const pid = goldenPid();
const ref = goldenRef();
const roundTrip = (t: unknown): unknown => decodeTerm(encodeTerm(t));

describe('encodeTerm golden wire text', () => {
  it('names its format', () => {
    expect(PROTOCOL_TERM_FORMAT).toBe('superjson-1');
  });

  it.each<[string, () => unknown, string]>([
    ['a tuple of JSON values', () => ['msg', 1, 'x'], '{"json":["msg",1,"x"]}'],
    [
      'a pid',
      () => pid,
      '{"json":["gandalf@host",42,0,3],"meta":{"values":[["custom","pid"]],"v":1}}',
    ],
    [
      'a ref',
      () => ref,
      '{"json":["gandalf@host",3,7],"meta":{"values":[["custom","ref"]],"v":1}}',
    ],
    [
      'a binary',
      () => new Uint8Array([1, 2, 3]),
      '{"json":"AQID","meta":{"values":[["custom","bin"]],"v":1}}',
    ],
    [
      'an error',
      fixedError,
      String.raw`{"json":{"name":"TypeError","message":"boom","stack":"TypeError: boom\n    at f (x.js:1:1)"},"meta":{"values":[["custom","error"]],"v":1}}`,
    ],
    [
      'a map',
      () => new Map<unknown, unknown>([['a', 1], [2, 'b']]),
      '{"json":[["a",1],[2,"b"]],"meta":{"values":["map"],"v":1}}',
    ],
    [
      'undefined inside an array',
      () => [1, undefined, 'x'],
      '{"json":[1,null,"x"],"meta":{"values":{"1":["undefined"]},"v":1}}',
    ],
    [
      'a bigint',
      () => 12345678901234567890n,
      '{"json":"12345678901234567890","meta":{"values":["bigint"],"v":1}}',
    ],
    [
      'a date',
      () => new Date('2024-01-01T00:00:00.000Z'),
      '{"json":"2024-01-01T00:00:00.000Z","meta":{"values":["Date"],"v":1}}',
    ],
    [
      'a shared subterm (no referential-equality metadata)',
      () => [pid, pid],
      '{"json":[["gandalf@host",42,0,3],["gandalf@host",42,0,3]],"meta":{"values":{"0":[["custom","pid"]],"1":[["custom","pid"]]},"v":1}}',
    ],
  ])('%s', (_name, make, wire) => {
    expect(encodeTerm(make())).toBe(wire);
  });

  it('does not register anything on the global superjson instance', () => {
    encodeTerm(pid);
    expect(SuperJSON.stringify(pid)).not.toContain('"custom"');
  });
});

describe('round trips', () => {
  it('pids and refs come back as real Pid / Ref instances', () => {
    const [p, r] = roundTrip([pid, ref]) as [unknown, unknown];
    expect(p).toBeInstanceOf(Pid);
    expect(r).toBeInstanceOf(Ref);
    expect(pid.equals(p)).toBe(true);
    expect(ref.equals(r)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['true', true],
    ['false', false],
    ['an integer', 42],
    ['a float', 3.25],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
    ['a bigint', -(2n ** 100n)],
    ['a string', 'héllo "wörld" \u2028 \ud800'],
    ['an empty array', []],
    ['an array with undefined', [undefined, 1, undefined]],
    ['a nested array', [[1, [2, [3, []]]]]],
    ['a plain object with undefined', { a: undefined, b: { c: [undefined] } }],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['an object with reserved keys', { ['__proto__']: 1, constructor: { prototype: [undefined] } }],
    ['an object with dotted keys', { 'a.b': { 'c\\d': 2n }, '': undefined }],
    ['a map with term keys', new Map<unknown, unknown>([[pid, 1], [[1, 2], new Set([ref])], [undefined, NaN]])],
    ['a set', new Set<unknown>([1, 'a', pid, new Date(0)])],
    ['a date', new Date('2024-01-01T00:00:00.000Z')],
    ['an invalid date', new Date(NaN)],
    ['a regexp', /a\/b+[x]/giu],
    ['a binary', new Uint8Array([0, 255, 128])],
    ['an empty binary', new Uint8Array(0)],
    ['an error', new Error('plain')],
    ['a pid', pid],
    ['a ref', ref],
  ])('%s', (_name, term) => {
    expect(termEquals(term, roundTrip(term))).toBe(true);
  });

  it('errors keep name, message, stack, code and cause; builtin names get their class', () => {
    const inner = new RangeError('too big');
    const e = Object.assign(new TypeError('outer', { cause: inner }), { code: 'enoent' });
    const d = roundTrip(e) as Error & { code?: unknown };
    expect(d).toBeInstanceOf(TypeError);
    expect(d.name).toBe('TypeError');
    expect(d.message).toBe('outer');
    expect(d.stack).toBe(e.stack);
    expect(d.code).toBe('enoent');
    expect(d.cause).toBeInstanceOf(RangeError);
    expect((d.cause as Error).message).toBe('too big');
  });

  it('errors of other classes decode as Error with the name kept', () => {
    class MyError extends Error {
      override name = 'MyError';
    }
    const err = new ErlmeshError('timeout', 'too slow');
    const [a, b] = roundTrip([new MyError('x'), err]) as [Error, ErlmeshError];
    expect(a).toBeInstanceOf(Error);
    expect(a.name).toBe('MyError');
    expect(b.name).toBe('ErlmeshError');
    expect(b.code).toBe('timeout');
    expect(b.message).toBe('too slow');
  });

  it('an error cause of undefined stays an own property', () => {
    const d = roundTrip(new Error('x', { cause: undefined })) as Error;
    expect(Object.hasOwn(d, 'cause')).toBe(true);
    expect(d.cause).toBeUndefined();
  });

  it('Uint8Array subclasses (Buffer) decode as plain Uint8Array', () => {
    const d = roundTrip(Buffer.from('hi there')) as Uint8Array;
    expect(d.constructor).toBe(Uint8Array);
    expect([...d]).toEqual([...Buffer.from('hi there')]);
  });

  it('a binary view with an offset encodes only its bytes', () => {
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    expect([...(roundTrip(view) as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('large binaries do not blow the stack', () => {
    const big = new Uint8Array(1_000_003).map((_, i) => (i * 7) & 255);
    const d = roundTrip(big) as Uint8Array;
    expect(d.length).toBe(big.length);
    expect(termEquals(big, d)).toBe(true);
  });

  it('shared subterms decode as equal, independent copies', () => {
    const shared = { a: [1] };
    const d = roundTrip([shared, shared]) as [typeof shared, typeof shared];
    expect(termEquals([shared, shared], d)).toBe(true);
    expect(d[0]).not.toBe(d[1]);
  });
});

describe('encodeTerm failures', () => {
  it('a value whose property getter throws is badarg', () => {
    const o = {
      get boom(): never {
        throw new Error('nope');
      },
    };
    expect(() => encodeTerm(o)).toThrow(expect.objectContaining({ code: 'badarg' }));
  });
});

describe('decodeTerm of malformed text', () => {
  it.each([
    ['not JSON', 'nope'],
    ['no json field', '{"meta":{}}'],
    ['a bad pid', '{"json":[1,2],"meta":{"values":[["custom","pid"]],"v":1}}'],
    ['an unknown custom', '{"json":1,"meta":{"values":[["custom","nope"]],"v":1}}'],
    ['an unknown class', '{"json":{},"meta":{"values":[["class","Foo"]],"v":1}}'],
    ['a polluting path', '{"json":{},"meta":{"values":{"__proto__.x":["undefined"]},"v":1}}'],
  ])('%s throws bad_frame', (_name, text) => {
    expect(() => decodeTerm(text)).toThrow(expect.objectContaining({ code: 'bad_frame' }));
  });

  it('never re-links cycles sent by a peer', () => {
    const text = '{"json":[null],"meta":{"referentialEqualities":[["0"]],"v":1}}';
    expect(decodeTerm(text)).toEqual([null]);
  });
});

describe('property: decodeTerm(encodeTerm(t)) equals t', () => {
  it('holds for arbitrary nested terms', () => {
    fc.assert(
      fc.property(term, (t) => {
        expect(termEquals(t, roundTrip(t))).toBe(true);
      }),
      { numRuns: Number(process.env.RUNS ?? 500) },
    );
  });

  it('termEquals itself distinguishes -0 from 0 and equates NaN', () => {
    expect(termEquals(-0, 0)).toBe(false);
    expect(termEquals(NaN, NaN)).toBe(true);
    expect(termEquals([pid], [new Pid('gandalf@host', 42, 0, 3)])).toBe(true);
    expect(termEquals([pid], [new Pid('gandalf@host', 42, 0, 4)])).toBe(false);
  });
});

