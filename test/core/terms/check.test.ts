import { describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../../src/core/base/errors.js';
import { checkTerm } from '../../../src/core/terms/check.js';
import { Pid } from '../../../src/core/terms/pid.js';
import { Ref } from '../../../src/core/terms/ref.js';

const pid = new Pid('gandalf@host', 42, 0, 3);
const ref = new Ref('gandalf@host', 3, 7);

function badargOf(value: unknown): ErlmeshError {
  try {
    checkTerm(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ErlmeshError);
    expect((e as ErlmeshError).code).toBe('badarg');
    return e as ErlmeshError;
  }
  throw new Error('checkTerm accepted a value it should reject');
}

describe('checkTerm accepts terms', () => {
  const shared = { deep: [1, 2] };
  const sharedInError = new Error('x', { cause: shared });
  const deep: unknown[] = [];
  let cur = deep;
  for (let i = 0; i < 200; i++) {
    const next: unknown[] = [i, pid];
    cur.push(next, { i });
    cur = next;
  }

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['booleans', [true, false]],
    ['numbers', [0, -0, 1.5, NaN, Infinity, -Infinity]],
    ['a bigint', 10n ** 30n],
    ['a string', 'hello'],
    ['an array with undefined', [undefined, 1, undefined]],
    ['a plain object', { a: 1, b: undefined, c: { d: [null] } }],
    ['a null-prototype object', Object.assign(Object.create(null), { a: [1] })],
    ['reserved keys', { ['__proto__']: 1, constructor: 2, prototype: 3 }],
    ['a map with term keys', new Map<unknown, unknown>([[pid, { a: 1 }], [[1], new Set([2])]])],
    ['a set', new Set<unknown>([1, 'a', [pid]])],
    ['a date', new Date(0)],
    ['an invalid date', new Date(NaN)],
    ['a regexp', /a+/g],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['a Buffer', Buffer.from('hi')],
    ['an error with code and cause', Object.assign(new TypeError('x', { cause: new Error('y') }), { code: 'e' })],
    ['a pid', pid],
    ['a ref', ref],
    ['a tuple with pids', ['$gen_call', [pid, ref], ['get', 'k']]],
    ['a shared subobject', [shared, { again: shared }, shared]],
    ['a shared subobject in a map and error', [new Map([[shared, shared]]), sharedInError, shared]],
    ['the same error twice', [sharedInError, sharedInError]],
    ['a deep term (past the ancestor-scan limit)', deep],
    ['leaves inside containers (binary, ref, date, pid)', ['msg', 1, new Uint8Array(64), { r: ref, d: new Date(0), p: pid, b: Buffer.from('x') }]],
    ['one binary shared by many messages', Array.from({ length: 3 }, (_, i) => ['msg', i, shared.deep, new Uint8Array(2)])],
  ])('%s', (_name, value) => {
    expect(() => checkTerm(value)).not.toThrow();
  });
});

describe('checkTerm rejects non-terms with badarg', () => {
  const fn = () => 1;
  const cyclicArray: unknown[] = [1];
  cyclicArray.push([2, cyclicArray]);
  const cyclicObject: Record<string, unknown> = { a: 1 };
  cyclicObject.self = { back: cyclicObject };
  const cyclicMap = new Map<unknown, unknown>();
  cyclicMap.set('me', [cyclicMap]);
  const cyclicSet = new Set<unknown>();
  cyclicSet.add(cyclicSet);
  const cyclicError = new Error('loop');
  cyclicError.cause = { err: cyclicError };
  const deepCycle: unknown[] = [];
  let cur = deepCycle;
  for (let i = 0; i < 100; i++) {
    const next: unknown[] = [i];
    cur.push(next);
    cur = next;
  }
  cur.push(deepCycle);
  class Point {
    x = 1;
  }

  it.each<[string, unknown]>([
    ['a function at the top', fn],
    ['a function in an array', [1, fn]],
    ['a function in an object', { a: { cb: fn } }],
    ['a function as a map key', new Map([[fn, 1]])],
    ['a function as a map value', new Map([['k', fn]])],
    ['a function in a set', new Set([fn])],
    ['a function as an error cause', new Error('x', { cause: fn })],
    ['a function as an error code', Object.assign(new Error('x'), { code: fn })],
    ['a symbol at the top', Symbol('s')],
    ['a symbol in an array', ['a', Symbol('s')]],
    ['a symbol in an object', { s: Symbol.iterator }],
    ['an array cycle', cyclicArray],
    ['an object cycle', cyclicObject],
    ['a cycle through a map', cyclicMap],
    ['a cycle through a set', cyclicSet],
    ['a cycle through an error cause', cyclicError],
    ['a deep cycle', deepCycle],
    ['a Promise', Promise.resolve(1)],
    ['a WeakMap', new WeakMap()],
    ['a WeakSet', [new WeakSet()]],
    ['a Float32Array', new Float32Array([1])],
    ['an Int8Array', { a: new Int8Array(1) }],
    ['a DataView', new DataView(new ArrayBuffer(1))],
    ['an ArrayBuffer', new ArrayBuffer(1)],
    ['a class instance', new Point()],
    ['a class instance in an array', [1, new Point()]],
    ['a boxed string', Object('x')],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ])('%s', (_name, value) => {
    badargOf(value);
  });

  it('names the offending path', () => {
    expect(badargOf(['call', 1, { cb: () => 1 }]).message).toBe('msg[2].cb is a function');
    expect(badargOf({ 'b-c': [Symbol('s')] }).message).toMatch(/^msg\['b-c'\]\[0\] /);
    expect(badargOf(new Map([['k', [fn]]])).message).toMatch(/^msg\.get\('k'\)\[0\] /);
  });

  it('roots the path at the given name', () => {
    expect(() => checkTerm([fn], 'args')).toThrow(/^args\[0\] /);
  });
});
