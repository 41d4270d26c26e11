/**
 * The kernel's small built-in modules, so the book's sessions can call them remotely:
 * `erlang` (node, nodes, self, …), `math`, `io` (format/put_chars to the group leader) and
 * `code` (loading shipped modules, for nl). The worker side of rpc (`erpc`) is in
 * rpc/erpc-worker.ts; node/start-node.ts lists what every node loads.
 */
import { ioFormat } from '../terms/io-format.js';
import { defineModule, moduleFromSources } from './module.js';

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
    self.putChars(ioFormat(fmt, args));
    return 'ok';
  },
  put_chars: (self, text: string) => {
    self.putChars(String(text));
    return 'ok';
  },
});

export const code = defineModule('code', {
  loadSources: (self, name: string, sources: Record<string, string>) => self.node.load(moduleFromSources(name, sources)),
  loaded: (self) => self.node.loadedModules(),
});
