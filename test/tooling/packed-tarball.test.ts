/**
 * The package as a user gets it: `npm pack` (prepack: vite build + tsc build), the tarball
 * installed into fresh projects outside the repository, then
 * (a) a Vite-style page (`moduleResolution: "bundler"`, no @types/node) importing `startNode`
 *     from 'erlmesh' with `relay` and `ticket` type-checks with `skipLibCheck: false`;
 * (b) a Node program (`nodenext`, @types/node but no @types/ws) importing 'erlmesh/server',
 *     'erlmesh' and 'erlmesh/testing' type-checks with `skipLibCheck: false`;
 * (c) the README's in-memory example runs from 'erlmesh' and prints what its comments say;
 * (d) the tarball has LICENSE, and no shipped file refers outside it: no `../shared`, no
 *     absolute path of the build machine, no source map, no relative import or Markdown
 *     link to a file that is not in the tarball.
 * (e) with a real epmd running, two `erlmesh node --sname` shells of the installed package,
 *     with default settings (no --relay, no --cookie), find each other through the relay
 *     daemon the first one starts on the default port (4367), while two Erlang nodes on that
 *     epmd ping each other; `erlmesh names` lists both and `erlmesh relay --stop` stops it.
 *     epmd runs on a private port (ERL_EPMD_PORT): a test never binds 4369.
 * The package is packed from a copy of the checkout (its files, with node_modules linked), so
 * that the build does not rewrite this checkout's dist/ while other tests use it.
 * Slow (a minute or more: a build, three installs from npm's cache, two tsc runs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readmeExample } from './readme-example.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const typescriptVersion = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
const typesNodeVersion = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;

let work: string;
let tarball: string;
let packed: string;

function run(cmd: string, args: string[], cwd: string, timeout = 300_000, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, npm_config_update_notifier: 'false' } });
}

/** A project holding the tarball and `deps`, with `files` written into it. */
function project(name: string, deps: string[], files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts=false', tarball, ...deps], dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** tsc's diagnostics for the project ('' when it type-checks). */
function tsc(dir: string): string {
  try {
    run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir, 180_000);
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'erlmesh-packed-'));
  const checkout = join(work, 'checkout');
  const tracked = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot).split('\0');
  for (const f of tracked.filter((f) => f && f !== 'node_modules' && existsSync(join(repoRoot, f)))) {
    mkdirSync(dirname(join(checkout, f)), { recursive: true });
    copyFileSync(join(repoRoot, f), join(checkout, f));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
  run('npm', ['pack', '--pack-destination', work], checkout, 400_000);
  const tgz = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tgz).toHaveLength(1);
  tarball = join(work, tgz[0]!);
  packed = join(work, 'unpacked');
  mkdirSync(packed);
  run('tar', ['-xzf', tarball, '-C', packed], work);
}, 600_000);

const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A child process whose output is kept; `waitFor` resolves when `pattern` shows on stdout. */
function child(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const c = spawn(cmd, args, { cwd, env, stdio: 'pipe' });
  children.push(c);
  let out = '';
  let err = '';
  c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
  const waitFor = (pattern: RegExp, ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`waiting for ${pattern} from ${cmd} ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`));
      }, ms);
      const poll = setInterval(() => {
        if (!pattern.test(out)) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 20);
    });
  return { proc: c, out: () => out, err: () => err, exited, waitFor, type: (line: string) => c.stdin.write(`${line}\n`) };
}

/** A TCP port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('the packed tarball', () => {
  it('(a) a page importing startNode from erlmesh with relay and ticket type-checks under bundler resolution', () => {
    const dir = project('web', [`typescript@${typescriptVersion}`], {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['page.ts'],
      }),
      'page.ts': `
import { startNode, type Node } from 'erlmesh';
import { startNode as startTab } from 'erlmesh/browser';
const id = Math.random().toString(36).slice(2, 8);
export const node: Node = await startNode({
  sname: \`tab-\${id}\`,
  relay: 'wss://example.com/erlmesh',
  ticket: () => fetch('/erlmesh/ticket').then((r) => r.text()),
});
export const weather = await node.rpc.call('api@example', 'kvs', 'lookup', ['weather']);
export const tab = await startTab({ relay: 'wss://example.com/erlmesh', cookie: 'c', lifecycle: true });
`,
    });
    expect(existsSync(join(dir, 'node_modules/@types/node'))).toBe(false);
    expect(tsc(dir)).toBe('');
  }, 300_000);

  it('(b) a Node program importing erlmesh/server type-checks under nodenext, without @types/ws', () => {
    const dir = project('server', [`typescript@${typescriptVersion}`, `@types/node@${typesNodeVersion}`], {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['server.ts'],
      }),
      'server.ts': `
import { startNode, mintTicket, startRelay, wsChannel, type ServerNodeOptions } from 'erlmesh/server';
import { startNode as rootStartNode, type Node } from 'erlmesh';
import { MemoryNetwork, SimulatedClock } from 'erlmesh/testing';

const opts: ServerNodeOptions = { sname: 'frodo', relay: 'ws://127.0.0.1:4367', direct: false };
export const node: Node = await startNode(opts);
export const ticket: string = mintTicket({ cookie: 'c', role: 'guest', prefix: 'tab-', ttlMs: 60_000 });
const net = new MemoryNetwork({ clock: new SimulatedClock() });
export const memory: Node = await rootStartNode({ sname: 'a@localhost', cookie: 'c', transport: net.transport() });
void startRelay; void wsChannel;
`,
    });
    expect(existsSync(join(dir, 'node_modules/@types/ws'))).toBe(false);
    expect(tsc(dir)).toBe('');

    // (c) the README's in-memory example, from the installed package.
    const { code, expected } = readmeExample(repoRoot);
    writeFileSync(join(dir, 'kvs.mjs'), code);
    const out = run(process.execPath, ['kvs.mjs'], dir, 60_000);
    expect(out.trimEnd().split('\n')).toEqual(expected);
  }, 300_000);

  it('(d) has LICENSE and no file referring outside the package', () => {
    const root = join(packed, 'package');
    const files = filesUnder(root).map((f) => relative(root, f));
    const shipped = new Set(files);
    expect(files).toContain('LICENSE');
    expect(files).toContain('CHANGELOG.md');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);

    const problems: string[] = [];
    const outside = (from: string, target: string): boolean => {
      const resolved = normalize(join(dirname(from), target));
      return resolved.startsWith('..') || !shipped.has(resolved);
    };
    const home = process.env.HOME && process.env.HOME !== '/' ? `${process.env.HOME.replace(/\/$/, '')}/` : undefined;
    for (const file of files) {
      if (/\.map$/.test(file)) problems.push(`${file}: a source map (its sources are not shipped)`);
      if (!/\.(js|mjs|ts|md|json|html|css)$/.test(file)) continue;
      const text = readFileSync(join(root, file), 'utf8');
      if (text.includes('../shared')) problems.push(`${file}: refers to ../shared`);
      for (const abs of [repoRoot, home, '/home/', '/Users/'].filter((x): x is string => !!x)) {
        if (text.includes(abs)) problems.push(`${file}: contains the absolute path ${abs}`);
      }
      if (/sourceMappingURL=/.test(text)) problems.push(`${file}: has a sourceMappingURL`);
      if (/\.(js|mjs|d\.ts)$/.test(file)) {
        for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
          if (outside(file, m[1]!)) problems.push(`${file}: imports ${m[1]}, which is not in the package`);
        }
      }
      if (/\.md$/.test(file)) {
        for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
          const target = m[1]!;
          if (/^[a-z]+:/.test(target)) continue;
          if (outside(file, target)) problems.push(`${file}: links to ${target}, which is not in the package`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('(e) beside a running epmd, two default `erlmesh node --sname` shells find each other; names and relay --stop work', async () => {
    const DEFAULT_PORT = 4367;
    // The test uses the real default port, so it must be free (another relay would answer).
    expect(await listening(DEFAULT_PORT), `port ${DEFAULT_PORT} must be free for this test`).toBe(false);
    const dir = project('cli', [], {});
    const home = join(work, 'home');
    mkdirSync(home);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: work };
    for (const k of ['ERLMESH_RELAY_PORT', 'ERLMESH_COOKIE', 'ERLMESH_FROM_SOURCE']) delete env[k];
    const bin = join(dir, 'node_modules/.bin/erlmesh');
    const host = hostname().split('.')[0];

    // Erlang first: epmd on a private port, and an Erlang node registered with it.
    const epmdPort = await freePort();
    const erlEnv = { ...env, ERL_EPMD_PORT: String(epmdPort) };
    const epmd = child('epmd', ['-port', String(epmdPort)], dir, erlEnv);
    const e1 = child('erl', ['-sname', 'e1', '-setcookie', 'erlc', '-noshell', '-eval', 'io:format("e1 up~n").'], dir, erlEnv);
    await e1.waitFor(/e1 up/);

    const gandalf = child(bin, ['node', '--sname', 'gandalf'], dir, env);
    await gandalf.waitFor(new RegExp(`\\(gandalf@${host}\\)1> `), 30_000);
    gandalf.type('kvs.start()');
    await gandalf.waitFor(/true\n/);
    const bilbo = child(bin, ['node', '--sname', 'bilbo'], dir, env);
    await bilbo.waitFor(new RegExp(`\\(bilbo@${host}\\)1> `), 30_000);
    bilbo.type('nodes()');
    await bilbo.waitFor(new RegExp(`\\['gandalf@${host}'\\]`));
    bilbo.type(`rpc.call('gandalf@${host}', 'kvs', 'store', ['weather', 'fine'])`);
    bilbo.type(`rpc.call('gandalf@${host}', 'kvs', 'lookup', ['weather'])`);
    await bilbo.waitFor(/\['ok', 'fine'\]/);

    // Erlang is undisturbed: a second node pings the first through the same epmd.
    const ping = run('erl', ['-sname', 'e2', '-setcookie', 'erlc', '-noshell', '-eval', `io:format("~p~n", [net_adm:ping('e1@${host}')]), halt().`], dir, 30_000, erlEnv);
    expect(ping.trim()).toBe('pong');

    const names = run(bin, ['names'], dir, 30_000, env);
    expect(names).toContain(`gandalf@${host}`);
    expect(names).toContain(`bilbo@${host}`);

    bilbo.type('q()');
    gandalf.type('q()');
    expect(await bilbo.exited).toBe(0);
    expect(await gandalf.exited).toBe(0);
    run(bin, ['relay', '--stop'], dir, 30_000, env);
    expect(await listening(DEFAULT_PORT)).toBe(false);
    e1.proc.kill();
    epmd.proc.kill();
    await Promise.all([e1.exited, epmd.exited]);
  }, 300_000);
});
