/**
 * The small built-in modules every node loads, so the book's sessions can call them remotely:
 * `erlang` (node, nodes, self, …), `math`, `io` (format/put_chars to the group leader),
 * `erpc` (the worker side of rpc), `code` (loading shipped modules, for nl), and the book's
 * `kvs` and `dist_demo`.
 */
import { ThrowSignal, ExitSignal } from '../process/unwind.js';
import { ioFormat } from '../terms/io-format.js';
import { distDemo } from '../book/dist-demo.js';
import { kvs } from '../book/kvs.js';
import { genServerModule } from '../behaviours/gen-server.js';
import { supervisorModule } from '../behaviours/supervisor.js';
import { kvsServer } from '../book/kvs-server.js';
import { compileFunction, defineModule, UndefinedFunction, type ErlModule } from './module.js';

export const erlang = defineModule('erlang', {
  node: (self) => self.node.name,
  nodes: (self, kind?: 'visible' | 'hidden' | 'connected' | 'this') => self.node.nodes(kind),
  self: (self) => self.pid,
  is_alive: (self) => self.node.isAlive(),
  group_leader: (self) => self.groupLeader,
  registered: (self) => self.node.registered(),
  whereis: (self, name: string) => self.node.whereis(name),
  error: (_self, reason: unknown) => {
    throw reason instanceof Error ? reason : Object.assign(new Error(String(reason)), { reason });
  },
  exit: (self, reason: unknown) => self.exit(reason),
  throw: (self, value: unknown) => self.throw(value),
  apply: (self, m: string, f: string, args: unknown[]) => self.node.apply(self, m, f, args),
});

export const math = defineModule('math', {
  sqrt: (_s, x: number) => Math.sqrt(x),
  pow: (_s, x: number, y: number) => Math.pow(x, y),
  pi: () => Math.PI,
  exp: (_s, x: number) => Math.exp(x),
  log: (_s, x: number) => Math.log(x),
  log2: (_s, x: number) => Math.log2(x),
  log10: (_s, x: number) => Math.log10(x),
  sin: (_s, x: number) => Math.sin(x),
  cos: (_s, x: number) => Math.cos(x),
  tan: (_s, x: number) => Math.tan(x),
  floor: (_s, x: number) => Math.floor(x),
  ceil: (_s, x: number) => Math.ceil(x),
});

export const io = defineModule('io', {
  /** io:format/2: printed on the caller's group leader (its node, for remote processes). */
  format: (self, fmt: string, args: unknown[] = []) => {
    self.node.runtime.printTo(self.groupLeader, self.pid, ioFormat(fmt, args));
    return 'ok';
  },
  put_chars: (self, text: string) => {
    self.node.runtime.printTo(self.groupLeader, self.pid, String(text));
    return 'ok';
  },
});

/** The worker side of rpc (see rpc/rpc.ts for the exchange). */
export const erpc = defineModule('erpc', {
  execute: async (self, m: string, f: string, args: unknown[]) => {
    let value: unknown;
    try {
      value = await self.node.apply(self, m, f, args);
    } catch (e) {
      if (e instanceof ExitSignal) throw e;
      if (e instanceof ThrowSignal) self.exit(['$erpc', 'throw', e.value]);
      self.exit(['$erpc', 'error', e instanceof UndefinedFunction ? e.reason : ['exception', e]]);
    }
    self.exit(['$erpc', 'return', value]);
  },
  /** erpc:call(Node, Fun): run a shipped function with the worker's context. */
  executeFun: async (self, source: string) => {
    let value: unknown;
    try {
      value = await (compileFunction(source) as (s: typeof self) => unknown)(self);
    } catch (e) {
      if (e instanceof ExitSignal) throw e;
      if (e instanceof ThrowSignal) self.exit(['$erpc', 'throw', e.value]);
      self.exit(['$erpc', 'error', e instanceof SyntaxError ? ['badfun', `${e.name}: ${e.message}`] : ['exception', e]]);
    }
    self.exit(['$erpc', 'return', value]);
  },
  executeCast: async (self, m: string, f: string, args: unknown[]) => {
    try {
      await self.node.apply(self, m, f, args);
    } catch (e) {
      if (e instanceof UndefinedFunction) {
        self.node.runtime.terminate(self.proc, e.reason, true);
        throw new ExitSignal(e.reason);
      }
      throw e;
    }
  },
});

export const code = defineModule('code', {
  loadSources: (self, name: string, sources: Record<string, string>) => self.node._loadSources(name, sources),
  loaded: (self) => self.node.loadedModules(),
});

export const builtinModules: readonly ErlModule[] = [erlang, math, io, erpc, code, kvs, distDemo, genServerModule, supervisorModule, kvsServer];
