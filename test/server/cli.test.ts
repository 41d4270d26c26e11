/**
 * The `erlmesh` command, run as users run it: real processes (`node bin/erlmesh.js …`) on
 * 127.0.0.1, each test with its own relay on a free port and its own HOME (so
 * ~/.erlang.cookie and the shell history are sandboxed). Every wait is bounded, and afterEach
 * kills whatever a test started, including a detached relay daemon.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNode as startServerNode } from '../../src/server/start-node.js';
import { parseTicket } from '../../src/core/index.js';
import { ticketKeySync } from '../../src/server/index.js';

const BIN = fileURLToPath(new URL('../../bin/erlmesh.js', import.meta.url));
/** The host part of `--sname` names (as shortHostname() in src/server/start-node.ts). */
const HOST = hostname().split('.')[0] || 'localhost';
const WAIT_MS = 10_000;

interface Cli {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  /** Resolves with the match once `pattern` appears on the stream; rejects on timeout or exit. */
  waitFor: (pattern: RegExp, stream?: 'stdout' | 'stderr', ms?: number) => Promise<RegExpMatchArray>;
  /** The exit status (rejects after `ms`). */
  exitCode: (ms?: number) => Promise<number | null>;
}

const running: Cli[] = [];
const daemonPorts: number[] = [];
const daemonPids: number[] = [];
let home: string;
/** One temporary directory for the file: relay daemon logs (and tsx's cache) land here. */
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'erlmesh-cli-tmp-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async (c) => {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exitCode(5_000).catch(() => {});
    }),
  );
  for (const port of daemonPorts.splice(0)) daemonPids.push(...relayProcesses(port));
  for (const pid of daemonPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  home = mkdtempSync(join(tmpdir(), 'erlmesh-cli-home-'));
  return home;
}

function cli(args: string[], opts: { stdin?: string } = {}): Cli {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, ERLMESH_FROM_SOURCE: '1' };
  delete env.ERLMESH_COOKIE;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  const c: Cli = {
    child,
    out: () => out,
    err: () => err,
    waitFor: (pattern, stream = 'stdout', ms = WAIT_MS) =>
      new Promise((resolve, reject) => {
        const source = stream === 'stdout' ? child.stdout : child.stderr;
        const text = () => (stream === 'stdout' ? out : err);
        const check = () => {
          const m = text().match(pattern);
          if (m) finish(() => resolve(m));
        };
        const fail = (why: string) =>
          finish(() => reject(new Error(`${why} waiting for ${pattern} on ${stream} of erlmesh ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`)));
        const timer = setTimeout(() => fail(`timeout (${ms} ms)`), ms);
        const onExit = () => setImmediate(() => (check(), fail('exited')));
        const finish = (f: () => void) => {
          clearTimeout(timer);
          source.off('data', onData);
          child.off('exit', onExit);
          f();
        };
        const onData = () => setImmediate(check);
        source.on('data', onData);
        child.once('exit', onExit);
        check();
      }),
    exitCode: (ms = WAIT_MS) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`erlmesh ${args.join(' ')} did not exit within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)), ms).unref(),
        ),
      ]),
  };
  running.push(c);
  return c;
}

/** A relay on a free port; resolves with its URL and port. */
async function relay(cookie = 'c'): Promise<{ url: string; port: number; proc: Cli }> {
  const proc = cli(['relay', '--port', '0', '--cookie', cookie]);
  const m = await proc.waitFor(/erlmesh relay listening on (ws:\/\/127\.0\.0\.1:(\d+)\/erlmesh)/);
  return { url: m[1]!, port: Number(m[2]), proc };
}

/** A `--noshell` node that evaluated `eval` and printed `ready`. */
async function readyNode(sname: string, url: string, evalCode = ''): Promise<Cli> {
  const n = cli(['node', '--sname', sname, '--cookie', 'c', '--relay', url, '--noshell', '--eval', `${evalCode}; io.format('ready~n')`]);
  await n.waitFor(/ready/);
  return n;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Pids of `erlmesh relay --port <port>` processes (Linux /proc), for cleanup of daemons. */
function relayProcesses(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('relay');
      if (argv[i - 1] === BIN && argv[i + 1] === '--port' && argv[i + 2] === String(port)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('erlmesh relay', () => {
  it('prints its URL; a second relay on the same port exits 1 naming the port; SIGTERM exits 0', async () => {
    newHome();
    const first = await relay();
    const second = cli(['relay', '--port', String(first.port), '--cookie', 'c']);
    expect(await second.exitCode()).toBe(1);
    expect(second.err()).toContain(`port ${first.port}`);
    expect(second.err()).toContain('already in use');
    first.proc.child.kill('SIGTERM');
    expect(await first.proc.exitCode()).toBe(0);
  });

  it('creates ~/.erlang.cookie (20 uppercase letters, mode 0400) when there is none', async () => {
    const dir = newHome();
    const r = cli(['relay', '--port', '0']);
    await r.waitFor(/listening on ws:/);
    const file = join(dir, '.erlang.cookie');
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Z]{20}$/);
    expect(statSync(file).mode & 0o777).toBe(0o400);
  });
});

describe('erlmesh ticket', () => {
  it('prints a ticket signed with the cookie for the role and prefix; bad options exit 1 with the reason', async () => {
    newHome();
    const t = cli(['ticket', '--role', 'guest', '--prefix', 'tab-', '--ttl', '60', '--cookie', 'c']);
    expect(await t.exitCode()).toBe(0);
    const parsed = parseTicket(t.out().trim());
    expect(parsed.claims).toMatchObject({ role: 'guest', prefix: 'tab-' });
    expect(parsed.claims.exp - parsed.claims.iat).toBe(60_000);
    expect(ticketKeySync('c', parsed.payload)).toBe(parsed.key);
    const bad = cli(['ticket', '--role', 'no spaces', '--prefix', 'tab-', '--cookie', 'c']);
    expect(await bad.exitCode()).toBe(1);
    expect(bad.err()).toMatch(/erlmesh ticket: .*role.*\(badarg\)/);
  });
});

describe('erlmesh node', () => {
  it('a --noshell node stays up, and another node\'s shell (piped stdin) stores and looks up through rpc', async () => {
    newHome();
    const { url } = await relay();
    await readyNode('gandalf', url, 'kvs.start()');
    const bilbo = cli(['node', '--sname', 'bilbo', '--cookie', 'c', '--relay', url], {
      stdin:
        `rpc.call('gandalf@${HOST}', 'kvs', 'store', ['weather', 'fine'])\n` +
        `rpc.call('gandalf@${HOST}', 'kvs', 'lookup', ['weather'])\n`,
    });
    expect(await bilbo.exitCode()).toBe(0); // the shell ends with its input
    const p = (n: number) => escape(`(bilbo@${HOST})${n}> `);
    expect(bilbo.out()).toMatch(new RegExp(`${p(1)}true\\n${p(2)}${escape("['ok', 'fine']")}\\n${p(3)}`));
  });

  it("a name already taken prints Erlang's message and exits 1", async () => {
    newHome();
    const { url } = await relay();
    await readyNode('gandalf', url);
    const dup = cli(['node', '--sname', 'gandalf', '--cookie', 'c', '--relay', url, '--noshell']);
    expect(await dup.exitCode()).toBe(1);
    expect(dup.err()).toContain(`Protocol 'erlmesh': the name gandalf@${HOST} seems to be in use by another erlmesh node\n`);
  });

  it('a --ticket node joins without the cookie: it sees the cookie nodes, and is refused what its role may not do', async () => {
    newHome();
    const { url } = await relay();
    await readyNode('gandalf', url, 'kvs.start()');
    const mint = cli(['ticket', '--role', 'guest', '--prefix', 'tab-', '--cookie', 'c']);
    expect(await mint.exitCode()).toBe(0);
    const ticket = mint.out().trim();
    const tab = cli(['node', '--sname', 'tab-1', '--ticket', ticket, '--relay', url], {
      stdin: `nodes()\nrpc.call('gandalf@${HOST}', 'kvs', 'lookup', ['weather'])\n`,
    });
    expect(await tab.exitCode()).toBe(0);
    expect(tab.out()).toContain(`['gandalf@${HOST}']`);
    expect(tab.out()).toContain('not_allowed');
    // A name outside the ticket's prefix is refused by the relay with its code.
    const admin = cli(['node', '--sname', 'admin', '--ticket', ticket, '--relay', url, '--noshell']);
    expect(await admin.exitCode()).toBe(1);
    expect(admin.err()).toMatch(/refused admin@.*name_not_allowed/);
  });

  it('a cookie the relay refuses prints a clear message and exits 1', async () => {
    newHome();
    const { url } = await relay('right');
    const n = cli(['node', '--sname', 'frodo', '--cookie', 'wrong', '--relay', url, '--noshell']);
    expect(await n.exitCode()).toBe(1);
    expect(n.err()).toMatch(/refused frodo@.*bad cookie/);
  });

  it('the shell binds modules, self, send and flush, and survives exceptions', async () => {
    newHome();
    const { url } = await relay();
    const sh = cli(['node', '--sname', 'sam', '--cookie', 'c', '--relay', url], {
      stdin: ['kvs.start()', 'kvs.start()', "send(self.pid, 'hi')", 'flush()', 'math.sqrt(16)', 'halt()', ''].join('\n'),
    });
    expect(await sh.exitCode()).toBe(0);
    const p = (n: number) => escape(`(sam@${HOST})${n}> `);
    expect(sh.out()).toMatch(new RegExp(`${p(1)}true\\n`));
    expect(sh.out()).toMatch(new RegExp(`${p(2)}\\*\\* exception error: badarg\\b`));
    expect(sh.out()).toMatch(new RegExp(`${p(4)}Shell got 'hi'\\n'ok'\\n`));
    expect(sh.out()).toMatch(new RegExp(`${p(5)}4\\n${p(6)}`));
    expect(sh.out() + sh.err()).not.toMatch(/\n\s+at /); // no stack trace
  });

  // The relay daemon (started at the default URL only): test/server/relay-default.test.ts.
});

describe('erlmesh demo', () => {
  it('serves the page and hosts the relay and the demo node', async () => {
    newHome();
    const port = await freePort();
    const demo = cli(['demo', '--port', String(port), '--cookie', 'c']);
    const m = await demo.waitFor(/erlmesh demo: open (http:\/\/127\.0\.0\.1:\d+\/)/);
    expect(m[1]).toBe(`http://127.0.0.1:${port}/`);
    await demo.waitFor(new RegExp(`relay ws://127\\.0\\.0\\.1:${port}/erlmesh\\n.*node demo@${escape(HOST)}`));
    const res = await fetch(m[1]!, { signal: AbortSignal.timeout(WAIT_MS) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('erlmesh');
    // A node joins through the demo's relay and finds kvs running on demo@host.
    const n = cli(['node', '--sname', 'pippin', '--cookie', 'c', '--relay', `ws://127.0.0.1:${port}`, '--noshell', '--eval',
      `io.format('~p~n', [await rpc.call('demo@${HOST}', 'kvs', 'store', ['k', 1])])`]);
    await n.waitFor(/^true$/m);
    // The page's way in: a config without the cookie, and a fresh join ticket per request,
    // with which a tab-like node (role 'demo') calls kvs on demo@host.
    const config = (await (await fetch(`${m[1]!}erlmesh/config.json`, { signal: AbortSignal.timeout(WAIT_MS) })).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ ticket: '/erlmesh/ticket', prefix: 'tab-', server: `demo@${HOST}` });
    expect(config).not.toHaveProperty('cookie');
    const ticket = () => fetch(`${m[1]!}erlmesh/ticket`, { signal: AbortSignal.timeout(WAIT_MS) }).then((r) => r.text());
    const tab = await startServerNode({ sname: 'tab-cli', ticket, relay: `ws://127.0.0.1:${port}`, startRelay: false, output: false, logger: false });
    try {
      expect(tab.role).toBe('demo');
      expect(await tab.rpc.call(`demo@${HOST}`, 'kvs', 'lookup', ['k'])).toEqual(['ok', 1]);
    } finally {
      await tab.stop();
    }
    demo.child.kill('SIGTERM');
    expect(await demo.exitCode()).toBe(0);
  });
});
