/**
 * The containers the fast codec's reader fills (binary-reader.ts): how a finished value goes
 * into the one on top of `termDeep`'s stack, and what a finished one becomes. Lists and
 * improper lists (fast-2) are filled as arrays; an improper list's last value is its tail.
 */
import { errorFromWire, type ErrorWire } from './superjson.js';
import * as tags from './binary-tags.js';
import { ImproperList, asList } from '../terms/beam-list.js';

export interface ErrorHead extends ErrorWire {
  bits: number;
}

/** A container `termDeep` is filling: `left` values to go, `i` the next index, `key` the pending key. */
export interface Open {
  kind: number;
  c: unknown;
  left: number;
  i: number;
  key: unknown;
}

export function put(f: Open, v: unknown): void {
  switch (f.kind) {
    case tags.T_ARRAY:
    case tags.T_LIST:
    case tags.T_IMPROPER:
      (f.c as unknown[])[f.i++] = v;
      return;
    case tags.T_OBJECT:
      setKey(f.c as Record<string, unknown>, f.key as string, v);
      return;
    case tags.T_MAP:
      if (f.i++ % 2 === 0) f.key = v;
      else (f.c as Map<unknown, unknown>).set(f.key, v);
      return;
    case tags.T_SET:
      (f.c as Set<unknown>).add(v);
      return;
    default: {
      const w = f.c as ErrorHead;
      // The code (if present) comes first, then the cause.
      if (f.i++ === 0 && w.bits & tags.ERR_CODE) w.code = v;
      else w.cause = v;
    }
  }
}

export function finish(f: Open): unknown {
  if (f.kind === tags.T_LIST) return asList(f.c as unknown[]);
  if (f.kind === tags.T_IMPROPER) {
    const a = f.c as unknown[];
    return new ImproperList(a.slice(0, -1), a[a.length - 1]);
  }
  return f.kind === tags.T_ERROR ? errorFromWire(f.c as ErrorHead) : f.c;
}

/** `o[k] = v` as an own enumerable key, `__proto__` included. */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
