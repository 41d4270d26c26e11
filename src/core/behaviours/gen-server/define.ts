/**
 * Defining callback modules (`defineGenServer`), supervisor child starts, the `genServer`
 * client API object, and the built-in `gen_server` module that other nodes spawn servers from.
 */
import { badarg } from '../../base/errors.js';
import { defineModule, type ErlModule, type ModuleFunction } from '../../modules/module.js';
import type { Pid } from '../../terms/pid.js';
import { call, cast, reply, stop } from './client.js';
import { initIt } from './loop.js';
import { checkServerName } from './refs.js';
import { start } from './start.js';
import type { ChildStartOptions, From, GenServerCallbacks, ServerName, ServerRef, StartOptions } from './types.js';

const CALLBACKS = ['init', 'handleCall', 'handleCast', 'handleInfo', 'handleContinue', 'terminate'] as const;

/**
 * Define a gen_server callback module (an ordinary module: load it with `node.load` on every
 * node that should run the server). `api` adds client functions to the same module, so that
 * other nodes can `rpc` them, as an Erlang module exports both.
 *
 * @example
 * export const counter = defineGenServer('counter', {
 *   init: (self, n: number) => ['ok', n],
 *   handleCall: (self, req: 'get', from, n: number) => ['reply', n, n],
 *   handleCast: (self, [, k]: ['add', number], n: number) => ['noreply', n + k],
 * }, {
 *   get: (self) => genServer.call(self, 'counter', 'get'),
 * });
 * node.load(counter);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineGenServer<S = any, A = any>(
  name: string,
  callbacks: GenServerCallbacks<NoInfer<S>, A>,
  api: Record<string, ModuleFunction> = {},
): ErlModule {
  if (!callbacks || typeof callbacks.init !== 'function') throw badarg(`defineGenServer: ${String(name)} needs an init callback`);
  const fns: Record<string, ModuleFunction> = {};
  for (const k of CALLBACKS) {
    const f = callbacks[k];
    if (f !== undefined) {
      if (typeof f !== 'function') throw badarg(`defineGenServer: ${name}.${k} is not a function`);
      fns[k] = f as ModuleFunction;
    }
  }
  for (const [k, f] of Object.entries(api)) {
    if (k in fns) throw badarg(`defineGenServer: api function ${name}.${k} clashes with a callback`);
    fns[k] = f;
  }
  return defineModule(name, fns);
}

/**
 * A supervisor child start for a gen server: `{ module: 'gen_server', fun: 'start_link', args:
 * [module, args, opts] }` (Erlang's `{gen_server, start_link, [...]}`). The supervisor starts it
 * linked, on the child spec's node, and waits for init.
 *
 * @example
 * { id: 'kvs', start: genServer.childStart('kvs_server', [], { name: 'kvs_server' }), restart: 'permanent' }
 */
function childStart(module: string | ErlModule, args?: unknown, opts: ChildStartOptions = {}): { module: 'gen_server'; fun: 'start_link'; args: unknown[] } {
  const modName = typeof module === 'string' ? module : module?.name;
  if (typeof modName !== 'string') throw badarg('genServer.childStart: module must be a module or its name');
  checkServerName(opts.name);
  return { module: 'gen_server', fun: 'start_link', args: [modName, args, opts] };
}

/**
 * The gen_server client API: `start`, `call`, `cast`, `reply`, `stop`, `childStart`. The first
 * argument is the caller: a process's `self`, or a node (a helper process then calls).
 *
 * @example
 * node.load(counter);
 * const [, pid] = await genServer.start(node, counter, 0, { name: 'counter' });
 * genServer.cast(node, 'counter', ['add', 2]);
 * await genServer.call(node, 'counter', 'get'); // 2
 * await genServer.stop(node, pid);
 */
export const genServer = { start, call, cast, reply, stop, childStart } as const;

/**
 * The built-in `gen_server` module: the server body (`init_it`) other nodes spawn, and the
 * client functions for rpc and the shell. Every node loads it at start; a node made without
 * the defaults can load it itself.
 *
 * @example
 * node.module('gen_server') === genServerModule; // true: loaded by startNode
 * await node.rpc.call('b@host', 'gen_server', 'call', ['counter', 'get']);
 */
export const genServerModule = defineModule('gen_server', {
  init_it: (self, starter: Pid, parent: Pid | undefined, module: string, args: unknown, name: ServerName | undefined) =>
    initIt(self, starter, parent, module, args, name),
  start: (self, module: string, args: unknown, opts?: StartOptions) => start(self, module, args, { ...opts, link: false }),
  start_link: (self, module: string, args: unknown, opts?: StartOptions) => start(self, module, args, { ...opts, link: true }),
  call: (self, ref: ServerRef, request: unknown, timeoutMs?: number) => call(self, ref, request, timeoutMs),
  cast: (self, ref: ServerRef, msg: unknown) => cast(self, ref, msg),
  reply: (self, from: From, value: unknown) => reply(self, from, value),
  stop: (self, ref: ServerRef, reason?: unknown, timeoutMs?: number) => stop(self, ref, reason, timeoutMs),
});
