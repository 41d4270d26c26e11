/** Lowercase hex, two digits per byte: the encoding of digests and random nonces. */

/**
 * `bytes` as lowercase hex, two digits per byte.
 *
 * @example
 * bytesToHex(new Uint8Array([0, 15, 255])) // => '000fff'
 */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
