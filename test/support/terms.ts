/**
 * Test helpers shared by the term codec tests: a fast-check arbitrary of every term kind,
 * nested, with the edge cases of both encodings (reserved and dotted keys, null prototypes,
 * -0 / NaN / ±Infinity, lone surrogates, bigints, errors with code and cause, Buffer views),
 * `termEquals` (structural equality of terms) and `identical` (the same JS value graph:
 * prototypes, own keys in order, property attributes).
 */
import fc from 'fast-check';
import { Pid } from '../../src/core/terms/pid.js';
import { Ref } from '../../src/core/terms/ref.js';

const ABSENT = Symbol('absent');

const objectKey = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'a.b', 'a\\b', '', '0', '1.5', 'toJSON'),
);

function makeObject(entries: [string, unknown][], nullProto: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = nullProto ? Object.create(null) : {};
  for (const [k, v] of entries) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return o;
}

const ERROR_CLASSES: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError };

function makeError(name: string, message: string, stack: string | undefined, code: unknown, cause: unknown): Error {
  const Ctor = ERROR_CLASSES[name] ?? Error;
  const e = cause === ABSENT ? new Ctor(message) : new Ctor(message, { cause });
  e.name = name;
  if (stack === undefined) delete e.stack;
  else e.stack = stack;
  if (code !== ABSENT) Object.assign(e, { code });
  return e;
}

/** Characters that stress string encodings: ASCII, 2-, 3- and 4-byte UTF-8, lone surrogates. */
const trickyChar = fc.constantFrom('a', 'Z', '\u0000', '\u007f', '\u0080', 'é', '\u07ff', '\u0800', '☃', '\uffff', '𝄞', '\ud800', '\udbff', '\udc00', '\udfff');

const leaf = fc.oneof(
  fc.constantFrom(null, undefined, true, false),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 127, 128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 5e-324),
  fc.bigInt(),
  fc.constantFrom(0n, -1n, 2n ** 64n, -(2n ** 64n) + 1n, 10n ** 40n),
  fc.string({ unit: 'binary', maxLength: 8 }),
  // Long enough for the encoders' long-string paths (more than 42 UTF-16 units).
  fc.string({ unit: trickyChar, minLength: 40, maxLength: 90 }),
  fc.date(),
  fc.constant(new Date(NaN)),
  fc.constantFrom(/a+b/g, /x\/y/i, /^\d{2,}$/mu, /[\ud800]/, new RegExp('')),
  fc.uint8Array({ maxLength: 12 }),
  fc.uint8Array({ minLength: 2, maxLength: 12 }).map((a) => a.subarray(1, a.length - 1)),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.string({ maxLength: 8 }), fc.nat(), fc.nat(), fc.nat()).map(([n, i, s, c]) => new Pid(n, i, s, c)),
  fc.tuple(fc.string({ unit: trickyChar, maxLength: 8 }), fc.maxSafeNat(), fc.maxSafeNat(), fc.maxSafeNat()).map(([n, i, s, c]) => new Pid(n, i, s, c)),
  fc.tuple(fc.string({ maxLength: 8 }), fc.nat(), fc.nat()).map(([n, c, i]) => new Ref(n, c, i)),
);

export const { term } = fc.letrec<{ term: unknown }>((tie) => ({
  term: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'term' },
    leaf,
    fc.array(tie('term'), { maxLength: 5 }),
    fc
      .tuple(fc.array(fc.tuple(objectKey, tie('term')), { maxLength: 5 }), fc.boolean())
      .map(([entries, nullProto]) => makeObject(entries, nullProto)),
    fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 4 }).map((e) => new Map(e)),
    fc.array(tie('term'), { maxLength: 4 }).map((m) => new Set(m)),
    fc
      .tuple(
        fc.constantFrom('Error', 'TypeError', 'RangeError', 'SyntaxError', 'MyError', 'ErlmeshError'),
        fc.string({ maxLength: 8 }),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        fc.oneof(fc.constant<unknown>(ABSENT), tie('term')),
        fc.oneof(fc.constant<unknown>(ABSENT), tie('term')),
      )
      .map(([name, message, stack, code, cause]) => makeError(name, message, stack, code, cause)),
  ),
}));

/**
 * Structural equality of terms: Pid/Ref via `.equals`, errors by name + message (+ own code /
 * cause), NaN equals NaN, -0 differs from 0, plain objects whatever their prototype
 * (Object.prototype or null), Map / Set / array entries in order.
 */
export function termEquals(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b);
  }
  if (a instanceof Pid || a instanceof Ref) return a.equals(b);
  if (a instanceof Date) return b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp) return b instanceof RegExp && a.source === b.source && a.flags === b.flags;
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (a instanceof Error) {
    if (!(b instanceof Error) || a.name !== b.name || a.message !== b.message) return false;
    for (const k of ['code', 'cause'] as const) {
      if (Object.hasOwn(a, k) !== Object.hasOwn(b, k)) return false;
      if (Object.hasOwn(a, k) && !termEquals((a as never)[k], (b as never)[k])) return false;
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!(i in b) || !termEquals(a[i], b[i])) return false;
    }
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    const ea = [...a];
    const eb = [...b];
    return ea.every(([k, v], i) => termEquals(k, eb[i]![0]) && termEquals(v, eb[i]![1]));
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    const eb = [...b];
    return [...a].every((x, i) => termEquals(x, eb[i]));
  }
  const pb = Object.getPrototypeOf(b);
  if (pb !== Object.prototype && pb !== null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => termEquals(ra[k], rb[k]));
}

/**
 * Whether `a` and `b` are the same JS value graph, as far as anything can observe: the same
 * primitives (Object.is), the same prototypes, the same own keys in the same order with the
 * same attributes and identical values, Map / Set entries in order, Date times, RegExp
 * source / flags / lastIndex, binary bytes. Returns the path of the first difference, or
 * undefined when identical.
 */
export function identical(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  const x = a as object;
  const y = b as object;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: different prototypes`;
  if (x instanceof Date) return Object.is(x.getTime(), (y as Date).getTime()) ? undefined : `${path}: dates differ`;
  if (x instanceof RegExp) {
    const r = y as RegExp;
    return x.source === r.source && x.flags === r.flags && x.lastIndex === r.lastIndex ? undefined : `${path}: regexps differ`;
  }
  if (x instanceof Uint8Array) {
    const u = y as Uint8Array;
    if (x.length !== u.length || x.some((v, i) => v !== u[i])) return `${path}: bytes differ`;
    return undefined;
  }
  if (x instanceof Map || x instanceof Set) {
    const ex = [...x];
    const ey = [...(y as Map<unknown, unknown> | Set<unknown>)];
    if (ex.length !== ey.length) return `${path}: sizes differ`;
    for (let i = 0; i < ex.length; i++) {
      const d = identical(ex[i], ey[i], `${path}.<entry ${i}>`);
      if (d) return d;
    }
    return undefined;
  }
  const kx = Reflect.ownKeys(x);
  const ky = Reflect.ownKeys(y);
  if (kx.length !== ky.length || kx.some((k, i) => k !== ky[i])) {
    return `${path}: own keys [${kx.map(String).join(',')}] vs [${ky.map(String).join(',')}]`;
  }
  for (const k of kx) {
    const dx = Object.getOwnPropertyDescriptor(x, k)!;
    const dy = Object.getOwnPropertyDescriptor(y, k)!;
    const at = `${path}[${String(k)}]`;
    if (dx.enumerable !== dy.enumerable || dx.configurable !== dy.configurable || dx.writable !== dy.writable) return `${at}: attributes differ`;
    if (dx.get !== dy.get || dx.set !== dy.set) return `${at}: accessors differ`;
    if ('value' in dx) {
      const d = identical(dx.value, dy.value, at);
      if (d) return d;
    }
  }
  return undefined;
}

// ----- the fixed values of the codecs' golden tests ---------------------------------------------

/** The pid of the golden bytes and texts (binary, superjson and wire tests). */
export const goldenPid = (): Pid => new Pid('gandalf@host', 42, 0, 3);

/** The ref of the golden bytes and texts. */
export const goldenRef = (): Ref => new Ref('gandalf@host', 3, 7);

/** A TypeError with a fixed stack, so that its encoding is fixed. */
export function fixedError(): TypeError {
  const e = new TypeError('boom');
  e.stack = 'TypeError: boom\n    at f (x.js:1:1)';
  return e;
}

/** Bytes as lower-case hex. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Hex (white space ignored) as bytes. */
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
