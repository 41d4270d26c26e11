/**
 * The shell of `erlmesh node` as an erl user types (issue 12, points 8–11), driven as users
 * run it: real processes with piped stdin, or on a pseudo-terminal through util-linux
 * `script` where the REPL's terminal features are under test (Tab completion, history).
 * Each test has its own relay on a free port and its own HOME.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/erlmesh.js', import.meta.url));
const HOST = hostname().split('.')[0] || 'localhost';
const WAIT_MS = 15_000;
const COOKIE = 'SEKRITCOOKIEXYZ';

interface Proc {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  /** Resolves once `pattern` matches stdout from `from` on (rejects on timeout or exit). */
  waitFor: (pattern: RegExp, from?: number) => Promise<RegExpMatchArray>;
  exitCode: () => Promise<number | null>;
}

const running: Proc[] = [];
const homes: string[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'erlmesh-shell-home-'));
  homes.push(h);
  return h;
}

function run(home: string, cmd: string, args: string[], stdin?: string): Proc {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ERLMESH_FROM_SOURCE: '1', TERM: 'xterm' };
  delete env.ERLMESH_COOKIE;
  const child = spawn(cmd, args, { env, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (stdin !== undefined) child.stdin.end(stdin);
  const p: Proc = {
    child,
    out: () => out,
    err: () => err,
    waitFor: (pattern, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.slice(from).match(pattern);
          if (m) done(() => resolve(m));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timeout waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`))), WAIT_MS);
        const onExit = () => setImmediate(() => (check(), done(() => reject(new Error(`exited waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`)))));
        const onData = () => setImmediate(check);
        const done = (f: () => void) => {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          f();
        };
        child.stdout.on('data', onData);
        child.once('exit', onExit);
        check();
      }),
    exitCode: () =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not exit\nstdout: ${out}\nstderr: ${err}`)), WAIT_MS).unref()),
      ]),
  };
  running.push(p);
  return p;
}

const erlmesh = (home: string, args: string[], stdin?: string) => run(home, process.execPath, [BIN, ...args], stdin);

/** `erlmesh …` on a pseudo-terminal (util-linux script), its keys written by the test. */
const onTty = (home: string, args: string[]) =>
  run(home, 'script', ['-qfec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null']);

async function relay(home: string): Promise<string> {
  const r = erlmesh(home, ['relay', '--port', '0', '--cookie', COOKIE]);
  return (await r.waitFor(/listening on (ws:\/\/127\.0\.0\.1:\d+\/erlmesh)/))[1]!;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const prompt = (name: string, n: number) => escape(`(${name}@${HOST})${n}> `);

let hasScript = true;
try {
  execFileSync('script', ['--version'], { stdio: 'ignore' });
} catch {
  hasScript = false;
}

describe('the erlmesh shell, as an erl user types', () => {
  it('node() is the name and self() the pid; printing node or self never shows the cookie or internals', async () => {
    const home = newHome();
    const url = await relay(home);
    const lines = ['node()', 'self()', 'node', 'self', 'self.node', '[node, self.node]', 'Object.keys(node)', 'node.rpc', 'node.nodes()', 'self.pid', 'node.transport'];
    const sh = erlmesh(home, ['node', '--sname', 'sh', '--cookie', COOKIE, '--relay', url], `${lines.join('\n')}\n`);
    expect(await sh.exitCode()).toBe(0);
    const out = sh.out();
    expect(out).toMatch(new RegExp(`${prompt('sh', 1)}'sh@${escape(HOST)}'\\n${prompt('sh', 2)}<sh@${escape(HOST)}\\.\\d+\\.0>\\n`));
    expect(out).toMatch(new RegExp(`${prompt('sh', 3)}#Node<sh@${escape(HOST)}>\\n`));
    expect(out).toMatch(new RegExp(`${prompt('sh', 9)}\\[\\]\\n`));
    expect(out).toMatch(new RegExp(`${prompt('sh', 11)}undefined\\n`));
    expect(out).not.toContain(COOKIE);
    expect(out).not.toMatch(/transport|cookies|runtime/);
    expect(out).not.toContain('exception');
  });

  it('accepts kvs:start()., nodes()., i(), regs() and q(); an unknown module is undefined, not a ReferenceError', async () => {
    const home = newHome();
    const url = await relay(home);
    const lines = ['kvs:start().', "kvs:store('weather', 'fine').", "kvs:lookup('weather').", 'nodes().', 'i()', 'regs()', 'kvs2:start().', 'kvs2.start()', 'q()', 'node()'];
    const sh = erlmesh(home, ['node', '--sname', 'erl', '--cookie', COOKIE, '--relay', url], `${lines.join('\n')}\n`);
    expect(await sh.exitCode()).toBe(0);
    const out = sh.out();
    expect(out).toMatch(new RegExp(`${prompt('erl', 1)}true\\n${prompt('erl', 2)}true\\n${prompt('erl', 3)}${escape("['ok', 'fine']")}\\n${prompt('erl', 4)}\\[\\]\\n`));
    expect(out).toMatch(new RegExp(`${prompt('erl', 5)}Pid .*\\n(.*\\n)*<erl@${escape(HOST)}\\.\\d+\\.0> +kvs `));
    expect(out).toMatch(new RegExp(`${prompt('erl', 6)}\\n\\*\\* Registered procs on node erl@${escape(HOST)} \\*\\*\\n(.*\\n)*kvs +<erl@`));
    expect(out).toContain(`${`(erl@${HOST})7> `}** exception error: undefined function kvs2:start/0\n`);
    expect(out).toContain(`${`(erl@${HOST})8> `}** exception error: undefined module kvs2`);
    expect(out).not.toContain('ReferenceError');
    expect(out).not.toContain(`(erl@${HOST})10> `); // q() ended the shell before node()
  });

  it('--capabilities FILE lets ticket holders do what it grants; a bad file stops the node with the reason', async () => {
    const home = newHome();
    const url = await relay(home);
    const caps = join(home, 'caps.json');
    writeFileSync(caps, JSON.stringify({ guest: { rpc: { kvs: ['lookup'] } } }));
    const srv = erlmesh(home, ['node', '--sname', 'srv', '--cookie', COOKIE, '--relay', url, '--noshell', '--capabilities', caps, '--eval', "kvs.start(); kvs.store('k', 42); io.format('ready~n')"]);
    await srv.waitFor(/ready/);
    const mint = erlmesh(home, ['ticket', '--role', 'guest', '--prefix', 'tab-', '--cookie', COOKIE]);
    expect(await mint.exitCode()).toBe(0);
    const calls = ["erpc.call('srv@HOST', 'kvs', 'lookup', ['k'])", "erpc.call('srv@HOST', 'kvs', 'store', ['k', 1])", "erpc.call('srv@HOST', 'shell', 'eval', ['1'])"];
    const tab = erlmesh(home, ['node', '--sname', 'tab-1', '--ticket', mint.out().trim(), '--relay', url], `${calls.map((c) => c.replace('HOST', HOST)).join('\n')}\n`);
    expect(await tab.exitCode()).toBe(0);
    expect(tab.out()).toMatch(new RegExp(`${prompt('tab-1', 1)}${escape("['ok', 42]")}\\n${prompt('tab-1', 2)}\\*\\* exception .*not_allowed.*\\n${prompt('tab-1', 3)}\\*\\* exception .*not_allowed`));

    const bad = join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ guest: { rcp: '*' } }));
    const refused = erlmesh(home, ['node', '--sname', 'srv2', '--cookie', COOKIE, '--relay', url, '--noshell', '--capabilities', bad]);
    expect(await refused.exitCode()).toBe(1);
    expect(refused.err()).toMatch(/--capabilities: .*bad\.json: .*unknown fields rcp/);
  });

  it('--remsh evaluates each line on the other node, from a hidden node', async () => {
    const home = newHome();
    const url = await relay(home);
    const srv = erlmesh(home, ['node', '--sname', 'far', '--cookie', COOKIE, '--relay', url, '--noshell', '--eval', "kvs.start(); io.format('ready~n')"]);
    await srv.waitFor(/ready/);
    const lines = ['node()', "kvs:store('w', 'fine').", "kvs.lookup('w')", 'nodes()', 'nope:f()'];
    const sh = erlmesh(home, ['node', '--remsh', 'far', '--cookie', COOKIE, '--relay', url], `${lines.join('\n')}\n`);
    expect(await sh.exitCode()).toBe(0);
    const out = sh.out();
    expect(out).toMatch(new RegExp(`${prompt('far', 1)}'far@${escape(HOST)}'\\n${prompt('far', 2)}true\\n${prompt('far', 3)}${escape("['ok', 'fine']")}\\n`));
    expect(out).toMatch(new RegExp(`${prompt('far', 4)}\\[\\]\\n`)); // the remsh node is hidden
    expect(out).toContain('** exception error: undefined function nope:f/0');
    // An unknown node: erl's message, exit 1.
    const lost = erlmesh(home, ['node', '--remsh', 'nobody', '--cookie', COOKIE, '--relay', url], 'node()\n');
    expect(await lost.exitCode()).toBe(1);
    expect(lost.err()).toContain(`Could not connect to "nobody@${HOST}"`);
  });

  describe.skipIf(!hasScript)('on a terminal', () => {
    // Each key is written once the echo of the previous one is seen: readline completes only
    // on a Tab that ends its chunk of input.
    it('Tab completes only the public API and does not advance the prompt counter', async () => {
      const home = newHome();
      const url = await relay(home);
      const sh = onTty(home, ['node', '--sname', 'tab', '--cookie', COOKIE, '--relay', url]);
      await sh.waitFor(new RegExp(prompt('tab', 1)));
      // node.c: only `creation` is public (capabilityGuard, clock, code, cookies… are not), so
      // one Tab completes it.
      sh.child.stdin.write('node.c');
      await sh.waitFor(/node\.c/);
      let mark = sh.out().length;
      sh.child.stdin.write('\t');
      await sh.waitFor(/reation/, mark);
      mark = sh.out().length;
      sh.child.stdin.write('\x15self.spawnL');
      await sh.waitFor(/self\.spawnL/, mark);
      mark = sh.out().length;
      sh.child.stdin.write('\t');
      await sh.waitFor(/ink/, mark);
      mark = sh.out().length;
      sh.child.stdin.write('\x15node()\r');
      await sh.waitFor(new RegExp(`'tab@${escape(HOST)}'`), mark);
      await sh.waitFor(new RegExp(prompt('tab', 2)), mark);
      sh.child.stdin.write('q()\r');
      expect(await sh.exitCode()).toBe(0);
      expect(sh.out()).not.toContain(`(tab@${HOST})3> `);
    });

    it('two shells at once keep every line of both in ~/.erlmesh_history, whole', async () => {
      const home = newHome();
      const url = await relay(home);
      const a = onTty(home, ['node', '--sname', 'ha', '--cookie', COOKIE, '--relay', url]);
      const b = onTty(home, ['node', '--sname', 'hb', '--cookie', COOKIE, '--relay', url]);
      await a.waitFor(new RegExp(prompt('ha', 1)));
      await b.waitFor(new RegExp(prompt('hb', 1)));
      const expected: string[] = [];
      for (let i = 1; i <= 6; i++) {
        for (const [sh, name] of [[a, 'ha'], [b, 'hb']] as const) {
          const line = `'${name}-line-${i}-${'x'.repeat(i * 7)}'`;
          expected.push(line);
          sh.child.stdin.write(`${line}\r`);
          await sh.waitFor(new RegExp(prompt(name, i + 1)));
        }
      }
      a.child.stdin.write('q()\r');
      expect(await a.exitCode()).toBe(0);
      b.child.stdin.write('q()\r');
      expect(await b.exitCode()).toBe(0);
      const lines = readFileSync(join(home, '.erlmesh_history'), 'utf8').split('\n').filter((l) => l !== '');
      expect(lines.filter((l) => l !== 'q()')).toEqual(expected);
      // A new shell reads them back: the up arrow recalls the last line typed (q()), then b's last.
      const c = onTty(home, ['node', '--sname', 'hc', '--cookie', COOKIE, '--relay', url]);
      await c.waitFor(new RegExp(prompt('hc', 1)));
      const mark = c.out().length;
      c.child.stdin.write('\x1b[A\x1b[A\x1b[A');
      await c.waitFor(/hb-line-6/, mark);
      c.child.stdin.write('\x15q()\r');
      expect(await c.exitCode()).toBe(0);
    });
  });
});
