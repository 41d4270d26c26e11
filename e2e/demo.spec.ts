/**
 * The demo page, end to end, as `npm start` runs it: `node bin/erlmesh.js demo` (from the
 * sources, own HOME so ~/.erlang.cookie is sandboxed) serving dist/public (build it first:
 * `npx vite build`), and tabs in Chromium driving the page only through its UI.
 *
 * `ERLMESH_SCREENSHOTS=1 npx playwright test e2e/demo.spec.ts -g screenshots` refreshes
 * docs/demo.png and docs/demo-phone.png.
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../src/server/start-node.js';

const ROOT = process.cwd();

interface Demo {
  url: string;
  child: ChildProcessWithoutNullStreams;
  home: string;
  output: () => string;
}

let demo: Demo;

/** Start `erlmesh demo --port 0` and wait for its "open <URL>" line. */
async function startDemo(): Promise<Demo> {
  if (!existsSync(join(ROOT, 'dist/public/index.html'))) throw new Error('dist/public is not built: run `npx vite build` first');
  const home = mkdtempSync(join(tmpdir(), 'erlmesh-demo-e2e-'));
  const child = spawn(process.execPath, ['bin/erlmesh.js', 'demo', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, ERLMESH_FROM_SOURCE: '1', ERLMESH_COOKIE: '' },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`erlmesh demo did not print its URL:\n${out}`)), 30_000);
    const check = () => {
      const m = /erlmesh demo: open (http:\/\/\S+)/.exec(out);
      if (m && /node demo@\S+ \(kvs started\)/.test(out)) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`erlmesh demo exited (${code}):\n${out}`));
    });
  });
  return { url, child, home, output: () => out };
}

async function stopDemo(d: Demo | undefined): Promise<void> {
  if (!d) return;
  if (d.child.exitCode === null && d.child.signalCode === null) {
    const exited = new Promise((resolve) => d.child.once('exit', resolve));
    d.child.kill('SIGTERM');
    const timer = setTimeout(() => d.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(d.home, { recursive: true, force: true });
}

test.beforeAll(async () => {
  demo = await startDemo();
});

test.afterAll(async () => {
  // ERLMESH_DEMO_LOG=FILE keeps the demo process's output (relay log, node warnings) for debugging.
  if (process.env.ERLMESH_DEMO_LOG) (await import('node:fs')).writeFileSync(process.env.ERLMESH_DEMO_LOG, demo?.output() ?? '');
  await stopDemo(demo);
});

/** Uncaught errors and console.error lines of the pages a test opened. */
let pageErrors: string[] = [];

test.afterEach(() => {
  const errors = pageErrors;
  pageErrors = [];
  expect(errors, 'errors in the page').toEqual([]);
});

/** Open the demo in `page`; resolves with the tab-node's name once the page shows it. */
async function openTab(page: Page): Promise<string> {
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
  });
  await page.goto(demo.url);
  const name = page.getByTestId('self-name');
  await expect(name).toHaveText(/^tab-[a-z0-9]+@\S+$/);
  return (await name.textContent())!;
}

function nodeItem(page: Page, name: string) {
  return page.getByTestId('node-list').locator(`[data-testid="node-item"][data-node="${name}"]`);
}

/** The server-node's name, as the page lists it. */
async function serverName(page: Page): Promise<string> {
  const item = page.getByTestId('node-list').locator('[data-testid="node-item"][data-kind="server"]', { hasText: 'demo@' });
  await expect(item).toHaveCount(1);
  return (await item.getAttribute('data-node'))!;
}

async function kvs(page: Page, node: string, action: 'start' | 'store' | 'lookup', key?: string, value?: string): Promise<void> {
  // Two tabs of one window: switch to this one, as a user would (a background tab gets no
  // animation frames, which Playwright's actionability checks wait for).
  await page.bringToFront();
  await page.getByTestId('kvs-node').selectOption(node);
  if (key !== undefined) await page.getByTestId('kvs-key').fill(key);
  if (value !== undefined) await page.getByTestId('kvs-value').fill(value);
  await page.getByTestId(`kvs-${action}`).click();
}

function kvsResult(page: Page) {
  return page.getByTestId('kvs-result');
}

async function newTab(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  return context.newPage();
}

test('two tabs see each other and share kvs values through the UI', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const a = await context.newPage();
  const b = await context.newPage();
  const nameA = await openTab(a);
  const nameB = await openTab(b);
  expect(nameA).not.toBe(nameB);
  const server = await serverName(a);
  expect(server).toMatch(/^demo@/);

  // Each tab lists itself, the server-node and the other tab.
  for (const [page, self, other] of [
    [a, nameA, nameB],
    [b, nameB, nameA],
  ] as const) {
    await expect(nodeItem(page, self)).toHaveAttribute('data-kind', 'this');
    await expect(nodeItem(page, server)).toHaveAttribute('data-kind', 'server');
    await expect(nodeItem(page, other)).toHaveAttribute('data-kind', 'tab');
  }
  await expect(a.getByTestId('event-log')).toContainText(`${nameB} is up`);

  // kvs on the server-node: `erlmesh demo` started it already, so start is a badrpc there.
  await kvs(a, server, 'start');
  await expect(kvsResult(a)).toHaveText(/^badrpc: \['EXIT', /);
  await expect(a.getByTestId('kvs-results')).toContainText('kvs is already running on that node.');
  await kvs(a, server, 'store', 'weather', 'fine');
  await expect(kvsResult(a)).toHaveText('true');
  await kvs(b, server, 'lookup', 'weather');
  await expect(kvsResult(b)).toHaveText("['ok', 'fine']");
  await kvs(b, server, 'lookup', 'no such key');
  await expect(kvsResult(b)).toHaveText('undefined');

  // kvs on tab B's own node, started and written from tab A.
  await kvs(a, nameB, 'start');
  await expect(kvsResult(a)).toHaveText('true');
  await kvs(b, nameB, 'lookup', 'weather');
  await expect(kvsResult(b)).toHaveText('undefined');
  await kvs(a, nameB, 'store', 'weather', 'fine');
  await expect(kvsResult(a)).toHaveText('true');
  await kvs(b, nameB, 'lookup', 'weather');
  await expect(kvsResult(b)).toHaveText("['ok', 'fine']");

  // Ping: pong from a live node, pang from a name nobody has.
  await a.bringToFront();
  await nodeItem(a, nameB).getByTestId('ping-button').click();
  await expect(nodeItem(a, nameB).getByTestId('ping-result')).toHaveText('pong');
  await a.getByTestId('ping-name').fill(`nobody@${server.split('@')[1]}`);
  await a.getByTestId('ping-name').press('Enter');
  await expect(a.getByTestId('ping-name-result')).toHaveText(/^pang/);

  // Tab B goes: A's list drops it, the log says nodedown, calls to it are badrpc: nodedown.
  await b.close();
  await expect(nodeItem(a, nameB)).toHaveCount(0);
  await expect(a.getByTestId('event-log')).toContainText(new RegExp(`${nameB.replace(/[.@-]/g, '\\$&')} is down \\(\\w+\\)`));
  await expect(a.getByTestId('kvs-node')).toHaveValue(nameB);
  await a.getByTestId('kvs-lookup').click();
  await expect(kvsResult(a)).toHaveText('badrpc: nodedown');
  await expect(nodeItem(a, server)).toBeVisible();
  await context.close();
});

test('remote spawn: output comes back to the tab, kill shows EXIT and DOWN', async ({ browser }) => {
  const a = await newTab(browser);
  const b = await newTab(browser);
  await openTab(a);
  const nameB = await openTab(b);
  const server = await serverName(a);
  const consoleA = a.getByTestId('spawn-console');

  // On the server-node.
  await a.getByTestId('spawn-node').selectOption(server);
  await a.getByTestId('spawn-button').click();
  const proc = a.getByTestId('proc').first();
  await expect(proc).toHaveAttribute('data-pid', new RegExp(`^<${server}\\.`));
  const pid = (await proc.getAttribute('data-pid'))!;
  await expect(consoleA).toContainText(`${pid} started on ${server}`);
  await proc.getByTestId('proc-message').fill('hello');
  await proc.getByTestId('proc-send').click();
  await expect(consoleA).toContainText(`${pid} got 'hello'`);
  await expect(a.getByTestId('event-log')).toContainText(`${pid} got 'hello'`);
  await proc.getByTestId('proc-kill').click();
  await expect(consoleA).toContainText(`['EXIT', ${pid}, 'killed']`);
  await expect(consoleA).toContainText(new RegExp(`\\['DOWN', #Ref<[^>]+>, 'process', ${pid.replace(/[.<>]/g, '\\$&')}, 'killed'\\]`));
  await expect(proc.getByTestId('proc-status')).toHaveText("exited: 'killed'");
  await expect(proc.getByTestId('proc-send')).toBeDisabled();

  // On the other tab: it runs there, prints here; when that tab goes, the signals say noconnection.
  await a.getByTestId('spawn-node').selectOption(nameB);
  await a.getByTestId('spawn-button').click();
  const inB = a.locator(`[data-testid="proc"][data-pid^="<${nameB}."]`);
  await expect(inB).toHaveCount(1);
  const pidB = (await inB.getAttribute('data-pid'))!;
  await inB.getByTestId('proc-message').fill('over there');
  await inB.getByTestId('proc-send').click();
  await expect(consoleA).toContainText(`${pidB} got 'over there'`);
  await b.context().close();
  await expect(consoleA).toContainText(`['EXIT', ${pidB}, 'noconnection']`);
  await expect(inB.getByTestId('proc-status')).toHaveText("exited: 'noconnection'");
  await a.context().close();
});

test('a hidden node that connects to the tab is listed, marked hidden, and its nodedown logged', async ({ browser }) => {
  const page = await newTab(browser);
  const name = await openTab(page);
  const cookie = readFileSync(join(demo.home, '.erlang.cookie'), 'utf8').trim();
  const spy = await startNode({ sname: 'spy', hidden: true, cookie, relay: new URL('/erlmesh', demo.url).href.replace(/^http/, 'ws'), startRelay: false, direct: false, output: false, logger: false });
  try {
    expect(await spy.ping(name)).toBe('pong');
    await expect(nodeItem(page, spy.name)).toHaveAttribute('data-kind', 'server');
    await expect(nodeItem(page, spy.name)).toContainText('hidden');
    await expect(page.getByTestId('event-log')).toContainText(`hidden node ${spy.name} is up`);
  } finally {
    await spy.stop();
  }
  await expect(nodeItem(page, spy.name)).toHaveCount(0);
  await expect(page.getByTestId('event-log')).toContainText(`hidden node ${spy.name} is down`);
  await page.context().close();
});

test('laptop: panels side by side; phone: stacked, no horizontal scrolling', async ({ browser }) => {
  const laptop = await newTab(browser, { width: 1280, height: 800 });
  await openTab(laptop);
  const box = async (page: Page, id: string) => (await page.getByTestId(`${id}-panel`).boundingBox())!;
  const [n, k, s] = [await box(laptop, 'nodes'), await box(laptop, 'kvs'), await box(laptop, 'spawn')];
  expect(Math.abs(n.y - k.y)).toBeLessThan(2);
  expect(Math.abs(k.y - s.y)).toBeLessThan(2);
  expect(n.x < k.x && k.x < s.x).toBe(true);
  expect(await laptop.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  const phone = await newTab(browser, { width: 375, height: 812 });
  await openTab(phone);
  const server = await serverName(phone);
  // Fill the page with long content: a result, a spawned process, output, signals.
  await kvs(phone, server, 'store', 'a rather long key for a phone screen', 'and an equally long value to wrap');
  await expect(kvsResult(phone)).toHaveText('true');
  await phone.getByTestId('spawn-node').selectOption(server);
  await phone.getByTestId('spawn-button').click();
  await phone.getByTestId('proc-send').first().click();
  await expect(phone.getByTestId('spawn-console')).toContainText("got 'hello'");
  await phone.getByTestId('proc-kill').first().click();
  await expect(phone.getByTestId('spawn-console')).toContainText("'DOWN'");
  const [pn, pk] = [await box(phone, 'nodes'), await box(phone, 'kvs')];
  expect(Math.abs(pn.x - pk.x)).toBeLessThan(2);
  expect(pk.y).toBeGreaterThan(pn.y + pn.height - 1);
  expect(await phone.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth])).toEqual([375, 375]);
  await laptop.context().close();
  await phone.context().close();
});

test('screenshots for the README', async ({ browser }) => {
  test.skip(!process.env.ERLMESH_SCREENSHOTS, 'set ERLMESH_SCREENSHOTS=1 to refresh docs/demo.png and docs/demo-phone.png');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const a = await newTab(browser, { width: 1280, height: 800 });
  const b = await newTab(browser, { width: 375, height: 812 });
  await openTab(a);
  const nameB = await openTab(b);
  const server = await serverName(a);
  // A stores on the server and in B; B looks both up.
  await kvs(a, server, 'store', 'weather', 'fine');
  await expect(kvsResult(a)).toHaveText('true');
  await kvs(a, nameB, 'start');
  await expect(kvsResult(a)).toHaveText('true');
  await kvs(b, server, 'lookup', 'weather');
  await expect(kvsResult(b)).toHaveText("['ok', 'fine']");
  await kvs(b, nameB, 'lookup', 'weather');
  await expect(kvsResult(b)).toHaveText('undefined');
  await kvs(a, server, 'lookup', 'weather');
  await expect(kvsResult(a)).toHaveText("['ok', 'fine']");
  // A spawns a printer on the server and one in B, talks to both, kills the first.
  for (const [target, msg] of [
    [server, 'hello'],
    [nameB, 'hi, tab'],
  ] as const) {
    await a.getByTestId('spawn-node').selectOption(target);
    await a.getByTestId('spawn-button').click();
    const proc = a.locator(`[data-testid="proc"][data-pid^="<${target}."]`);
    await expect(proc).toHaveCount(1);
    await proc.getByTestId('proc-message').fill(msg);
    await proc.getByTestId('proc-send').click();
    await expect(a.getByTestId('spawn-console')).toContainText(`got '${msg}'`);
  }
  await a.locator(`[data-testid="proc"][data-pid^="<${server}."]`).getByTestId('proc-kill').click();
  await expect(a.getByTestId('spawn-console')).toContainText("'DOWN'");
  await a.getByTestId('spawn-node').selectOption(server);
  await a.getByTestId('kvs-node').selectOption(server);
  await a.mouse.move(0, 0);
  await a.screenshot({ path: join(ROOT, 'docs/demo.png') });

  await b.getByTestId('spawn-node').selectOption(server);
  await b.getByTestId('spawn-button').click();
  await expect(b.getByTestId('spawn-console')).toContainText('started on');
  await b.evaluate(() => window.scrollTo(0, 0));
  await b.mouse.move(0, 0);
  await b.screenshot({ path: join(ROOT, 'docs/demo-phone.png') });
  await b.screenshot({ path: test.info().outputPath('demo-phone-full.png'), fullPage: true });
  await a.context().close();
  await b.context().close();
});
