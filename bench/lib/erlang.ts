/**
 * The Erlang/OTP side: find `erl`, compile bench/erlang/*.erl with `erlc` into a temporary
 * directory, start VMs on loopback (long names @127.0.0.1, one cookie) and read their results.
 *
 * A server VM runs `erlmesh_bench:server/1` (kvs started, weather = fine stored) and prints
 * READY; a client VM runs one scenario (`erlmesh_bench:main/1`), prints `RESULT {json}` and
 * halts. The VMs use a private epmd on a free loopback port (`ERL_EPMD_PORT`), started by the
 * first `erl -name` and killed at the end, so the bench never touches an epmd on 4369 (a
 * user's, or one that tests of erlmesh's BEAM interop would be refused by).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tail, track, withTimeout } from './children.js';

export interface ErlangEnv {
  available: boolean;
  /** Why not, when not available ("erl not installed", "BENCH_NO_ERL=1", a compile error). */
  reason?: string;
  erl: string;
  otp?: string;
  erts?: string;
  /** Where the compiled modules are. */
  ebin: string;
  /** The private epmd's port (ERL_EPMD_PORT of every VM); 0 when Erlang is not available. */
  epmdPort: number;
}

/** An executable on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A loopback port free now (asked of a short-lived Node process, as setupErlang is synchronous). */
function freePort(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  const port = Number(r.stdout);
  if (r.status !== 0 || !Number.isInteger(port) || port <= 0) throw new Error(`no free port for the bench's epmd: ${r.stderr || String(r.error)}`);
  return port;
}

export function setupErlang(disabled: boolean): ErlangEnv {
  const none = (reason: string): ErlangEnv => ({ available: false, reason, erl: '', ebin: '', epmdPort: 0 });
  if (disabled) return none('erl disabled (BENCH_NO_ERL=1)');
  const erl = which('erl');
  const erlc = which('erlc');
  if (!erl || !erlc) return none('erl not installed');
  const v = spawnSync(
    erl,
    ['-noshell', '-eval', 'io:format("~s ~s~n", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().'],
    { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const [otp, erts] = (v.stdout ?? '').trim().split(/\s+/);
  if (v.status !== 0 || !otp) return none(`erl does not start: ${(v.stderr || v.stdout || String(v.error)).trim()}`);
  const ebin = mkdtempSync(join(tmpdir(), 'erlmesh-bench-ebin-'));
  const src = fileURLToPath(new URL('../erlang/', import.meta.url));
  const files = readdirSync(src)
    .filter((f) => f.endsWith('.erl'))
    .map((f) => join(src, f));
  const c = spawnSync(erlc, ['-o', ebin, ...files], { encoding: 'utf8', timeout: 60_000 });
  if (c.status !== 0) {
    rmSync(ebin, { recursive: true, force: true });
    return none(`erlc failed: ${(c.stderr || c.stdout).trim()}`);
  }
  return { available: true, erl, otp, erts, ebin, epmdPort: freePort() };
}

export function cleanupErlang(env: ErlangEnv): void {
  if (env.ebin) rmSync(env.ebin, { recursive: true, force: true });
  env.ebin = '';
  if (env.available && env.epmdPort) {
    const epmd = which('epmd');
    const port = String(env.epmdPort);
    env.epmdPort = 0;
    if (epmd) spawnSync(epmd, ['-kill'], { stdio: 'ignore', timeout: 5_000, env: { ...process.env, ERL_EPMD_PORT: port } });
  }
}

export interface ErlVm {
  readonly name: string | undefined;
  /** Resolves with the first line matching, rejects when the VM exits first. */
  waitLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves when the VM has exited. */
  readonly exited: Promise<number | null>;
  output(): string;
  kill(): void;
}

/**
 * The emulator flags that turn BEAM's scheduler busy wait off (normal, dirty CPU and dirty I/O
 * schedulers), for the rows that time erlmesh with its own busy wait off.
 */
export const ERL_NO_BUSY_WAIT: readonly string[] = ['+sbwt', 'none', '+sbwtdcpu', 'none', '+sbwtdio', 'none'];

/** Start a VM: `erl [flags] -noshell [-name N -setcookie C] -pa ebin -run erlmesh_bench <fun> <args>`. */
export function startVm(env: ErlangEnv, opts: { name?: string; cookie: string; fun: 'server' | 'main'; args: string[]; flags?: readonly string[] }): ErlVm {
  const argv = [...(opts.flags ?? []), '-noshell', ...(opts.name ? ['-name', opts.name, '-setcookie', opts.cookie] : []), '-pa', env.ebin, '-run', 'erlmesh_bench', opts.fun, ...opts.args];
  // Own process group (detached), so that killing it takes erl_child_setup along; stdin is
  // held open: the VM halts when it closes.
  const proc = spawn(env.erl, argv, {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ERL_EPMD_PORT: String(env.epmdPort) },
  });
  const tail = new Tail(8000);
  let buf = '';
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer): void => {
    tail.push(d);
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i).trimEnd());
      buf = buf.slice(i + 1);
    }
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', (d: Buffer) => tail.push(d));
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      for (const w of waiters.splice(0)) w();
      resolve(code);
    });
    proc.on('error', () => resolve(-1));
  });
  let done = false;
  proc.on('exit', () => (done = true));
  const untrack = track({ kill: () => vm.kill() });
  const vm: ErlVm = {
    name: opts.name,
    exited,
    output: () => tail.toString(),
    kill() {
      untrack();
      if (done || proc.pid === undefined) return;
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        try {
          proc.kill('SIGKILL');
        } catch {
          // gone
        }
      }
    },
    waitLine(re, timeoutMs) {
      const find = (): RegExpMatchArray | undefined => {
        for (const l of lines) {
          const m = l.match(re);
          if (m) return m;
        }
        return undefined;
      };
      const p = new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = (): void => {
          const m = find();
          if (m) return resolve(m);
          if (done) return reject(new Error(`erl ${opts.fun} ${opts.args[0] ?? ''} exited: ${tail.toString() || 'no output'}`));
          waiters.push(check);
        };
        check();
      });
      return withTimeout(p, timeoutMs, `erl ${opts.fun} ${opts.args[0] ?? ''}`);
    },
  };
  return vm;
}

/** Start a server VM and wait for READY. */
export async function startErlServer(env: ErlangEnv, name: string, cookie: string, lifeMs: number, flags?: readonly string[]): Promise<ErlVm> {
  const vm = startVm(env, { name, cookie, fun: 'server', args: [String(lifeMs)], flags });
  try {
    await vm.waitLine(/^READY$/, 30_000);
  } catch (e) {
    vm.kill();
    throw e;
  }
  return vm;
}

/**
 * Run one scenario in a client VM (named when `name` is given) and return its RESULT; an
 * `ERROR` line or a crash rejects with the VM's output.
 */
export async function runErlClient(
  env: ErlangEnv,
  opts: { name?: string; cookie: string; scenario: string; args: Array<string | number>; timeoutMs: number; flags?: readonly string[] },
): Promise<Record<string, number | boolean>> {
  const vm = startVm(env, {
    name: opts.name,
    cookie: opts.cookie,
    flags: opts.flags,
    fun: 'main',
    args: [opts.scenario, String(opts.timeoutMs + 10_000), ...opts.args.map(String)],
  });
  try {
    const m = await vm.waitLine(/^(RESULT|ERROR) (.*)$/, opts.timeoutMs);
    if (m[1] === 'ERROR') throw new Error(`erlang ${opts.scenario}: ${m[2]}`);
    return JSON.parse(m[2]!) as Record<string, number | boolean>;
  } finally {
    vm.kill();
  }
}
