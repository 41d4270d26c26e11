import { describe, expect, it } from 'vitest';
import { formatTerm } from '../../../src/core/terms/format.js';
import { Pid } from '../../../src/core/terms/pid.js';
import { Ref } from '../../../src/core/terms/ref.js';

const pid = new Pid('gandalf@host', 42, 0, 3);
const ref = new Ref('gandalf@host', 3, 7);

describe('formatTerm', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const shared = [1];
  class Point {
    x = 1;
    y = [2];
  }

  it.each<[string, unknown, string]>([
    ['a string', 'fine', "'fine'"],
    ['an escaped string', "it's\n\t\\\u0001\u2028", "'it\\'s\\n\\t\\\\\\x01\\u2028'"],
    ['an array', ['ok', 'fine'], "['ok', 'fine']"],
    ['an empty array', [], '[]'],
    ['an object', { a: 1, 'b-c': 2 }, "{ a: 1, 'b-c': 2 }"],
    ['odd keys', { 0: 1, 'x y': 2, $ok: 3 }, "{ '0': 1, 'x y': 2, $ok: 3 }"],
    ['an empty object', {}, '{}'],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 }), '{ a: 1 }'],
    ['a map', new Map<unknown, unknown>([['k', 1], [pid, [2]]]), "Map { 'k' => 1, <gandalf@host.42.0> => [2] }"],
    ['an empty map', new Map(), 'Map {}'],
    ['a set', new Set([1, 2]), 'Set { 1, 2 }'],
    ['an empty set', new Set(), 'Set {}'],
    ['a date', new Date('2024-01-01T00:00:00.000Z'), 'Date(2024-01-01T00:00:00.000Z)'],
    ['an invalid date', new Date(NaN), 'Date(Invalid)'],
    ['a regexp', /a+/g, '/a+/g'],
    ['a bigint', 12n, '12n'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['booleans', [true, false], '[true, false]'],
    ['numbers', [1.5, -0, 0, NaN, -Infinity], '[1.5, -0, 0, NaN, -Infinity]'],
    ['a binary', new Uint8Array([1, 2, 3]), '<<1,2,3>>'],
    ['an empty binary', new Uint8Array(0), '<<>>'],
    ['an error', new TypeError('msg'), 'TypeError: msg'],
    ['an error with a code', Object.assign(new TypeError('msg'), { code: 'x' }), "TypeError: msg { code: 'x' }"],
    ['an error with a cause', new Error('a', { cause: new RangeError('b') }), 'Error: a { cause: RangeError: b }'],
    ['an error without message', new Error(), 'Error'],
    ['a pid', pid, '<gandalf@host.42.0>'],
    ['a ref', ref, '#Ref<gandalf@host.7>'],
    ['a named function', function handle() {}, '[Function handle]'],
    ['an anonymous function', [() => 1][0], '[Function (anonymous)]'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a cycle', cyclic, '{ a: 1, self: [Circular] }'],
    ['a shared subterm (not a cycle)', [shared, shared], '[[1], [1]]'],
    ['a class instance', new Point(), 'Point { x: 1, y: [2] }'],
    ['a non-Uint8 typed array', new Float32Array([1.5, 2]), 'Float32Array [1.5, 2]'],
    ['a nested message', ['$gen_call', [pid, ref], ['put', 'k', { v: 1n }]], "['$gen_call', [<gandalf@host.42.0>, #Ref<gandalf@host.7>], ['put', 'k', { v: 1n }]]"],
  ])('%s', (_name, term, expected) => {
    expect(formatTerm(term)).toBe(expected);
  });

  it('elides deep structures', () => {
    expect(formatTerm([[[1]]], { maxDepth: 2 })).toBe('[[[...]]]');
    expect(formatTerm({ a: { b: { c: 1 } } }, { maxDepth: 1 })).toBe('{ a: {...} }');
    expect(formatTerm([new Map([[1, 2]]), new Set([1])], { maxDepth: 1 })).toBe('[Map {...}, Set {...}]');
    expect(formatTerm([1], { maxDepth: 0 })).toBe('[...]');
  });

  it('elides long structures', () => {
    expect(formatTerm([1, 2, 3, 4], { maxLength: 2 })).toBe('[1, 2, ...]');
    expect(formatTerm({ a: 1, b: 2, c: 3 }, { maxLength: 1 })).toBe('{ a: 1, ... }');
    expect(formatTerm(new Map([[1, 2], [3, 4]]), { maxLength: 1 })).toBe('Map { 1 => 2, ... }');
    expect(formatTerm(new Set([1, 2, 3]), { maxLength: 2 })).toBe('Set { 1, 2, ... }');
    expect(formatTerm(new Uint8Array([1, 2, 3, 4]), { maxLength: 3 })).toBe('<<1,2,3,...>>');
    expect(formatTerm(new Uint8Array([1]), { maxLength: 0 })).toBe('<<...>>');
  });

  it('truncates long binaries by default', () => {
    const s = formatTerm(new Uint8Array(1000));
    expect(s.startsWith('<<0,0,')).toBe(true);
    expect(s.endsWith(',0,...>>')).toBe(true);
    expect(s.split(',').length).toBe(101);
  });

  it('is single-line and deterministic', () => {
    const t = { s: 'a\nb', m: new Map([['x\ny', [1]]]) };
    expect(formatTerm(t)).toBe(formatTerm(t));
    expect(formatTerm(t)).not.toContain('\n');
  });
});
