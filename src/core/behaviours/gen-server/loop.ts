/**
 * The server process: `initIt` registers the name, runs `init`, acks the starter and enters
 * the loop, which hands each message to its callback (one at a time, in mailbox order) and
 * follows what the callback returns. An abnormal exit prints a "Generic server terminating"
 * report on the server's group leader. `enterLoop` enters the same loop from a process that has
 * set itself up (Erlang's `gen_server:enter_loop`).
 *
 * These functions take a `ProcessContext`, not `Self`: callbacks get one, and
 * `node.apply(self, …)` runs them as that process.
 */
import type { Self } from '../../interfaces/self.js';
import { moduleFunction, type ErlModule } from '../../modules/module.js';
import type { ProcessContext } from '../../process/context.js';
import { TIMEOUT } from '../../process/mailbox.js';
import { isQuietReason } from '../../process/signals.js';
import { UndefinedFunction } from '../../process/unwind.js';
import { formatTerm } from '../../terms/format.js';
import type { Pid } from '../../terms/pid.js';
import { isExitFrom, isFrom, isNormalExit, sendReply, serverFrom } from './messages.js';
import { isGlobalRef, nameService } from './refs.js';
import type { From, SelfOnNode, ServerName, StartResult } from './types.js';

/** The loop's state: what the server is, and the callback module's state. */
interface Server {
  module: string;
  /** The callback module itself, when the loop was entered with one (`enterLoop`); else `module` is looked up on the node. */
  callbacks: ErlModule | undefined;
  parent: Pid | undefined;
  name: ServerName | undefined;
  state: unknown;
  /** Timeout for the next receive (from an Action), or undefined. */
  timeout: number | undefined;
}

/** Outcome of running a callback (or any function) under Erlang's catch rules. */
type Outcome = { ok: true; value: unknown } | { ok: false; reason: unknown };

/**
 * Run `fn` so that `self.exit(r)` and exceptions become a failure with reason r /
 * `['exception', e]` (an undefined function: `['undef', [m, f, args]]`), and `self.throw(v)` a
 * return of v, without ending the process.
 */
async function callbackOutcome(self: Self, fn: () => unknown): Promise<Outcome> {
  const box: { value: unknown } = { value: undefined };
  const r = await self.catch(async () => {
    box.value = await fn();
    return box;
  });
  if (r === box) return { ok: true, value: box.value };
  if (Array.isArray(r) && r.length === 2 && r[0] === 'EXIT') return { ok: false, reason: r[1] };
  return { ok: true, value: r };
}

/** Register `name` for this process; undefined on success, else the holder. */
async function registerName(self: SelfOnNode, name: ServerName): Promise<Pid | undefined | 'taken'> {
  if (isGlobalRef(name)) {
    const names = nameService(self.node);
    if ((await names.registerName(name[1], self.pid)) === 'yes') return undefined;
    return names.whereisName(name[1]) ?? 'taken';
  }
  const holder = self.node.whereis(name as string);
  if (holder) return holder;
  self.register(name as string);
  return undefined;
}

/** The server process body: register, init, ack the starter, loop. */
export async function initIt(
  self: ProcessContext,
  starter: Pid,
  parent: Pid | undefined,
  module: string,
  args: unknown,
  name: ServerName | undefined,
): Promise<void> {
  const ack = (v: StartResult): void => void self.send(starter, ['$gen_ack', self.pid, v]);
  self.proc.initialCall = [module, 'init', 1]; // as proc_lib's $initial_call: the observer shows the callback module
  if (name !== undefined) {
    const reg = await callbackOutcome(self, () => registerName(self, name));
    if (!reg.ok) {
      ack(['error', reg.reason]);
      self.exit(reg.reason);
    }
    if (reg.value !== undefined) {
      ack(['error', ['already_started', reg.value === 'taken' ? undefined : reg.value]]);
      self.exit('normal');
    }
  }
  const srv: Server = { module, callbacks: undefined, parent, name, state: undefined, timeout: undefined };
  const r = await callbackOutcome(self, () => apply(self, srv, 'init', [args]));
  if (!r.ok) {
    report(self, srv, INIT, r.reason);
    ack(['error', r.reason]);
    self.exit(r.reason);
  }
  const v = r.value;
  if (Array.isArray(v) && v[0] === 'ok' && (v.length === 2 || v.length === 3)) {
    ack(['ok', self.pid]);
    await enterState(self, srv, v[1], v.length === 3 ? v[2] : undefined, INIT);
    return loop(self, srv);
  }
  if (Array.isArray(v) && v.length === 2 && (v[0] === 'stop' || v[0] === 'error')) {
    ack(['error', v[1]]);
    self.exit(v[0] === 'stop' ? v[1] : 'normal');
  }
  if (v === 'ignore') {
    ack('ignore');
    self.exit('normal');
  }
  ack(['error', ['bad_return_value', v]]);
  self.exit(['bad_return_value', v]);
}

/**
 * Erlang's `gen_server:enter_loop/4`: the calling process, which has set itself up (registered
 * `name`, made `state`), becomes a gen_server running `module`'s callbacks, with no start
 * exchange (no starter, no parent, no `$gen_ack`). A module given as a module (not a name) is
 * called directly, whether or not it is loaded on the node: a service's server
 * (node/service-host.ts) runs a callback module that nothing can spawn or rpc by name.
 *
 * @example
 * node.spawn((self) => {
 *   self.register('counter');
 *   return enterLoop(self, counter, 0, 'counter');
 * });
 */
export function enterLoop(self: ProcessContext, module: string | ErlModule, state: unknown, name?: ServerName): Promise<never> {
  const callbacks = typeof module === 'string' ? undefined : module;
  const srv: Server = { module: callbacks?.name ?? (module as string), callbacks, parent: undefined, name, state, timeout: undefined };
  return loop(self, srv);
}

function hasCallback(self: SelfOnNode, srv: Server, fun: string): boolean {
  return typeof (srv.callbacks ?? self.node.module(srv.module))?.functions[fun] === 'function';
}

/** Call the callback `fun` (an undefined one throws `UndefinedFunction`, as `node.apply`). */
function apply(self: ProcessContext, srv: Server, fun: string, args: unknown[]): unknown {
  if (srv.callbacks === undefined) return self.node.apply(self, srv.module, fun, args);
  const fn = moduleFunction(srv.callbacks, fun);
  if (fn === undefined) throw new UndefinedFunction(srv.module, fun, args);
  return fn(self, ...args);
}

async function loop(self: ProcessContext, srv: Server): Promise<never> {
  for (;;) {
    const msg: unknown = await self.receive(undefined, srv.timeout);
    srv.timeout = undefined;
    if (msg === TIMEOUT) {
      await dispatchInfo(self, srv, 'timeout');
      continue;
    }
    if (Array.isArray(msg) && msg[0] === '$gen_call' && msg.length === 3 && isFrom(msg[1])) {
      await dispatchCall(self, srv, msg[2], serverFrom(msg[1], self.node), msg);
      continue;
    }
    if (Array.isArray(msg) && msg[0] === '$gen_cast' && msg.length === 2) {
      await dispatchNoReply(self, srv, 'handleCast', msg[1], msg);
      continue;
    }
    if (Array.isArray(msg) && msg[0] === '$gen_system' && msg.length === 3 && Array.isArray(msg[2]) && msg[2][0] === 'terminate') {
      await terminateServer(self, srv, msg[2][1], msg);
    }
    if (srv.parent && isExitFrom(msg, srv.parent)) {
      await terminateServer(self, srv, (msg as unknown[])[2], msg);
    }
    await dispatchInfo(self, srv, msg);
  }
}

/** handleInfo, if the module has one; else log and drop the message (as Erlang does). */
async function dispatchInfo(self: ProcessContext, srv: Server, msg: unknown): Promise<void> {
  if (!hasCallback(self, srv, 'handleInfo')) {
    self.node.log('warning', `undefined handleInfo in ${srv.module}; unhandled message: ${formatTerm(msg)}`);
    return;
  }
  return dispatchNoReply(self, srv, 'handleInfo', msg, msg);
}

async function dispatchCall(self: ProcessContext, srv: Server, request: unknown, from: From, msg: unknown): Promise<void> {
  const r = await callbackOutcome(self, () => apply(self, srv, 'handleCall', [request, from, srv.state]));
  if (!r.ok) return terminateServer(self, srv, r.reason, msg);
  const v = r.value;
  if (Array.isArray(v) && v[0] === 'reply' && (v.length === 3 || v.length === 4)) {
    sendReply(self.node, from, v[1]);
    return enterState(self, srv, v[2], v[3], msg);
  }
  if (Array.isArray(v) && v[0] === 'noreply' && (v.length === 2 || v.length === 3)) return enterState(self, srv, v[1], v[2], msg);
  if (Array.isArray(v) && v[0] === 'stop' && v.length === 4) {
    srv.state = v[3];
    return terminateServer(self, srv, v[1], msg, () => sendReply(self.node, from, v[2]));
  }
  if (Array.isArray(v) && v[0] === 'stop' && v.length === 3) {
    srv.state = v[2];
    return terminateServer(self, srv, v[1], msg);
  }
  return terminateServer(self, srv, ['bad_return_value', v], msg);
}

async function dispatchNoReply(self: ProcessContext, srv: Server, fun: string, arg: unknown, msg: unknown): Promise<void> {
  const r = await callbackOutcome(self, () => apply(self, srv, fun, [arg, srv.state]));
  if (!r.ok) return terminateServer(self, srv, r.reason, msg);
  return noReplyResult(self, srv, r.value, msg);
}

async function noReplyResult(self: ProcessContext, srv: Server, v: unknown, msg: unknown): Promise<void> {
  if (Array.isArray(v) && v[0] === 'noreply' && (v.length === 2 || v.length === 3)) return enterState(self, srv, v[1], v[2], msg);
  if (Array.isArray(v) && v[0] === 'stop' && v.length === 3) {
    srv.state = v[2];
    return terminateServer(self, srv, v[1], msg);
  }
  return terminateServer(self, srv, ['bad_return_value', v], msg);
}

/** Take the callback's new state and follow its action: a receive timeout, or handleContinue. */
async function enterState(self: ProcessContext, srv: Server, state: unknown, action: unknown, msg: unknown): Promise<void> {
  srv.state = state;
  srv.timeout = undefined;
  if (action === undefined || action === 'hibernate') return;
  if (action === Infinity || (typeof action === 'number' && action >= 0)) {
    srv.timeout = action === Infinity ? undefined : action;
    return;
  }
  if (Array.isArray(action) && action.length === 2 && action[0] === 'continue') {
    return dispatchNoReply(self, srv, 'handleContinue', action[1], msg);
  }
  return terminateServer(self, srv, ['bad_return_value', action], msg);
}

/** Run terminate (its own failure replaces the reason), then exit. */
async function terminateServer(self: ProcessContext, srv: Server, reason: unknown, lastMsg: unknown, beforeExit?: () => void): Promise<never> {
  let why = reason;
  if (hasCallback(self, srv, 'terminate')) {
    const t = await callbackOutcome(self, () => apply(self, srv, 'terminate', [reason, srv.state]));
    if (!t.ok) why = t.reason;
  }
  beforeExit?.();
  report(self, srv, lastMsg, why);
  self.exit(why);
}

/** Stands for "no message yet" in reports of init failures. */
const INIT = Symbol('init');

/** Erlang's "Generic server terminating" report, for abnormal exits only. */
function report(self: Self, srv: Server, lastMsg: unknown, reason: unknown): void {
  if (isNormalExit(reason) || isQuietReason(reason)) return;
  const who = srv.name === undefined ? self.pid.toString() : formatTerm(srv.name);
  self.print(
    `** Generic server ${who} terminating\n` +
      `** Last message in was ${lastMsg === INIT ? '(init)' : formatTerm(lastMsg)}\n` +
      `** When Server state == ${formatTerm(srv.state)}\n` +
      `** Reason for termination ==\n** ${formatTerm(reason)}`,
  );
}
