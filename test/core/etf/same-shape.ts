/**
 * A strict structural comparison of decoded terms for the ETF tests, written independently of
 * the encoder (etfEquals compares encodings, so it cannot check the encoder): same classes
 * (a List is not a tuple, a Float not a number, a bigint not a number), same values, Map
 * entries in any order (keys matched by this same comparison), pids and refs field by field.
 * Returns the path of the first difference, or undefined when the two are the same.
 */
import { Bitstring, BeamExport, BeamFun, BeamPort, BeamRef, Float, ImproperList, Pid, Ref } from '../../../src/core/index.js';

const bytesEq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function shapeDiff(a: unknown, b: unknown, path = 'term'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  const o = a as object;
  const p = b as object;
  if (Object.getPrototypeOf(o) !== Object.getPrototypeOf(p)) return `${path}: ${o.constructor.name} vs ${p.constructor.name}`;
  if (Array.isArray(o)) {
    const x = o as unknown[];
    const y = p as unknown[];
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = shapeDiff(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (o instanceof ImproperList) {
    const q = p as ImproperList;
    return shapeDiff([...o.items], [...q.items], `${path}.items`) ?? shapeDiff(o.tail, q.tail, `${path}.tail`);
  }
  if (o instanceof Map) {
    const q = p as Map<unknown, unknown>;
    if (o.size !== q.size) return `${path}: map size ${o.size} vs ${q.size}`;
    for (const [k, v] of o) {
      const match = [...q].find(([k2]) => shapeDiff(k, k2) === undefined);
      if (!match) return `${path}: key ${String(k)} missing`;
      const d = shapeDiff(v, match[1], `${path}.get(${String(k)})`);
      if (d) return d;
    }
    return undefined;
  }
  if (o instanceof Uint8Array) return bytesEq(o, p as Uint8Array) ? undefined : `${path}: binaries differ`;
  if (o instanceof Float) return Object.is(o.value, (p as Float).value) ? undefined : `${path}: floats differ`;
  if (o instanceof Bitstring) {
    const q = p as Bitstring;
    return o.bitLength === q.bitLength && bytesEq(o.bytes, q.bytes) ? undefined : `${path}: bitstrings differ`;
  }
  if (o instanceof Pid) {
    const q = p as Pid;
    return o.node === q.node && o.id === q.id && o.serial === q.serial && o.creation === q.creation ? undefined : `${path}: pids differ`;
  }
  if (o instanceof BeamRef) {
    const q = p as BeamRef;
    return o.node === q.node && o.creation === q.creation && o.words.join() === q.words.join() ? undefined : `${path}: refs differ`;
  }
  if (o instanceof Ref) {
    const q = p as Ref;
    return o.node === q.node && o.creation === q.creation && o.id === q.id ? undefined : `${path}: refs differ`;
  }
  if (o instanceof BeamPort || o instanceof BeamFun) return bytesEq(o.bytes, (p as BeamPort).bytes) ? undefined : `${path}: opaque values differ`;
  if (o instanceof BeamExport) {
    const q = p as BeamExport;
    return o.module === q.module && o.name === q.name && o.arity === q.arity ? undefined : `${path}: exports differ`;
  }
  return `${path}: cannot compare ${o.constructor.name}`;
}
