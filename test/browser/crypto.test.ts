import { describe, expect, it } from 'vitest';
import { webCrypto } from '../../src/core/net/proofs.js';
import { nobleCrypto } from '../../src/browser/crypto.js';

describe('tab crypto fallback', () => {
  it('@noble/hashes HMAC-SHA-256 gives the same digests as WebCrypto', async () => {
    for (const [k, d] of [['abc', 'erlmesh-relay-1|00ff|a@h'], ['k', ''], ['κλειδί', 'δεδομένα'.repeat(50)]] as const) {
      expect(await nobleCrypto.hmacSha256Hex(k, d)).toBe(await webCrypto.hmacSha256Hex(k, d));
    }
    // RFC 4231 test case 2
    expect(await nobleCrypto.hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
