/**
 * Message patterns for test waits, shared by the tab harness (in the page) and the
 * Playwright fixture (server-side inboxes): a small stand-in for Erlang's pattern matching.
 *
 * - `ANY` matches anything (Erlang's `_`);
 * - an array matches an array of the same length, element by element (tuples);
 * - a plain object matches an object having at least its keys, each matching;
 * - a `Pid` / `Ref` matches an equal one (same node, incarnation and id);
 * - other objects (Map, Set, Date, Uint8Array, Error…) match when their term encoding is equal;
 * - anything else matches by `Object.is`.
 */
import { Pid } from '../../core/terms/pid.js';
import { Ref } from '../../core/terms/ref.js';
import { encodeTerm } from '../../core/codec/superjson.js';
import { ANY } from './api.js';

function encodeLoose(v: unknown): string {
  try {
    return encodeTerm(v);
  } catch {
    return `\u0000${String(v)}`;
  }
}

/** Does `msg` match `pattern`? */
export function matches(pattern: unknown, msg: unknown): boolean {
  if (pattern === ANY) return true;
  if (pattern instanceof Pid || pattern instanceof Ref) return pattern.equals(msg);
  if (Array.isArray(pattern)) {
    return Array.isArray(msg) && msg.length === pattern.length && pattern.every((p, i) => matches(p, msg[i]));
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (Object.getPrototypeOf(pattern) === Object.prototype) {
      if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return false;
      const m = msg as Record<string, unknown>;
      return Object.keys(pattern).every((k) => k in m && matches((pattern as Record<string, unknown>)[k], m[k]));
    }
    return encodeLoose(pattern) === encodeLoose(msg);
  }
  return Object.is(pattern, msg);
}
