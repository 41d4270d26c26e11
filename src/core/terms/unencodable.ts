/**
 * The placeholder for what cannot travel (docs/semantics.md, "Reasons that cannot travel").
 *
 * An Erlang exit reason or rpc result is always a term; a JavaScript one can be a function, a
 * symbol, a class instance, a cycle, or a term deeper than the connection carries. So that a
 * link, a monitor or an rpc still gets its answer, the distribution layer replaces each part
 * that cannot be encoded by `['unencodable', description]` and sends the rest as it is
 * ({@link sanitizeTerm}). Descriptions: `function foo`, `function <anonymous>`,
 * `symbol Symbol(x)`, `instance of Foo` (also `instance of Int32Array`, `instance of Promise`),
 * `cyclic object`, `term nested deeper than N`.
 */
import { isLeafObject } from './leaf.js';
import { ctorName } from './check-deep.js';
import { Pid } from './pid.js';
import { Ref } from './ref.js';
import { ImproperList, List, asList } from './beam-list.js';

/** `['unencodable', description]`: stands for a part of a reason or result that could not be sent. */
export type Unencodable = ['unencodable', string];

/** The placeholder for a value described by `description`. */
export function unencodable(description: string): Unencodable {
  return ['unencodable', description];
}

/** Whether `t` is a placeholder made by {@link unencodable}. */
export function isUnencodable(t: unknown): t is Unencodable {
  return Array.isArray(t) && t.length === 2 && t[0] === 'unencodable' && typeof t[1] === 'string';
}

/** What {@link sanitizeTerm} returns: the term to send, and the first placeholder it put in (undefined: none). */
export interface Sanitized {
  term: unknown;
  first: Unencodable | undefined;
}

/** The description of a value that is never a term, or undefined for a leaf term (or a container). */
function leafProblem(v: unknown): string | undefined {
  switch (typeof v) {
    case 'function':
      return `function ${v.name === '' ? '<anonymous>' : v.name}`;
    case 'symbol':
      return `symbol ${String(v)}`;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return undefined;
  const o = v as object;
  if (isLeafObject(o)) return undefined;
  if (Array.isArray(o) || o instanceof Map || o instanceof Set || o instanceof Error || o instanceof ImproperList) return undefined;
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto === Object.prototype || proto === null) return undefined;
  return `instance of ${ctorName(o)}`;
}

/** A container being copied: its copy, the children still to visit and where each goes. */
interface Frame {
  src: object;
  depth: number;
  children: unknown[];
  put: Array<(v: unknown) => void>;
  i: number;
  /** Runs once every child is in place (a Map or Set is filled in order, an Error rebuilt). */
  done: () => unknown;
  /** Where the finished copy goes. */
  out: (x: unknown) => void;
}

/**
 * `term` with every part that cannot be encoded replaced by a placeholder: functions, symbols,
 * class instances (anything but the term types of `checkTerm`), a container that
 * refers back to an enclosing one (`cyclic object`) and, given `maxDepth`, a container nested
 * at `maxDepth` (described by `tooDeep`, default `term nested deeper than <maxDepth>`: the
 * result nests at most `maxDepth` containers, the placeholder counting as one). Without recursion, so any depth is
 * fine. An array hole becomes `undefined` (as fast-1 sends it). `first` is the first
 * placeholder put in (depth first), undefined when there was none; `term` is the input itself
 * when nothing was replaced. Shared subterms are copied once.
 *
 * @example
 * sanitizeTerm(['x', () => 1]).term // => ['x', ['unencodable', 'function <anonymous>']]
 */
export function sanitizeTerm(term: unknown, maxDepth = Infinity, tooDeep = `term nested deeper than ${maxDepth}`): Sanitized {
  let first: Unencodable | undefined;
  const placeholder = (what: string): Unencodable => {
    const p = unencodable(what);
    first ??= p;
    return p;
  };
  const onPath = new Set<object>();
  /** Finished copies, with the depth they were made at (reusable at that depth or shallower). */
  const copies = new Map<object, { copy: unknown; depth: number }>();
  const stack: Frame[] = [];
  let result: unknown;

  /** Place `v` (at nesting `depth`) through `put`: a leaf at once, a container once copied. */
  let changed = false;
  const visit = (v: unknown, depth: number, put: (x: unknown) => void, hole = false): void => {
    if (hole) {
      changed = true; // fast-1 sends a hole as undefined; so does this
      return put(undefined);
    }
    const problem = leafProblem(v);
    if (problem !== undefined) return put(placeholder(problem));
    if (typeof v !== 'object' || v === null) return put(v);
    const o = v;
    if (onPath.has(o)) return put(placeholder('cyclic object'));
    const made = copies.get(o);
    if (made !== undefined && made.depth >= depth) return put(made.copy);
    const f = open(o, depth, put);
    if (f === undefined) return put(o); // a leaf term (Pid, Ref, binary, Date, RegExp)
    if (depth >= maxDepth) return put(placeholder(tooDeep));
    onPath.add(o);
    stack.push(f);
  };

  visit(term, 1, (x) => (result = x));
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i < f.children.length) {
      const i = f.i++;
      const isHole = Array.isArray(f.src) && !(i in f.src);
      visit(f.children[i], f.depth + 1, f.put[i]!, isHole);
      continue;
    }
    stack.pop();
    onPath.delete(f.src);
    const copy = f.done();
    copies.set(f.src, { copy, depth: f.depth });
    f.out(copy);
  }
  return first === undefined && !changed ? { term, first } : { term: result, first };
}

/** `o` as a container to copy, or undefined when it is a leaf term. */
function open(o: object, depth: number, out: (x: unknown) => void): Frame | undefined {
  if (Array.isArray(o)) {
    const arr: unknown[] = new Array<unknown>(o.length);
    const put = Array.from({ length: o.length }, (_, i) => (x: unknown) => (arr[i] = x));
    const done = (): unknown[] => (o instanceof List ? asList(arr) : arr); // a List stays an Erlang list
    return { src: o, depth, children: Array.from({ length: o.length }, (_, i) => (o as unknown[])[i]), put, i: 0, done, out };
  }
  if (o instanceof ImproperList) {
    const children = [...o.items, o.tail];
    const arr: unknown[] = new Array<unknown>(children.length);
    const put = children.map((_, j) => (x: unknown) => (arr[j] = x));
    return { src: o, depth, children, put, i: 0, done: () => new ImproperList(arr.slice(0, -1), arr[arr.length - 1]), out };
  }
  if (o instanceof Map) {
    const entries = [...o];
    const pairs: unknown[][] = entries.map(() => [undefined, undefined]);
    const children = entries.flat();
    const put = children.map((_, j) => (x: unknown) => (pairs[j >> 1]![j & 1] = x));
    return { src: o, depth, children, put, i: 0, done: () => new Map(pairs as [unknown, unknown][]), out };
  }
  if (o instanceof Set) {
    const children = [...o];
    const members: unknown[] = new Array<unknown>(children.length);
    const put = children.map((_, j) => (x: unknown) => (members[j] = x));
    return { src: o, depth, children, put, i: 0, done: () => new Set(members), out };
  }
  if (o instanceof Error) {
    const names = (['code', 'cause'] as const).filter((k) => Object.hasOwn(o, k));
    const fields: Record<string, unknown> = {};
    const put = names.map((k) => (x: unknown) => (fields[k] = x));
    const children = names.map((k) => (o as unknown as Record<string, unknown>)[k]);
    const done = () => {
      const e = Object.create(Object.getPrototypeOf(o) as object) as Error;
      define(e, 'message', o.message);
      if (Object.hasOwn(o, 'stack')) define(e, 'stack', o.stack);
      if (e.name !== o.name) define(e, 'name', o.name);
      for (const k of names) define(e, k, fields[k]);
      return e;
    };
    return { src: o, depth, children, put, i: 0, done, out };
  }
  if (o instanceof Pid || o instanceof Ref) return undefined;
  const proto = Object.getPrototypeOf(o) as object | null;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const rec = o as Record<string, unknown>;
  const copy = Object.create(proto) as Record<string, unknown>;
  const keys: string[] = [];
  for (const k in rec) if (Object.hasOwn(rec, k)) keys.push(k);
  const put = keys.map((k) => (x: unknown) => define(copy, k, x));
  return { src: o, depth, children: keys.map((k) => rec[k]), put, i: 0, done: () => copy, out };
}

/** An own enumerable property, even for keys such as `__proto__`. */
function define(o: object, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
