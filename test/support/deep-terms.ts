/**
 * Deep terms for the depth tests (docs/semantics.md, "Term limits"): `deepTerm(kind, depth)`
 * nests a leaf `depth` containers deep, and `depthOf(kind, term)` walks one back without
 * recursion (vitest's `toEqual` would itself overflow the stack on such terms), returning the
 * depth, or -1 when the term is not what `deepTerm` makes.
 */

export const DEEP_KINDS = ['array', 'object', 'tuple', 'map', 'set', 'error'] as const;
export type DeepKind = (typeof DEEP_KINDS)[number];

const LEAF = 'leaf';

function wrap(kind: DeepKind, inner: unknown, i: number): unknown {
  switch (kind) {
    case 'array':
      return [inner];
    case 'object':
      return { x: inner };
    case 'tuple':
      return ['t', i, inner];
    case 'map':
      return new Map([['k', inner]]);
    case 'set':
      return new Set([inner]);
    case 'error': {
      const e = new Error(`e${i}`, { cause: inner });
      delete e.stack; // 100,000 stacks would make the term tens of megabytes
      return e;
    }
  }
}

/** `leaf` wrapped in `depth` containers of `kind`. */
export function deepTerm(kind: DeepKind, depth: number, leaf: unknown = LEAF): unknown {
  let t = leaf;
  for (let i = 0; i < depth; i++) t = wrap(kind, t, i);
  return t;
}

/** One level of `kind` off `t`; `i`: the index the level must carry (undefined: any). */
function unwrap(kind: DeepKind, t: unknown, i: number | undefined): { ok: boolean; inner?: unknown } {
  switch (kind) {
    case 'array':
      return Array.isArray(t) && t.length === 1 ? { ok: true, inner: t[0] } : { ok: false };
    case 'object':
      return isPlain(t) && Object.keys(t).length === 1 && 'x' in t ? { ok: true, inner: t.x } : { ok: false };
    case 'tuple':
      return Array.isArray(t) && t.length === 3 && t[0] === 't' && (i === undefined || t[1] === i) ? { ok: true, inner: t[2] } : { ok: false };
    case 'map':
      return t instanceof Map && t.size === 1 && t.has('k') ? { ok: true, inner: t.get('k') } : { ok: false };
    case 'set':
      return t instanceof Set && t.size === 1 ? { ok: true, inner: [...t][0] } : { ok: false };
    case 'error':
      return t instanceof Error && (i === undefined || t.message === `e${i}`) ? { ok: true, inner: t.cause } : { ok: false };
  }
}

function isPlain(t: unknown): t is Record<string, unknown> {
  return typeof t === 'object' && t !== null && Object.getPrototypeOf(t) === Object.prototype;
}

/** The depth of a term made by `deepTerm(kind, depth, leaf)`, or -1 if it is not one. */
export function depthOf(kind: DeepKind, term: unknown, leaf: unknown = LEAF): number {
  // First count the levels (the index a tuple or error carries counts from the leaf up),
  // then check each level with its index.
  let d = 0;
  for (let t = term; t !== leaf; d++) {
    const u = unwrap(kind, t, undefined);
    if (!u.ok) return -1;
    t = u.inner;
  }
  let t = term;
  for (let k = 0; k < d; k++) {
    const u = unwrap(kind, t, d - 1 - k);
    if (!u.ok) return -1;
    t = u.inner;
  }
  return d;
}
