/**
 * superjson-2: the custom annotations that carry the BEAM-only term classes in erlmesh's text
 * encoding (superjson.ts), so that a term from an Erlang node keeps its exact Erlang type
 * wherever erlmesh carries or keys it (docs/beam-interop.md).
 *
 * | name        | JSON value                                                          |
 * |-------------|---------------------------------------------------------------------|
 * | `list`      | the items, as an array (walked further: items are terms)            |
 * | `improper`  | the superjson payload `{json, meta}` of `[...items, tail]` (nested: |
 * |             | superjson walks no further into a value not an array or object)    |
 * | `float`     | the value as text (`String(v)`, `'-0'` for -0.0): exact round trip   |
 * | `bits`      | `[base64 of the bytes, bitLength]`                                  |
 * | `beamref`   | `[node, creation, words]`                                           |
 * | `port`      | `[node, id (decimal text), creation, base64 of its ETF bytes]`      |
 * | `fun`       | `[module, arity, base64 of its ETF bytes]`                          |
 * | `export`    | `[module, name, arity, base64 of its ETF bytes or null]`            |
 *
 * (ETF bytes: tag and payload, no 131; they must start with the ETF tag of their kind.)
 *
 * Invariants: decoding gives a value `equals` to the one encoded, of the same class; a port,
 * fun or export keeps the very bytes it came from BEAM in, so it goes back to BEAM in them. While `allowed()` is false (a superjson-1 peer, which knows none of
 * these names) a List is written as the plain array it was before and any other BEAM-only
 * value is refused with `badarg`.
 */
import type { SuperJSON } from 'superjson';
import { base64ToBytes, bytesToBase64 } from '../base/base64.js';
import { ErlmeshError, badarg } from '../base/errors.js';
import { ETF_EXPORT_TAG, ETF_FUN_TAG, ETF_PORT_TAGS } from './binary-beam.js';
import { Bitstring } from '../terms/beam-binary.js';
import { Float } from '../terms/beam-float.js';
import { ImproperList, List, asList } from '../terms/beam-list.js';
import { BeamExport, BeamFun, BeamPort } from '../terms/beam-opaque.js';
import { BeamRef } from '../terms/beam-ref.js';

type Json = { [key: string]: Json } | Json[] | string | number | boolean | null;

/** The ETF bytes in base64 `b64`, which must start with one of `etfTags`. */
function etfBytes(b64: unknown, etfTags: readonly number[], what: string): Uint8Array {
  if (typeof b64 !== 'string') throw malformed(what);
  const bytes = base64ToBytes(b64);
  if (!etfTags.includes(bytes[0] ?? -1)) throw malformed(what);
  return bytes;
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNat = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function malformed(what: string): ErlmeshError {
  return new ErlmeshError('bad_frame', `malformed ${what} in term`);
}

/**
 * Registers the annotations above on `sj`; `allowed()` says whether the term being encoded
 * may use them (false while encoding for a superjson-1 peer).
 */
export function registerBeamTerms(sj: SuperJSON, allowed: () => boolean): void {
  const refuse = (v: object): never => {
    throw badarg(`cannot encode a ${v.constructor.name} for a peer speaking superjson-1 (it has no form for BEAM-only values)`);
  };
  sj.registerCustom<List, Json>(
    {
      isApplicable: (v): v is List => v instanceof List && allowed(),
      serialize: (l) => Array.from(l) as Json,
      deserialize: (a) => {
        if (!Array.isArray(a)) throw malformed('list');
        return asList(a as unknown[]);
      },
    },
    'list',
  );
  sj.registerCustom<ImproperList, Json>(
    {
      isApplicable: (v): v is ImproperList => v instanceof ImproperList,
      serialize: (l) => (allowed() ? (sj.serialize([...l.items, l.tail]) as unknown as Json) : refuse(l)),
      deserialize: (p) => {
        const { json, meta } = (typeof p === 'object' && p !== null ? p : {}) as { json?: unknown; meta?: { values?: unknown; v?: unknown } };
        if (!Array.isArray(json) || json.length < 2) throw malformed('improper list');
        const payload = { json, ...(meta === undefined ? {} : { meta: { values: meta.values, v: meta.v } }) };
        const a = sj.deserialize(payload as never, { inPlace: true }) as unknown[];
        return new ImproperList(a.slice(0, -1), a[a.length - 1]);
      },
    },
    'improper',
  );
  sj.registerCustom<Float, string>(
    {
      isApplicable: (v): v is Float => v instanceof Float,
      serialize: (f) => (allowed() ? (Object.is(f.value, -0) ? '-0' : String(f.value)) : refuse(f)),
      deserialize: (s) => {
        if (typeof s !== 'string') throw malformed('float');
        return new Float(Number(s));
      },
    },
    'float',
  );
  sj.registerCustom<Bitstring, Json>(
    {
      isApplicable: (v): v is Bitstring => v instanceof Bitstring,
      serialize: (b) => (allowed() ? [bytesToBase64(b.bytes), b.bitLength] : refuse(b)),
      deserialize: (a) => {
        if (!Array.isArray(a) || typeof a[0] !== 'string' || typeof a[1] !== 'number') throw malformed('bitstring');
        return new Bitstring(base64ToBytes(a[0]), a[1]);
      },
    },
    'bits',
  );
  sj.registerCustom<BeamRef, Json>(
    {
      isApplicable: (v): v is BeamRef => v instanceof BeamRef,
      serialize: (r) => (allowed() ? [r.node, r.creation, [...r.words]] : refuse(r)),
      deserialize: (a) => {
        if (!Array.isArray(a) || typeof a[0] !== 'string' || typeof a[1] !== 'number' || !Array.isArray(a[2])) throw malformed('BEAM ref');
        return new BeamRef(a[0], a[1], a[2] as number[]);
      },
    },
    'beamref',
  );
  sj.registerCustom<BeamPort, Json>(
    {
      isApplicable: (v): v is BeamPort => v instanceof BeamPort,
      serialize: (p) => (allowed() ? [p.node, p.id.toString(), p.creation, bytesToBase64(p.bytes)] : refuse(p)),
      deserialize: (a) => {
        if (!Array.isArray(a) || !isStr(a[0]) || !isStr(a[1]) || !/^\d{1,20}$/.test(a[1]) || !isNat(a[2])) throw malformed('port');
        return new BeamPort(a[0], BigInt(a[1]), a[2], etfBytes(a[3], ETF_PORT_TAGS, 'port'));
      },
    },
    'port',
  );
  sj.registerCustom<BeamFun, Json>(
    {
      isApplicable: (v): v is BeamFun => v instanceof BeamFun,
      serialize: (f) => (allowed() ? [f.module, f.arity, bytesToBase64(f.bytes)] : refuse(f)),
      deserialize: (a) => {
        if (!Array.isArray(a) || !isStr(a[0]) || !isNat(a[1])) throw malformed('fun');
        return new BeamFun(a[0], a[1], etfBytes(a[2], [ETF_FUN_TAG], 'fun'));
      },
    },
    'fun',
  );
  sj.registerCustom<BeamExport, Json>(
    {
      isApplicable: (v): v is BeamExport => v instanceof BeamExport,
      serialize: (e) => (allowed() ? [e.module, e.name, e.arity, e.bytes === undefined ? null : bytesToBase64(e.bytes)] : refuse(e)),
      deserialize: (a) => {
        if (!Array.isArray(a) || !isStr(a[0]) || !isStr(a[1]) || !isNat(a[2]) || a[2] > 255) throw malformed('export');
        if (a[3] === null) return new BeamExport(a[0], a[1], a[2]);
        return new BeamExport(a[0], a[1], a[2], etfBytes(a[3], [ETF_EXPORT_TAG], 'export'));
      },
    },
    'export',
  );
}
