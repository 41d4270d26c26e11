/**
 * The tags of Erlang's External Term Format (erts/doc/guides/erl_ext_dist.md, OTP 25), and the
 * limits the codec holds terms to. Every term starts with one of these bytes; a whole encoded
 * term starts with {@link VERSION} (131).
 */

export const VERSION = 131;
export const COMPRESSED = 80;

export const NEW_FLOAT = 70;
/** ATOM_CACHE_REF: an index into the atom cache references of the frame's distribution header. */
export const ATOM_CACHE_REF = 82;
export const BIT_BINARY = 77;
export const NEW_PID = 88;
export const NEW_PORT = 89;
export const NEWER_REFERENCE = 90;
export const SMALL_INTEGER = 97;
export const INTEGER = 98;
export const FLOAT = 99;
export const ATOM = 100;
export const REFERENCE = 101;
export const PORT = 102;
export const PID = 103;
export const SMALL_TUPLE = 104;
export const LARGE_TUPLE = 105;
export const NIL = 106;
export const STRING = 107;
export const LIST = 108;
export const BINARY = 109;
export const SMALL_BIG = 110;
export const LARGE_BIG = 111;
export const NEW_FUN = 112;
export const EXPORT = 113;
export const NEW_REFERENCE = 114;
export const SMALL_ATOM = 115;
export const MAP = 116;
export const ATOM_UTF8 = 118;
export const SMALL_ATOM_UTF8 = 119;
export const V4_PORT = 120;

/** Erlang's limit on an atom's length, in characters (code points). */
export const MAX_ATOM_CHARS = 255;

/** The longest list STRING_EXT carries (a 2-byte length); longer byte lists are LIST_EXT. */
export const MAX_STRING_EXT = 0xffff;

/** Most words in a NEWER_REFERENCE_EXT (OTP 25 sends 3; later releases up to 5). */
export const MAX_REF_WORDS = 5;

/** Default bound on the size a compressed term may claim once inflated (256 MiB). */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 1024 * 1024;
