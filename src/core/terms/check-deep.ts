/**
 * `checkTerm` for deep terms. The recursive check (check.ts) keeps the common case free of
 * allocation; past {@link CHECK_RECURSION_DEPTH} nested containers it gives up (throwing
 * {@link CHECK_TOO_DEEP}) and {@link checkDeep} checks the whole term again with an explicit
 * stack, finding the same first failure with the same path, so a term of any depth can be
 * sent (docs/semantics.md, "Term limits"). Also the helpers both checks describe failures with.
 */
import { isLeafObject } from './leaf.js';
import { formatTerm } from './format.js';
import { Pid } from './pid.js';
import { Ref } from './ref.js';
import { ImproperList } from './beam-list.js';

/** Nested containers the recursive check enters before handing over to checkDeep. */
export const CHECK_RECURSION_DEPTH = 200;

/** Thrown by the recursive check past CHECK_RECURSION_DEPTH; caught by checkTerm. */
export const CHECK_TOO_DEEP: unique symbol = Symbol('checkTerm: too deep to recurse');

export const CYCLIC = 'refers back to an enclosing term (a cycle)';

/** What went wrong, and the path segments collected innermost-first while unwinding. */
export interface Failure {
  what: string;
  segs: string[];
}

export function fail(what: string): Failure {
  return { what, segs: [] };
}

export function keySeg(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${formatTerm(k)}]`;
}

export function ctorName(o: object): string {
  const ctor = (o as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'object';
}

/** Why a non-container object is not a term. */
export function notATerm(o: object): string {
  if (o instanceof Promise) return 'is a Promise';
  if (o instanceof WeakMap) return 'is a WeakMap';
  if (o instanceof WeakSet) return 'is a WeakSet';
  if (ArrayBuffer.isView(o)) return `is a ${ctorName(o)} (only Uint8Array binaries)`;
  return `is an instance of ${ctorName(o)}`;
}

const ARRAY = 0;
const OBJECT = 1;
const MAP = 2;
const SET = 3;
const ERROR = 4;
const IMPROPER = 5;

/**
 * A container being checked: its children (`vals`, for a Map keys and values alternating),
 * what names them in a path (`names`: object keys, `'code'` / `'cause'`), and the next one.
 */
interface Open {
  o: object;
  kind: number;
  vals: ArrayLike<unknown>;
  names: string[] | undefined;
  i: number;
}

/** The path segment of child `i` of `f`, as the recursive check writes it. */
function seg(f: Open, i: number): string {
  switch (f.kind) {
    case ARRAY:
      return `[${i}]`;
    case OBJECT:
      return keySeg(f.names![i]!);
    case MAP:
      return i % 2 === 0 ? `.<key #${i / 2}>` : `.get(${formatTerm(f.vals[i - 1], { maxDepth: 1, maxLength: 3 })})`;
    case SET:
      return `.<member #${i}>`;
    case IMPROPER:
      return i < f.vals.length - 1 ? `.items[${i}]` : '.tail';
    default:
      return `.${f.names![i]!}`;
  }
}

/** `o` as an Open container, or undefined when it has no children to check (a leaf). */
function open(o: object): Open | undefined {
  if (Array.isArray(o)) return { o, kind: ARRAY, vals: o, names: undefined, i: 0 };
  if (o instanceof Pid || o instanceof Ref) return undefined;
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto === Object.prototype || proto === null) {
    const rec = o as Record<string, unknown>;
    const names: string[] = [];
    const vals: unknown[] = [];
    for (const k in rec) {
      if (!Object.hasOwn(rec, k)) continue;
      names.push(k);
      vals.push(rec[k]);
    }
    return { o, kind: OBJECT, vals, names, i: 0 };
  }
  if (o instanceof Map) return { o, kind: MAP, vals: [...o].flat(), names: undefined, i: 0 };
  if (o instanceof Set) return { o, kind: SET, vals: [...o], names: undefined, i: 0 };
  if (o instanceof ImproperList) return { o, kind: IMPROPER, vals: [...o.items, o.tail], names: undefined, i: 0 };
  if (o instanceof Error) {
    const names: string[] = [];
    const vals: unknown[] = [];
    if (Object.hasOwn(o, 'code')) {
      names.push('code');
      vals.push((o as { code?: unknown }).code);
    }
    if (Object.hasOwn(o, 'cause')) {
      names.push('cause');
      vals.push(o.cause);
    }
    return { o, kind: ERROR, vals, names, i: 0 };
  }
  return undefined;
}

/** The failure of a leaf value (no children), or undefined when it is a term. */
function leafFailure(v: unknown): string | undefined {
  switch (typeof v) {
    case 'function':
      return 'is a function';
    case 'symbol':
      return 'is a symbol';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return undefined;
  const o = v as object;
  if (isLeafObject(o)) return undefined;
  return notATerm(o);
}

/**
 * Checks `root` (an object) without recursion; the same first failure (depth first, children
 * in order) and path as the recursive check, or undefined when it is a term.
 */
export function checkDeep(root: object): Failure | undefined {
  const first = open(root);
  if (first === undefined) {
    const what = leafFailure(root);
    return what === undefined ? undefined : fail(what);
  }
  const stack: Open[] = [first];
  const ancestors = new Set<object>([root]);
  const failAt = (what: string): Failure => {
    const segs: string[] = [];
    for (let k = stack.length - 1; k >= 0; k--) segs.push(seg(stack[k]!, stack[k]!.i - 1));
    return { what, segs };
  };
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.vals.length) {
      stack.pop();
      ancestors.delete(f.o);
      continue;
    }
    const i = f.i++;
    const x = f.vals[i];
    if (x === undefined && f.kind === ARRAY && !(i in (f.vals as unknown[]))) return failAt('is a hole (sparse array)');
    if (typeof x !== 'object' || x === null) {
      const what = leafFailure(x);
      if (what !== undefined) return failAt(what);
      continue;
    }
    const c = open(x);
    if (c === undefined) {
      const what = leafFailure(x);
      if (what !== undefined) return failAt(what);
      continue;
    }
    if (ancestors.has(x)) return failAt(CYCLIC);
    ancestors.add(x);
    stack.push(c);
  }
  return undefined;
}

/**
 * Whether `root` nests containers more than `limit` deep (a container holding only leaves is 1
 * deep), without recursion. A cycle is not followed (it is not depth: checkTerm refuses it).
 */
export function deeperThan(root: unknown, limit: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const first = open(root);
  if (first === undefined) return false;
  if (limit < 1) return true;
  const stack: Open[] = [first];
  const ancestors = new Set<object>([root]);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.vals.length) {
      stack.pop();
      ancestors.delete(f.o);
      continue;
    }
    const x = f.vals[f.i++];
    if (typeof x !== 'object' || x === null || ancestors.has(x)) continue;
    const c = open(x);
    if (c === undefined) continue;
    if (stack.length >= limit) return true;
    ancestors.add(x);
    stack.push(c);
  }
  return false;
}
