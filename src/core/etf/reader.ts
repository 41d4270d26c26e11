/**
 * The ETF decoder: Erlang's External Term Format to JS values, by the mapping of
 * docs/beam-interop.md. Iterative: containers being read sit on an explicit stack, so a term
 * of any depth is read without recursion (a 100 000-cell list is 100 000 levels deep in
 * Erlang).
 *
 * Invariants: every length is checked against the bytes that remain before anything is
 * allocated; every failure is an `ErlmeshError` (`bad_etf`, `etf_compressed_unsupported`,
 * `message_too_large`), never a RangeError; the result re-encodes (writer.ts) to the bytes
 * OTP 25 would write for the same term, so a term from BEAM goes back unchanged.
 */
import { ErlmeshError } from '../base/errors.js';
import type { AtomBudget } from './atom-budget.js';
import { readLeaf, type Cursor } from './read-leaf.js';
import { ImproperList, asList } from '../terms/beam-list.js';
import * as T from './tags.js';
import { encodeCanonical } from './writer.js';

/**
 * Options of {@link decodeEtf} and {@link decodeEtfAt}.
 *
 * @example
 * import { inflateSync } from 'node:zlib';
 * const opts: DecodeEtfOptions = { atoms: new AtomBudget(), inflate: (data) => inflateSync(data) };
 */
export interface DecodeEtfOptions {
  /** The peer's atom budget: atoms read are recorded as free to send back. */
  atoms?: AtomBudget;
  /** zlib inflate, for compressed terms (tag 80); core has no zlib, so the platform injects it. */
  inflate?: (data: Uint8Array, size: number) => Uint8Array;
  /** The most bytes a compressed term may claim once inflated (default 256 MiB). */
  maxInflatedBytes?: number;
  /**
   * The atom cache references of the distribution header the term follows (index → atom
   * text), for its ATOM_CACHE_REFs ({@link decodeBareTermAt}).
   */
  atomRefs?: readonly string[];
}

/**
 * Decodes one whole encoded term (version byte 131 first, nothing after it): what
 * `term_to_binary/1` writes. Throws `ErlmeshError` `bad_etf` for bytes that are not exactly
 * one term, `etf_compressed_unsupported` for a compressed term without `opts.inflate`.
 *
 * @example
 * decodeEtf(Uint8Array.of(131, 104, 2, 119, 2, 111, 107, 97, 1));   // ['ok', 1]
 * decodeEtf(Uint8Array.of(131, 107, 0, 2, 104, 105));               // List [104, 105] ("hi")
 */
export function decodeEtf(bytes: Uint8Array, opts: DecodeEtfOptions = {}): unknown {
  const { term, end } = decodeEtfAt(bytes, 0, opts);
  if (end !== bytes.length) throw bad(`${bytes.length - end} bytes after the term`);
  return term;
}

/**
 * Decodes the encoded term (version byte 131 first) that starts at `offset` and returns it
 * with the offset just past it. A distribution frame is `112`, a control term and an optional
 * message, each with its own 131: read them with two calls.
 *
 * @example
 * const ctl = decodeEtfAt(frame, 1);               // frame[0] is 112
 * const msg = decodeEtfAt(frame, ctl.end).term;    // when ctl.end < frame.length
 */
export function decodeEtfAt(bytes: Uint8Array, offset: number, opts: DecodeEtfOptions = {}): { term: unknown; end: number } {
  checkOffset(bytes, offset);
  if (bytes[offset] !== T.VERSION) throw bad(`version byte ${bytes[offset]} where 131 belongs`);
  return readAt(bytes, offset + 1, opts);
}

/**
 * Decodes the term that starts at `offset` without a version byte, as terms follow a
 * distribution header (OTP omits their 131), its ATOM_CACHE_REFs read from `opts.atomRefs`;
 * returns it with the offset just past it.
 *
 * @example
 * const ctl = decodeBareTermAt(frame, headerEnd, { atomRefs: ['reg_send', 'kvs'] });
 * const msg = decodeBareTermAt(frame, ctl.end, { atomRefs: ['reg_send', 'kvs'] }).term;
 */
export function decodeBareTermAt(bytes: Uint8Array, offset: number, opts: DecodeEtfOptions = {}): { term: unknown; end: number } {
  checkOffset(bytes, offset);
  return readAt(bytes, offset, opts);
}

function checkOffset(bytes: Uint8Array, offset: number): void {
  if (!(bytes instanceof Uint8Array)) throw bad('not a Uint8Array');
  if (!Number.isInteger(offset) || offset < 0 || offset >= bytes.length) throw bad(`no term at offset ${String(offset)}`);
}

/** The term whose tag is at `pos` (a compressed one runs to the end of the bytes); every failure `bad_etf`. */
function readAt(bytes: Uint8Array, pos: number, opts: DecodeEtfOptions): { term: unknown; end: number } {
  try {
    const c = cursor(bytes, pos, bytes.length, opts);
    if (bytes[pos] === T.COMPRESSED) return { term: inflated(c, opts), end: bytes.length };
    return { term: readTerm(c), end: c.pos };
  } catch (e) {
    if (e instanceof ErlmeshError) throw e;
    throw bad(e instanceof Error ? e.message : String(e));
  }
}

function bad(why: string): ErlmeshError {
  return new ErlmeshError('bad_etf', `not an Erlang term (External Term Format): ${why}`);
}

function cursor(buf: Uint8Array, pos: number, end: number, opts: DecodeEtfOptions): Cursor {
  const c: Cursor = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), pos, end, atoms: opts.atoms };
  if (opts.atomRefs) {
    c.refs = opts.atomRefs;
    c.term = readTerm;
  }
  return c;
}

/** Tag 80: the uncompressed size, then zlib data to the end of the bytes. */
function inflated(c: Cursor, opts: DecodeEtfOptions): unknown {
  if (c.end - c.pos < 5) throw bad('a compressed term shorter than its header');
  const size = c.view.getUint32(c.pos + 1);
  const max = opts.maxInflatedBytes ?? T.DEFAULT_MAX_INFLATED_BYTES;
  if (size > max) throw new ErlmeshError('message_too_large', `a compressed term claims ${size} bytes once inflated, over the ${max} allowed`);
  if (opts.inflate === undefined) {
    throw new ErlmeshError('etf_compressed_unsupported', 'a compressed term (tag 80) and no inflate function to read it (DecodeEtfOptions.inflate)');
  }
  let plain: Uint8Array;
  try {
    plain = opts.inflate(c.buf.subarray(c.pos + 5, c.end), size);
  } catch (e) {
    throw bad(`a compressed term that does not inflate (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!(plain instanceof Uint8Array) || plain.length !== size) throw bad(`a compressed term that inflates to other than the ${size} bytes it claims`);
  if (plain[0] === T.COMPRESSED) throw bad('a compressed term inside a compressed term');
  const inner = cursor(plain, 0, plain.length, opts);
  const term = readTerm(inner);
  if (inner.pos !== plain.length) throw bad('bytes after the term inside a compressed term');
  return term;
}

const TUPLE = 0;
const LIST = 1;
const MAP = 2;

/** A container being read: its kind, the children read so far, how many are still to come. */
interface Frame {
  kind: number;
  items: unknown[];
  left: number;
  /** A list whose elements are all read and whose tail comes next. */
  tail: boolean;
}

function count(c: Cursor, n: number, perItem: number): number {
  if (n * perItem > c.end - c.pos) throw bad(`a length of ${n} with only ${c.end - c.pos} bytes left`);
  return n;
}

/** Reads one term at the cursor. */
function readTerm(c: Cursor): unknown {
  const stack: Frame[] = [];
  for (;;) {
    const top = stack[stack.length - 1];
    if (c.pos >= c.end) throw bad('the bytes end inside a term');
    const tag = c.buf[c.pos]!;
    // A list's tail that is itself a list continues the same list ([1 | [2]] is [1, 2]).
    if (top !== undefined && top.tail && (tag === T.LIST || tag === T.NIL || tag === T.STRING)) {
      c.pos++;
      if (tag === T.LIST) {
        need(c, 4);
        top.left = count(c, c.view.getUint32(c.pos), 1);
        c.pos += 4;
        top.tail = top.left === 0;
        continue;
      }
      if (tag === T.STRING) {
        // A string is a proper list: its elements end the list.
        need(c, 2);
        const n = count(c, c.view.getUint16(c.pos), 1);
        for (let i = 0; i < n; i++) top.items.push(c.buf[c.pos + 2 + i]);
        c.pos += 2 + n;
      }
      stack.pop();
      const done = deliver(stack, asList(top.items));
      if (done !== PENDING) return done;
      continue;
    }
    let value: unknown;
    if (tag === T.SMALL_TUPLE || tag === T.LARGE_TUPLE || tag === T.LIST || tag === T.MAP) {
      c.pos++;
      const small = tag === T.SMALL_TUPLE;
      need(c, small ? 1 : 4);
      const n = small ? c.buf[c.pos]! : c.view.getUint32(c.pos);
      c.pos += small ? 1 : 4;
      if (tag === T.LIST) {
        stack.push({ kind: LIST, items: [], left: count(c, n, 1), tail: n === 0 });
        continue;
      }
      const kind = tag === T.MAP ? MAP : TUPLE;
      const left = count(c, kind === MAP ? 2 * n : n, 1);
      if (left > 0) {
        stack.push({ kind, items: [], left, tail: false });
        continue;
      }
      value = kind === MAP ? new Map() : [];
    } else {
      value = readLeaf(c, tag);
    }
    const done = deliver(stack, value);
    if (done !== PENDING) return done;
  }
}

const PENDING = Symbol('pending');

/** Hands `value` to the container on top of the stack, closing every container it completes. */
function deliver(stack: Frame[], value: unknown): unknown {
  for (;;) {
    const f = stack[stack.length - 1];
    if (f === undefined) return value;
    if (f.kind === LIST && f.tail) {
      stack.pop();
      // The tail is not a list (those continue the list in readTerm).
      value = f.items.length === 0 ? value : new ImproperList(f.items, value);
      continue;
    }
    f.items.push(value);
    if (--f.left > 0) return PENDING;
    if (f.kind === LIST) {
      f.tail = true;
      return PENDING;
    }
    stack.pop();
    value = f.kind === TUPLE ? f.items : toMap(f.items);
  }
}

/**
 * The Map of the decoded keys and values. A key twice is `bad_etf`, as for binary_to_term:
 * the Map itself catches repeated primitive keys; keys that are objects (binaries, tuples, …)
 * are compared by their canonical encoding, which only maps with such keys pay for.
 */
function toMap(kv: unknown[]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  let seen: Set<string> | undefined;
  for (let i = 0; i < kv.length; i += 2) {
    const k = kv[i];
    if (typeof k === 'object' && k !== null) {
      seen ??= new Set();
      const id = latin1(encodeCanonical(k));
      if (seen.has(id)) throw bad('a map with the same key twice');
      seen.add(id);
    }
    m.set(k, kv[i + 1]);
  }
  if (m.size * 2 !== kv.length) throw bad('a map with the same key twice');
  return m;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

function need(c: Cursor, n: number): void {
  if (c.end - c.pos < n) throw bad('the bytes end inside a term');
}
