/**
 * Reference numbers that cannot be guessed. A ref is how a reply finds its request (a monitor's
 * DOWN, an rpc result, a gen_server reply, a global answer), so a peer that could predict one
 * could forge the reply — an untrusted tab, for instance (docs/security.md). Each id is a
 * sequence number (for uniqueness) times 2^21 plus 21 random bits (for unpredictability):
 * a guess hits a given live ref once in two million tries, and the relay and capabilities
 * rate-limit tries. The sequence wraps at 2^32, so ids stay exact integers (< 2^53) in every
 * encoding; two refs alive at once still differ unless four billion were made in between
 * and the random bits match too.
 */

const RANDOM_BITS = 21;
const SCALE = 2 ** RANDOM_BITS;
const SEQ_WRAP = 2 ** 32;
const POOL = 1024;

/** Random bytes, drawn a pool at a time (one getRandomValues call per 1024 refs, 3 bytes each). */
const pool = new Uint8Array(POOL * 3);
let used = pool.length;

function random21(): number {
  if (used === pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const r = pool[used]! | (pool[used + 1]! << 8) | (pool[used + 2]! << 16);
  used += 3;
  return r & (SCALE - 1);
}

/** The id of the `seq`-th ref of a node (seq from 1). */
export function refId(seq: number): number {
  return (seq % SEQ_WRAP) * SCALE + random21();
}
