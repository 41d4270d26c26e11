/**
 * Test helper: real `erlmesh` OS processes (relay, nodes with a shell on piped stdin).
 * Every process started here is killed by `killAll()`; waits are bounded.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve('bin/erlmesh.js');
export const SHORT_HOST = hostname().split('.')[0] || 'localhost';
const PROMPT_ANYWHERE = /\(([^)]+)\)(\d+)> /;

const running = new Set<ErlmeshProcess>();

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** A sandboxed HOME (own ~/.erlang.cookie and shell history). */
export function sandboxHome(): string {
  return mkdtempSync(join(tmpdir(), 'erlmesh-home-'));
}

export class ErlmeshProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private cursor = 0;
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ERLMESH_FROM_SOURCE: '1', ...env },
      stdio: 'pipe',
    });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Wait until stdout (after the cursor) matches; returns the match and moves the cursor past it. */
  async waitFor(pattern: RegExp | string, ms = 15_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const end = Date.now() + ms;
    for (;;) {
      const text = stream === 'stdout' ? this.stdout.slice(this.cursor) : this.stderr;
      const m = text.match(re);
      if (m) {
        if (stream === 'stdout') this.cursor += (m.index ?? 0) + m[0].length;
        return m;
      }
      if (Date.now() > end || this.child.exitCode !== null) {
        throw new Error(`timed out waiting for ${re} in ${stream}\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Type one line into the shell; resolve with what it printed before the next prompt. */
  async eval(line: string, ms = 15_000): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    const end = Date.now() + ms;
    for (;;) {
      const text = this.stdout.slice(this.cursor);
      const m = text.match(/\(([^)]+)\)(\d+)> /g);
      if (m) {
        const idx = text.search(/\(([^)]+)\)(\d+)> /);
        const out = text.slice(0, idx);
        this.cursor += idx + m[0].length;
        return out.trim();
      }
      if (Date.now() > end || this.child.exitCode !== null) {
        throw new Error(`no prompt after ${JSON.stringify(line)}\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Evaluate `expr` until its output matches (bounded), for state that settles asynchronously. */
  async evalUntil(expr: string, re: RegExp, ms = 15_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const out = await this.eval(expr);
      if (re.test(out)) return out;
      if (Date.now() > end) throw new Error(`${expr} never matched ${re}; last: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Wait for the first prompt of a shell. */
  prompt(ms = 20_000): Promise<RegExpMatchArray> {
    return this.waitFor(PROMPT_ANYWHERE, ms);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null) this.child.kill(signal);
  }
}

/** Kill everything started through ErlmeshProcess (SIGCONT first, for stopped ones). */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const p of all) {
    try {
      process.kill(p.pid, 'SIGCONT');
    } catch {
      /* gone */
    }
    p.kill('SIGKILL');
  }
  await Promise.all(all.map((p) => p.exited));
}
