/**
 * The fast binary term encoding (`FAST_TERM_FORMAT = 'fast-1'`): {@link encodeTermFast} /
 * {@link decodeTermFast}, and the {@link TermWriter} / {@link TermReader} the distribution
 * layer streams frames through (src/core/net/encodings.ts).
 *
 * It decodes to exactly what superjson-1 (codec.ts) decodes for every term: the same kinds,
 * the same values, the same classes, the same own keys in the same order. It exists because
 * superjson is several times slower than plain JSON; this codec is a single pass over the
 * term with no intermediate objects, written into one growable buffer.
 *
 * Wire format. A term is one tag byte and the tag's payload. `uv` is an unsigned LEB128
 * varint (minimal form when written; any form accepted); multi-byte numbers are little-endian.
 *
 * | tag         | term                      | payload                                                   |
 * |-------------|---------------------------|-----------------------------------------------------------|
 * | 0x00        | undefined                 | —                                                         |
 * | 0x01        | null                      | —                                                         |
 * | 0x02 / 0x03 | false / true              | —                                                         |
 * | 0x04        | number, int32 (not -0)    | 4 bytes, two's complement                                 |
 * | 0x05        | number, any other         | float64 (-0, NaN, ±Infinity, fractions, large integers)   |
 * | 0x06        | bigint                    | sign byte (0: ≥ 0, 1: < 0), uv n, n bytes of the magnitude |
 * | 0x07        | string                    | uv n, n bytes of UTF-8 (strings without lone surrogates)  |
 * | 0x08        | string with lone surrogates | uv n, n UTF-16 code units of 2 bytes                    |
 * | 0x09        | array                     | uv n, n terms                                             |
 * | 0x0a        | plain object              | uv n, n × (key: a string term, value term)                |
 * | 0x0b        | Map                       | uv n, n × (key term, value term)                          |
 * | 0x0c        | Set                       | uv n, n terms                                             |
 * | 0x0d        | Date                      | float64 of getTime() (NaN: an invalid date)               |
 * | 0x0e        | RegExp                    | source, flags (string terms)                              |
 * | 0x0f        | binary (any Uint8Array)   | uv n, n bytes (only the view's bytes)                     |
 * | 0x10        | Error                     | bits (1: stack, 2: code, 4: cause), name, message,        |
 * |             |                           | [stack], [code term], [cause term]                        |
 * | 0x11        | Pid                       | node (string term), id, serial, creation (number terms)   |
 * | 0x12        | Ref                       | node (string term), creation, id (number terms)           |
 * | 0x80–0xff   | integer 0..127            | — (value = tag − 0x80)                                    |
 *
 * Invariants:
 * - `decodeTermFast(encodeTermFast(t))` equals `decodeTerm(encodeTerm(t))` (superjson-1)
 *   equals `t` for every term accepted by `checkTerm` (property-tested): plain objects come
 *   back with Object.prototype (a `__proto__` key stays an own key), binaries as fresh plain
 *   Uint8Array copies, errors as in codec.ts (built-in names get their class; name, message,
 *   stack and own code / cause kept), -0 / NaN / ±Infinity and lone surrogates preserved.
 * - Terms are trees: sharing is not preserved, a decoded term is never cyclic.
 * - The encoder throws `badarg` for a value that is not a term (function, symbol, class
 *   instance, typed array other than Uint8Array…), leaving the writer as it was before.
 * - Malformed input to the decoder throws `ErlmeshError` with code `bad_frame`; the decoder
 *   never allocates more than the input can describe (counts are bounded by the bytes left).
 */
import { ErlmeshError, badarg } from '../base/errors.js';
import { errorFromWire } from './superjson.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';

/** Names this encoding; peers agree on it in the handshake (see net/encodings.ts). */
export const FAST_TERM_FORMAT = 'fast-1';

export const T_UNDEFINED = 0x00;
export const T_NULL = 0x01;
export const T_FALSE = 0x02;
export const T_TRUE = 0x03;
export const T_INT32 = 0x04;
export const T_FLOAT64 = 0x05;
export const T_BIGINT = 0x06;
export const T_STR = 0x07;
export const T_STR16 = 0x08;
export const T_ARRAY = 0x09;
export const T_OBJECT = 0x0a;
export const T_MAP = 0x0b;
export const T_SET = 0x0c;
export const T_DATE = 0x0d;
export const T_REGEXP = 0x0e;
export const T_BIN = 0x0f;
export const T_ERROR = 0x10;
export const T_PID = 0x11;
export const T_REF = 0x12;
export const T_SMALLINT = 0x80;

const ERR_STACK = 1;
const ERR_CODE = 2;
const ERR_CAUSE = 4;

/** Strings up to this many UTF-16 units are written with a one-byte length (3 × 42 < 128). */
const SHORT_STRING = 42;

function uvSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/**
 * Writes terms into one growable buffer. Reused across frames: `reset()` rewinds it, `take()`
 * copies out what was written. A failed `term()` throws `badarg` and rewinds to where that
 * call started.
 */
/**
 * Write `s` as UTF-8 into `b` from `p` (room for 3 bytes per UTF-16 unit is the caller's);
 * returns the end position, or -1 for a lone surrogate (which UTF-8 cannot carry: the
 * caller then writes the string as UTF-16 units).
 */
function utf8Into(b: Uint8Array, p: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      const d = c <= 0xdbff && i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return -1;
      const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
      b[p++] = 0xf0 | (cp >> 18);
      b[p++] = 0x80 | ((cp >> 12) & 0x3f);
      b[p++] = 0x80 | ((cp >> 6) & 0x3f);
      b[p++] = 0x80 | (cp & 0x3f);
      i++;
    }
  }
  return p;
}

export class TermWriter {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.pos;
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written, as a plain exact-size Uint8Array; then rewinds. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(this.pos + n);
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(this.pos + 1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer (< 2^53). */
  uv(n: number): void {
    this.ensure(8);
    this.pos = this.uvAt(this.pos, n);
  }

  /** Writes `v`, or throws `badarg` (rewinding to where it started) if it is not a term. */
  term(v: unknown): void {
    const start = this.pos;
    try {
      this.value(v);
    } catch (e) {
      this.pos = start;
      if (e instanceof ErlmeshError) throw e;
      throw badarg(`cannot encode term: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }

  number(v: number): void {
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      if (v >= 0 && v < 128) {
        this.byte(T_SMALLINT | v);
        return;
      }
      this.ensure(5);
      this.buf[this.pos] = T_INT32;
      this.view.setInt32(this.pos + 1, v, true);
      this.pos += 5;
      return;
    }
    this.f64(T_FLOAT64, v);
  }

  /** `tag` then a float64 (NaN always as the canonical quiet NaN). */
  private f64(tag: number, v: number): void {
    this.ensure(9);
    this.buf[this.pos] = tag;
    if (v !== v) {
      this.view.setUint32(this.pos + 1, 0, true);
      this.view.setUint32(this.pos + 5, 0x7ff80000, true);
    } else {
      this.view.setFloat64(this.pos + 1, v, true);
    }
    this.pos += 9;
  }

  /** Writes `n` as a varint at `p` (room already ensured); returns the position after it. */
  private uvAt(p: number, n: number): number {
    const b = this.buf;
    while (n >= 0x80) {
      b[p++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    b[p++] = n;
    return p;
  }

  string(s: string): void {
    const len = s.length;
    if (len <= SHORT_STRING) {
      this.ensure(2 + 3 * len);
      const start = this.pos;
      const p = utf8Into(this.buf, start + 2, s);
      if (p < 0) return this.string16(s);
      this.buf[start] = T_STR;
      this.buf[start + 1] = p - start - 2;
      this.pos = p;
      return;
    }
    // Long string: reserve the largest length prefix, write, then close the gap if smaller.
    const reserve = uvSize(3 * len);
    this.ensure(1 + reserve + 3 * len);
    const at = this.pos + 1 + reserve;
    const p = utf8Into(this.buf, at, s);
    if (p < 0) return this.string16(s);
    const n = p - at;
    this.buf[this.pos++] = T_STR;
    const size = uvSize(n);
    if (size < reserve) this.buf.copyWithin(this.pos + size, at, p);
    this.pos = this.uvAt(this.pos, n) + n;
  }

  private string16(s: string): void {
    const len = s.length;
    this.byte(T_STR16);
    this.uv(len);
    this.ensure(2 * len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      b[p++] = c & 0xff;
      b[p++] = c >> 8;
    }
    this.pos = p;
  }

  pid(p: Pid): void {
    this.byte(T_PID);
    this.string(p.node);
    this.number(p.id);
    this.number(p.serial);
    this.number(p.creation);
  }

  private bytes(v: Uint8Array): void {
    const n = v.length;
    this.byte(T_BIN);
    this.uv(n);
    this.ensure(n);
    this.buf.set(v, this.pos);
    this.pos += n;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        this.byte(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        this.byte(T_UNDEFINED);
        return;
      case 'bigint':
        this.bigint(v);
        return;
      case 'object':
        break;
      default:
        throw badarg(`cannot encode a ${typeof v}`);
    }
    if (v === null) {
      this.byte(T_NULL);
      return;
    }
    if (Array.isArray(v)) {
      const n = v.length;
      this.byte(T_ARRAY);
      this.uv(n);
      for (let i = 0; i < n; i++) this.value(v[i]);
      return;
    }
    if (v instanceof Pid) {
      this.pid(v);
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype || proto === null) {
      this.object(v as Record<string, unknown>);
      return;
    }
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof Ref) {
      this.byte(T_REF);
      this.string(v.node);
      this.number(v.creation);
      this.number(v.id);
      return;
    }
    if (v instanceof Map) {
      this.byte(T_MAP);
      this.uv(v.size);
      for (const [k, x] of v) {
        this.value(k);
        this.value(x);
      }
      return;
    }
    if (v instanceof Set) {
      this.byte(T_SET);
      this.uv(v.size);
      for (const x of v) this.value(x);
      return;
    }
    if (v instanceof Date) {
      this.f64(T_DATE, v.getTime());
      return;
    }
    if (v instanceof Error) return this.error(v);
    if (v instanceof RegExp) {
      this.byte(T_REGEXP);
      this.string(v.source);
      this.string(v.flags);
      return;
    }
    throw badarg(`cannot encode an instance of ${ctorName(v)}`);
  }

  private object(o: Record<string, unknown>): void {
    this.byte(T_OBJECT);
    const countAt = this.pos;
    // Most objects have fewer than 128 keys: reserve one byte for the count, fix up after.
    this.byte(0);
    let n = 0;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      this.string(k);
      this.value(o[k]);
      n++;
    }
    if (n < 0x80) {
      this.buf[countAt] = n;
      return;
    }
    const size = uvSize(n);
    const end = this.pos;
    this.ensure(size - 1);
    this.buf.copyWithin(countAt + size, countAt + 1, end);
    this.uvAt(countAt, n);
    this.pos = end + size - 1;
  }

  private bigint(v: bigint): void {
    const neg = v < 0n;
    let hex = (neg ? -v : v).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const n = hex === '00' ? 0 : hex.length / 2;
    this.byte(T_BIGINT);
    this.byte(neg ? 1 : 0);
    this.uv(n);
    this.ensure(n);
    // Little-endian: the last hex pair is the lowest byte.
    for (let i = 0; i < n; i++) this.buf[this.pos + i] = parseInt(hex.slice(hex.length - 2 * i - 2, hex.length - 2 * i), 16);
    this.pos += n;
  }

  private error(e: Error): void {
    const hasStack = typeof e.stack === 'string';
    const hasCode = Object.hasOwn(e, 'code');
    const hasCause = Object.hasOwn(e, 'cause');
    this.byte(T_ERROR);
    this.byte((hasStack ? ERR_STACK : 0) | (hasCode ? ERR_CODE : 0) | (hasCause ? ERR_CAUSE : 0));
    this.string(String(e.name));
    this.string(String(e.message));
    if (hasStack) this.string(e.stack as string);
    if (hasCode) this.value((e as { code?: unknown }).code);
    if (hasCause) this.value(e.cause);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads terms from one buffer. Any malformation throws `bad_frame`. */
export class TermReader {
  b: Uint8Array;
  p: number;
  end: number;
  private view: DataView;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    // A Buffer (or other subclass) would make `slice` return views: read it as a plain Uint8Array.
    if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.b = bytes;
    this.p = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.p >= this.end;
  }

  byte(): number {
    if (this.p >= this.end) throw truncated();
    return this.b[this.p++] as number;
  }

  uv(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const c = this.byte();
      n += (c & 0x7f) * scale;
      if (c < 0x80) return n;
      scale *= 128;
    }
    throw malformed('varint');
  }

  /** A count of items, each at least one byte: more than the bytes left is malformed. */
  private count(): number {
    const n = this.uv();
    if (n > this.end - this.p) throw malformed('count');
    return n;
  }

  term(): unknown {
    const tag = this.byte();
    if (tag >= T_SMALLINT) return tag - T_SMALLINT;
    switch (tag) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT32: {
        this.need(4);
        const v = this.view.getInt32(this.p, true);
        this.p += 4;
        return v;
      }
      case T_FLOAT64:
        return this.float64();
      case T_BIGINT:
        return this.bigint();
      case T_STR:
        return this.utf8(this.uv());
      case T_STR16:
        return this.utf16();
      case T_ARRAY: {
        const n = this.count();
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.term();
        return a;
      }
      case T_OBJECT: {
        const n = this.count();
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.stringTerm('object key');
          const v = this.term();
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case T_MAP: {
        const n = this.count();
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = this.term();
          m.set(k, this.term());
        }
        return m;
      }
      case T_SET: {
        const n = this.count();
        const s = new Set<unknown>();
        for (let i = 0; i < n; i++) s.add(this.term());
        return s;
      }
      case T_DATE:
        return new Date(this.float64());
      case T_REGEXP: {
        const source = this.stringTerm('regexp source');
        const flags = this.stringTerm('regexp flags');
        return new RegExp(source, flags);
      }
      case T_BIN: {
        const n = this.uv();
        this.need(n);
        const out = this.b.slice(this.p, this.p + n);
        this.p += n;
        return out;
      }
      case T_ERROR:
        return this.error();
      case T_PID:
        return this.pidBody();
      case T_REF: {
        const node = this.stringTerm('ref node');
        const creation = this.integer('ref');
        const id = this.integer('ref');
        return new Ref(node, creation, id);
      }
      default:
        throw malformed(`tag 0x${tag.toString(16)}`);
    }
  }

  /** A Pid term (tag included). */
  pid(): Pid {
    if (this.byte() !== T_PID) throw malformed('pid');
    return this.pidBody();
  }

  private pidBody(): Pid {
    const node = this.stringTerm('pid node');
    const id = this.integer('pid');
    const serial = this.integer('pid');
    const creation = this.integer('pid');
    return new Pid(node, id, serial, creation);
  }

  /** A string term (tag included). */
  stringTerm(what: string): string {
    const tag = this.byte();
    if (tag === T_STR) return this.utf8(this.uv());
    if (tag === T_STR16) return this.utf16();
    throw malformed(what);
  }

  private integer(what: string): number {
    const v = this.term();
    if (!Number.isInteger(v)) throw malformed(what);
    return v as number;
  }

  private need(n: number): void {
    if (n > this.end - this.p) throw truncated();
  }

  private float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.p, true);
    this.p += 8;
    return v;
  }

  private utf8(n: number): string {
    this.need(n);
    const b = this.b;
    const start = this.p;
    const end = start + n;
    if (n <= 24) {
      let s = '';
      for (let i = start; i < end; i++) {
        const c = b[i] as number;
        if (c >= 0x80) {
          s = '';
          break;
        }
        s += String.fromCharCode(c);
      }
      if (s.length === n) {
        this.p = end;
        return s;
      }
    }
    let s: string;
    try {
      s = utf8.decode(b.subarray(start, end) as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new ErlmeshError('bad_frame', 'malformed UTF-8 in term', e);
    }
    this.p = end;
    return s;
  }

  private utf16(): string {
    const n = this.uv();
    this.need(2 * n);
    const b = this.b;
    let s = '';
    let p = this.p;
    for (let i = 0; i < n; i++, p += 2) s += String.fromCharCode((b[p] as number) | ((b[p + 1] as number) << 8));
    this.p = p;
    return s;
  }

  private bigint(): bigint {
    const sign = this.byte();
    if (sign > 1) throw malformed('bigint');
    const n = this.uv();
    this.need(n);
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += (this.b[this.p + i] as number).toString(16).padStart(2, '0');
    this.p += n;
    const mag = n === 0 ? 0n : BigInt(`0x${hex}`);
    return sign ? -mag : mag;
  }

  private error(): Error {
    const bits = this.byte();
    if (bits > 7) throw malformed('error');
    const name = this.stringTerm('error name');
    const message = this.stringTerm('error message');
    const w: { name: string; message: string; stack?: string; code?: unknown; cause?: unknown } = { name, message };
    if (bits & ERR_STACK) w.stack = this.stringTerm('error stack');
    if (bits & ERR_CODE) w.code = this.term();
    if (bits & ERR_CAUSE) w.cause = this.term();
    return errorFromWire(w);
  }
}

/**
 * Encodes a term in the fast binary format (see the module header).
 *
 * @example
 * encodeTermFast(['msg', 1]) // => Uint8Array [0x09, 0x02, 0x07, 0x03, 0x6d, 0x73, 0x67, 0x81]
 */
export function encodeTermFast(term: unknown): Uint8Array {
  const w = new TermWriter(64);
  w.term(term);
  return w.take();
}

/**
 * Decodes bytes made by {@link encodeTermFast}; anything else throws `bad_frame`.
 *
 * @example
 * decodeTermFast(encodeTermFast(['msg', 1])) // => ['msg', 1]
 */
export function decodeTermFast(bytes: Uint8Array): unknown {
  const r = new TermReader(bytes);
  const t = guardDecode(() => r.term());
  if (!r.done) throw malformed('trailing bytes');
  return t;
}

/** Runs a decoding step, turning anything it throws into `bad_frame`. */
export function guardDecode<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ErlmeshError && e.code === 'bad_frame') throw e;
    throw new ErlmeshError('bad_frame', `malformed term: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

function malformed(what: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `malformed ${what} in binary term`);
}

function truncated(): ErlmeshError {
  return new ErlmeshError('bad_frame', 'truncated binary term');
}

function ctorName(o: object): string {
  const ctor = (o as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'object';
}
