/**
 * Helpers of the fast-1 writer (binary-writer.ts): varint sizes, and UTF-8 written straight
 * into the writer's buffer.
 */

/**
 * `String.prototype.charCodeAt`, called with the string as receiver (`charCodeAt.call(s, i)`)
 * rather than looked up on it: a codec is handed strings of many representations (literals,
 * ropes, slices, strings made thin after serving as property keys), each with its own hidden
 * class, and past four the method's lookup goes megamorphic on every character. 11-character
 * strings of mixed kinds: 91 ns each looked up, 28 ns called this way; alike kinds 11 ns both.
 * Each module keeps its own copy so that the optimizer sees a constant.
 */
const charCodeAt = String.prototype.charCodeAt;

/** Strings up to this many UTF-16 units are written with a one-byte length (3 × 42 < 128). */
export const SHORT_STRING = 42;

export function uvSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/**
 * Write `s` as UTF-8 into `b` from `p` (room for 3 bytes per UTF-16 unit is the caller's);
 * returns the end position, or -1 for a lone surrogate (which UTF-8 cannot carry: the
 * caller then writes the string as UTF-16 units).
 */
export function utf8Into(b: Uint8Array, p: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = charCodeAt.call(s, i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff && i + 1 < len ? charCodeAt.call(s, i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return -1;
      const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      b[p++] = 0xf0 | (cp >> 18);
      b[p++] = 0x80 | ((cp >> 12) & 0x3f);
      b[p++] = 0x80 | ((cp >> 6) & 0x3f);
      b[p++] = 0x80 | (cp & 0x3f);
      i++;
    }
  }
  return p;
}
