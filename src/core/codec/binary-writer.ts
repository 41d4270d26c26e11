/**
 * The fast-1 writer: {@link TermWriter} writes terms into one growable buffer, in the format
 * documented in binary-tags.ts. The per-value paths (`value`, `string`, `number`, `object`)
 * are hot: they stay methods of the one class, and the UTF-8 loop (`utf8Into`) writes straight
 * into its buffer.
 */
import { ErlmeshError, badarg } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import * as tags from './binary-tags.js';
import { RECURSION_DEPTH, TOO_DEEP, writeDeep } from './binary-deep.js';
import { SHORT_STRING, utf8Into, uvSize } from './binary-utf8.js';
import { writeBeamLeaf } from './binary-beam.js';
import { ImproperList, List } from '../terms/beam-list.js';
import { BeamRef } from '../terms/beam-ref.js';

/** Called with the string as receiver, not looked up on it (see binary-utf8.ts). */
const charCodeAt = String.prototype.charCodeAt;

/**
 * Writes terms into one growable buffer. Reused across frames: `reset()` rewinds it, `take()`
 * copies out what was written. A failed `term()` throws `badarg` and rewinds to where that
 * call started. Terms of any depth: past RECURSION_DEPTH containers the recursive walk hands
 * over to an iterative one (binary-deep.ts) that writes the same bytes. `beam` (default true)
 * writes fast-2, the BEAM-only classes included; false writes fast-1 for an older peer (a List
 * as an array, other BEAM-only values refused with `badarg`).
 */
export class TermWriter {
  buf: Uint8Array;
  pos = 0;
  private view: DataView;
  /** Containers the recursive walk is inside (see binary-deep.ts). */
  private depth = 0;

  constructor(
    initialBytes = 256,
    readonly beam = true,
  ) {
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
    this.depth = 0;
    try {
      this.value(v);
    } catch (e) {
      this.pos = start;
      if (e !== TOO_DEEP) throw encodeFailure(e);
      this.termDeep(v, start);
    }
  }

  /** `term` for a term too deep to recurse over: all of it again, iteratively. */
  private termDeep(v: unknown, start: number): void {
    try {
      writeDeep(this, v);
    } catch (e) {
      this.pos = start;
      throw encodeFailure(e);
    }
  }

  number(v: number): void {
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      if (v >= 0 && v < 128) {
        this.byte(tags.T_SMALLINT | v);
        return;
      }
      this.ensure(5);
      this.buf[this.pos] = tags.T_INT32;
      this.view.setInt32(this.pos + 1, v, true);
      this.pos += 5;
      return;
    }
    this.f64(tags.T_FLOAT64, v);
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
      this.buf[start] = tags.T_STR;
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
    this.buf[this.pos++] = tags.T_STR;
    const size = uvSize(n);
    if (size < reserve) this.buf.copyWithin(this.pos + size, at, p);
    this.pos = this.uvAt(this.pos, n) + n;
  }

  private string16(s: string): void {
    const len = s.length;
    this.byte(tags.T_STR16);
    this.uv(len);
    this.ensure(2 * len);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < len; i++) {
      const c = charCodeAt.call(s, i);
      b[p++] = c & 0xff;
      b[p++] = c >> 8;
    }
    this.pos = p;
  }

  pid(p: Pid): void {
    this.byte(tags.T_PID);
    this.string(p.node);
    this.number(p.id);
    this.number(p.serial);
    this.number(p.creation);
  }

  private bytes(v: Uint8Array): void {
    const n = v.length;
    this.byte(tags.T_BIN);
    this.uv(n);
    this.ensure(n);
    this.buf.set(v, this.pos);
    this.pos += n;
  }

  /** @internal One term, recursively (writeDeep calls it with leaves only). */
  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        this.byte(v ? tags.T_TRUE : tags.T_FALSE);
        return;
      case 'undefined':
        this.byte(tags.T_UNDEFINED);
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
      this.byte(tags.T_NULL);
      return;
    }
    if (Array.isArray(v)) {
      const n = v.length;
      this.byte(this.beam && v instanceof List ? tags.T_LIST : tags.T_ARRAY);
      this.uv(n);
      if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
      for (let i = 0; i < n; i++) this.value(v[i]);
      this.depth--;
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
    if (v instanceof Ref && !(v instanceof BeamRef)) {
      this.byte(tags.T_REF);
      this.string(v.node);
      this.number(v.creation);
      this.number(v.id);
      return;
    }
    if (v instanceof Map) {
      this.byte(tags.T_MAP);
      this.uv(v.size);
      if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
      for (const [k, x] of v) {
        this.value(k);
        this.value(x);
      }
      this.depth--;
      return;
    }
    if (v instanceof Set) {
      this.byte(tags.T_SET);
      this.uv(v.size);
      if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
      for (const x of v) this.value(x);
      this.depth--;
      return;
    }
    if (v instanceof Date) {
      this.f64(tags.T_DATE, v.getTime());
      return;
    }
    if (v instanceof Error) return this.error(v);
    if (v instanceof RegExp) {
      this.byte(tags.T_REGEXP);
      this.string(v.source);
      this.string(v.flags);
      return;
    }
    if (this.beam && writeBeamLeaf(this, v)) return;
    if (this.beam && v instanceof ImproperList) return this.improper(v);
    throw badarg(`cannot encode an instance of ${ctorName(v)}${this.beam ? '' : ' for a peer speaking fast-1'}`);
  }

  private improper(v: ImproperList): void {
    this.byte(tags.T_IMPROPER);
    this.uv(v.items.length);
    if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
    for (const x of v.items) this.value(x);
    this.value(v.tail);
    this.depth--;
  }

  private object(o: Record<string, unknown>): void {
    this.byte(tags.T_OBJECT);
    const countAt = this.pos;
    // Most objects have fewer than 128 keys: reserve one byte for the count, fix up after.
    this.byte(0);
    if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
    let n = 0;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      this.string(k);
      this.value(o[k]);
      n++;
    }
    this.depth--;
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
    this.byte(tags.T_BIGINT);
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
    this.byte(tags.T_ERROR);
    this.byte((hasStack ? tags.ERR_STACK : 0) | (hasCode ? tags.ERR_CODE : 0) | (hasCause ? tags.ERR_CAUSE : 0));
    this.string(String(e.name));
    this.string(String(e.message));
    if (hasStack) this.string(e.stack as string);
    if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
    if (hasCode) this.value((e as { code?: unknown }).code);
    if (hasCause) this.value(e.cause);
    this.depth--;
  }
}

/** What a failed `term` throws: erlmesh's own errors as they are, anything else as `badarg`. */
function encodeFailure(e: unknown): ErlmeshError {
  if (e instanceof ErlmeshError) return e;
  return badarg(`cannot encode term: ${e instanceof Error ? e.message : String(e)}`, e);
}

function ctorName(o: object): string {
  const ctor = (o as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'object';
}
