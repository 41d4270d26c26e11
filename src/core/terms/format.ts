/**
 * `formatTerm`: the one-line, deterministic printer used by the shell, crash reports and the
 * demo page. JS-literal-like, with Erlang's notation for pids, refs and binaries.
 */
import { Pid } from './pid.js';
import { Ref } from './ref.js';

/**
 * Limits of {@link formatTerm}.
 *
 * @example
 * const crashReportLimits: FormatOptions = { maxDepth: 5, maxLength: 20 };
 */
export interface FormatOptions {
  /** Containers nested deeper than this print as `[...]`, `{...}`… Default 10. */
  maxDepth?: number;
  /** At most this many elements (entries, members, bytes) per container, then `...`. Default 100. */
  maxLength?: number;
}

/**
 * Prints a term (or any local value) on one line.
 *
 * Strings `'fine'`, arrays `['ok', 'fine']`, objects `{ a: 1, 'b-c': 2 }`,
 * `Map { 'k' => 1 }`, `Set { 1, 2 }`, `Date(2024-01-01T00:00:00.000Z)`, `12n`, `undefined`,
 * binaries `<<1,2,3>>`, errors `TypeError: msg { code: 'x' }`, pids `<node.42.0>`,
 * refs `#Ref<node.7>`, functions `[Function name]`, cycles `[Circular]`.
 *
 * @example
 * formatTerm(['ok', { n: 1, 'b-c': new Uint8Array([1, 2]) }]) // => "['ok', { n: 1, 'b-c': <<1,2>> }]"
 * formatTerm([[[1]]], { maxDepth: 2 })                      // => '[[[...]]]'
 */
export function formatTerm(term: unknown, opts?: FormatOptions): string {
  const p: Printer = {
    maxDepth: opts?.maxDepth ?? 10,
    maxLength: opts?.maxLength ?? 100,
    ancestors: [],
  };
  return fmt(term, 0, p);
}

interface Printer {
  maxDepth: number;
  maxLength: number;
  ancestors: object[];
}

function fmt(v: unknown, depth: number, p: Printer): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return v.toString();
    case 'function':
      return `[Function ${v.name || '(anonymous)'}]`;
  }
  if (v === null) return 'null';
  const o = v as object;
  if (o instanceof Pid || o instanceof Ref) return o.toString();
  if (o instanceof Date) {
    return `Date(${Number.isNaN(o.getTime()) ? 'Invalid' : o.toISOString()})`;
  }
  if (o instanceof RegExp) return String(o);
  if (o instanceof Uint8Array) return binary(o, p.maxLength);
  if (p.ancestors.includes(o)) return '[Circular]';

  p.ancestors.push(o);
  const s = container(o, depth, p);
  p.ancestors.pop();
  return s;
}

function container(o: object, depth: number, p: Printer): string {
  const deeper = depth >= p.maxDepth;
  const sub = (x: unknown) => fmt(x, depth + 1, p);

  if (Array.isArray(o)) {
    if (o.length === 0) return '[]';
    if (deeper) return '[...]';
    return `[${items(o, o.length, p.maxLength, sub).join(', ')}]`;
  }
  if (o instanceof Error) return error(o, deeper ? undefined : sub);
  if (o instanceof Map) {
    if (o.size === 0) return 'Map {}';
    if (deeper) return 'Map {...}';
    const parts = items(o, o.size, p.maxLength, ([k, x]: [unknown, unknown]) => `${sub(k)} => ${sub(x)}`);
    return `Map { ${parts.join(', ')} }`;
  }
  if (o instanceof Set) {
    if (o.size === 0) return 'Set {}';
    if (deeper) return 'Set {...}';
    return `Set { ${items(o, o.size, p.maxLength, sub).join(', ')} }`;
  }
  const proto = Object.getPrototypeOf(o) as unknown;
  const prefix = proto === Object.prototype || proto === null ? '' : `${ctorName(o)} `;
  if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
    const arr = o as unknown as ArrayLike<unknown> & Iterable<unknown>;
    if (arr.length === 0) return `${prefix}[]`;
    if (deeper) return `${prefix}[...]`;
    return `${prefix}[${items(arr, arr.length, p.maxLength, sub).join(', ')}]`;
  }
  const keys = Object.keys(o);
  if (keys.length === 0) return `${prefix}{}`;
  if (deeper) return `${prefix}{...}`;
  const rec = o as Record<string, unknown>;
  const parts = items(keys, keys.length, p.maxLength, (k: string) => `${key(k)}: ${sub(rec[k])}`);
  return `${prefix}{ ${parts.join(', ')} }`;
}

/** Formats the first `max` elements of `it`, then `...` if there are more. */
function items<T>(it: Iterable<T>, size: number, max: number, f: (x: T) => string): string[] {
  const out: string[] = [];
  for (const x of it) {
    if (out.length >= max) break;
    out.push(f(x));
  }
  if (size > out.length) out.push('...');
  return out;
}

/** An error, with its code and cause unless `sub` is undefined (past maxDepth: `{...}`). */
function error(e: Error, sub: ((x: unknown) => string) | undefined): string {
  const head = e.message ? `${String(e.name)}: ${String(e.message)}` : String(e.name);
  if (sub === undefined) return Object.hasOwn(e, 'code') || Object.hasOwn(e, 'cause') ? `${head} {...}` : head;
  const extra: string[] = [];
  if (Object.hasOwn(e, 'code')) extra.push(`code: ${sub((e as { code?: unknown }).code)}`);
  if (Object.hasOwn(e, 'cause')) extra.push(`cause: ${sub(e.cause)}`);
  return extra.length === 0 ? head : `${head} { ${extra.join(', ')} }`;
}

function binary(b: Uint8Array, max: number): string {
  const n = Math.min(b.length, max);
  let s = '<<';
  for (let i = 0; i < n; i++) s += (i === 0 ? '' : ',') + String(b[i]);
  if (b.length > n) s += n === 0 ? '...' : ',...';
  return `${s}>>`;
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  const body = s.replace(/[\\'\x00-\x1f\x7f\u2028\u2029]/g, (c) => {
    const e = ESCAPES[c];
    if (e !== undefined) return e;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
  return `'${body}'`;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
}

function ctorName(o: object): string {
  const ctor = (o as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'Object';
}
