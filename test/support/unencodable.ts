/**
 * Terms with parts that cannot be encoded (issue 17): the support/terms.ts terms with, at any
 * depth, functions, symbols, class instances, typed arrays other than Uint8Array, promises,
 * array holes and cycles mixed in.
 */
import fc from 'fast-check';
import { term } from './terms.js';

class Widget {
  n = 1;
}

/** One value that is never a term. */
export const badLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(function named() {}),
  fc.constant(() => 1),
  fc.string({ maxLength: 4 }).map((s) => Symbol(s)),
  fc.constant(null).map(() => new Widget()),
  fc.constant(null).map(() => new Int32Array([1, -1])),
  fc.constant(null).map(() => Promise.resolve(1)),
  fc.constant(null).map(() => new WeakMap()),
);

/** A container that refers back to itself, around `t`. */
function cyclic(t: unknown, kind: number): unknown {
  switch (kind) {
    case 0: {
      const a: unknown[] = [t];
      a.push(a);
      return a;
    }
    case 1: {
      const o: Record<string, unknown> = { t };
      o.self = o;
      return o;
    }
    case 2: {
      const m = new Map<unknown, unknown>([['t', t]]);
      m.set('self', [m]);
      return m;
    }
    default: {
      const e = new Error('loop', { cause: t });
      (e as { code?: unknown }).code = { back: e };
      return e;
    }
  }
}

/** Terms with unencodable parts (and, sometimes, none) at any depth. */
export const { withBad } = fc.letrec<{ withBad: unknown }>((tie) => ({
  withBad: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'withBad' },
    term,
    badLeaf,
    fc.array(tie('withBad'), { maxLength: 4 }),
    fc.array(tie('withBad'), { minLength: 1, maxLength: 3 }).map((a) => {
      const sparse = [...a];
      sparse.length = a.length + 1;
      delete sparse[0];
      return sparse;
    }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie('withBad'), { maxKeys: 3 }),
    fc.array(fc.tuple(tie('withBad'), tie('withBad')), { maxLength: 3 }).map((e) => new Map(e)),
    fc.array(tie('withBad'), { maxLength: 3 }).map((m) => new Set(m)),
    tie('withBad').map((c) => new Error('e', { cause: c })),
    fc.tuple(tie('withBad'), fc.nat(3)).map(([t, k]) => cyclic(t, k)),
  ),
}));
