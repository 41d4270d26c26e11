/**
 * A rough size in bytes of a queued message, for the observer's memory estimate of a
 * process: V8-like costs per kind (a string 2 bytes a character, an array 8 a slot), walked to
 * a bounded depth and breadth so a huge message costs the observer little.
 */
const MAX_DEPTH = 6;
const MAX_ITEMS = 64;

/** Estimated bytes of `v`. */
export function termSize(v: unknown, depth = 0): number {
  switch (typeof v) {
    case 'string':
      return 16 + 2 * v.length;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16 + Math.ceil(v.toString(16).length / 2);
    case 'object':
      break;
    default:
      return 16;
  }
  if (v === null) return 8;
  if (v instanceof Uint8Array) return 64 + v.byteLength;
  if (depth >= MAX_DEPTH) return 32;
  const items: unknown[] = Array.isArray(v)
    ? v
    : v instanceof Map
      ? [...v.entries()].flat()
      : v instanceof Set
        ? [...v]
        : Object.entries(v as Record<string, unknown>).flat();
  let sum = 32 + 8 * items.length;
  const n = Math.min(items.length, MAX_ITEMS);
  for (let i = 0; i < n; i++) sum += termSize(items[i], depth + 1);
  // Past MAX_ITEMS, assume the rest are like the ones measured.
  if (items.length > n && n > 0) sum += Math.round(((sum - 32 - 8 * items.length) / n) * (items.length - n));
  return sum;
}
