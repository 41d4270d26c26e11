/**
 * Cookie proofs for the handshake: which side proves what, over which challenge. The cookie is
 * the HMAC key and never leaves the node; the HMAC itself is the injected `DistCrypto`
 * (base/crypto.ts).
 */
export { webCrypto, type DistCrypto } from '../base/crypto.js';

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
