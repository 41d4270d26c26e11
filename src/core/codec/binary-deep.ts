/**
 * Deep terms in the fast-1 codec. The writer (binary-writer.ts) and the reader
 * (binary-reader.ts) recurse, which is what keeps the common small term fast; they count the
 * containers they are inside, and past {@link RECURSION_DEPTH} they give up (throwing
 * {@link TOO_DEEP}), rewind, and do the whole term again without recursion: {@link writeDeep}
 * here, `TermReader.termDeep` in the reader. So a term of any depth is written and read with
 * the same bytes, and the JS stack never limits what travels (docs/semantics.md, "Term
 * limits").
 */
import { badarg } from '../base/errors.js';
import * as tags from './binary-tags.js';
import { ImproperList, List } from '../terms/beam-list.js';

/** Containers the recursive writer and reader enter before handing over to the iterative walk. */
export const RECURSION_DEPTH = 200;

/** Thrown by the recursive writer and reader past RECURSION_DEPTH; never escapes the codec. */
export const TOO_DEEP: unique symbol = Symbol('fast-1: too deep to recurse');

/** What {@link writeDeep} needs of a TermWriter; `value` is only given leaves (no container). */
export interface DeepWriter {
  /** fast-2 (BEAM-only classes written) rather than fast-1. */
  readonly beam: boolean;
  byte(b: number): void;
  uv(n: number): void;
  string(s: string): void;
  value(v: unknown): void;
}

/**
 * Writes `root` as the recursive writer would, byte for byte, with an explicit stack of the
 * values still to write (pushed in reverse, so they pop in order). Object keys go on the stack
 * as strings, which `value` writes as the string terms the recursive writer writes them as.
 * A container being written is an ancestor until the CLOSE pushed under its children pops;
 * meeting an ancestor again is a cycle, which throws `badarg` (as the recursive writer would
 * have thrown, running out of stack).
 */
export function writeDeep(w: DeepWriter, root: unknown): void {
  const todo: unknown[] = [root];
  const ancestors = new Set<object>();
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === CLOSE) {
      ancestors.delete(todo.pop() as object);
      continue;
    }
    if (typeof v !== 'object' || v === null) {
      w.value(v);
      continue;
    }
    if (ancestors.has(v)) throw badarg('cannot encode a cyclic term');
    if (isContainer(v)) {
      ancestors.add(v);
      todo.push(v, CLOSE);
    }
    if (Array.isArray(v)) {
      w.byte(w.beam && v instanceof List ? tags.T_LIST : tags.T_ARRAY);
      w.uv(v.length);
      for (let i = v.length - 1; i >= 0; i--) todo.push(v[i]);
    } else if (isPlain(v)) {
      const o = v as Record<string, unknown>;
      const keys: string[] = [];
      for (const k in o) if (Object.hasOwn(o, k)) keys.push(k);
      w.byte(tags.T_OBJECT);
      w.uv(keys.length);
      for (let i = keys.length - 1; i >= 0; i--) todo.push(o[keys[i]!], keys[i]);
    } else if (v instanceof Map) {
      const entries = [...(v as Map<unknown, unknown>)];
      w.byte(tags.T_MAP);
      w.uv(entries.length);
      for (let i = entries.length - 1; i >= 0; i--) todo.push(entries[i]![1], entries[i]![0]);
    } else if (v instanceof Set) {
      const members = [...(v as Set<unknown>)];
      w.byte(tags.T_SET);
      w.uv(members.length);
      for (let i = members.length - 1; i >= 0; i--) todo.push(members[i]);
    } else if (v instanceof Error) {
      const hasStack = typeof v.stack === 'string';
      const hasCode = Object.hasOwn(v, 'code');
      const hasCause = Object.hasOwn(v, 'cause');
      w.byte(tags.T_ERROR);
      w.byte((hasStack ? tags.ERR_STACK : 0) | (hasCode ? tags.ERR_CODE : 0) | (hasCause ? tags.ERR_CAUSE : 0));
      w.string(String(v.name));
      w.string(String(v.message));
      if (hasStack) w.string(v.stack as string);
      if (hasCause) todo.push(v.cause);
      if (hasCode) todo.push((v as { code?: unknown }).code);
    } else if (v instanceof ImproperList && w.beam) {
      w.byte(tags.T_IMPROPER);
      w.uv(v.items.length);
      todo.push(v.tail);
      for (let i = v.items.length - 1; i >= 0; i--) todo.push(v.items[i]);
    } else {
      w.value(v); // a leaf object (pid, ref, binary, date, regexp), or not a term: value throws
    }
  }
}

/** Marks, on writeDeep's stack, where a container's children end (the container is under it). */
const CLOSE = Symbol('close');

function isContainer(v: object): boolean {
  return Array.isArray(v) || isPlain(v) || v instanceof Map || v instanceof Set || v instanceof Error || v instanceof ImproperList;
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  return proto === Object.prototype || proto === null;
}
