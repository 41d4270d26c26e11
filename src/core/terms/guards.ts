/**
 * Term-shape guards: what a decoded message's fields are checked with before a handler sees
 * them (a malformed message is ignored, never trusted). One place for the guards the services,
 * the BIFs and the frame checks would otherwise repeat.
 */
import { Pid } from './pid.js';
import type { Ref } from './ref.js';

export { isPid } from './pid.js';
export { isRef } from './ref.js';

export const isStr = (x: unknown): x is string => typeof x === 'string';

/** A list of strings. */
export const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);

/** A list of pids. */
export function isPids(v: unknown): v is Pid[] {
  return Array.isArray(v) && v.every((p) => p instanceof Pid);
}

/** `[name, node]`: a registered name on a node. */
export function isNameNode(x: unknown): x is readonly [string, string] {
  return Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string';
}

/** `['DOWN', ref, …]` for the monitor `ref`. */
export function isDownFor(msg: unknown, ref: Ref): boolean {
  return Array.isArray(msg) && msg[0] === 'DOWN' && ref.equals(msg[1]);
}
