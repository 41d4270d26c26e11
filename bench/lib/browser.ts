/**
 * The browser scenario: four tab-nodes in headless Chromium (playwright-core, one browser
 * context) and one server-node (bench/proc/peer.ts), with a relay in its own process that also
 * serves the tab page (tab.html, `window.erlmesh` = the browser entry; see `preparePages`).
 * Tabs A and B start with `broadcast: false` (everything through the relay); tabs C and D with
 * the default, so their connection moves onto BroadcastChannel.
 *
 * Round trip = a process of tab A (or C) sends [self, i] to an echo process (bench:echo,
 * spawned there by it) on tab B, the server-node or tab D, and awaits ['pong', i]; timed
 * inside the page with performance.now(), after warm-up round trips. The page server sends the
 * cross-origin isolation headers, so Chromium's timer resolution is 5 µs rather than 100 µs.
 *
 * The floors, in the same pages with no erlmesh: a 48-byte binary message from A through a
 * bare WebSocket forwarder (bench/proc/ws-floor.ts, in the relay's process) to B, which sends
 * it back the same way, and the same from C to D over a bare BroadcastChannel. Every kind is
 * measured in ROUNDS turns, the kinds taking turns, so that the ratios to the floor hold on a
 * machine whose load changes during the run.
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
/** Each kind of round trip is measured in this many turns (n / ROUNDS each), the kinds taking turns. */
const ROUNDS = 4;

/** Timer resolution, measured in the page. */
const TICK = `() => {
  let tick = Infinity;
  for (let k = 0; k < 1000; k++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    tick = Math.min(tick, b - a);
  }
  return tick;
}`;

const START_TAB = `async ({ cookie, relay, name, broadcast }) => {
  const E = window.erlmesh;
  const node = await E.startNode({ cookie, relay, name, broadcast });
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
  const tick = (${TICK})();
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

/** Floor, echo side: send back every binary message (WebSocket to the forwarder, or a BroadcastChannel). */
const FLOOR_ECHO = `async ({ ws, bc }) => {
  if (bc) {
    const ch = new BroadcastChannel(bc);
    ch.onmessage = (ev) => ch.postMessage(ev.data);
    window.floorBc = ch;
    return;
  }
  const s = new WebSocket(ws + '?side=b');
  s.binaryType = 'arraybuffer';
  await new Promise((ok, fail) => { s.onopen = ok; s.onerror = () => fail(new Error('floor socket failed')); });
  s.onmessage = (ev) => { if (typeof ev.data !== 'string') s.send(ev.data); };
  window.floorWs = s;
}`;

/** Floor, timing side: open the socket (or channel) once, kept as window.floorA for FLOOR_TIME. */
const FLOOR_OPEN = `async ({ ws, bc }) => {
  const f = { next: () => {} };
  if (bc) {
    const ch = new BroadcastChannel(bc);
    ch.onmessage = (ev) => f.next(ev.data);
    f.post = (m) => ch.postMessage(m);
  } else {
    const s = new WebSocket(ws + '?side=a');
    s.binaryType = 'arraybuffer';
    await new Promise((ok, fail) => {
      s.onmessage = (ev) => { if (ev.data === 'ready') ok(); };
      s.onerror = () => fail(new Error('floor socket failed'));
    });
    s.onmessage = (ev) => f.next(ev.data);
    f.post = (m) => s.send(m);
  }
  (window.floorA ??= {})[bc ? 'bc' : 'ws'] = f;
}`;

/** Floor, timing side: warm + n round trips of a 48-byte message on what FLOOR_OPEN opened. */
const FLOOR_TIME = `async ({ kind, warm, n }) => {
  const f = window.floorA[kind];
  const buf = new Uint8Array(48);
  const rt = (i) => new Promise((res) => { f.next = res; buf[0] = i & 255; f.post(buf); });
  for (let i = 0; i < warm; i++) await rt(i);
  const times = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await rt(i);
    times[i] = (performance.now() - t0) * 1000;
  }
  return times;
}`;

export interface BrowserResult {
  /** Bare WebSocket round trip tab → forwarder → tab → forwarder → tab. */
  wsFloor: Summary;
  /** The WebSocket floor of each round. */
  wsFloorRuns: Summary[];
  /** Bare BroadcastChannel round trip between two tabs. */
  bcFloor: Summary;
  tabToTab: Summary;
  tabToServer: Summary;
  /** Tab → tab with both on BroadcastChannel (`broadcast`, the default). */
  tabToTabBroadcast: Summary;
  /** Frames the relay routed during the BroadcastChannel round trips (warm-up included). */
  relayFramesDuringBroadcast: number;
  /** Frames the relay routed during the relayed tab → tab round trips. */
  relayFramesDuringRelayed: number;
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
  const relay = await scope.node<{ url: string; http: string; floor: string }>('relay.ts', { cookie: opts.cookie, pages: opts.pages }, { label: 'relay' });
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
    const open = async (name: string, broadcast: boolean): Promise<import('playwright-core').Page> => {
      const page = await context.newPage();
      await page.goto(`${relay.info.http}/tab.html`);
      await page.waitForFunction(() => (window as unknown as { erlmesh?: unknown }).erlmesh !== undefined, undefined, { timeout: 30_000 });
      await page.evaluate(`(${START_TAB})(${JSON.stringify({ cookie: opts.cookie, relay: relay.info.url, name, broadcast })})`);
      return page;
    };
    const run = <T>(page: import('playwright-core').Page, fn: string, arg: object, what: string): Promise<T> =>
      withTimeout(page.evaluate(`(${fn})(${JSON.stringify(arg)})`) as Promise<T>, opts.timeoutMs, what);
    const a = await open('taba@127.0.0.1', false);
    const b = await open('tabb@127.0.0.1', false);
    const c = await open('tabc@127.0.0.1', true);
    const d = await open('tabd@127.0.0.1', true);
    // The floors' sockets and channels stay open across the rounds, as erlmesh's do.
    const opened = run(a, FLOOR_OPEN, { ws: relay.info.floor }, 'WebSocket floor');
    await run(b, FLOOR_ECHO, { ws: relay.info.floor }, 'WebSocket floor echo');
    await opened;
    await run(d, FLOOR_ECHO, { bc: 'bench-floor' }, 'BroadcastChannel floor echo');
    await run(c, FLOOR_OPEN, { bc: 'bench-floor' }, 'BroadcastChannel floor');
    const floorWs = (warm: number, n: number): Promise<number[]> => run<number[]>(a, FLOOR_TIME, { kind: 'ws', warm, n }, 'WebSocket floor');
    const routed = async (): Promise<number> => (await relay.request<{ framesRouted: number }>('stats')).framesRouted;
    const measure = (from: import('playwright-core').Page, target: string, warm: number, n: number): Promise<RoundTrips> =>
      run<RoundTrips>(from, ROUND_TRIPS, { target, warm, n }, `round trips to ${target}`);
    // In rounds, each kind in turn, so that a change of load on the machine hits every row alike.
    const samples = { ws: [] as number[], tt: [] as number[], ts: [] as number[], tb: [] as number[], bc: [] as number[] };
    const wsRounds: Summary[] = [];
    let relayFramesDuringRelayed = 0;
    let relayFramesDuringBroadcast = 0;
    let first: RoundTrips | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const warm = round === 0 ? opts.warm : Math.ceil(opts.warm / 10);
      const n = Math.ceil(opts.n / ROUNDS);
      const ws = await floorWs(warm, n);
      wsRounds.push(summarize(ws));
      samples.ws.push(...ws);
      let r0 = await routed();
      const tt = await measure(a, 'tabb@127.0.0.1', warm, n);
      relayFramesDuringRelayed += (await routed()) - r0;
      first ??= tt;
      samples.tt.push(...tt.times);
      samples.ts.push(...(await measure(a, server.info.name, warm, n)).times);
      r0 = await routed();
      samples.tb.push(...(await measure(c, 'tabd@127.0.0.1', warm, n)).times);
      relayFramesDuringBroadcast += (await routed()) - r0;
      samples.bc.push(...(await run<number[]>(c, FLOOR_TIME, { kind: 'bc', warm, n }, 'BroadcastChannel floor')));
    }
    const tt = first!;
    const visB = (await b.evaluate('document.visibilityState')) as string;
    const stats = await relay.request<{ framesRouted: number }>('stats');
    return {
      wsFloor: summarize(samples.ws),
      wsFloorRuns: wsRounds,
      bcFloor: summarize(samples.bc),
      tabToTab: summarize(samples.tt),
      tabToServer: summarize(samples.ts),
      tabToTabBroadcast: summarize(samples.tb),
      relayFramesDuringBroadcast,
      relayFramesDuringRelayed,
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
