import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/core/base/hex.js';

describe('bytesToHex', () => {
  it('writes two lowercase digits per byte', () => {
    expect(bytesToHex(new Uint8Array([0, 15, 16, 171, 255]))).toBe('000f10abff');
    expect(bytesToHex(new Uint8Array(0))).toBe('');
  });

  it('writes only the bytes of a view', () => {
    expect(bytesToHex(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toBe('0203');
  });
});
