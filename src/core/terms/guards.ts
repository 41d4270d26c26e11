/**
 * Term shape guards shared by the layers above terms/ (one place instead of a copy per file).
 */
import type { Ref } from './ref.js';

/** Every element is a string. */
export function isStrings(xs: readonly unknown[]): xs is string[] {
  return xs.every((x) => typeof x === 'string');
}

/** `[name, node]`: a registered name on a node. */
export function isNameNode(x: unknown): x is readonly [string, string] {
  return Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string';
}

/** `['DOWN', ref, …]` for the monitor `ref`. */
export function isDownFor(msg: unknown, ref: Ref): boolean {
  return Array.isArray(msg) && msg[0] === 'DOWN' && ref.equals(msg[1]);
}
