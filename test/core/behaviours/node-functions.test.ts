import { describe, it, expect } from 'vitest';
import { isFnHandle, nodeFnHandle, nodeFnOf } from '../../../src/core/behaviours/supervisor/node-functions.js';
import { decodeTermFast, encodeTermFast } from '../../../src/core/codec/binary.js';
import { checkTerm } from '../../../src/core/terms/check.js';

describe('supervisor node-function handles (behaviours/supervisor/node-functions.ts)', () => {
  it('a handle is the term [\'$node_fn\'] that carries the function, off the term', () => {
    const fn = (): string => 'b@h';
    const h = nodeFnHandle(fn);
    expect(() => checkTerm(['start_child', { id: 'x', start: { module: 'm', fun: 'f', args: [], node: h } }])).not.toThrow();
    expect(h).toEqual(['$node_fn']);
    expect(Object.keys(h)).toEqual(['0']);
    expect(isFnHandle(h)).toBe(true);
    expect(nodeFnOf(h)).toBe(fn);
  });

  it('a copy for another node keeps the handle but not the function', () => {
    const copy = decodeTermFast(encodeTermFast(nodeFnHandle(() => 'b@h')));
    expect(isFnHandle(copy)).toBe(true);
    expect(nodeFnOf(copy as ['$node_fn'])).toBeUndefined();
  });
});
