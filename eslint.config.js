// ESLint flat config. `npm run lint` (= `eslint .`).
// typescript-eslint's non-type-checked `recommended` set keeps linting fast; `npm run
// typecheck` covers the type-aware checks.
import { builtinModules } from 'node:module';
import { dirname, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layerViolation } from './scripts/layers.mjs';

const CORE_MESSAGE = 'src/core is platform-free: inject it from src/server or src/browser.';

/** Packages src/core may not import (besides every Node builtin). */
const platformPackages = ['ws', 'isomorphic-ws'];

/** Bare Node builtins (`fs`, `fs/promises`, `_http_agent`, …) — the `node:` forms are a pattern. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// `import('fs')` is not covered by no-restricted-imports, so dynamic imports are matched
// with a selector. esquery regexes cannot contain '/', hence \x2F.
const dynamicImportRegex =
  '^(?:node:|(?:' +
  [...platformPackages, ...nodeBuiltins.filter((n) => !n.includes('/'))]
    .map(escapeRegExp)
    .join('|') +
  ')(?:$|\\x2F))';

/** Globals that exist only in browsers or only in Node. */
const platformGlobals = [
  'window',
  'document',
  'navigator',
  'location',
  'localStorage',
  'sessionStorage',
  'WebSocket',
  'XMLHttpRequest',
  'fetch',
  'Buffer',
  'process',
  'require',
  'global',
  '__dirname',
  '__filename',
  'setImmediate',
  'clearImmediate',
  // Only unresolved/global references are reported: a parameter or variable named `self`
  // (the process context all over erlmesh) is fine.
  'self',
];

const repoRoot = dirname(fileURLToPath(import.meta.url));

/**
 * `erlmesh/layers`: a relative import in src/ must follow the layer table of
 * scripts/layers.mjs (what each src/core folder may import; src/core imports no platform
 * folder; src/browser never imports src/server). test/architecture/imports.test.ts checks the
 * same table over the whole import graph, and also cycles and file sizes.
 */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports in src/ follow the layer table of scripts/layers.mjs.' },
    schema: [],
    messages: {
      layer: "{{from}} imports '{{specifier}}' ({{to}}): {{rule}} (layer table: scripts/layers.mjs).",
    },
  },
  create(context) {
    const from = relative(repoRoot, context.filename).split(sep).join('/');
    if (!from.startsWith('src/')) return {};
    const check = (node, source, typeOnly) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) return;
      const to = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.(?:js|mjs|cjs)$/, '.ts');
      const rule = layerViolation(from, to, typeOnly);
      if (rule === undefined) return;
      context.report({ node, messageId: 'layer', data: { from, specifier, to, rule } });
    };
    const allType = (specifiers, kind) => specifiers.length > 0 && specifiers.every((s) => s[kind] === 'type');
    return {
      // `import { type A, type B }` is type-only too (a default or namespace import has no importKind).
      ImportDeclaration: (node) =>
        check(node, node.source, node.importKind === 'type' || allType(node.specifiers, 'importKind')),
      ExportNamedDeclaration: (node) =>
        check(node, node.source, node.exportKind === 'type' || allType(node.specifiers, 'exportKind')),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument, true),
    };
  },
};

/** Local rules of this repository (no package: the plugin is this object). */
const erlmesh = { meta: { name: 'erlmesh' }, rules: { layers: layersRule } };

export default defineConfig(
  globalIgnores([
    '**/node_modules/**',
    'dist/**',
    'coverage/**',
    'playwright-report/**',
    'test-results/**',
    // in case a vite build of the demo page lands under public/
    'public/dist/**',
    'public/build/**',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.es2022, ...globals.node },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'warn',
    },
    rules: {
      'no-empty': ['error', { allowEmptyCatch: true }],
      // `let node; listen(..., () => node?.x); node = ...` is deliberate: a const would be in
      // its TDZ when the callback runs early.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      // `interface TestNode extends Node {}` names a type; allowed with a single supertype.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Global declarations (`declare var crypto: Crypto`) must be `var` to merge with lib.dom.
  {
    files: ['**/*.d.ts'],
    rules: { 'no-var': 'off' },
  },

  // Browser code and the demo page run in a browser.
  {
    files: ['src/browser/**', 'public/**'],
    languageOptions: { globals: { ...globals.es2022, ...globals.browser } },
  },

  // The core runs unchanged in Node and in browsers: no platform imports, no platform globals.
  {
    files: ['src/core/**'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...platformPackages, ...nodeBuiltins].map((name) => ({
            name,
            message: CORE_MESSAGE,
          })),
          patterns: [
            { group: ['node:*'], message: CORE_MESSAGE },
            { group: platformPackages.map((p) => `${p}/*`), message: CORE_MESSAGE },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${dynamicImportRegex}/]`,
          message: CORE_MESSAGE,
        },
      ],
      'no-restricted-globals': [
        'error',
        ...platformGlobals.map((name) => ({ name, message: `'${name}': ${CORE_MESSAGE}` })),
      ],
    },
  },

  // The layer order of src/core and the platform folders (scripts/layers.mjs).
  {
    files: ['src/**/*.ts'],
    plugins: { erlmesh },
    rules: { 'erlmesh/layers': 'error' },
  },
);
