/**
 * The Chromium that erlmesh's browser tests and benchmarks drive: Debian's `chromium`
 * package (Playwright cannot download its own browsers on such machines), started with the
 * flags below. One list for playwright.config.ts and bench/, so both run the same browser.
 */
import { existsSync } from 'node:fs';

/** Flags for a headless Chromium running as root in a container, with no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Where Debian, Ubuntu and Chrome put the browser. */
const KNOWN_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The Chromium executable: `$ERLMESH_CHROMIUM` (or the older `$CHROMIUM_PATH`) when set and
 * present, else the first of the usual install paths that exists; undefined when none does.
 *
 * @example
 * // playwright.config.ts
 * use: { launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] } }
 */
export function chromiumPath(): string | undefined {
  const env = process.env.ERLMESH_CHROMIUM || process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? env : undefined;
  return KNOWN_PATHS.find((p) => existsSync(p));
}
