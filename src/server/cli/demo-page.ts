/**
 * Where `erlmesh demo` finds its page: the built page (`dist/public/index.html`), which the
 * package ships. Never `public/` itself: those are the sources, whose `.ts` script no browser
 * runs (the page would say "Loading…" forever). In a checkout without a build, the page is
 * built first with the checkout's Vite (as `npm start` does); when that cannot be done, the
 * demo refuses with a message that says how.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The message of a demo without its page. */
export const NOT_BUILT_HINT = 'the demo page is not built: run `npx vite build` (or `npm start`) in the erlmesh checkout';

export class DemoPageMissing extends Error {}

/** Runs the build in `root`; true when it succeeded. */
export type PageBuilder = (root: string, vite: string) => boolean;

/** The checkout's Vite CLI script, or undefined (an installed package has none, nor needs it). */
export function findVite(root: string): string | undefined {
  if (!existsSync(join(root, 'vite.config.ts'))) return undefined;
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('vite/package.json');
    const bin = join(dirname(pkg), 'bin', 'vite.js');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** `vite build` in `root`, its warnings and errors on this process's stderr. */
export const viteBuild: PageBuilder = (root, vite) =>
  spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;

/**
 * The directory of the built demo page under the package `root`: `dist/public` when it holds
 * `index.html` (or `o.page`: `observer.html` for the observer); else, in a checkout (page
 * sources in `public/` and a Vite to build them), it builds it first (`say` tells the user);
 * else throws {@link DemoPageMissing} saying how.
 */
export function demoPageRoot(
  root: string,
  o: { build?: PageBuilder; vite?: (root: string) => string | undefined; say?: (text: string) => void; page?: string } = {},
): string {
  const page = o.page ?? 'index.html';
  const built = join(root, 'dist', 'public');
  if (existsSync(join(built, page))) return built;
  const vite = existsSync(join(root, 'public', page)) ? (o.vite ?? findVite)(root) : undefined;
  if (vite === undefined) throw new DemoPageMissing(`${NOT_BUILT_HINT} (no ${join(built, page)})`);
  o.say?.(page === 'index.html' ? 'building the demo page (vite build)…' : `building the pages (vite build) for ${page}…`);
  if (!(o.build ?? viteBuild)(root, vite) || !existsSync(join(built, page))) {
    throw new DemoPageMissing(`building the demo page failed (see above); ${NOT_BUILT_HINT}`);
  }
  return built;
}
