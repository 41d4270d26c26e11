/**
 * The browser scenario: two tab-nodes in headless Chromium (playwright-core) and one
 * server-node (bench/proc/peer.ts), all through a relay in its own process that also serves
 * the tab page (tab.html, `window.erlmesh` = the browser entry; see `preparePages`).
 *
 * Round trip = a process of tab A sends [self, i] to an echo process (bench:echo, spawned
 * there by A) on tab B or on the server-node and awaits ['pong', i]; timed inside the page
 * with performance.now(), after warm-up round trips. The page server sends the cross-origin
 * isolation headers, so Chromium's timer resolution is 5 µs rather than 100 µs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/playwright/chromium.js';
import type { Browser } from 'playwright-core';
import { BUILD_DIR, REPO, type Scope, withTimeout } from './children.js';
import { summarize, type Summary } from './stats.js';
import { which } from './erlang.js';

/** The pages `npx vite build` writes by default (what `npm test` and `npm start` serve). */
export const DIST_PAGES = join(REPO, 'dist/public');
export { CHROMIUM_ARGS };

/** The Chromium to use: $ERLMESH_CHROMIUM (or $CHROMIUM_PATH), else the usual paths, else chromium on PATH. */
export function findChromium(): string | undefined {
  if (process.env.ERLMESH_CHROMIUM || process.env.CHROMIUM_PATH) return chromiumPath();
  return chromiumPath() ?? which('chromium') ?? which('chromium-browser') ?? which('google-chrome');
}

/**
 * The tab page to serve: built now from the current sources with `vite build` into the
 * bench's own directory (never touching dist/public, which the e2e tests use), else
 * dist/public when that build fails but a built page is there, else undefined.
 */
export function preparePages(): { dir?: string; how: string } {
  const out = join(BUILD_DIR, 'pages');
  const vite = join(REPO, 'node_modules/.bin/vite');
  const b = spawnSync(vite, ['build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (b.status === 0 && existsSync(join(out, 'tab.html'))) return { dir: out, how: 'vite build of the current sources' };
  const why = `vite build failed: ${(b.stderr || b.stdout || String(b.error)).trim().split('\n').slice(-3).join(' ')}`;
  if (existsSync(join(DIST_PAGES, 'tab.html'))) return { dir: DIST_PAGES, how: `dist/public as found (${why})` };
  return { how: why };
}

// In-page code, as source text: functions compiled by tsx may carry helpers (esbuild's
// __name) that do not exist in the page.
const START_TAB = `async ({ cookie, relay, name }) => {
  const E = window.erlmesh;
  const node = await E.startNode({ cookie, relay, name });
  window.node = node;
  node.load(E.defineModule('bench', {
    echo: async (self) => {
      for (;;) {
        const m = await self.receive();
        self.send(m[0], ['pong', m[1]]);
      }
    },
  }));
  return node.name;
}`;

const ROUND_TRIPS = `async ({ target, warm, n }) => {
  const node = window.node;
  let tick = Infinity;
  for (let k = 0; k < 1000; k++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    tick = Math.min(tick, b - a);
  }
  const times = await new Promise((resolve, reject) => {
    node.spawn(async (self) => {
      try {
        const echo = await self.spawn(target, 'bench', 'echo', []);
        const rt = async (i) => {
          self.send(echo, [self.pid, i]);
          await self.receive((m) => Array.isArray(m) && m[0] === 'pong' && m[1] === i);
        };
        for (let i = 0; i < warm; i++) await rt(i);
        const out = new Array(n);
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          await rt(warm + i);
          out[i] = (performance.now() - t0) * 1000;
        }
        self.exit(echo, 'kill');
        resolve(out);
      } catch (e) {
        reject(e);
      }
    });
  });
  return {
    times,
    isolated: globalThis.crossOriginIsolated === true,
    timerResolutionUs: tick * 1000,
    visibility: document.visibilityState,
  };
}`;

export interface BrowserResult {
  tabToTab: Summary;
  tabToServer: Summary;
  chromium: string;
  crossOriginIsolated: boolean;
  timerResolutionUs: number;
  visibility: string[];
  relayFrames: number;
}

interface RoundTrips {
  times: number[];
  isolated: boolean;
  timerResolutionUs: number;
  visibility: string;
}

export async function runBrowser(
  scope: Scope,
  opts: { executablePath: string; pages: string; cookie: string; warm: number; n: number; timeoutMs: number },
): Promise<BrowserResult> {
  const { chromium } = await import('playwright-core');
  const relay = await scope.node<{ url: string; http: string }>('relay.ts', { cookie: opts.cookie, pages: opts.pages }, { label: 'relay' });
  const server = await scope.node<{ name: string }>(
    'peer.ts',
    { name: 'srv@127.0.0.1', cookie: opts.cookie, relay: relay.info.url, direct: false },
    { label: 'server-node' },
  );
  let browser: Browser | undefined;
  const close = scope.add({ kill: () => void browser?.close().catch(() => undefined) });
  try {
    browser = await chromium.launch({ executablePath: opts.executablePath, args: [...CHROMIUM_ARGS], headless: true, timeout: 60_000 });
    const context = await browser.newContext();
    const open = async (name: string): Promise<import('playwright-core').Page> => {
      const page = await context.newPage();
      await page.goto(`${relay.info.http}/tab.html`);
      await page.waitForFunction(() => (window as unknown as { erlmesh?: unknown }).erlmesh !== undefined, undefined, { timeout: 30_000 });
      await page.evaluate(`(${START_TAB})(${JSON.stringify({ cookie: opts.cookie, relay: relay.info.url, name })})`);
      return page;
    };
    const a = await open('taba@127.0.0.1');
    const b = await open('tabb@127.0.0.1');
    const measure = (target: string): Promise<RoundTrips> =>
      withTimeout(
        a.evaluate(`(${ROUND_TRIPS})(${JSON.stringify({ target, warm: opts.warm, n: opts.n })})`) as Promise<RoundTrips>,
        opts.timeoutMs,
        `round trips to ${target}`,
      );
    const tt = await measure('tabb@127.0.0.1');
    const ts = await measure(server.info.name);
    const visB = (await b.evaluate('document.visibilityState')) as string;
    const stats = await relay.request<{ framesRouted: number }>('stats');
    return {
      tabToTab: summarize(tt.times),
      tabToServer: summarize(ts.times),
      chromium: browser.version(),
      crossOriginIsolated: tt.isolated,
      timerResolutionUs: tt.timerResolutionUs,
      visibility: [tt.visibility, visB],
      relayFrames: stats.framesRouted,
    };
  } finally {
    close.kill();
    await browser?.close().catch(() => undefined);
  }
}
