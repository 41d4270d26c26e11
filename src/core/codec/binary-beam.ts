/**
 * fast-2's BEAM leaves (binary-tags.ts, tags 0x15–0x1a): writing and reading the BEAM-only
 * term classes that hold no further terms — Float, Bitstring, BeamRef, BeamPort, BeamFun,
 * BeamExport. Lists and improper lists are containers: the writer and the reader handle them
 * beside arrays.
 *
 * Invariants: what is read back is `equals` to what was written (same class, same value; a
 * port, fun or export with its parsed fields and the very bytes it came from BEAM in, which
 * must start with the ETF tag of its kind, else `bad_frame`); a value of another class is not
 * written (`writeBeamLeaf` returns false). The bytes are not parsed again (codec/ does not use
 * etf/): a cookie holder could hand this node bytes that BEAM then refuses, which closes that
 * BEAM connection as any bad frame does — it could as well rpc anything.
 */
import { ErlmeshError } from '../base/errors.js';
import { Bitstring } from '../terms/beam-binary.js';
import { Float } from '../terms/beam-float.js';
import { BeamExport, BeamFun, BeamPort } from '../terms/beam-opaque.js';
import { BeamRef } from '../terms/beam-ref.js';
import * as tags from './binary-tags.js';
import { float64LEBytes, readFloat64LE } from './binary-float.js';

/** What {@link writeBeamLeaf} needs of a TermWriter. */
export interface BeamLeafWriter {
  byte(b: number): void;
  uv(n: number): void;
  string(s: string): void;
}

/** What {@link readBeamLeaf} needs of a TermReader. */
export interface BeamLeafReader {
  byte(): number;
  uv(): number;
  stringTerm(what: string): string;
  /** `n` raw bytes (a copy). */
  bytes(n: number): Uint8Array;
}

function raw(w: BeamLeafWriter, bytes: Uint8Array): void {
  w.uv(bytes.length);
  for (const b of bytes) w.byte(b);
}

/** True for a value of one of the BEAM leaf classes (what {@link writeBeamLeaf} writes). */
export function isBeamLeaf(v: object): boolean {
  return v instanceof Float || v instanceof Bitstring || v instanceof BeamRef || v instanceof BeamPort || v instanceof BeamFun || v instanceof BeamExport;
}

/** Writes `v` if it is a BEAM leaf (tag included) and returns true; false for anything else. */
export function writeBeamLeaf(w: BeamLeafWriter, v: object): boolean {
  if (v instanceof Float) {
    w.byte(tags.T_FLOAT_BOX);
    const f = float64LEBytes(v.value);
    for (let i = 0; i < 8; i++) w.byte(f[i]!);
  } else if (v instanceof Bitstring) {
    w.byte(tags.T_BITSTRING);
    w.uv(v.bitLength);
    for (const b of v.bytes) w.byte(b);
  } else if (v instanceof BeamRef) {
    w.byte(tags.T_BEAM_REF);
    w.string(v.node);
    w.uv(v.creation);
    w.uv(v.words.length);
    for (const x of v.words) w.uv(x);
  } else if (v instanceof BeamPort) {
    w.byte(tags.T_PORT);
    w.string(v.node);
    w.string(v.id.toString());
    w.uv(v.creation);
    raw(w, v.bytes);
  } else if (v instanceof BeamFun) {
    w.byte(tags.T_FUN);
    w.string(v.module);
    w.uv(v.arity);
    raw(w, v.bytes);
  } else if (v instanceof BeamExport) {
    w.byte(tags.T_EXPORT);
    w.string(v.module);
    w.string(v.name);
    w.uv(v.arity);
    raw(w, v.bytes ?? new Uint8Array(0));
  } else {
    return false;
  }
  return true;
}

/** ETF tags a port's, a fun's and an export's bytes start with (NEW_PORT, PORT, V4_PORT; NEW_FUN; EXPORT). */
export const ETF_PORT_TAGS: readonly number[] = [89, 102, 120];
export const ETF_FUN_TAG = 112;
export const ETF_EXPORT_TAG = 113;

/** `n` bytes that start with one of `etfTags`. */
function etfBytes(r: BeamLeafReader, etfTags: readonly number[], what: string): Uint8Array {
  const b = r.bytes(r.uv());
  if (!etfTags.includes(b[0] ?? -1)) throw malformed(what);
  return b;
}

/** Reads the BEAM leaf whose tag (already read) is `tag`; throws `bad_frame` for an unknown tag. */
export function readBeamLeaf(r: BeamLeafReader, tag: number): unknown {
  switch (tag) {
    case tags.T_FLOAT_BOX: {
      return new Float(readFloat64LE(r.bytes(8), 0));
    }
    case tags.T_BITSTRING: {
      const bits = r.uv();
      return new Bitstring(r.bytes(Math.ceil(bits / 8)), bits);
    }
    case tags.T_BEAM_REF: {
      const node = r.stringTerm('ref node');
      const creation = r.uv();
      const n = r.uv();
      if (n < 1 || n > 5) throw malformed('BEAM ref');
      const words: number[] = [];
      for (let i = 0; i < n; i++) words.push(r.uv());
      return new BeamRef(node, creation, words);
    }
    case tags.T_PORT: {
      const node = r.stringTerm('port node');
      const id = r.stringTerm('port id');
      if (!/^\d{1,20}$/.test(id)) throw malformed('port id');
      const creation = r.uv();
      return new BeamPort(node, BigInt(id), creation, etfBytes(r, ETF_PORT_TAGS, 'port'));
    }
    case tags.T_FUN: {
      const module = r.stringTerm('fun module');
      const arity = r.uv();
      return new BeamFun(module, arity, etfBytes(r, [ETF_FUN_TAG], 'fun'));
    }
    case tags.T_EXPORT: {
      const module = r.stringTerm('export module');
      const name = r.stringTerm('export name');
      const arity = r.uv();
      if (arity > 255) throw malformed('export arity');
      const n = r.uv();
      if (n === 0) return new BeamExport(module, name, arity);
      const b = r.bytes(n);
      if (b[0] !== ETF_EXPORT_TAG) throw malformed('export');
      return new BeamExport(module, name, arity, b);
    }
    default:
      throw malformed(`tag 0x${tag.toString(16)}`);
  }
}

function malformed(what: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `malformed ${what} in binary term`);
}
