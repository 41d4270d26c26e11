/**
 * Term-shape guards: what a decoded message's fields are checked with before a handler sees
 * them (a malformed message is ignored, never trusted).
 */
import { Pid } from './pid.js';

/** A list of strings. */
export function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** A list of pids. */
export function isPids(v: unknown): v is Pid[] {
  return Array.isArray(v) && v.every((p) => p instanceof Pid);
}
