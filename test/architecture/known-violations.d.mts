// Types of known-violations.mjs (plain JavaScript so that eslint.config.js can import it).

/** Each entry: the files of one known import cycle. */
export declare const KNOWN_CYCLES: readonly (readonly string[])[];
/** Source files known to be over 400 lines. */
export declare const KNOWN_BIG_FILES: readonly string[];
/** Known imports against the layer table: [importing file, imported file]. */
export declare const KNOWN_LAYER_VIOLATIONS: readonly (readonly [string, string])[];
