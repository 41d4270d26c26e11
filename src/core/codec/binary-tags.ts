/**
 * The fast-1 binary term format: its name, its tag table and the error bits. The format is
 * documented here; the writer (binary-writer.ts) and the reader (binary-reader.ts) follow it,
 * and binary.ts is the public face (`encodeTermFast` / `decodeTermFast`).
 *
 * It decodes to exactly what superjson-1 (superjson.ts) decodes for every term: the same kinds,
 * the same values, the same classes, the same own keys in the same order. It exists because
 * superjson is several times slower than plain JSON; this codec is a single pass over the
 * term with no intermediate objects, written into one growable buffer.
 *
 * Wire format. A term is one tag byte and the tag's payload. `uv` is an unsigned LEB128
 * varint (minimal form when written; any form accepted); multi-byte numbers are little-endian.
 *
 * | tag         | term                      | payload                                                   |
 * |-------------|---------------------------|-----------------------------------------------------------|
 * | 0x00        | undefined                 | —                                                         |
 * | 0x01        | null                      | —                                                         |
 * | 0x02 / 0x03 | false / true              | —                                                         |
 * | 0x04        | number, int32 (not -0)    | 4 bytes, two's complement                                 |
 * | 0x05        | number, any other         | float64 (-0, NaN, ±Infinity, fractions, large integers)   |
 * | 0x06        | bigint                    | sign byte (0: ≥ 0, 1: < 0), uv n, n bytes of the magnitude |
 * | 0x07        | string                    | uv n, n bytes of UTF-8 (strings without lone surrogates)  |
 * | 0x08        | string with lone surrogates | uv n, n UTF-16 code units of 2 bytes                    |
 * | 0x09        | array                     | uv n, n terms                                             |
 * | 0x0a        | plain object              | uv n, n × (key: a string term, value term)                |
 * | 0x0b        | Map                       | uv n, n × (key term, value term)                          |
 * | 0x0c        | Set                       | uv n, n terms                                             |
 * | 0x0d        | Date                      | float64 of getTime() (NaN: an invalid date)               |
 * | 0x0e        | RegExp                    | source, flags (string terms)                              |
 * | 0x0f        | binary (any Uint8Array)   | uv n, n bytes (only the view's bytes)                     |
 * | 0x10        | Error                     | bits (1: stack, 2: code, 4: cause), name, message,        |
 * |             |                           | [stack], [code term], [cause term]                        |
 * | 0x11        | Pid                       | node (string term), id, serial, creation (number terms)   |
 * | 0x12        | Ref                       | node (string term), creation, id (number terms)           |
 * | 0x13        | List (fast-2)             | uv n, n terms                                             |
 * | 0x14        | ImproperList (fast-2)     | uv n (≥ 1), n item terms, the tail term                   |
 * | 0x15        | Float (fast-2)            | float64 (finite)                                          |
 * | 0x16        | Bitstring (fast-2)        | uv bitLength, ceil(bitLength / 8) bytes                   |
 * | 0x17        | BeamRef (fast-2)          | node (string term), uv creation, uv n (1–5), n × uv word  |
 * | 0x18        | BeamPort (fast-2)         | node, id (decimal) (string terms), uv creation, uv n,     |
 * |             |                           | n bytes: its ETF (tag and payload, no 131)                |
 * | 0x19        | BeamFun (fast-2)          | module (string term), uv arity, uv n, n bytes: its ETF    |
 * | 0x1a        | BeamExport (fast-2)       | module, name (string terms), uv arity, uv n, n ETF bytes  |
 * |             |                           | (n = 0: one made by exportFun, without bytes)             |
 * | 0x80–0xff   | integer 0..127            | — (value = tag − 0x80)                                    |
 *
 * Versions. `fast-2` is fast-1 plus the tags 0x13–0x1a, which carry the BEAM-only term
 * classes (src/core/terms/beam-*.ts) exactly, so a term that came from an Erlang node crosses
 * the erlmesh mesh and goes back to BEAM unchanged (docs/beam-interop.md). The reader reads
 * both; the writer writes fast-2 unless told it writes for a fast-1 peer (`new
 * TermWriter(n, false)`), which gets what it got before: a List as a plain array, and any
 * other BEAM-only value refused with `badarg` (it has no fast-1 form).
 *
 * Invariants:
 * - `decodeTermFast(encodeTermFast(t))` equals `decodeTerm(encodeTerm(t))` (superjson-1)
 *   equals `t` for every term accepted by `checkTerm` (property-tested): plain objects come
 *   back with Object.prototype (a `__proto__` key stays an own key), binaries as fresh plain
 *   Uint8Array copies, errors as in superjson.ts (built-in names get their class; name, message,
 *   stack and own code / cause kept), -0 / NaN / ±Infinity and lone surrogates preserved.
 * - Terms are trees: sharing is not preserved, a decoded term is never cyclic.
 * - Any depth: past a few hundred nested containers the writer and reader stop recursing and
 *   go on with an explicit stack (binary-deep.ts), writing and reading the same bytes.
 * - The encoder throws `badarg` for a value that is not a term (function, symbol, class
 *   instance, typed array other than Uint8Array…), leaving the writer as it was before.
 * - Malformed input to the decoder throws `ErlmeshError` with code `bad_frame`; the decoder
 *   never allocates more than the input can describe (counts are bounded by the bytes left).
 */

/** Names this encoding; peers agree on it in the handshake (see net/encodings.ts). */
export const FAST_TERM_FORMAT = 'fast-1';

/** fast-1 plus the BEAM-only term classes (tags 0x13–0x1a); what nodes of this version prefer. */
export const FAST_BEAM_FORMAT = 'fast-2';

export const T_UNDEFINED = 0x00;
export const T_NULL = 0x01;
export const T_FALSE = 0x02;
export const T_TRUE = 0x03;
export const T_INT32 = 0x04;
export const T_FLOAT64 = 0x05;
export const T_BIGINT = 0x06;
export const T_STR = 0x07;
export const T_STR16 = 0x08;
export const T_ARRAY = 0x09;
export const T_OBJECT = 0x0a;
export const T_MAP = 0x0b;
export const T_SET = 0x0c;
export const T_DATE = 0x0d;
export const T_REGEXP = 0x0e;
export const T_BIN = 0x0f;
export const T_ERROR = 0x10;
export const T_PID = 0x11;
export const T_REF = 0x12;
export const T_LIST = 0x13;
export const T_IMPROPER = 0x14;
export const T_FLOAT_BOX = 0x15;
export const T_BITSTRING = 0x16;
export const T_BEAM_REF = 0x17;
export const T_PORT = 0x18;
export const T_FUN = 0x19;
export const T_EXPORT = 0x1a;
export const T_SMALLINT = 0x80;

/** Bits of the byte after T_ERROR: which optional fields follow. */
export const ERR_STACK = 1;
export const ERR_CODE = 2;
export const ERR_CAUSE = 4;
