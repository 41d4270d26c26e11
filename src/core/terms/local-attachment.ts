/**
 * A value that rides on a term for this node only: a non-enumerable symbol property of an
 * array or object term. It is not part of the term: a term check, a comparison or a print
 * does not see it, and a copy (a message encoded for another node) loses it. A local message
 * is the very object sent (local messages are not copied), so the receiver on this node finds
 * the value where the sender hung it. gen_server's `From` carries its reply sender this way,
 * and a supervisor child spec's handle its `node` function.
 */

/** `term`, with `value` attached under `key`. */
export function attachLocal<T extends object>(term: T, key: symbol, value: unknown): T {
  Object.defineProperty(term, key, { value, enumerable: false });
  return term;
}

/** The value attached to `term` under `key`; undefined for a copy, or a term that has none. */
export function localAttachment<V>(term: object, key: symbol): V | undefined {
  return (term as { [k: symbol]: V | undefined })[key];
}
