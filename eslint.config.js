// ESLint flat config. `npm run lint` (= `eslint .`).
// typescript-eslint's non-type-checked `recommended` set keeps linting fast; `npm run
// typecheck` covers the type-aware checks.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
);
