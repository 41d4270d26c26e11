/**
 * The fast-1 reader: {@link TermReader} reads terms from one buffer, in the format documented
 * in binary-tags.ts. Any malformation throws `ErlmeshError` with code `bad_frame`
 * ({@link guardDecode} turns anything else a decoding step throws into one). Terms of any depth:
 * past RECURSION_DEPTH containers the recursive read starts over iteratively (`termDeep`).
 */
import { ErlmeshError } from '../base/errors.js';
import { errorFromWire } from './superjson.js';
import { type ErrorHead, type Open, finish, put, setKey } from './binary-open.js';
import { readBeamLeaf } from './binary-beam.js';
import { ImproperList, asList } from '../terms/beam-list.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import * as tags from './binary-tags.js';
import { RECURSION_DEPTH, TOO_DEEP } from './binary-deep.js';
import { SHORT_ASCII_BYTES, shortAscii } from './binary-ascii-cache.js';
import { readFloat64LE } from './binary-float.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads terms from one buffer. Any malformation throws `bad_frame`. */
export class TermReader {
  b: Uint8Array;
  p: number;
  end: number;
  /** Containers the recursive read is inside (see binary-deep.ts). */
  private depth = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    // A Buffer (or other subclass) would make `slice` return views: read it as a plain Uint8Array.
    if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.b = bytes;
    this.p = start;
    this.end = end;
  }

  /** The little-endian int32 at the cursor (by hand: no DataView for the pids' creations). */
  private int32(): number {
    this.need(4);
    const b = this.b;
    const p = this.p;
    this.p = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
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

  /** One term (tag included). */
  term(): unknown {
    const start = this.p;
    this.depth = 0;
    try {
      return this.value();
    } catch (e) {
      if (e !== TOO_DEEP) throw e;
      this.p = start;
      return this.termDeep();
    }
  }

  private value(): unknown {
    const tag = this.byte();
    if (tag >= tags.T_SMALLINT) return tag - tags.T_SMALLINT;
    switch (tag) {
      case tags.T_UNDEFINED:
        return undefined;
      case tags.T_NULL:
        return null;
      case tags.T_FALSE:
        return false;
      case tags.T_TRUE:
        return true;
      case tags.T_INT32:
        return this.int32();
      case tags.T_FLOAT64:
        return this.float64();
      case tags.T_BIGINT:
        return this.bigint();
      case tags.T_STR:
        return this.utf8(this.uv());
      case tags.T_STR16:
        return this.utf16();
      case tags.T_ARRAY:
      case tags.T_LIST:
      case tags.T_IMPROPER: {
        const n = this.count() + (tag === tags.T_IMPROPER ? 1 : 0);
        if (n < 2 && tag === tags.T_IMPROPER) throw malformed('improper list');
        const a = new Array<unknown>(n);
        if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
        for (let i = 0; i < n; i++) a[i] = this.value();
        this.depth--;
        if (tag === tags.T_ARRAY) return a;
        return tag === tags.T_LIST ? asList(a) : new ImproperList(a.slice(0, -1), a[n - 1]);
      }
      case tags.T_OBJECT: {
        const n = this.count();
        const o: Record<string, unknown> = {};
        if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
        for (let i = 0; i < n; i++) {
          const k = this.stringTerm('object key');
          setKey(o, k, this.value());
        }
        this.depth--;
        return o;
      }
      case tags.T_MAP: {
        const n = this.count();
        const m = new Map<unknown, unknown>();
        if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
        for (let i = 0; i < n; i++) {
          const k = this.value();
          m.set(k, this.value());
        }
        this.depth--;
        return m;
      }
      case tags.T_SET: {
        const n = this.count();
        const s = new Set<unknown>();
        if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
        for (let i = 0; i < n; i++) s.add(this.value());
        this.depth--;
        return s;
      }
      case tags.T_DATE:
        return new Date(this.float64());
      case tags.T_REGEXP: {
        const source = this.stringTerm('regexp source');
        const flags = this.stringTerm('regexp flags');
        return new RegExp(source, flags);
      }
      case tags.T_BIN: {
        const n = this.uv();
        this.need(n);
        const out = this.b.slice(this.p, this.p + n);
        this.p += n;
        return out;
      }
      case tags.T_ERROR: {
        const w = this.errorHead();
        if (++this.depth > RECURSION_DEPTH) throw TOO_DEEP;
        if (w.bits & tags.ERR_CODE) w.code = this.value();
        if (w.bits & tags.ERR_CAUSE) w.cause = this.value();
        this.depth--;
        return errorFromWire(w);
      }
      case tags.T_PID:
        return this.pidBody();
      case tags.T_REF: {
        const node = this.stringTerm('ref node');
        const creation = this.integer('ref');
        const id = this.integer('ref');
        return new Ref(node, creation, id);
      }
      default:
        return readBeamLeaf(this, tag);
    }
  }

  /** `n` raw bytes, copied out. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.b.slice(this.p, this.p + n);
    this.p += n;
    return out;
  }

  /** A Pid term (tag included). */
  pid(): Pid {
    if (this.byte() !== tags.T_PID) throw malformed('pid');
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
    if (tag === tags.T_STR) return this.utf8(this.uv());
    if (tag === tags.T_STR16) return this.utf16();
    throw malformed(what);
  }

  /** An integer written by TermWriter.number (a small int, int32 or float64 tag; nothing nested). */
  private integer(what: string): number {
    const tag = this.byte();
    let v: number;
    if (tag >= tags.T_SMALLINT) return tag - tags.T_SMALLINT;
    if (tag === tags.T_INT32) v = this.int32();
    else if (tag === tags.T_FLOAT64) v = this.float64();
    else throw malformed(what);
    if (!Number.isInteger(v)) throw malformed(what);
    return v;
  }

  private need(n: number): void {
    if (n > this.end - this.p) throw truncated();
  }

  private float64(): number {
    this.need(8);
    const p = this.p;
    this.p = p + 8;
    return readFloat64LE(this.b, p);
  }

  private utf8(n: number): string {
    this.need(n);
    const b = this.b;
    const start = this.p;
    const end = start + n;
    if (n <= SHORT_ASCII_BYTES) {
      const cached = shortAscii(b, start, end);
      if (cached !== undefined) {
        this.p = end;
        return cached;
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

  /** An error's bits, name, message and stack (its code and cause terms follow). */
  private errorHead(): ErrorHead {
    const bits = this.byte();
    if (bits > 7) throw malformed('error');
    const name = this.stringTerm('error name');
    const message = this.stringTerm('error message');
    const w: ErrorHead = { bits, name, message };
    if (bits & tags.ERR_STACK) w.stack = this.stringTerm('error stack');
    return w;
  }

  /**
   * `term` without recursion, for a term deeper than RECURSION_DEPTH: the containers being
   * filled are on an explicit stack, and each finished value goes into the one on top.
   */
  private termDeep(): unknown {
    const open: Open[] = [];
    for (;;) {
      const top = open[open.length - 1];
      if (top !== undefined && top.kind === tags.T_OBJECT) top.key = this.stringTerm('object key');
      const tag = this.p < this.end ? this.b[this.p] : undefined;
      let v: unknown;
      let o: Open | undefined;
      if (tag === tags.T_ARRAY || tag === tags.T_LIST || tag === tags.T_IMPROPER || tag === tags.T_OBJECT || tag === tags.T_MAP || tag === tags.T_SET) {
        this.p++;
        const n = this.count() + (tag === tags.T_IMPROPER ? 1 : 0);
        if (n < 2 && tag === tags.T_IMPROPER) throw malformed('improper list');
        const isArr = tag === tags.T_ARRAY || tag === tags.T_LIST || tag === tags.T_IMPROPER;
        const c = isArr ? new Array<unknown>(n) : tag === tags.T_OBJECT ? {} : tag === tags.T_MAP ? new Map() : new Set();
        o = { kind: tag, c, left: tag === tags.T_MAP ? 2 * n : n, i: 0, key: undefined };
      } else if (tag === tags.T_ERROR) {
        this.p++;
        const w = this.errorHead();
        o = { kind: tag, c: w, left: (w.bits & tags.ERR_CODE ? 1 : 0) + (w.bits & tags.ERR_CAUSE ? 1 : 0), i: 0, key: undefined };
      } else {
        v = this.value(); // a leaf: nothing nested to recurse into
      }
      if (o !== undefined) {
        if (o.left > 0) {
          open.push(o);
          continue;
        }
        v = finish(o);
      }
      // Put v into the containers above, closing each one it completes.
      for (;;) {
        const f = open[open.length - 1];
        if (f === undefined) return v;
        put(f, v);
        if (--f.left > 0) break;
        open.pop();
        v = finish(f);
      }
    }
  }
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

/** A `bad_frame` error for a malformed part of a binary term. */
export function malformed(what: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `malformed ${what} in binary term`);
}

function truncated(): ErlmeshError {
  return new ErlmeshError('bad_frame', 'truncated binary term');
}
