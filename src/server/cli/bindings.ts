/**
 * What the shell (and `--eval`) can call: `node`, `self`, `rpc`, `nodes()`, `ping()`,
 * `spawn`, `send`, `receive`, `flush()`, `halt()`/`q()`, `i()`, `regs()`, `help()`, and each
 * loaded module by name with `self` bound first (`kvs.store('weather', 'fine')`).
 * `node` and `self` are callable facades (shell-facades.ts): `node()` is the node's name and
 * `self()` the shell process's pid, as in erl.
 *
 * `self` is the context of the shell process: a process on the node that hands its context
 * out and then waits forever, so its mailbox collects what is sent to the shell's pid. When
 * it dies (a linked process crashed, `erlang.exit(...)`, an interrupted evaluation), a new
 * one takes over, as erl restarts its evaluator — with a new pid.
 *
 * The bindings are globals of the CLI process (the shell evaluates in the main realm, so
 * objects typed at the prompt are plain objects that `send` and `rpc` accept). A global the
 * user (or Node) already has is never overwritten by a module binding.
 */
import type { Node } from '../../core/node/node.js';
import { defineModule, type ErlModule, type ModuleFunction } from '../../core/modules/module.js';
import type { ProcessContext } from '../../core/process/context.js';
import { TIMEOUT } from '../../core/process/mailbox.js';
import { formatTerm } from '../../core/terms/format.js';
import type { Pid } from '../../core/terms/pid.js';
import { erlCall, processTable, registeredTable } from './shell-commands.js';
import { ERL_CALL } from './shell-erlang-syntax.js';
import { nodeFacade, selfFacade, type NodeFacade, type SelfFacade } from './shell-facades.js';

export interface ShellHooks {
  /** Print shell text (flush, help) on the console. */
  print(text: string): void;
  /** End the program: stop the node and exit with `status`. */
  halt(status: number): void;
  /** The shell process `pid` died with `reason`; a new one has taken over. */
  died?(pid: Pid, reason: unknown): void;
}

const HELP = `erlmesh shell functions
  node()                       this node's name; node.x: the node (node.nodes(), node.load(mod), node.nl(mod), ...)
  self()                       the shell process's pid; self.x: its context (self.spawnLink, self.monitor, ...)
  rpc                          rpc.call(node, m, f, args, timeoutMs?), rpc.cast, rpc.multicall, ...
  erpc                         erpc.call(node, m, f, args, timeoutMs?): raises instead of {badrpc, _}
  nodes(kind?)                 connected nodes: 'visible' (default), 'hidden', 'connected', 'this'
  ping(node)                   'pong' or 'pang'
  spawn(fn) | spawn(node, m, f, args) | spawn(node, fn)
  send(dest, msg)              dest: a pid, a registered name, or [name, node]
  receive(match?, timeoutMs?)  the next (matching) message of the shell process, or TIMEOUT
  flush()                      print and drop the shell process's messages
  defineModule(name, fns)      define a module; node.load(m) or node.nl(m) binds it here by name
  <module>.<fun>(args...)      call a loaded module with the shell process as self: kvs.start(),
                               io.format('~p~n', [1]), math.sqrt(16), erlang.node(), file.list_dir('.')
  halt(status?) | q()          stop the node and exit
  i() | regs()                 this node's processes | registered names
  help()                       this text
Results are awaited and printed; \`await\` works at the top level too.
Erlang habits work where unambiguous: a final '.' is dropped, mod:fun(Args) calls mod.fun(Args).
`;

/** Names bound by the shell itself; a module with one of these names is not bound. */
const RESERVED = new Set([
  'node', 'self', 'rpc', 'nodes', 'ping', 'spawn', 'send', 'receive', 'flush', 'halt', 'help',
  'defineModule', 'TIMEOUT', 'erpc', 'global', 'pg', 'q', 'i', 'regs', ERL_CALL,
]);

export class ShellBindings {
  private ctx!: ProcessContext;
  private halting = false;
  /** What `node` and `self` are at the prompt. */
  readonly nodeView: NodeFacade;
  readonly selfView: SelfFacade;
  /** Module bindings we installed, by name (to refresh them without clobbering user globals). */
  private readonly installed = new Map<string, { mod: ErlModule; value: object }>();

  private constructor(
    readonly node: Node,
    private readonly hooks: ShellHooks,
  ) {
    this.nodeView = nodeFacade(node);
    this.selfView = selfFacade(() => this.ctx, this.nodeView);
  }

  /** Start the shell process and install the globals. */
  static async start(node: Node, hooks: ShellHooks): Promise<ShellBindings> {
    const b = new ShellBindings(node, hooks);
    await b.spawnShellProcess();
    b.install();
    return b;
  }

  /** The current shell process's context. */
  get self(): ProcessContext {
    return this.ctx;
  }

  /** Stop replacing the shell process (the node is going down). */
  stopping(): void {
    this.halting = true;
  }

  /** Kill the shell process (an interrupted evaluation); a new one takes over. */
  killShellProcess(): void {
    this.node.exit(this.ctx.pid, 'kill');
  }

  private async spawnShellProcess(): Promise<void> {
    const ctx = await new Promise<ProcessContext>((resolve) => {
      this.node.spawn(async (self) => {
        resolve(self);
        await new Promise<never>(() => {});
      });
    });
    this.ctx = ctx;
    void this.node.exitReason(ctx.pid).then((reason) => {
      if (this.halting || this.ctx !== ctx) return;
      void this.spawnShellProcess().then(() => this.hooks.died?.(ctx.pid, reason));
    });
  }

  /** Install the fixed bindings and the module bindings. */
  private install(): void {
    const g = globalThis as Record<string, unknown>;
    const node = this.node;
    Object.defineProperty(globalThis, 'self', {
      configurable: true,
      enumerable: false,
      get: () => this.selfView,
      // `self = x` at the prompt replaces the binding, as a plain global would be.
      set: (v) => Object.defineProperty(globalThis, 'self', { value: v, writable: true, configurable: true }),
    });
    g.node = this.nodeView;
    g.rpc = node.rpc;
    g.nodes = (kind?: Parameters<Node['nodes']>[0]) => node.nodes(kind);
    g.ping = (n: string) => node.ping(n);
    g.spawn = (...args: unknown[]) => (this.ctx.spawn as (...a: unknown[]) => unknown)(...args);
    g.send = (dest: Parameters<ProcessContext['send']>[0], msg: unknown) => this.ctx.send(dest, msg);
    g.receive = (match?: Parameters<ProcessContext['receive']>[0], timeoutMs?: number) => this.ctx.receive(match, timeoutMs);
    g.flush = () => {
      for (const m of this.ctx.flush()) this.hooks.print(`Shell got ${formatTerm(m)}\n`);
      return 'ok';
    };
    g.halt = (status = 0) => {
      this.halting = true;
      this.hooks.halt(Number.isInteger(status) ? status : 1);
      return new Promise<never>(() => {});
    };
    g.q = () => (g.halt as () => unknown)();
    g.i = () => (this.hooks.print(processTable(node)), 'ok');
    g.regs = () => (this.hooks.print(registeredTable(node)), 'ok');
    Object.defineProperty(globalThis, ERL_CALL, {
      configurable: true,
      enumerable: false,
      value: (mod: string, fun: string) => erlCall(node, () => this.ctx, mod, fun),
    });
    g.help = () => {
      this.hooks.print(HELP);
      return true;
    };
    g.defineModule = defineModule;
    g.TIMEOUT = TIMEOUT;
    // Services the node may have (global and pg arrive with their own issue).
    for (const name of ['erpc', 'global', 'pg'] as const) {
      const service = (node as unknown as Record<string, unknown>)[name];
      if (service !== undefined) g[name] = service;
    }
    this.refresh();
  }

  /** Bind newly loaded (or reloaded) modules by name; call after each evaluation. */
  refresh(): void {
    const g = globalThis as Record<string, unknown>;
    for (const name of this.node.loadedModules()) {
      if (RESERVED.has(name)) continue;
      const mod = this.node.module(name);
      if (!mod) continue;
      const prev = this.installed.get(name);
      if (prev?.mod === mod) continue;
      // Only names that are free, or still hold our own binding.
      if (prev ? g[name] !== prev.value : name in globalThis) continue;
      const value = this.bindModule(mod);
      g[name] = value;
      this.installed.set(name, { mod, value });
    }
  }

  /** `{ fun: (...args) => fun(shellSelf, ...args) }` for each function of `mod`. */
  private bindModule(mod: ErlModule): object {
    const out: Record<string, (...args: unknown[]) => unknown> = {};
    for (const [fname, fn] of Object.entries(mod.functions)) {
      const f = fn as ModuleFunction;
      out[fname] = (...args: unknown[]) => f(this.ctx, ...args);
    }
    return Object.freeze(out);
  }
}

/**
 * Evaluate `code` (statements or an expression; top-level await allowed) with the shell's
 * bindings, awaiting a returned promise. Used by `--eval`, which prints nothing itself.
 */
export async function evaluate(code: string): Promise<unknown> {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (body: string) => () => Promise<unknown>;
  let fn: () => Promise<unknown>;
  try {
    fn = new AsyncFunction(`return (${code}\n);`);
  } catch {
    fn = new AsyncFunction(code);
  }
  return fn();
}
