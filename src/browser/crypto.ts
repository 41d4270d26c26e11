/**
 * The cookie proofs in a tab. WebCrypto's `crypto.subtle` exists only in secure contexts
 * (https, or http on localhost); a page served over plain http from another address has
 * `crypto.getRandomValues` but no `subtle`, so it falls back to @noble/hashes (audited,
 * dependency-free) for HMAC-SHA-256. Both give the same digests.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../core/base/hex.js';
import { webCrypto, type DistCrypto } from '../core/base/crypto.js';

const enc = new TextEncoder();

/** HMAC-SHA-256 in JavaScript, for pages without `crypto.subtle`. */
export const nobleCrypto: DistCrypto = {
  hmacSha256Hex: async (key, data) => bytesToHex(hmac(sha256, enc.encode(key), enc.encode(data))),
  randomHex: (n) => webCrypto.randomHex(n),
};

/** WebCrypto where the page has it, else the JavaScript fallback. */
export function tabCrypto(): DistCrypto {
  return (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle ? webCrypto : nobleCrypto;
}
