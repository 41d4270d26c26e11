/**
 * Vite + Vitest configuration.
 *
 * Vite: minimal for now; the demo page (root `public/`) gets its settings later. `test.root`
 * pins Vitest to the repository, so `include` keeps working when the Vite `root` moves.
 *
 * Vitest: `npm run test:unit` (= `vitest run`), or `npx vitest run test/tooling`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  server: {
    host: '127.0.0.1',
  },
  build: {
    // Absolute, so it stays at <repo>/dist/public when `root` moves to public/.
    outDir: fileURLToPath(new URL('./dist/public', import.meta.url)),
    emptyOutDir: true,
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child processes: each test file gets a clean process (sockets, timers, globals) and
    // a crash or a stuck handle cannot take the runner down (threads were not measurably
    // faster on 2 cores for this suite).
    pool: 'forks',
    // The default reporter prints the `Test Files  N passed` / `Tests  N passed` summary in
    // CI (CI=true, no TTY) as well as interactively.
    reporters: ['default'],
  },
});
