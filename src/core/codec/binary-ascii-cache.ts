/**
 * The fast-1 reader's cache of short ASCII strings (binary-reader.ts): atoms, node names and
 * keys recur in every batch, so their bytes are hashed and looked up in a small table of
 * strings read before instead of being decoded again; a hit hands out the same flat string.
 * Invariant: a string returned equals the bytes read (the hit is compared byte by byte).
 */

/**
 * Strings up to this many bytes are read by hand and, when ASCII, through this cache;
 * longer ones by TextDecoder (which costs ~0.2 us a call however short the string). Node
 * names (`name@host.domain`, in every pid and ref) fit.
 */
export const SHORT_ASCII_BYTES = 64;

/** Slots of the cache (a power of two). */
const SHORT_CACHE_SIZE = 1024;
const shortCache: Array<string | undefined> = new Array<string | undefined>(SHORT_CACHE_SIZE).fill(undefined);

/** Called with the string as receiver, not looked up on it (see binary-utf8.ts). */
const charCodeAt = String.prototype.charCodeAt;

/**
 * The string of `b[start..end)` (at most SHORT_ASCII_BYTES) when every byte is ASCII, from the
 * cache when it holds it; undefined when a byte is not ASCII (the caller decodes UTF-8).
 *
 * @example
 * shortAscii(new TextEncoder().encode('kvs'), 0, 3); // 'kvs'
 */
export function shortAscii(b: Uint8Array, start: number, end: number): string | undefined {
  let h = end - start;
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h >>> 0) & (SHORT_CACHE_SIZE - 1);
  const hit = shortCache[slot];
  if (hit !== undefined && hit.length === end - start && sameAscii(hit, b, start)) return hit;
  // One flat string (`+=` would build a rope past 12 characters: node names).
  const s = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  shortCache[slot] = s;
  return s;
}

function sameAscii(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (charCodeAt.call(s, i) !== b[at + i]) return false;
  return true;
}
