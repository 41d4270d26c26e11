/**
 * The crypto a node needs: HMAC-SHA-256 (cookie proofs, tickets) and random bytes, over
 * WebCrypto (available in Node 20 and in browsers' secure contexts). A platform without
 * WebCrypto injects its own `DistCrypto`.
 */
import { bytesToHex } from './hex.js';

/**
 * HMAC-SHA-256 and random bytes, for cookie proofs and tickets; `startNode({ crypto })`
 * takes one (WebCrypto is the default).
 *
 * @example
 * import { createHmac, randomBytes } from 'node:crypto';
 * const nodeCrypto: DistCrypto = {
 *   hmacSha256Hex: async (key, data) => createHmac('sha256', key).update(data).digest('hex'),
 *   randomHex: (n) => randomBytes(n).toString('hex'),
 * };
 */
export interface DistCrypto {
  /** HMAC-SHA-256(key, data), lowercase hex. */
  hmacSha256Hex(key: string, data: string): Promise<string>;
  /** `n` cryptographically random bytes, lowercase hex. */
  randomHex(n: number): string;
}

const enc = new TextEncoder();

/** WebCrypto-backed implementation. */
export const webCrypto: DistCrypto = {
  async hmacSha256Hex(key, data) {
    const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return bytesToHex(new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data))));
  },
  randomHex(n) {
    const b = new Uint8Array(n);
    crypto.getRandomValues(b);
    return bytesToHex(b);
  },
};
