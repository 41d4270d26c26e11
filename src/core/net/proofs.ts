/**
 * Cookie proofs for the handshake: HMAC-SHA-256 over WebCrypto (available in Node 20 and in
 * browsers' secure contexts). The cookie is the HMAC key and never leaves the node.
 * A platform without WebCrypto injects its own `DistCrypto`.
 */
import { bytesToHex } from '../base/hex.js';

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

/** Which side proves, over which challenge, between which two nodes. */
export function proofInput(role: 'initiator' | 'acceptor', challenge: string, initiator: string, acceptor: string): string {
  return `erlmesh-dist-1|${role}|${challenge}|${initiator}|${acceptor}`;
}

/** Compare two digests without an early exit. */
export function digestsEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}
