/**
 * Term-shape guards: what a decoded message's fields are checked with before a handler sees
 * them (a malformed message is ignored, never trusted). One place for the guards the services
 * and the frame checks would otherwise repeat.
 */
import { Pid } from './pid.js';

export { isPid } from './pid.js';
export { isRef } from './ref.js';

export const isStr = (x: unknown): x is string => typeof x === 'string';

/** A list of strings. */
export const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);

/** A list of pids. */
export function isPids(v: unknown): v is Pid[] {
  return Array.isArray(v) && v.every((p) => p instanceof Pid);
}
