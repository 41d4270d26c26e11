/**
 * Test helper: real Erlang/OTP beside erlmesh — a private epmd on a free port and `erl
 * -sname` nodes driven by `-eval` scripts. Never touches epmd's 4369 (or erlmesh's 4367):
 * every erl gets ERL_EPMD_PORT. Every process started here is killed by pid (`stopErlNodes()`
 * after each test, `stopAll()` at the end), and each erl also runs under `timeout`, so none
 * outlives a crashed test run by long.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epmdNames } from '../../src/server/beam/epmd.js';
import { freePort, SHORT_HOST } from './os-processes.js';

export { SHORT_HOST };

export const ERL = '/usr/bin/erl';
export const EPMD = '/usr/bin/epmd';

/** Why the BEAM tests cannot run here, or undefined when they can. */
export function beamMissing(): string | undefined {
  if (!existsSync(ERL) || !existsSync(EPMD)) return `Erlang/OTP is not installed (${ERL}, ${EPMD}); scripts/ensure-erlang.sh installs it`;
  return undefined;
}

const stops: (() => Promise<void>)[] = [];
const erlNodes = new Set<ErlNode>();

/** Kills the erl nodes started here (for afterEach; epmds stay). */
export async function stopErlNodes(): Promise<void> {
  for (const n of [...erlNodes]) await n.stop();
}

/** Kills everything started here (erl nodes, then epmds). */
export async function stopAll(): Promise<void> {
  await stopErlNodes();
  for (const stop of stops.splice(0).reverse()) await stop();
}

function exitedWithin(child: ChildProcessWithoutNullStreams | ReturnType<typeof spawn>, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A private epmd (`epmd -port P`, in the foreground), answering before this resolves. */
export async function startEpmd(): Promise<number> {
  const port = await freePort();
  const child = spawn(EPMD, ['-port', String(port)], { stdio: 'ignore', env: { ...process.env, ERL_EPMD_PORT: String(port) } });
  stops.push(async () => {
    child.kill('SIGKILL');
    await exitedWithin(child, 5_000);
  });
  for (let i = 0; ; i++) {
    try {
      await epmdNames({ port, timeoutMs: 500 });
      return port;
    } catch (e) {
      if (i >= 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `erl -sname <sname>@SHORT_HOST -noshell -eval <script>`; the script should end in halt(). */
export class ErlNode {
  readonly child: ChildProcessWithoutNullStreams;
  readonly name: string;
  stdout = '';
  stderr = '';
  private cursor = 0;

  constructor(sname: string, opts: { cookie: string; epmdPort: number; script: string; args?: string[]; limitS?: number }) {
    this.name = `${sname}@${SHORT_HOST}`;
    const home = mkdtempSync(join(tmpdir(), 'erlmesh-erl-home-'));
    // The script first says which OS process is the emulator (for SIGSTOP).
    const script = `io:format("os_pid ~s~n", [os:getpid()]), ${opts.script}`;
    this.child = spawn(
      'timeout',
      ['-k', '2', String(opts.limitS ?? 40), ERL, '-sname', sname, '-setcookie', opts.cookie, '-noshell', ...(opts.args ?? []), '-eval', script],
      { env: { ...process.env, HOME: home, ERL_EPMD_PORT: String(opts.epmdPort) }, stdio: 'pipe' },
    );
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    erlNodes.add(this);
  }

  /** The emulator's OS pid (erl execs into beam under `timeout`). */
  async osPid(): Promise<number> {
    const m = await this.waitFor(/os_pid (\d+)\n/);
    return Number(m[1]);
  }

  /** Waits until stdout (after what earlier waits consumed) matches `pattern`. */
  async waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const text = this.stdout.slice(this.cursor);
      const m = text.match(pattern);
      if (m) {
        this.cursor += (m.index ?? 0) + m[0].length;
        return m;
      }
      if (Date.now() > end || this.child.exitCode !== null) {
        throw new Error(`${this.name}: no ${pattern} on stdout\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves when erl has exited (bounded). */
  exited(ms = 20_000): Promise<void> {
    return exitedWithin(this.child, ms);
  }

  async stop(): Promise<void> {
    const m = /os_pid (\d+)\n/.exec(this.stdout);
    // While `timeout` runs, its child (the emulator, by that pid) may too; after, the pid may be reused.
    const running = this.child.exitCode === null && this.child.signalCode === null;
    if (m && running) {
      try {
        process.kill(Number(m[1]), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.child.kill('SIGKILL');
    await exitedWithin(this.child, 5_000);
    erlNodes.delete(this);
  }
}
