import { describe, it, expect } from 'vitest';
import { isDownFor, isNameNode, isStrings } from '../../../src/core/terms/guards.js';
import { Ref } from '../../../src/core/terms/ref.js';

describe('terms/guards', () => {
  it('isStrings: every element a string', () => {
    expect(isStrings([])).toBe(true);
    expect(isStrings(['a', 'b'])).toBe(true);
    expect(isStrings(['a', 1])).toBe(false);
  });

  it('isNameNode: exactly [name, node], both strings', () => {
    expect(isNameNode(['kvs', 'a@h'])).toBe(true);
    expect(isNameNode(['kvs'])).toBe(false);
    expect(isNameNode(['kvs', 'a@h', 'x'])).toBe(false);
    expect(isNameNode(['kvs', 1])).toBe(false);
    expect(isNameNode('kvs')).toBe(false);
  });

  it('isDownFor: a DOWN message of that monitor only', () => {
    const r = new Ref('a@h', 1, 1);
    const other = new Ref('a@h', 1, 2);
    expect(isDownFor(['DOWN', r, 'process', 'x', 'normal'], r)).toBe(true);
    expect(isDownFor(['DOWN', other, 'process', 'x', 'normal'], r)).toBe(false);
    expect(isDownFor(['EXIT', r], r)).toBe(false);
    expect(isDownFor('DOWN', r)).toBe(false);
  });
});
