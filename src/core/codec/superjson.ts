/**
 * The wire encoding of terms: {@link encodeTerm} / {@link decodeTerm}.
 *
 * Wire format (`PROTOCOL_TERM_FORMAT = 'superjson-1'`): the JSON text of a superjson payload
 * `{"json": <plain JSON>, "meta": {"values": <annotations>, "v": 1}}`, produced by a PRIVATE
 * `SuperJSON` instance (the global default instance is never touched, so other code
 * registering classes or transformers there cannot change this format). `meta` is omitted
 * when nothing needs annotating, so a term made only of JSON values encodes as
 * `{"json":<the JSON>}`.
 *
 * superjson-2 is superjson-1 plus the annotations of superjson-beam.ts for the BEAM-only term
 * classes (List, ImproperList, Float, Bitstring, BeamRef, BeamPort, BeamFun, BeamExport);
 * `encodeTerm(t, { beam: false })` writes superjson-1. `decodeTerm` reads both.
 *
 * Built-in superjson annotations carry `undefined`, bigint, valid Date, RegExp, Map, Set,
 * NaN / ±Infinity / -0. Custom annotations (`["custom", name]`) carry:
 *
 * | name          | JSON value                                               |
 * |---------------|----------------------------------------------------------|
 * | `pid`         | `[node, id, serial, creation]`                           |
 * | `ref`         | `[node, creation, id]`                                   |
 * | `bin`         | base64 of the bytes (any Uint8Array, Buffer included)     |
 * | `error`       | `{name, message, stack?, code?, cause?}` (code/cause: terms) |
 * | `invalid-date`| `null` (a Date whose time is NaN)                        |
 * | `obj`         | `[[key, value], ...]`, only for plain objects owning a key  |
 * |               | `__proto__`, `constructor` or `prototype` (superjson refuses |
 * |               | those keys; all other plain objects stay JSON objects)   |
 *
 * Custom transformers are consulted before superjson's built-in rules (its `compositeRules`
 * — class, symbol, custom, typed-array — are tried before the `simpleRules` that hold the
 * built-in Error rule), so our `error` and `bin` handlers take precedence over superjson's
 * Error and typed-array handling.
 *
 * Invariants:
 * - `decodeTerm(encodeTerm(t))` equals `t` for every term accepted by `checkTerm`: Pid/Ref
 *   come back as real `Pid`/`Ref`, binaries as plain `Uint8Array`, errors as `Error`
 *   instances with the same `name` (built-in error names get their built-in class).
 * - Terms are trees. Sharing is not preserved (a subterm referenced twice decodes as two
 *   equal copies) and superjson's `referentialEqualities` are neither sent nor honoured,
 *   so a decoded term is never cyclic, whatever the peer sent.
 * - The encoder assumes its input passed `checkTerm` (no functions, symbols, cycles, holes…).
 *   Errors keep only name, message, stack and own `code` / `cause`; other own properties,
 *   symbol-keyed and non-enumerable properties are not part of a term.
 * - Malformed input to `decodeTerm` throws `ErlmeshError` with code `bad_frame`.
 */
import { base64ToBytes, bytesToBase64 } from '../base/base64.js';
import { SuperJSON } from 'superjson';
import { ErlmeshError, badarg } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import { deeperThan } from '../terms/check-deep.js';
import { BeamRef } from '../terms/beam-ref.js';
import { registerBeamTerms } from './superjson-beam.js';

/**
 * Names the term encoding described above; peers must agree on it in the handshake.
 *
 * @example
 * if (hello.termFormat !== PROTOCOL_TERM_FORMAT) throw new ErlmeshError('incompatible_version');
 */
export const PROTOCOL_TERM_FORMAT = 'superjson-1';

/**
 * The deepest term (frame included) superjson-1 carries: superjson and JSON.stringify recurse,
 * and a Map costs the most stack per level (about 600 levels fit from a shallow stack), so
 * {@link encodeTerm} refuses a deeper term with `term_too_deep` rather than overflow the stack.
 * A message up to MAX_SUPERJSON_DEPTH - 16 deep always fits (frames and rpc add fewer levels).
 * fast-1, the encoding nodes of this version choose, carries any depth.
 */
export const MAX_SUPERJSON_DEPTH = 400;

const sj = new SuperJSON();

// The wire type of custom transformers is declared as JSON; `error` and `obj` emit objects
// that contain terms, which superjson walks (and annotates) further. Hence the casts.
type Json = { [key: string]: Json } | Json[] | string | number | boolean | null;

sj.registerCustom<Pid, [string, number, number, number]>(
  {
    isApplicable: (v): v is Pid => v instanceof Pid,
    serialize: (p) => [p.node, p.id, p.serial, p.creation],
    deserialize: (a) => {
      if (!isIdTuple(a, 4)) throw malformed('pid');
      const [node, id, serial, creation] = a;
      return new Pid(node, id, serial, creation);
    },
  },
  'pid',
);

sj.registerCustom<Ref, [string, number, number]>(
  {
    isApplicable: (v): v is Ref => v instanceof Ref && !(v instanceof BeamRef),
    serialize: (r) => [r.node, r.creation, r.id],
    deserialize: (a) => {
      if (!isIdTuple(a, 3)) throw malformed('ref');
      const [node, creation, id] = a;
      return new Ref(node, creation, id);
    },
  },
  'ref',
);

sj.registerCustom<Uint8Array, string>(
  {
    isApplicable: (v): v is Uint8Array => v instanceof Uint8Array,
    serialize: bytesToBase64,
    deserialize: (s) => {
      if (typeof s !== 'string') throw malformed('bin');
      return base64ToBytes(s);
    },
  },
  'bin',
);

export interface ErrorWire {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
}

sj.registerCustom<Error, Json>(
  {
    isApplicable: (v): v is Error => v instanceof Error,
    serialize: (e) => {
      const w: ErrorWire = { name: String(e.name), message: String(e.message) };
      if (typeof e.stack === 'string') w.stack = e.stack;
      if (Object.hasOwn(e, 'code')) w.code = (e as { code?: unknown }).code;
      if (Object.hasOwn(e, 'cause')) w.cause = e.cause;
      return w as unknown as Json;
    },
    deserialize: (raw) => {
      const w = raw as unknown as ErrorWire;
      if (typeof w !== 'object' || w === null || typeof w.name !== 'string') {
        throw malformed('error');
      }
      return makeError(w);
    },
  },
  'error',
);

sj.registerCustom<Date, null>(
  {
    isApplicable: (v): v is Date => v instanceof Date && Number.isNaN(v.getTime()),
    serialize: () => null,
    deserialize: () => new Date(NaN),
  },
  'invalid-date',
);

sj.registerCustom<Record<string, unknown>, Json>(
  {
    isApplicable: (v): v is Record<string, unknown> =>
      typeof v === 'object' &&
      v !== null &&
      (Object.hasOwn(v, '__proto__') ||
        Object.hasOwn(v, 'constructor') ||
        Object.hasOwn(v, 'prototype')) &&
      isPlainProto(Object.getPrototypeOf(v)),
    serialize: (o) => Object.entries(o) as unknown as Json,
    deserialize: (raw) => {
      const entries = raw as unknown;
      if (!Array.isArray(entries)) throw malformed('obj');
      // fromEntries defines own properties, so `__proto__` stays an ordinary key.
      return Object.fromEntries(entries as [string, unknown][]);
    },
  },
  'obj',
);

/** Whether the term being encoded may use the BEAM annotations (superjson-2). */
let beamAllowed = true;
registerBeamTerms(sj, () => beamAllowed);

/** Options of {@link encodeTerm}. */
export interface EncodeTermOptions {
  /**
   * False for a peer speaking superjson-1: a List goes as a plain array, other BEAM-only values
   * are refused with `badarg`. Default true (superjson-2, superjson-beam.ts).
   */
  beam?: boolean;
}

/**
 * Encodes a term as wire text (see the module header for the format).
 * The term should have passed `checkTerm`; a failure to encode throws `badarg`, a term
 * nested deeper than MAX_SUPERJSON_DEPTH (400) `term_too_deep`.
 *
 * @example
 * encodeTerm(['msg', 1, 'x']) // => '{"json":["msg",1,"x"]}'
 * encodeTerm(list([1]))       // => '{"json":[1],"meta":{"values":[["custom","list"]],"v":1}}'
 */
export function encodeTerm(term: unknown, opts: EncodeTermOptions = {}): string {
  const outer = beamAllowed;
  beamAllowed = opts.beam ?? outer;
  try {
    if (deeperThan(term, MAX_SUPERJSON_DEPTH)) {
      throw new ErlmeshError('term_too_deep', `cannot encode term: nested deeper than ${MAX_SUPERJSON_DEPTH} (the superjson-1 limit)`);
    }
    const { json, meta } = sj.serialize(term);
    if (meta === undefined) return JSON.stringify({ json });
    if (meta.values === undefined) return JSON.stringify({ json });
    return JSON.stringify({ json, meta: { values: meta.values, v: meta.v } });
  } catch (e) {
    if (e instanceof ErlmeshError) throw e;
    throw badarg(`cannot encode term: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    beamAllowed = outer;
  }
}

/**
 * Decodes wire text made by {@link encodeTerm}. Malformed text throws `ErlmeshError`
 * with code `bad_frame`.
 *
 * @example
 * decodeTerm('{"json":["msg",1,"x"]}') // => ['msg', 1, 'x']
 */
export function decodeTerm(text: string): unknown {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (e) {
    throw new ErlmeshError('bad_frame', 'term is not valid JSON', e);
  }
  if (typeof payload !== 'object' || payload === null || !('json' in payload)) {
    throw new ErlmeshError('bad_frame', 'term payload has no "json" field');
  }
  const p = payload as { json: unknown; meta?: unknown };
  const meta = p.meta;
  if (meta === undefined) return p.json;
  if (typeof meta !== 'object' || meta === null) {
    throw new ErlmeshError('bad_frame', 'term payload has a malformed "meta" field');
  }
  const m = meta as { values?: unknown; v?: unknown };
  try {
    // Never re-link shared/cyclic references: terms are trees.
    return sj.deserialize(
      { json: p.json as never, meta: { values: m.values as never, v: m.v as number } },
      { inPlace: true },
    );
  } catch (e) {
    if (e instanceof ErlmeshError) throw e;
    throw new ErlmeshError(
      'bad_frame',
      `malformed term: ${e instanceof Error ? e.message : String(e)}`,
      e,
    );
  }
}

// ---- helpers ------------------------------------------------------------------------------

const BUILTIN_ERRORS: Record<string, new (message?: string, options?: { cause?: unknown }) => Error> =
  {
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
  };

/**
 * The Error a decoded `{name, message, stack?, code?, cause?}` stands for (shared by both
 * encodings, so they decode errors identically): built-in names get their class, other names
 * a plain Error with that name; no `stack` means none; `code` / `cause` only when present.
 */
export function errorFromWire(w: ErrorWire): Error {
  return makeError(w);
}

function makeError(w: ErrorWire): Error {
  const Ctor = Object.hasOwn(BUILTIN_ERRORS, w.name) ? BUILTIN_ERRORS[w.name]! : Error;
  const message = String(w.message);
  const e = Object.hasOwn(w, 'cause') ? new Ctor(message, { cause: w.cause }) : new Ctor(message);
  if (e.name !== w.name) e.name = w.name;
  if (typeof w.stack === 'string') e.stack = w.stack;
  else delete (e as { stack?: string }).stack;
  if (Object.hasOwn(w, 'code')) (e as Error & { code?: unknown }).code = w.code;
  return e;
}

/** `[string, integer, …]` of length `n` (the wire shape of pids and refs). */
function isIdTuple<T extends [string, ...number[]]>(a: T, n: T['length']): boolean {
  if (!Array.isArray(a) || a.length !== n || typeof a[0] !== 'string') return false;
  for (let i = 1; i < n; i++) if (!Number.isInteger(a[i])) return false;
  return true;
}

function isPlainProto(proto: unknown): boolean {
  return proto === Object.prototype || proto === null;
}

function malformed(what: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `malformed ${what} in term`);
}
