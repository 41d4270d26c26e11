/**
 * `checkTerm`: may this value be sent to a process? Runs on every send, so the common case
 * (primitives, short arrays of primitives, pids) allocates nothing: paths are only built
 * while unwinding from a failure, and the ancestor chain used for cycle detection is a small
 * array created on the first nested container (a Set takes over for deeper terms). Past
 * CHECK_RECURSION_DEPTH nested containers the whole term is checked again without recursion
 * (check-deep.ts), so terms of any depth pass.
 */
import { isBeamLeafObject, isLeafObject } from './leaf.js';
import { ImproperList } from './beam-list.js';
import { badarg } from '../base/errors.js';
import { CHECK_RECURSION_DEPTH, CHECK_TOO_DEEP, CYCLIC, type Failure, checkDeep, fail, keySeg, notATerm } from './check-deep.js';
import { formatTerm } from './format.js';
import { Pid } from './pid.js';
import { Ref } from './ref.js';

/** Depth beyond which ancestors are also tracked in a Set (linear scan below it). */
const SCAN_LIMIT = 32;

/** The ancestor chain of the container being visited. */
interface Chain {
  stack: object[];
  deep: Set<object> | undefined;
}

/**
 * Throws `badarg` (ErlmeshError code `'badarg'`) unless `value` is a term: something made of
 * null, undefined, booleans, numbers, bigints, strings, dense arrays, plain objects, Map,
 * Set, Date, RegExp, Uint8Array (Buffer included), Error, Pid and Ref, and the BEAM term
 * classes (List, ImproperList, Float, Bitstring, BeamRef, BeamPort, BeamFun, BeamExport:
 * docs/beam-interop.md), without cycles.
 * Shared (non-cyclic) subterms are fine. The message names the offending path, rooted at
 * `root`.
 *
 * @example
 * checkTerm(['ok', pid, { n: 1 }]);        // fine
 * checkTerm(['call', { cb: () => 1 }]);    // throws badarg: "msg[1].cb is a function"
 */
export function checkTerm(value: unknown, root = 'msg'): void {
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') {
    return;
  }
  if (value === null) return;
  let f: Failure | undefined;
  try {
    try {
      f = visit(value, undefined);
    } catch (e) {
      if (e !== CHECK_TOO_DEEP) throw e;
      f = checkDeep(value as object);
    }
  } catch (e) {
    // A getter or a Proxy trap threw while the term was read: not a term, and not the
    // sender's raw error either.
    throw badarg(`${root} cannot be read: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (a getter or proxy trap threw)`, { path: root });
  }
  if (f !== undefined) {
    let path = root;
    for (let i = f.segs.length - 1; i >= 0; i--) path += f.segs[i];
    throw badarg(`${path} ${f.what}`, { path });
  }
}

/**
 * Objects that contain no further terms (leaf.ts) are accepted without entering the ancestor
 * chain, which is what makes `['msg', i, <64-byte binary>]` free.
 */
const isLeaf = isLeafObject;

/** Checks a non-null value; `chain` holds its ancestors (undefined at the top). */
function visit(v: unknown, chain: Chain | undefined): Failure | undefined {
  switch (typeof v) {
    case 'function':
      return fail('is a function');
    case 'symbol':
      return fail('is a symbol');
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return undefined;
  const o = v as object;

  if (Array.isArray(o)) {
    const arr = o as unknown[];
    const n = arr.length;
    let c: Chain | undefined; // `chain` with `o` pushed, once a nested object is met
    for (let i = 0; i < n; i++) {
      const x = arr[i];
      if (typeof x !== 'object') {
        if (typeof x === 'function' || typeof x === 'symbol') return at(visit(x, c), `[${i}]`);
        if (x === undefined && !(i in arr)) return at(fail('is a hole (sparse array)'), `[${i}]`);
        continue;
      }
      if (x === null || isLeaf(x)) continue;
      if (c === undefined) {
        c = enter(chain, o);
        if (c === undefined) return fail(CYCLIC);
      }
      const f = visit(x, c);
      if (f !== undefined) return at(f, `[${i}]`);
    }
    if (c !== undefined) leave(c, o);
    return undefined;
  }

  if (o instanceof Pid || o instanceof Ref) return undefined;

  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto === Object.prototype || proto === null) {
    const rec = o as Record<string, unknown>;
    let c: Chain | undefined;
    for (const k in rec) {
      if (!Object.hasOwn(rec, k)) continue;
      const x = rec[k];
      const t = typeof x;
      if (t !== 'object' && t !== 'function' && t !== 'symbol') continue;
      if (x === null || (t === 'object' && isLeaf(x as object))) continue;
      if (t === 'object' && c === undefined) {
        c = enter(chain, o);
        if (c === undefined) return fail(CYCLIC);
      }
      const f = visit(x, c);
      if (f !== undefined) return at(f, keySeg(k));
    }
    if (c !== undefined) leave(c, o);
    return undefined;
  }

  if (o instanceof Uint8Array || o instanceof Date || o instanceof RegExp || isBeamLeafObject(o)) return undefined;

  if (o instanceof Map || o instanceof Set || o instanceof Error || o instanceof ImproperList) {
    const c = enter(chain, o);
    if (c === undefined) return fail(CYCLIC);
    const f = visitContainer(o, c);
    leave(c, o);
    return f;
  }

  return fail(notATerm(o));
}

function visitContainer(o: Map<unknown, unknown> | Set<unknown> | Error | ImproperList, c: Chain) {
  if (o instanceof ImproperList) {
    for (let i = 0; i < o.items.length; i++) {
      const f = visit(o.items[i], c);
      if (f !== undefined) return at(f, `.items[${i}]`);
    }
    return at(visit(o.tail, c), '.tail');
  }
  if (o instanceof Map) {
    let i = 0;
    for (const [k, x] of o) {
      let f = visit(k, c);
      if (f !== undefined) return at(f, `.<key #${i}>`);
      f = visit(x, c);
      if (f !== undefined) return at(f, `.get(${formatTerm(k, { maxDepth: 1, maxLength: 3 })})`);
      i++;
    }
    return undefined;
  }
  if (o instanceof Set) {
    let i = 0;
    for (const x of o) {
      const f = visit(x, c);
      if (f !== undefined) return at(f, `.<member #${i}>`);
      i++;
    }
    return undefined;
  }
  if (Object.hasOwn(o, 'code')) {
    const f = visit((o as { code?: unknown }).code, c);
    if (f !== undefined) return at(f, '.code');
  }
  if (Object.hasOwn(o, 'cause')) {
    const f = visit(o.cause, c);
    if (f !== undefined) return at(f, '.cause');
  }
  return undefined;
}

/** Pushes `o` on the ancestor chain; undefined when `o` is already on it (a cycle). */
function enter(chain: Chain | undefined, o: object): Chain | undefined {
  if (chain === undefined) return { stack: [o], deep: undefined };
  const { stack } = chain;
  if (chain.deep !== undefined) {
    if (chain.deep.has(o)) return undefined;
  } else if (stack.includes(o)) {
    return undefined;
  }
  if (stack.length >= CHECK_RECURSION_DEPTH) throw CHECK_TOO_DEEP;
  stack.push(o);
  // Once the chain gets deep, a Set mirrors it (and stays, to avoid rebuilding it).
  if (chain.deep !== undefined) chain.deep.add(o);
  else if (stack.length > SCAN_LIMIT) chain.deep = new Set(stack);
  return chain;
}

function leave(chain: Chain, o: object): void {
  chain.stack.pop();
  chain.deep?.delete(o);
}

function at(f: Failure | undefined, seg: string): Failure | undefined {
  if (f !== undefined) f.segs.push(seg);
  return f;
}
