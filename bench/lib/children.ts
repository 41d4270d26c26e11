/**
 * Child processes of the bench: Node.js children (bench/proc/*.ts, bundled by esbuild or run
 * under tsx, spoken to over IPC) and Erlang VMs (bench/lib/erlang.ts). Every child is registered here and killed
 * when its scenario ends, on failure, and when the bench exits or is interrupted.
 *
 * Safety nets on the children's side: a Node child exits when its IPC channel closes; an
 * Erlang VM halts when its stdin closes or its lifetime runs out.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the bench builds things it runs (the children's bundles, the tab page): under
 * node_modules/.cache, so that the bundles resolve the repository's packages and no linter,
 * type checker or test runner ever sees them. One directory per checkout (named after its
 * folder): git worktrees that share one node_modules must not run each other's bundles.
 */
export const BUILD_DIR = join(REPO, 'node_modules/.cache', `erlmesh-bench-${basename(REPO)}`);

/** The child entry points (bench/proc/<name>.ts). */
const ENTRIES = ['peer', 'client', 'relay', 'relay-clients', 'idle-procs', 'mesh-nodes', 'redis-echo', 'tcp-floor'];

/** How children run: plain `node` on esbuild bundles, or under tsx when bundling failed. */
let bundles: string | undefined;
export let childMode = 'tsx (not bundled)';

/**
 * Bundle the children (src included, packages left to node_modules) with esbuild, so they
 * start fast and carry no loader: a relay's memory is then the relay's, not tsx's. Falls
 * back to running the sources under tsx.
 */
export async function buildChildren(): Promise<void> {
  try {
    const esbuild = await import('esbuild');
    // One folder per checkout: worktrees share node_modules, and one bench must not delete another's bundles.
    const outdir = join(BUILD_DIR, `proc-${createHash('sha1').update(REPO).digest('hex').slice(0, 8)}`);
    rmSync(outdir, { recursive: true, force: true });
    await esbuild.build({
      entryPoints: ENTRIES.map((e) => fileURLToPath(new URL(`../proc/${e}.ts`, import.meta.url))),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
    });
    bundles = outdir;
    childMode = `node on esbuild ${esbuild.version} bundles (ESM, node20)`;
  } catch (e) {
    bundles = undefined;
    childMode = `tsx (bundling failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

const live = new Set<{ kill(): void }>();

/** Kill every child still running (synchronous: also used from the 'exit' handler). */
export function killAll(): void {
  for (const c of [...live]) c.kill();
  live.clear();
}

const exitHooks: Array<() => void> = [];

/** Run `f` (synchronous) when the bench exits, however it exits, after killing the children. */
export function atExit(f: () => void): void {
  hookExit();
  exitHooks.push(f);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    killAll();
    for (const f of exitHooks.splice(0)) {
      try {
        f();
      } catch {
        // best effort
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

/** Register something to kill at exit; returns the unregister function. */
export function track(c: { kill(): void }): () => void {
  hookExit();
  live.add(c);
  return () => live.delete(c);
}

/** Keep the last `max` characters of a stream's output (for error reports). */
export class Tail {
  private text = '';
  constructor(private readonly max = 4000) {}
  push(chunk: string | Buffer): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text.trim();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface NodeChild<I = Record<string, unknown>> {
  readonly label: string;
  /** What the child sent with `ready`. */
  readonly info: I;
  readonly pid: number;
  request<T>(cmd: string, args?: object, timeoutMs?: number): Promise<T>;
  /** SIGKILL (idempotent). */
  kill(): void;
  /** The end of its stdout + stderr. */
  output(): string;
}

type Incoming = { type: 'ready'; info: unknown } | { type: 'fatal'; error: string } | { id: number; ok: boolean; result?: unknown; error?: string };

/**
 * Fork `bench/proc/<script>` under tsx with `options` (JSON in argv[2]) and wait for its
 * `ready`. `node` holds extra Node flags (e.g. --expose-gc), `env` extra environment.
 */
export async function startNodeChild<I = Record<string, unknown>>(
  script: string,
  options: object,
  opts: { label?: string; node?: string[]; readyTimeoutMs?: number; env?: Record<string, string> } = {},
): Promise<NodeChild<I>> {
  const label = opts.label ?? script;
  const tail = new Tail();
  const base = script.replace(/\.ts$/, '');
  const entry = bundles ? join(bundles, `${base}.mjs`) : fileURLToPath(new URL(`../proc/${base}.ts`, import.meta.url));
  const proc: ChildProcess = fork(entry, [JSON.stringify(options)], {
    cwd: REPO,
    // BENCH_CHILD_NODE_ARGS adds Node flags to every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    execArgv: [...(opts.node ?? []), ...(process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(bundles ? [] : ['--import', 'tsx'])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
  });
  proc.stdout?.on('data', (d: Buffer) => tail.push(d));
  proc.stderr?.on('data', (d: Buffer) => tail.push(d));
  let exited: string | undefined;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const untrack = track({ kill: () => kill() });
  function kill(): void {
    untrack();
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        // A child run with extra Node flags (a CPU profile) exits by itself on disconnect (ipc.ts), writing it.
        if (process.env.BENCH_CHILD_NODE_ARGS && proc.connected) proc.disconnect();
        else proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  let seq = 0;
  let onReady: ((info: unknown) => void) | undefined;
  let onFatal: ((e: Error) => void) | undefined;
  const fail = (why: string): void => {
    const e = new Error(`${label}: ${why}${tail.toString() ? `\n${tail.toString()}` : ''}`);
    onFatal?.(e);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  proc.on('message', (m: Incoming) => {
    if ('type' in m) {
      if (m.type === 'ready') onReady?.(m.info);
      else fail(m.error);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${label}: ${m.error ?? 'failed'}`));
  });
  proc.on('exit', (code, signal) => {
    exited = `exited (${signal ?? `code ${code}`})`;
    fail(exited);
  });
  proc.on('error', (e) => fail(String(e)));
  let info: I;
  try {
    info = await withTimeout(
      new Promise<I>((resolve, reject) => {
        onReady = (v) => resolve(v as I);
        onFatal = reject;
      }),
      opts.readyTimeoutMs ?? 60_000,
      `${label} start`,
    );
  } catch (e) {
    kill();
    throw e;
  }
  onFatal = undefined;
  return {
    label,
    info,
    pid: proc.pid ?? -1,
    output: () => tail.toString(),
    kill,
    request<T>(cmd: string, args: object = {}, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${label}: ${exited}`));
      const id = ++seq;
      const p = new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send({ id, cmd, args });
      });
      return withTimeout(p, timeoutMs, `${label} ${cmd}`).finally(() => pending.delete(id));
    },
  };
}

/** Run `f` with a scope that kills every child it registered, whatever happens. */
export async function withChildren<T>(f: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await f(scope);
  } finally {
    scope.killAll();
  }
}

export class Scope {
  private readonly owned: Array<{ kill(): void }> = [];
  add<C extends { kill(): void }>(c: C): C {
    this.owned.push(c);
    return c;
  }
  node<I = Record<string, unknown>>(script: string, options: object, opts?: Parameters<typeof startNodeChild>[2]): Promise<NodeChild<I>> {
    return startNodeChild<I>(script, options, opts).then((c) => this.add(c));
  }
  killAll(): void {
    for (const c of this.owned.splice(0)) c.kill();
  }
}
