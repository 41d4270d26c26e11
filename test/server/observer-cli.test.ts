/**
 * `erlmesh observer`, as a user runs it (issue 16's first acceptance point): a relay and two
 * server-nodes started from the CLI (gandalf running kvs) on a free loopback port, then
 * `erlmesh observer --relay … --cookie … --port P`; in Chromium the page lists both nodes, and
 * after selecting gandalf shows its processes with kvs among them, with kvs's pid (and its
 * initial call, kvs:loop/0). Real processes, real sockets, bounded waits; every process is
 * killed after the test.
 * The CLI builds the pages first when dist/public/observer.html is missing (as `erlmesh demo`
 * does), so this runs on a fresh checkout too; it needs Chromium (`npm test` installs it).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/playwright/chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/erlmesh.js');
const HOST = hostname().split('.')[0] || 'localhost';
const WAIT_MS = 15_000;
/** The observer may build the pages first (vite build) on a fresh checkout. */
const BUILD_WAIT_MS = 120_000;

const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];
let browser: Browser | undefined;

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `erlmesh <args>` with its own HOME; resolves with the first match of `pattern` on stdout. */
async function cli(home: string, args: string[], pattern: RegExp, waitMs = WAIT_MS): Promise<RegExpMatchArray> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ERLMESH_FROM_SOURCE: '1' };
  delete env.ERLMESH_COOKIE;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${pattern} from erlmesh ${args.join(' ')}\n${out}\n${err}`)), waitMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`erlmesh ${args.join(' ')} exited (${code})\n${out}\n${err}`));
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('erlmesh observer (CLI)', () => {
  it.skipIf(!chromiumPath())(
    'lists both nodes in Chromium, and kvs with its pid among the first node’s processes',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'erlmesh-observer-'));
      dirs.push(home);
      const relayPort = await freePort();
      const relay = `ws://127.0.0.1:${relayPort}`;
      await cli(home, ['relay', '--port', String(relayPort), '--cookie', 'c'], /listening/);
      const kvsPid = (
        await cli(home, ['node', '--sname', 'gandalf', '--cookie', 'c', '--relay', relay, '--noshell', '--eval', "kvs.start(); io.format('kvs ~p~n', [node.whereis('kvs')])"], /kvs (<[^>]+>)/)
      )[1]!;
      await cli(home, ['node', '--sname', 'bilbo', '--cookie', 'c', '--relay', relay, '--noshell', '--eval', "io.format('ready~n')"], /ready/);
      const port = await freePort();
      const url = (await cli(home, ['observer', '--relay', relay, '--cookie', 'c', '--port', String(port)], /open (http:\/\/\S+)/, BUILD_WAIT_MS))[1]!;
      expect(url).toBe(`http://127.0.0.1:${port}/`);

      browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
      const page = await browser.newPage();
      await page.goto(url);
      const gandalf = page.locator(`[data-testid=node-row][data-node="gandalf@${HOST}"]`);
      const bilbo = page.locator(`[data-testid=node-row][data-node="bilbo@${HOST}"]`);
      await gandalf.waitFor({ timeout: WAIT_MS });
      await bilbo.waitFor({ timeout: WAIT_MS });
      await gandalf.click();
      const kvsRow = page.locator('[data-testid=process-row][data-name="kvs"]');
      await kvsRow.waitFor({ timeout: WAIT_MS });
      expect(await kvsRow.getAttribute('data-pid')).toBe(kvsPid);
      expect(await kvsRow.locator('td').first().textContent()).toBe(kvsPid);
      expect(await kvsRow.locator('[data-testid=initial-call]').textContent()).toBe('kvs:loop/0');
      // Every row shows a pid of gandalf.
      const pids = await page.locator('[data-testid=process-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-pid')));
      expect(pids.length).toBeGreaterThan(1);
      for (const p of pids) expect(p).toMatch(new RegExp(`^<gandalf@${HOST}\\.\\d+\\.\\d+>$`));
    },
    180_000,
  );

  it('bad arguments: a clear message and exit 1, nothing left running', async () => {
    const home = mkdtempSync(join(tmpdir(), 'erlmesh-observer-'));
    dirs.push(home);
    const run = (args: string[]) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ERLMESH_FROM_SOURCE: '1' };
      delete env.ERLMESH_COOKIE;
      return spawnSync(process.execPath, [BIN, 'observer', ...args], { env, encoding: 'utf8', timeout: 30_000 });
    };
    const nobody = `ws://127.0.0.1:${await freePort()}`;
    const unreachable = run(['--relay', nobody, '--cookie', 'c', '--port', '0']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain(`${nobody}/erlmesh`);
    expect(unreachable.stderr).toMatch(/is a relay running there\?/);
    const both = run(['--relay', nobody, '--cookie', 'c', '--ticket', 't']);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain('give either --cookie or --ticket, not both');
    const port = run(['--port', 'abc']);
    expect(port.status).toBe(1);
    expect(port.stderr).toContain('not a TCP port');
  }, 60_000);
});
