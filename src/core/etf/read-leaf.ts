/**
 * The ETF decoder's leaves: every tag that holds no further terms to walk (numbers, atoms,
 * binaries, pids, refs, ports, funs, exports, and STRING_EXT, a list of bytes). reader.ts
 * reads containers and calls {@link readLeaf} for the rest. Each read checks the bytes that
 * remain first; a bad value is `bad_etf`.
 */
import { ErlmeshError } from '../base/errors.js';
import { Bitstring } from '../terms/beam-binary.js';
import { Float } from '../terms/beam-float.js';
import { asList } from '../terms/beam-list.js';
import { BeamExport, BeamFun, BeamPort } from '../terms/beam-opaque.js';
import { Pid } from '../terms/pid.js';
import type { AtomBudget } from './atom-budget.js';
import { atomBytes } from './atom-text.js';
import { refFromWords } from './ref-words.js';
import * as T from './tags.js';
import { encodeEtf } from './writer.js';

/** Where the decoder is: `buf[pos..end)` is still to read. */
export interface Cursor {
  buf: Uint8Array;
  view: DataView;
  pos: number;
  end: number;
  atoms: AtomBudget | undefined;
  /**
   * The atoms of the frame's distribution header (ATOM_CACHE_REF's index → text), when the term
   * follows one; undefined elsewhere (an ATOM_CACHE_REF is then `bad_etf`).
   */
  refs?: readonly string[];
  /** Reads a whole term at a cursor (the reader's), for the parts of a fun rebuilt under `refs`. */
  term?: (c: Cursor) => unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(why: string): ErlmeshError {
  return new ErlmeshError('bad_etf', `not an Erlang term (External Term Format): ${why}`);
}

function need(c: Cursor, n: number): void {
  if (c.end - c.pos < n) throw bad('the bytes end inside a term');
}

function u8(c: Cursor): number {
  need(c, 1);
  return c.buf[c.pos++]!;
}

function u16(c: Cursor): number {
  need(c, 2);
  const n = c.view.getUint16(c.pos);
  c.pos += 2;
  return n;
}

function u32(c: Cursor): number {
  need(c, 4);
  const n = c.view.getUint32(c.pos);
  c.pos += 4;
  return n;
}

/**
 * A copy of `buf[from..to)`, always a plain Uint8Array: a Node Buffer's own `slice` is a view,
 * which would tie a decoded binary to (and let it change with) the frame it came in, and
 * `Uint8Array.prototype.slice` on a Buffer builds a Buffer.
 */
function copy(buf: Uint8Array, from: number, to: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buf.subarray(from, to));
}

function take(c: Cursor, n: number): Uint8Array {
  need(c, n);
  const b = copy(c.buf, c.pos, c.pos + n);
  c.pos += n;
  return b;
}

/** The text of the atom at the cursor (any of the four atom tags); recorded in the budget. */
export function readAtomText(c: Cursor): string {
  const tag = u8(c);
  if (tag === T.ATOM_CACHE_REF) {
    const i = u8(c);
    const text = c.refs?.[i];
    if (text === undefined) throw bad(c.refs ? `atom cache reference ${i} of a header with ${c.refs.length}` : 'an atom cache reference outside a distribution frame');
    c.atoms?.learn(text);
    return text;
  }
  const n = tag === T.SMALL_ATOM_UTF8 || tag === T.SMALL_ATOM ? u8(c) : tag === T.ATOM_UTF8 || tag === T.ATOM ? u16(c) : -1;
  if (n < 0) throw bad(`tag ${tag} where an atom belongs`);
  need(c, n);
  const bytes = copy(c.buf, c.pos, c.pos + n);
  c.pos += n;
  let text = '';
  if (tag === T.ATOM || tag === T.SMALL_ATOM || bytes.every((b) => b < 0x80)) {
    for (let i = 0; i < n; i++) text += String.fromCharCode(bytes[i]!);
  } else {
    try {
      text = utf8.decode(bytes);
    } catch {
      throw bad('an atom that is not UTF-8');
    }
  }
  const chars = codePoints(text);
  if (chars > T.MAX_ATOM_CHARS) throw bad(`an atom of ${chars} characters (Erlang's limit is ${T.MAX_ATOM_CHARS})`);
  c.atoms?.learn(text);
  return text;
}

function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) n--;
  }
  return n;
}

/** The JS value of an atom: true, false, undefined and null for those four, else the text. */
function atomValue(text: string): unknown {
  switch (text) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    default:
      return text;
  }
}

/** A float's JS value: a number, or a Float box when the number would go back as an integer. */
function floatValue(x: number): unknown {
  if (!Number.isFinite(x)) throw bad('a float that is NaN or infinite');
  return Number.isSafeInteger(x) ? new Float(x) : x;
}

function bigValue(c: Cursor, n: number): number | bigint {
  const sign = u8(c);
  if (sign > 1) throw bad(`a big integer with sign byte ${sign}`);
  need(c, n);
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += c.buf[c.pos + i]!.toString(16).padStart(2, '0');
  c.pos += n;
  let v = n === 0 ? 0n : BigInt(`0x${hex}`);
  if (sign === 1) v = -v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function refValue(c: Cursor, n: number, bigCreation: boolean): unknown {
  if (n < 1 || n > T.MAX_REF_WORDS) throw bad(`a reference of ${n} words (1 to ${T.MAX_REF_WORDS})`);
  const node = readAtomText(c);
  const creation = bigCreation ? u32(c) : u8(c);
  const words: number[] = [];
  for (let i = 0; i < n; i++) words.push(u32(c));
  if (!bigCreation) oldRefWord(words[0]!);
  return refFromWords(node, creation, words);
}

/**
 * The first word of the old reference forms (REFERENCE_EXT, NEW_REFERENCE_EXT) has 18
 * significant bits; OTP 25's binary_to_term refuses one with more (NEWER_REFERENCE_EXT's is a
 * whole word).
 */
function oldRefWord(w: number): number {
  if (w >= 2 ** 18) throw bad(`a reference's first word ${w} has more than 18 bits`);
  return w;
}

function portValue(c: Cursor, tag: number, start: number): BeamPort {
  const node = readAtomText(c);
  const atomEnd = c.pos;
  const id = tag === T.V4_PORT ? (BigInt(u32(c)) << 32n) | BigInt(u32(c)) : BigInt(u32(c));
  const creation = tag === T.PORT ? u8(c) : u32(c);
  // Under a distribution header the node may be a cache reference: keep the bytes with the atom written out.
  return new BeamPort(node, id, creation, c.refs ? spliceAtom(c.buf, start, atomEnd, c.pos, node) : copy(c.buf, start, c.pos));
}

/** NEW_FUN_EXT: Size (4, counting itself), Arity, Uniq (16), Index (4), NumFree (4), Module, … */
function funValue(c: Cursor, start: number): BeamFun {
  const size = u32(c);
  if (size < 4 + 1 + 16 + 4 + 4 + 2) throw bad(`a fun of ${size} bytes`);
  need(c, size - 4);
  const end = start + 1 + size;
  const arity = u8(c);
  c.pos += 16 + 4 + 4;
  const inner: Cursor = { ...c, end };
  const module = readAtomText(inner);
  const bytes = c.refs && c.term ? rebuiltFun(c, start, inner, module) : copy(c.buf, start, end);
  c.pos = end;
  return new BeamFun(module, arity, bytes);
}

/**
 * A port's bytes (`buf[start..end)`, its node atom at `start + 1 .. atomEnd`, maybe a cache
 * reference under a distribution header) with the atom written out: tag, atom, then the id
 * and creation as they came.
 */
function spliceAtom(buf: Uint8Array, start: number, atomEnd: number, end: number, node: string): Uint8Array<ArrayBuffer> {
  const atom = atomBytes(node);
  const out = new Uint8Array(1 + atom.length + (end - atomEnd));
  out[0] = buf[start]!;
  out.set(atom, 1);
  out.set(buf.subarray(atomEnd, end), 1 + atom.length);
  return out;
}

/**
 * A fun read under a distribution header, its bytes rebuilt without cache references: the
 * fixed part as it came, then the module, OldIndex, OldUniq, Pid and free variables read and
 * written again (as OTP writes them), and Size updated.
 */
function rebuiltFun(c: Cursor, start: number, inner: Cursor, module: string): Uint8Array<ArrayBuffer> {
  const numFree = c.view.getUint32(start + 1 + 4 + 1 + 16 + 4);
  const parts: Uint8Array[] = [atomBytes(module)];
  for (let i = 0; i < 3 + numFree; i++) parts.push(encodeEtf(c.term!(inner)).subarray(1));
  if (inner.pos !== inner.end) throw bad('a fun whose parts do not fill its size');
  const fixed = 1 + 4 + 1 + 16 + 4 + 4;
  const size = parts.reduce((n, p) => n + p.length, fixed - 1);
  const out = new Uint8Array(1 + size);
  out.set(c.buf.subarray(start, start + fixed), 0);
  new DataView(out.buffer).setUint32(1, size);
  let at = fixed;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function exportValue(c: Cursor, start: number): BeamExport {
  const module = readAtomText(c);
  const name = readAtomText(c);
  if (u8(c) !== T.SMALL_INTEGER) throw bad('an export whose arity is not a small integer');
  const arity = u8(c);
  // Under a distribution header the atoms may be cache references: the writer writes it out from its fields.
  return new BeamExport(module, name, arity, c.refs ? undefined : copy(c.buf, start, c.pos));
}

/** Reads the term at the cursor whose tag is `tag` (not yet consumed), for every non-container tag. */
export function readLeaf(c: Cursor, tag: number): unknown {
  const start = c.pos++;
  switch (tag) {
    case T.SMALL_INTEGER:
      return u8(c);
    case T.INTEGER: {
      need(c, 4);
      const n = c.view.getInt32(c.pos);
      c.pos += 4;
      return n;
    }
    case T.NEW_FLOAT: {
      need(c, 8);
      const x = c.view.getFloat64(c.pos);
      c.pos += 8;
      return floatValue(x);
    }
    case T.FLOAT: {
      const text = String.fromCharCode(...take(c, 31)).replace(/\0+$/, '');
      if (!/^\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*$/.test(text)) throw bad(`an old-style float ${JSON.stringify(text)}`);
      return floatValue(Number(text));
    }
    case T.ATOM:
    case T.SMALL_ATOM:
    case T.ATOM_UTF8:
    case T.SMALL_ATOM_UTF8:
    case T.ATOM_CACHE_REF:
      c.pos = start;
      return atomValue(readAtomText(c));
    case T.NIL:
      return asList([]);
    case T.STRING: {
      const n = u16(c);
      need(c, n);
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(c.buf[c.pos + i]!);
      c.pos += n;
      return asList(out);
    }
    case T.BINARY:
      return take(c, u32(c));
    case T.BIT_BINARY: {
      const n = u32(c);
      const bits = u8(c);
      if (n === 0 && bits === 0) return new Uint8Array(0);
      if (n === 0 || bits < 1 || bits > 8) throw bad(`a bitstring of ${n} bytes with ${bits} bits in the last`);
      const bytes = take(c, n);
      return bits === 8 ? bytes : new Bitstring(bytes, (n - 1) * 8 + bits);
    }
    case T.SMALL_BIG:
      return bigValue(c, u8(c));
    case T.LARGE_BIG:
      return bigValue(c, u32(c));
    case T.NEW_PID:
    case T.PID: {
      const node = readAtomText(c);
      const id = u32(c);
      const serial = u32(c);
      return new Pid(node, id, serial, tag === T.PID ? u8(c) : u32(c));
    }
    case T.NEWER_REFERENCE:
      return refValue(c, u16(c), true);
    case T.NEW_REFERENCE:
      return refValue(c, u16(c), false);
    case T.REFERENCE: {
      const node = readAtomText(c);
      const word = oldRefWord(u32(c));
      return refFromWords(node, u8(c), [word]);
    }
    case T.NEW_PORT:
    case T.V4_PORT:
    case T.PORT:
      return portValue(c, tag, start);
    case T.NEW_FUN:
      return funValue(c, start);
    case T.EXPORT:
      return exportValue(c, start);
    case T.COMPRESSED:
      throw bad('a compressed term (tag 80) inside a term: only a whole term may be compressed');
    default:
      throw bad(`unknown tag ${tag}`);
  }
}
