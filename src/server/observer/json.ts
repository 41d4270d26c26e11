/**
 * Terms as the observer page's JSON: a pid becomes `{ pid: '<a@h.7.0>', key }` (the key names
 * it in the page's requests, see PidBook), `undefined` becomes null, a bigint its digits, an
 * Error its message; everything else as JSON has it.
 */
import { Pid } from '../../core/terms/pid.js';

/** The pids the observer has shown, by key, so a request can name one back. */
export class PidBook {
  private readonly byKey = new Map<string, Pid>();

  /** Remember `pid`; its key. */
  add(pid: Pid): string {
    this.byKey.set(pid.key, pid);
    if (this.byKey.size > 100_000) this.byKey.delete(this.byKey.keys().next().value!);
    return pid.key;
  }

  get(key: unknown): Pid | undefined {
    return typeof key === 'string' ? this.byKey.get(key) : undefined;
  }
}

/** `v` as plain JSON for the page (pids remembered in `book`). */
export function toJson(v: unknown, book: PidBook, depth = 0): unknown {
  if (v instanceof Pid) return { pid: String(v), key: book.add(v) };
  if (v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return v.message;
  if (v === null || typeof v !== 'object' || depth > 20) return v;
  if (Array.isArray(v)) return v.map((x) => toJson(x, book, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJson(x, book, depth + 1);
  return out;
}
