/**
 * Playwright: end-to-end tests in Debian's Chromium (Playwright cannot download its own
 * browsers on this kind of machine). `npm test` installs Chromium when missing and builds
 * the pages (dist/public) first; `npx playwright test` alone expects both.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './src/playwright/chromium.js';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      executablePath: chromiumPath() ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS],
    },
    trace: 'off',
  },
});
