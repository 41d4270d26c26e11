/**
 * Reference ids (src/core/terms/ref-ids.ts): unique, exact integers, and not predictable from
 * the previous ones (a forged reply needs the ref of its request).
 */
import { describe, expect, it } from 'vitest';
import { refId } from '../../../src/core/terms/ref-ids.js';

describe('refId', () => {
  it('is unique per sequence number and orders by it', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => refId(i + 1));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
  });

  it('is not the previous id plus a constant: the low 21 bits are random', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => refId(i + 1));
    const steps = new Set(ids.slice(1).map((id, i) => id - ids[i]!));
    expect(steps.size).toBeGreaterThan(1_900);
    const low = new Set(ids.map((id) => id % 2 ** 21));
    expect(low.size).toBeGreaterThan(1_990);
  });

  it('stays an exact integer below 2^53, the sequence wrapping at 2^32', () => {
    for (const seq of [1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5]) {
      const id = refId(seq);
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(Math.floor(id / 2 ** 21)).toBe(seq % 2 ** 32);
    }
  });
});
