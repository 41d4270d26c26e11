/**
 * Reading fields out of the text of a /proc file (`/proc/loadavg`, `/proc/<pid>/stat`) in a
 * reused byte buffer, without making strings: the busy waiter's probes read them while it
 * spins (runnable-threads.ts, co-location.ts).
 */

/**
 * The index just past the `count`-th space at or after `from` in `b[0, n)`, or -1 if there
 * are fewer.
 *
 * @example
 * pastSpaces(Buffer.from('0.00 0.01 0.05 2/84 1'), 0, 21, 3); // 15, where '2/84' starts
 */
export function pastSpaces(b: Uint8Array, from: number, n: number, count: number): number {
  let i = from;
  for (let spaces = 0; spaces < count; i++) {
    if (i >= n) return -1;
    if (b[i] === 0x20) spaces++;
  }
  return i;
}

/** Where the decimal digits that start at `b[i]` end (`i` itself if there are none), in `b[0, n)`. */
export function digitsEnd(b: Uint8Array, i: number, n: number): number {
  while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  return i;
}

/**
 * The unsigned decimal that starts at `b[i]` (its digits up to the first other byte), or -1 if
 * there is none.
 *
 * @example
 * decimalAt(Buffer.from('2/84'), 0, 4); // 2
 */
export function decimalAt(b: Uint8Array, i: number, n: number): number {
  const end = digitsEnd(b, i, n);
  if (end === i) return -1;
  let v = 0;
  for (; i < end; i++) v = v * 10 + (b[i]! - 0x30);
  return v;
}
