/**
 * The ETF encoder: JS values to Erlang's External Term Format, by the mapping of
 * docs/beam-interop.md. One pass over the term with an explicit stack (children pushed in
 * reverse, so they pop in order), so a term of any depth is written without recursion.
 *
 * It writes what OTP 25's `term_to_binary(T, [{minor_version, 2}])` and its distribution
 * write for the same term, byte for byte, except map order: a Map's entries go in insertion
 * order (BEAM accepts any order; a map decoded from BEAM keeps BEAM's order, so it goes back
 * identical). Invariant: `decodeEtf(encodeEtf(x))` re-encodes to the same bytes.
 */
import { ErlmeshError } from '../base/errors.js';
import { Bitstring } from '../terms/beam-binary.js';
import { Float } from '../terms/beam-float.js';
import { ImproperList, List } from '../terms/beam-list.js';
import { BeamExport, BeamFun, BeamPort } from '../terms/beam-opaque.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import type { AtomBudget } from './atom-budget.js';
import { atomBytes } from './atom-text.js';
import { refWords } from './ref-words.js';
import * as T from './tags.js';

/**
 * Options of {@link encodeEtf}.
 *
 * @example
 * const opts: EncodeEtfOptions = { atoms: new AtomBudget() };
 * encodeEtf(['ok', 1], opts);
 */
export interface EncodeEtfOptions {
  /** The peer's atom budget: every new atom written is charged to it (`atom_limit` when spent). */
  atoms?: AtomBudget;
}

/**
 * Encodes `term` as Erlang's External Term Format, version byte (131) first: what
 * `binary_to_term/1` reads. Throws `ErlmeshError` `not_etf_encodable` (a value with no Erlang
 * form: Date, Set, Error, a function, NaN, a cycle…), `atom_too_long` (a string over 255
 * characters) or `atom_limit` (the budget in `opts.atoms` is spent).
 *
 * @example
 * encodeEtf(['ok', 'fine']);                 // Uint8Array [131, 104, 2, 119, 2, 111, 107, 119, 4, 102, 105, 110, 101]
 * encodeEtf([binary('x'), list([1, 2])]);    // {<<"x">>, [1,2]}
 */
export function encodeEtf(term: unknown, opts: EncodeEtfOptions = {}): Uint8Array {
  // One writer is reused (its buffer grows once); a call made while it is in use (by a getter
  // inside the term) gets its own.
  const reuse = !sharedBusy;
  const w = reuse ? (shared ??= new EtfWriter()) : new EtfWriter();
  w.reset(opts.atoms, false);
  if (reuse) sharedBusy = true;
  const mark = opts.atoms?.mark();
  try {
    w.u8(T.VERSION);
    w.term(term);
    return w.take();
  } catch (e) {
    if (mark !== undefined) opts.atoms!.rollback(mark);
    throw named(e);
  } finally {
    if (reuse) {
      sharedBusy = false;
      if (w.capacity > SHARED_MAX) shared = undefined;
    }
  }
}

let shared: EtfWriter | undefined;
let sharedBusy = false;
/** A reused buffer grown past this is dropped after the call, not kept. */
const SHARED_MAX = 1 << 20;

/**
 * An error that is not erlmesh's own (a getter or a Proxy trap that threw while the term was
 * read) becomes `not_etf_encodable` instead of escaping raw.
 */
function named(e: unknown): ErlmeshError {
  if (e instanceof ErlmeshError) return e;
  return new ErlmeshError(
    'not_etf_encodable',
    `the term cannot be read: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (a getter or proxy trap threw)`,
    { what: 'unreadable' },
  );
}

/**
 * The canonical encoding of `term`, without the version byte: map entries sorted by the
 * bytes of their keys, so two terms are `=:=` exactly when their canonical encodings are
 * equal (equal.ts). Map keys are encoded by a nested call: only maps inside map keys recurse.
 */
export function encodeCanonical(term: unknown): Uint8Array {
  const w = new EtfWriter();
  w.reset(undefined, true);
  try {
    w.term(term);
  } catch (e) {
    throw named(e);
  }
  return w.take();
}

/** Marks, on the stack, where a container's children end (the container is under it). */
const CLOSE = Symbol('close');
/** On the stack: write NIL, the end of a proper list. */
const NIL = Symbol('nil');
/** On the stack: bytes already encoded (a canonical map key). */
class Raw {
  constructor(readonly bytes: Uint8Array) {}
}

function refuse(what: string): ErlmeshError {
  return new ErlmeshError('not_etf_encodable', `${what} has no Erlang form: it cannot be sent to BEAM (docs/beam-interop.md)`, { what });
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `the function ${v.name || '<anonymous>'}`;
  if (typeof v === 'symbol') return `the symbol ${String(v)}`;
  if (typeof v === 'number') return `the number ${String(v)}`;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return `an instance of ${name || 'an unnamed class'}`;
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  return proto === Object.prototype || proto === null;
}

function isByte(x: unknown): boolean {
  return (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255) || (typeof x === 'bigint' && x >= 0n && x <= 255n);
}

/** Would BEAM write this proper list as STRING_EXT (every element an integer 0..255)? */
function allBytes(a: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (!isByte(a[i])) return false;
  return true;
}

function u32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new ErlmeshError('not_etf_encodable', `${what} must be an unsigned 32-bit integer to be sent to BEAM, not ${String(n)}`);
  return n;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A growable buffer and the walk that fills it. */
class EtfWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private atoms: AtomBudget | undefined;
  private canonical = false;

  /** Rewinds for a new term, charging atoms to `atoms`; `canonical` sorts map entries. */
  reset(atoms: AtomBudget | undefined, canonical: boolean): void {
    this.pos = 0;
    this.atoms = atoms;
    this.canonical = canonical;
  }

  get capacity(): number {
    return this.buf.length;
  }

  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  private u16(n: number): void {
    this.room(2);
    this.view.setUint16(this.pos, n);
    this.pos += 2;
  }

  private u32(n: number): void {
    this.room(4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  private bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private atom(text: string): void {
    const b = atomBytes(text);
    this.atoms?.charge(text);
    this.bytes(b);
  }

  private int(n: number): void {
    if (n >= 0 && n <= 255) {
      this.u8(T.SMALL_INTEGER);
      this.u8(n);
    } else if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.u8(T.INTEGER);
      this.room(4);
      this.view.setInt32(this.pos, n);
      this.pos += 4;
    } else {
      this.big(BigInt(n));
    }
  }

  private number(n: number): void {
    if (Number.isSafeInteger(n)) return this.int(n === 0 ? 0 : n);
    if (!Number.isFinite(n)) throw refuse(describe(n));
    this.float(n);
  }

  private float(n: number): void {
    this.u8(T.NEW_FLOAT);
    this.room(8);
    this.view.setFloat64(this.pos, n);
    this.pos += 8;
  }

  private big(b: bigint): void {
    if (b >= -(2n ** 31n) && b < 2n ** 31n) return this.int(Number(b));
    const negative = b < 0n;
    let hex = (negative ? -b : b).toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    const n = hex.length / 2;
    if (n <= 255) {
      this.u8(T.SMALL_BIG);
      this.u8(n);
    } else {
      this.u8(T.LARGE_BIG);
      this.u32(n);
    }
    this.u8(negative ? 1 : 0);
    this.room(n);
    for (let i = 0; i < n; i++) this.buf[this.pos++] = parseInt(hex.slice(hex.length - 2 - 2 * i, hex.length - 2 * i), 16);
  }

  /** Writes `root` and everything in it. */
  term(root: unknown): void {
    const todo: unknown[] = [root];
    const ancestors = new Set<object>();
    while (todo.length > 0) {
      const v = todo.pop();
      switch (typeof v) {
        case 'string':
          this.atom(v);
          continue;
        case 'number':
          this.number(v);
          continue;
        case 'bigint':
          this.big(v);
          continue;
        case 'boolean':
          this.atom(v ? 'true' : 'false');
          continue;
        case 'undefined':
          this.atom('undefined');
          continue;
        case 'object':
          if (v === null) {
            this.atom('null');
            continue;
          }
          break;
        default:
          if (v === CLOSE) {
            ancestors.delete(todo.pop() as object);
          } else if (v === NIL) {
            this.u8(T.NIL);
          } else {
            throw refuse(describe(v));
          }
          continue;
      }
      const o = v as object;
      if (Array.isArray(o) || o instanceof ImproperList || o instanceof Map || isPlain(o)) {
        if (ancestors.has(o)) throw refuse('a cyclic term (a container inside itself)');
        ancestors.add(o);
        todo.push(o, CLOSE);
        this.container(o, todo);
      } else {
        this.leaf(o);
      }
    }
  }

  /** Writes a container's header and pushes its children. */
  private container(o: object, todo: unknown[]): void {
    if (Array.isArray(o)) {
      const a = o as unknown[];
      const n = a.length;
      for (let i = 0; i < n; i++) if (!(i in a)) throw refuse('a sparse array (a hole at index ' + String(i) + ')');
      if (!(o instanceof List)) {
        if (n <= 255) {
          this.u8(T.SMALL_TUPLE);
          this.u8(n);
        } else {
          this.u8(T.LARGE_TUPLE);
          this.u32(n);
        }
      } else if (n === 0) {
        this.u8(T.NIL);
        return;
      } else if (n <= T.MAX_STRING_EXT && allBytes(a)) {
        this.u8(T.STRING);
        this.u16(n);
        this.room(n);
        for (let i = 0; i < n; i++) this.buf[this.pos++] = Number(a[i]);
        return;
      } else {
        this.u8(T.LIST);
        this.u32(n);
        todo.push(NIL);
      }
      for (let i = n - 1; i >= 0; i--) todo.push(a[i]);
    } else if (o instanceof ImproperList) {
      this.u8(T.LIST);
      this.u32(o.items.length);
      todo.push(o.tail);
      for (let i = o.items.length - 1; i >= 0; i--) todo.push(o.items[i]);
    } else {
      const entries: [unknown, unknown][] = o instanceof Map ? [...(o as Map<unknown, unknown>)] : [];
      if (!(o instanceof Map)) {
        const rec = o as Record<string, unknown>;
        for (const k in rec) if (Object.hasOwn(rec, k)) entries.push([k, rec[k]]);
      }
      this.u8(T.MAP);
      this.u32(entries.length);
      if (this.canonical) {
        const keyed = entries.map(([k, x]) => [new Raw(encodeCanonical(k)), x] as const);
        keyed.sort((p, q) => compareBytes(p[0].bytes, q[0].bytes));
        for (let i = keyed.length - 1; i >= 0; i--) todo.push(keyed[i]![1], keyed[i]![0]);
      } else {
        for (let i = entries.length - 1; i >= 0; i--) todo.push(entries[i]![1], entries[i]![0]);
      }
    }
  }

  /** Writes an object with no children to walk: binaries, pids, refs, floats, opaque values. */
  private leaf(o: object): void {
    if (o instanceof Uint8Array) {
      this.u8(T.BINARY);
      this.u32(o.length);
      this.bytes(o);
    } else if (o instanceof Float) {
      this.float(o.value);
    } else if (o instanceof Pid) {
      this.u8(T.NEW_PID);
      this.atom(o.node);
      this.u32(u32(o.id, 'a pid id'));
      this.u32(u32(o.serial, 'a pid serial'));
      this.u32(u32(o.creation, 'a pid creation'));
    } else if (o instanceof Ref) {
      const words = refWords(o);
      this.u8(T.NEWER_REFERENCE);
      this.u16(words.length);
      this.atom(o.node);
      this.u32(u32(o.creation, 'a reference creation'));
      for (const w of words) this.u32(w);
    } else if (o instanceof Bitstring) {
      this.u8(T.BIT_BINARY);
      this.u32(o.bytes.length);
      this.u8(o.bitLength % 8);
      this.bytes(o.bytes);
    } else if (o instanceof BeamPort || o instanceof BeamFun) {
      this.bytes(o.bytes);
    } else if (o instanceof BeamExport) {
      if (o.bytes !== undefined) return this.bytes(o.bytes);
      this.u8(T.EXPORT);
      this.atom(o.module);
      this.atom(o.name);
      this.u8(T.SMALL_INTEGER);
      this.u8(o.arity);
    } else if (o instanceof Raw) {
      this.bytes(o.bytes);
    } else {
      throw refuse(describe(o));
    }
  }
}
