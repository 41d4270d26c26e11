/**
 * genServer: Erlang's gen_server behaviour. A server is a process running the generic loop of
 * the built-in `gen_server` module around a callback module (`defineGenServer`), so it can be
 * started on any node where both modules are loaded.
 *
 * Message exchange (every message is an ordinary term; nothing else travels):
 * - start: the starter spawns `gen_server.init_it(starter, parent, module, args, name)` on the
 *   target node, linked (`link: true`, parent = starter) or not (parent = none), and monitors
 *   it. The server registers its name (local or global), runs `init`, and sends the starter
 *   `['$gen_ack', serverPid, ['ok', pid] | ['error', reason] | 'ignore']`. On an error or
 *   `ignore` the server then exits (reason: init's `['stop', r]` → r; `['error', r]`,
 *   `ignore` and a taken name → 'normal'; a crash → its reason) and the starter returns only
 *   after the DOWN, so a failed start has left nothing behind. No ack before the starter's
 *   timeout: the starter kills the server and returns `['error', 'timeout']`.
 * - call: the caller monitors the server (a pid, a local name resolved first, `[name, node]`,
 *   or a global name resolved first), sends `['$gen_call', [callerPid, ref], request]` and
 *   waits for `[ref, reply]`, the DOWN of that monitor, or its timeout. The monitor is what
 *   makes a dead or unreachable server reject at once.
 * - cast: `['$gen_cast', msg]`, never answered. Anything else the server receives (except a
 *   parent's EXIT and system messages) goes to `handleInfo`.
 * - stop: the stopper monitors the server, sends `['$gen_system', [pid, ref], ['terminate',
 *   reason]]` and waits for the DOWN.
 * - enter_loop: a process that has set itself up (registered its name, made its state) becomes
 *   a server with `enterLoop(self, module, state, name)`: no start exchange, no parent (a
 *   node's service servers: node/service-host.ts).
 * - parent: a server started with `link` whose callback traps exits treats
 *   `['EXIT', parent, reason]` as an order to terminate with that reason (this is how a
 *   supervisor shuts it down); without trapping, the exit signal kills it directly.
 *
 * Invariants: the server handles one message at a time, in mailbox order; `terminate` runs on
 * every exit the server decides (a stop result, a crashing callback, a bad return value, a
 * parent EXIT while trapping, `stop`) but not when it is killed; a callback's `self.throw(v)`
 * counts as returning `v` (Erlang's `throw` in gen_server callbacks); an abnormal exit prints
 * a "Generic server terminating" report on the server's group leader.
 *
 * Errors of `call` and `stop` (CallError, `details` = Erlang's exit term):
 *
 * | situation                                   | code            | reason                |
 * |---------------------------------------------|-----------------|-----------------------|
 * | no reply within the timeout                 | `'timeout'`     | `'timeout'`           |
 * | no such process / name, or it has exited    | `'noproc'`      | `'noproc'`            |
 * | its node is down or unreachable             | `'nodedown'`    | `['nodedown', node]`  |
 * | the server exited during the call with R    | `'server_exit'` | R                     |
 * | the caller is the server itself             | `'calling_self'`| `'calling_self'`      |
 *
 * `details` is `[reason, ['gen_server', 'call', [serverRef, request]]]` (or
 * `['gen_server', 'stop', [serverRef, reason]]`), as Erlang's
 * `{timeout, {gen_server, call, [Ref, Req]}}`. A reply that arrives after the timeout stays in
 * the caller's mailbox (as in Erlang before process aliases); a helper-process caller (a `Node`
 * ctx) simply drops it.
 *
 * Files: types.ts (types, CallError), refs.ts (references, names, the global-name service),
 * messages.ts (message matchers, From), start.ts (starter side), loop.ts (the server, enterLoop),
 * client.ts (call/cast/reply/stop), define.ts (defineGenServer, the `gen_server` module).
 */
export { genServer, defineGenServer, genServerModule } from './define.js';
export { enterLoop } from './loop.js';
export { isNormalExit } from './messages.js';
export { CallError } from './types.js';
export type {
  Action,
  CallResult,
  Caller,
  ChildStartOptions,
  Ctx,
  From,
  GenServerCallbacks,
  InitResult,
  NoReplyResult,
  ServerName,
  ServerRef,
  StartOptions,
  StartResult,
} from './types.js';
