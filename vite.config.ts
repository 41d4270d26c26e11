/**
 * Vite + Vitest configuration.
 *
 * Vite builds the browser pages from `public/` into `dist/public/`: `index.html` (the demo
 * page), `observer.html` (the observer page, `erlmesh observer`) and `tab.html` (the bare
 * tab-node page the Playwright fixture opens). Their scripts
 * live in src/browser and import the same core as the server.
 *
 * Vitest: `npm run test:unit` (= `vitest run`), or `npx vitest run test/tooling`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./public'),
  publicDir: false,
  server: {
    host: '127.0.0.1',
    fs: { allow: [here('.')] },
  },
  build: {
    outDir: here('./dist/public'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: here('./public/index.html'),
        observer: here('./public/observer.html'),
        tab: here('./public/tab.html'),
      },
    },
  },
  test: {
    root: here('.'),
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child processes: each test file gets a clean process (sockets, timers, globals) and
    // a crash or a stuck handle cannot take the runner down.
    pool: 'forks',
    // Two files at a time on this 2-core machine (Vitest's default is cores - 1 = one): most
    // files wait on real sockets and child processes, and one at a time took the suite past
    // its 10-minute budget (vitest alone 440 s in a fresh-clone run).
    maxWorkers: 2,
    // The default reporter prints the `Test Files  N passed` / `Tests  N passed` summary in
    // CI (CI=true, no TTY) as well as interactively.
    reporters: ['default'],
  },
});
