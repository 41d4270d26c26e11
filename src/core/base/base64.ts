/**
 * Base64 for Uint8Array with the universal btoa/atob (Node and browsers), chunked so that
 * large arrays do not overflow the argument limit of String.fromCharCode.
 */
import { ErlmeshError } from './errors.js';

const CHUNK = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    bin += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + CHUNK) as unknown as number[],
    );
  }
  return btoa(bin);
}

export function base64ToBytes(b64: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(b64);
  } catch (e) {
    throw new ErlmeshError('bad_frame', 'malformed base64 in binary', e);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

