/**
 * The http server of a cluster: serves the built pages (`dist/public`: `tab.html` and its
 * assets) on 127.0.0.1 with a free port; the relay attaches to the same server (path
 * /erlmesh), so a tab-node's default relay URL (its page origin + /erlmesh) is right.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticHandler } from '../server/cli/static-files.js';

/**
 * Where the built pages are looked for, first match wins: the `root` option, else the
 * package's `dist/public` (from `src/playwright` when run from source, from
 * `dist/src/playwright` when installed), else `./dist/public` of the working directory.
 * (Never `public/` itself: those are the unbuilt sources.)
 */
export function pageRootCandidates(root?: string): string[] {
  if (root !== undefined) return [resolve(root)];
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  return [...new Set([here('../../dist/public'), here('../../../dist/public'), resolve(process.cwd(), 'dist/public')])];
}

/** The first candidate holding `page` (e.g. 'tab.html'), or undefined. */
export function findPageRoot(candidates: string[], page: string): string | undefined {
  return candidates.find((dir) => existsSync(resolve(dir, page)));
}

/** The error a cluster gives when the tab page was not built. */
export function notBuiltError(candidates: string[], page: string): Error {
  return new Error(
    `erlmesh/playwright: ${page} not found (looked in ${candidates.join(', ')}). ` +
      'Build the pages first: npx vite build (it writes dist/public/index.html and dist/public/tab.html), ' +
      'or pass clusterOptions.root.',
  );
}

export interface PageServer {
  readonly server: Server;
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serve the directory `root()` names (asked again on every request, so a rebuild that
 * replaces it is picked up), or the "not built" page while it is undefined, on 127.0.0.1
 * with a free port.
 */
export async function startPageServer(root: () => string | undefined): Promise<PageServer> {
  const server = createServer((req, res) => staticHandler(root())(req, res));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closed ??= new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      })),
  };
}
