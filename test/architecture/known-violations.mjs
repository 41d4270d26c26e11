// Known violations of the architecture rules on main, each removed by a step of issue 11.
// This list may only shrink: test/architecture/imports.test.ts fails on a violation that is
// not listed here AND on an entry that is no longer a violation. The `erlmesh/layers` lint
// rule (eslint.config.js) reads KNOWN_LAYER_VIOLATIONS too. Plain JavaScript so that
// eslint.config.js can import it; types in known-violations.d.mts.

/**
 * Import cycles (type imports count), each the full set of files of one strongly connected
 * component. A smaller cycle inside an entry is accepted; an entry whose files are no longer
 * all on a cycle is stale: remove the files that left it.
 */
export const KNOWN_CYCLES = [];

/** Source files over 400 lines. */
export const KNOWN_BIG_FILES = [];

/** Imports against the layer table (scripts/layers.mjs): [importing file, imported file]. */
export const KNOWN_LAYER_VIOLATIONS = [];
