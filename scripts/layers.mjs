// The layer order of src/core and the platform rules between src/core, src/server,
// src/browser and src/playwright. One table, read by the `erlmesh/layers` lint rule
// (eslint.config.js) and by the architecture test (test/architecture/imports.test.ts).
//
// Plain JavaScript so that eslint.config.js can import it; types in layers.d.mts.

/**
 * The folders of src/core, lowest first. A folder may import itself, the folders before
 * it, and `interfaces` (types only). The folders of one inner array are siblings: none
 * imports another.
 */
export const LAYERS = [
  'base',
  'terms',
  'interfaces',
  // The two wire formats between erlmesh nodes (codec/) and Erlang's External Term Format for
  // BEAM nodes (etf/): siblings, each over base and terms.
  ['codec', 'etf'],
  'process',
  'trust',
  'net',
  'relay-client',
  'modules',
  'behaviours',
  ['rpc', 'global', 'pg'],
  // The book's examples (kvs, kvs_server, dist_demo) and the demo's page contract: opt-in
  // modules the composition root (node/) loads; nothing below it imports them.
  'book',
  // The composition root: the facade, the service host, the default services and modules.
  'node',
  'testing',
];

/** Folders whose allowed imports are an explicit list instead of "everything before it". */
export const ONLY = {
  // Types only, and only what the leaf is written against.
  interfaces: ['base', 'terms', 'interfaces'],
  // `erlmesh/testing`: the memory network, the simulated clock, the conformance suite.
  testing: ['base', 'terms', 'interfaces', 'codec', 'net'],
};

/** Rank of each core folder in LAYERS (siblings share a rank). */
const rank = new Map();
LAYERS.forEach((entry, i) => {
  for (const folder of Array.isArray(entry) ? entry : [entry]) rank.set(folder, i);
});

export const CORE_FOLDERS = [...rank.keys()];

/**
 * Where a repository-relative path (`src/core/net/handshake.ts`) sits: its area (`core`,
 * `server`, `browser`, `playwright`, or undefined outside src/) and, in src/core, its
 * folder (`net`; undefined for files directly in src/core such as index.ts).
 */
export function locate(path) {
  const parts = path.replace(/\\/g, '/').split('/');
  if (parts[0] !== 'src' || parts.length < 3) return { area: undefined, folder: undefined };
  const area = parts[1];
  const folder = area === 'core' && parts.length > 3 ? parts[2] : undefined;
  return { area, folder };
}

/**
 * Why the import of `to` by `from` breaks a rule, or undefined when it is allowed. Both
 * paths are repository-relative; `typeOnly` is true for `import type`, `export type … from`
 * and imports whose every specifier is a `type` one.
 */
export function layerViolation(from, to, typeOnly) {
  const a = locate(from);
  const b = locate(to);
  if (a.area === 'core' && (b.area === 'server' || b.area === 'browser' || b.area === 'playwright')) {
    return `src/core is platform-free and may not import src/${b.area}`;
  }
  if (a.area === 'browser' && b.area === 'server') {
    return 'src/browser may not import src/server';
  }
  if (a.area !== 'core' || b.area !== 'core') return undefined;
  // Files directly in src/core (index.ts, platform-globals.d.ts) are the entry point.
  if (a.folder === undefined) return undefined;
  if (b.folder === undefined) return `src/core/${a.folder} may not import the entry point src/core/${to.split('/').pop()}`;
  const ra = rank.get(a.folder);
  const rb = rank.get(b.folder);
  if (ra === undefined) return `src/core/${a.folder} is not in the layer table (scripts/layers.mjs)`;
  if (rb === undefined) return `src/core/${b.folder} is not in the layer table (scripts/layers.mjs)`;
  if (b.folder === 'interfaces' && !typeOnly) {
    return 'interfaces/ holds types only: import it with `import type`';
  }
  if (a.folder === 'interfaces' && !typeOnly) {
    return 'interfaces/ holds types only: its own imports are `import type` too';
  }
  if (a.folder === b.folder) return undefined;
  const only = ONLY[a.folder];
  if (only) {
    return only.includes(b.folder) ? undefined : `${a.folder}/ may import only ${only.join(', ')}; not ${b.folder}/`;
  }
  if (b.folder === 'interfaces') return undefined;
  if (ra === rb) return `${a.folder}/ and ${b.folder}/ are siblings in the layer table and may not import each other`;
  if (rb > ra) return `${a.folder}/ is below ${b.folder}/ in the layer table and may not import it`;
  return undefined;
}
