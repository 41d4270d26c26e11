/**
 * `Cluster`: one test's erlmesh cluster — an http server serving the tab page, the relay on
 * the same server, server-nodes in the test process, and tab-nodes in browser pages.
 * Made and torn down by the `cluster` fixture (./index.ts); usable without it through
 * `startCluster({ browser, context })`.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { Node } from '../core/node/node.js';
import { startNode, type ServerNodeOptions } from '../server/start-node.js';
import { startRelay, type Relay, type RelayLogLine } from '../server/relay/index.js';
import { mintTicket } from '../server/tickets.js';
import type { HarnessStartOptions } from '../browser/harness/api.js';
import { findPageRoot, notBuiltError, pageRootCandidates, startPageServer, type PageServer } from './pages.js';
import { fromWireError, Tab, type TabError } from './tab.js';
import { startClusterObserver, type ClusterObserver, type ClusterObserverOptions } from './observer.js';

/**
 * Options of the `cluster` fixture: `test.use({ clusterOptions: { … } })`.
 *
 * @example
 * test.use({ clusterOptions: { cookie: 'fixed', root: 'build/pages', pageConsole: true } });
 */
export interface ClusterOptions {
  /** The cluster cookie; default: a fresh random cookie per test. */
  cookie?: string;
  /** The host part of every name (short names): default 'erlmesh', so tabs and servers share it. */
  host?: string;
  /** Directory of the built pages; default: `dist/public` (see pages.ts for the search). */
  root?: string;
  /** Path of the tab page under `root` (default '/tab.html'); it must load the erlmesh tab harness. */
  tabPath?: string;
  /** Print the relay's info lines too (its warnings and errors are always printed). Default false. */
  logRelayInfo?: boolean;
  /** Print the pages' console output in the test's output (errors thrown in pages always are). Default false. */
  pageConsole?: boolean;
}

/**
 * Options of `cluster.tab()`.
 *
 * @example
 * const guest = await cluster.tab({ name: 'tab-guest', context: 'new', ticket: { role: 'guest' } });
 */
export interface TabOptions {
  /**
   * Which browser context the page opens in: 'shared' (default: the test's `context`
   * fixture; tabs in it share storage like tabs of one browser window), 'new' (a fresh
   * `browser.newContext()`, closed after the test), or a context of your own.
   */
  context?: 'shared' | 'new' | BrowserContext;
  /** The node's name: a short name ('alice' → 'alice@erlmesh') or a full one; default `tab-<random>@<host>`. */
  name?: string;
  /** The cookie this tab uses; default the cluster's. A wrong one makes `tab()` reject with code 'bad_cookie'. */
  cookie?: string;
  /**
   * Join with a ticket instead of the cookie (an untrusted tab; the page never sees the
   * cookie): `true` for role 'guest', or the role, prefix and lifetime of the ticket minted
   * with the cluster's cookie (defaults: 'guest'; the tab's full name when `name` is given,
   * else 'tab-'; 10 minutes), or a ticket string of your own (`cluster.ticket()`).
   */
  ticket?: true | string | TicketSpec;
  hidden?: boolean;
  connectAll?: boolean;
  tickMs?: number;
  /**
   * Talk to tabs of the same browser context over BroadcastChannel instead of through the
   * relay (the tab `startNode`'s `broadcast`; default true).
   */
  broadcast?: boolean;
}

/**
 * What `cluster.ticket()` mints (see `mintTicket` of erlmesh/server).
 *
 * @example
 * const expired = cluster.ticket({ role: 'guest', ttlMs: 1_000, now: Date.now() - 60_000 });
 */
export interface TicketSpec {
  role?: string;
  prefix?: string;
  ttlMs?: number;
  /** Issue time, ms since the epoch (default now): a past one makes an expired ticket. */
  now?: number;
}

/**
 * The error `cluster.tab()` rejects with when the tab-node cannot start; the page stays open
 * (and is closed after the test).
 *
 * @example
 * const err = (await cluster.tab({ cookie: 'wrong' }).catch((e) => e)) as TabStartError;
 * expect(err.code).toBe('bad_cookie');
 * await expect(err.page.locator('#status')).toHaveText('bad_cookie');
 */
export interface TabStartError extends TabError {
  /** The page that failed to start, e.g. to look at `#status` / `#error`. */
  page: Page;
}

/**
 * One test's cluster: the relay, server-nodes in the test process and tab-nodes in pages
 * (the `cluster` fixture).
 *
 * @example
 * test('partition', async ({ cluster }) => {
 *   const srv = await cluster.server('srv');
 *   const tab = await cluster.tab();
 *   cluster.partition([srv], [tab]);
 *   expect(await srv.ping(tab.name)).toBe('pang');
 *   cluster.heal();
 * });
 */
export interface Cluster {
  /** The cluster cookie (random per test unless `clusterOptions.cookie`). */
  readonly cookie: string;
  /** The page origin, e.g. `http://127.0.0.1:41234`; the tab page is `url + '/tab.html'`. */
  readonly url: string;
  /** The relay's WebSocket URL, `ws://127.0.0.1:41234/erlmesh`. */
  readonly relayUrl: string;
  /** The host part of every node name ('erlmesh'): `srv` is `srv@erlmesh`. */
  readonly host: string;
  /** The relay itself (stats, kick, names…). */
  readonly relay: Relay;
  /** The full name for a short one: `cluster.nodeName('srv')` → 'srv@erlmesh'. Full names pass through. */
  nodeName(name: string): string;
  /**
   * Start a server-node in the test process (`erlmesh/server`'s `startNode`, relayed only
   * unless `opts.direct` is given — `{ direct: true }` joins server-nodes by direct links, as
   * in production — output and logs dropped unless given in `opts`). Stopped after the test.
   */
  server(sname: string, opts?: Partial<ServerNodeOptions>): Promise<Node>;
  /** A join ticket signed with the cluster cookie (defaults: role 'guest', prefix 'tab-', 10 minutes). */
  ticket(spec?: TicketSpec): string;
  /** Open a tab-node (see `TabOptions`); resolves once the node is up and joined the mesh. */
  tab(opts?: TabOptions): Promise<Tab>;
  /**
   * Open the tab page without starting a node: `window.erlmesh` (the browser entry, plus
   * `RelayTransport`) and `window.erlmeshHarness` are ready. Closed after the test.
   */
  page(opts?: Pick<TabOptions, 'context'>): Promise<Page>;
  /** The tabs this cluster opened (closed ones included). */
  tabs(): Tab[];
  /**
   * Serve the observer page (`erlmesh observer`) for this cluster from a hidden server-node
   * (`observer@<host>`): every node, tabs included, its processes, names and the relay's view.
   * Open `obs.url` in a page. Closed after the test.
   */
  observer(opts?: ClusterObserverOptions): Promise<ClusterObserver>;
  /**
   * Cut every connection between the nodes of `a` and those of `b` at the relay, and refuse
   * new ones until `heal()`: both sides see nodedown ('connection_closed'). Direct links
   * between server-nodes are cut too: the relay tells the nodes, which close and refuse them
   * (as that message travels, wait for the nodedown before asserting that nothing passes).
   * Accepts short names, full names, tabs and nodes. (Playwright's offline mode does not cut
   * WebSockets.)
   */
  partition(a: NodeRef[], b: NodeRef[]): void;
  /**
   * Lift every partition. As in Erlang, nodes connect again when they next talk to each
   * other (a message, an rpc, `ping`): nodeup follows that.
   */
  heal(): void;
  /** Drop a node's relay socket (its peers see nodedown); false if it is not registered. */
  kick(node: NodeRef, reason?: string): boolean;
  /** The nodes registered at the relay, sorted. */
  nodes(): string[];
  /**
   * Every line the relay logged so far (info included): `registered`, `left` (with the
   * socket's close `code`: '1000' when a node stopped cleanly), `refused` (with the refusal
   * `code`), `partition`, …
   */
  relayLog(): RelayLogLine[];
}

/**
 * A node named by a short name, a full name, a `Tab` or a `Node`.
 *
 * @example
 * const refs: NodeRef[] = ['srv', 'other@erlmesh', tab, node];
 * cluster.partition(refs.slice(0, 2), refs.slice(2));
 */
export type NodeRef = string | { readonly name: string };

/**
 * What `startCluster` needs from Playwright.
 *
 * @example
 * const deps: ClusterDeps = { browser, context, options: { cookie: 'fixed' }, log: () => {} };
 */
export interface ClusterDeps {
  browser: Browser;
  /** The context 'shared' tabs open in. */
  context: BrowserContext;
  options?: ClusterOptions;
  /** Where log lines go (default console). */
  log?: (line: string) => void;
}

/**
 * A cluster plus its teardown.
 *
 * @example
 * const cluster: OwnedCluster = await startCluster({ browser, context });
 * try { await cluster.tab(); } finally { await cluster.dispose(); }
 */
export interface OwnedCluster extends Cluster {
  /** Close every tab and context it opened, stop its server-nodes, the relay and the http server. */
  dispose(): Promise<void>;
}

/** Poll `f` until it gives a value, for at most `ms`. */
async function waitFor<T>(f: () => T | undefined, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Start a cluster (the fixture does this per test); for a fixture or a script of your own.
 *
 * @example
 * const browser = await chromium.launch();
 * const context = await browser.newContext();
 * const cluster = await startCluster({ browser, context });
 * const tab = await cluster.tab();
 * await cluster.dispose();
 */
export async function startCluster(deps: ClusterDeps): Promise<OwnedCluster> {
  const o = deps.options ?? {};
  const log = deps.log ?? ((line: string) => console.log(line));
  const cookie = o.cookie ?? randomBytes(12).toString('hex');
  const host = o.host ?? 'erlmesh';
  const tabPath = o.tabPath ?? '/tab.html';
  const candidates = pageRootCandidates(o.root);
  const tabFile = tabPath.replace(/^\//, '');
  const rootNow = () => findPageRoot(candidates, tabFile);
  const http: PageServer = await startPageServer(rootNow);
  let relay: Relay;
  const relayLines: RelayLogLine[] = [];
  try {
    relay = await startRelay({
      server: http.server,
      cookie,
      logger: (line) => {
        relayLines.push(line);
        if (line.level === 'info' && !o.logRelayInfo) return;
        log(`[relay ${line.level}] ${line.event}${line.name ? ` ${line.name}` : ''}${line.code ? ` (${line.code})` : ''}${line.detail ? `: ${line.detail}` : ''}`);
      },
    });
  } catch (e) {
    await http.close();
    throw e;
  }
  const relayUrl = `ws://127.0.0.1:${http.port}/erlmesh`;
  const servers: Node[] = [];
  const tabs: Tab[] = [];
  const pages: Page[] = [];
  const contexts: BrowserContext[] = [];
  const observers: ClusterObserver[] = [];

  const nodeName = (n: string): string => (n.includes('@') ? n : `${n}@${host}`);
  const refName = (r: NodeRef): string => nodeName(typeof r === 'string' ? r : r.name);

  /** Open the tab page and wait for its harness (again, if a rebuild of the pages was under way). */
  const openPage = async (which: TabOptions['context']): Promise<Page> => {
    if ((await waitFor(rootNow, 3_000)) === undefined) throw notBuiltError(candidates, tabFile);
    let context: BrowserContext;
    if (which === undefined || which === 'shared') context = deps.context;
    else if (which === 'new') {
      context = await deps.browser.newContext();
      contexts.push(context);
    } else context = which;
    const page = await context.newPage();
    pages.push(page);
    const label = () => `[page #${pages.indexOf(page) + 1}]`;
    page.on('pageerror', (e) => log(`${label()} uncaught: ${e.stack ?? e.message}`));
    if (o.pageConsole) page.on('console', (m) => log(`${label()} console.${m.type()}: ${m.text()}`));
    for (let attempt = 1; ; attempt++) {
      await page.goto(http.url + tabPath);
      const loaded = await page
        .waitForFunction(() => window.erlmeshHarness !== undefined, undefined, { timeout: 5_000, polling: 20 })
        .then(() => true, () => false);
      if (loaded) return page;
      if (attempt === 3) {
        throw new Error(
          `erlmesh/playwright: ${http.url + tabPath} (served from ${rootNow() ?? 'nowhere'}) did not load the erlmesh ` +
            'tab harness (window.erlmeshHarness) in 3 attempts: is that directory the output of `npx vite build`?',
        );
      }
      log(`${label()} the tab harness did not load; reloading (were the pages being rebuilt?)`);
    }
  };

  const cluster: OwnedCluster = {
    cookie,
    url: http.url,
    relayUrl,
    host,
    relay,
    nodeName,

    async server(sname, opts = {}) {
      const node = await startNode({
        sname,
        host,
        cookie,
        relay: relayUrl,
        startRelay: false,
        direct: false,
        output: false,
        logger: false,
        ...opts,
      });
      servers.push(node);
      return node;
    },

    async page(opts = {}) {
      return openPage(opts.context);
    },

    async tab(opts = {}) {
      const here = new Error();
      const page = await openPage(opts.context);
      const context = page.context();
      const start: HarnessStartOptions = { host };
      if (opts.ticket !== undefined) {
        // The harness passes its options to startNode as they are: a ticket string, no cookie.
        const t = opts.ticket;
        const spec: TicketSpec = typeof t === 'object' ? t : {};
        start.ticket =
          typeof t === 'string' ? t : cluster.ticket({ ...spec, prefix: spec.prefix ?? (opts.name !== undefined ? nodeName(opts.name) : 'tab-') });
      } else {
        start.cookie = opts.cookie ?? cookie;
      }
      if (opts.name !== undefined) {
        const full = nodeName(opts.name);
        if (full.split('@')[1]!.includes('.')) start.name = full;
        else start.sname = full;
      }
      if (opts.hidden !== undefined) start.hidden = opts.hidden;
      if (opts.connectAll !== undefined) start.connectAll = opts.connectAll;
      if (opts.tickMs !== undefined) start.tickMs = opts.tickMs;
      if (opts.broadcast !== undefined) start.broadcast = opts.broadcast;
      const r = await page.evaluate((s) => window.erlmeshHarness.start(s), start);
      if (!r.ok) {
        const e = fromWireError(r.error, 'cluster.tab(): the tab-node did not start', here) as TabStartError;
        e.page = page;
        throw e;
      }
      const tab = new Tab(page, context, r.name);
      tabs.push(tab);
      return tab;
    },

    ticket: (spec = {}) =>
      mintTicket({ cookie, role: spec.role ?? 'guest', prefix: spec.prefix ?? 'tab-', ttlMs: spec.ttlMs ?? 10 * 60_000, ...(spec.now !== undefined ? { now: spec.now } : {}) }),

    tabs: () => [...tabs],
    async observer(opts = {}) {
      const obs = await startClusterObserver(opts, { candidates, relay, relayUrl, server: (sname, extra) => cluster.server(sname, extra) });
      observers.push(obs);
      return obs;
    },
    partition: (a, b) => relay.partition(a.map(refName), b.map(refName)),
    heal: () => relay.heal(),
    kick: (n, reason) => relay.kick(refName(n), reason),
    nodes: () => relay.names().map((e) => e.name).sort(),
    relayLog: () => [...relayLines],

    async dispose() {
      const errors: unknown[] = [];
      const attempt = async (f: () => Promise<unknown>) => {
        try {
          await f();
        } catch (e) {
          errors.push(e);
        }
      };
      await Promise.all(pages.map((p) => attempt(() => p.close())));
      await Promise.all(contexts.map((c) => attempt(() => c.close())));
      await Promise.all(observers.map((obs) => attempt(() => obs.close())));
      await Promise.all(servers.map((n) => attempt(() => n.stop())));
      await attempt(() => relay.close());
      await attempt(() => http.close());
      if (errors.length) throw new AggregateError(errors, `erlmesh/playwright: cluster teardown failed: ${errors.map(String).join('; ')}`);
    },
  };
  return cluster;
}
