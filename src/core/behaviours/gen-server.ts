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
 */
import { badarg, ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import { defineModule, type ErlModule, type ModuleFunction } from '../modules/module.js';
import type { Node } from '../node/node.js';
import { ProcessContext } from '../process/context.js';
import { TIMEOUT } from '../process/mailbox.js';
import { isQuietReason } from '../process/signals.js';
import { checkTerm } from '../terms/check.js';
import { encodeTerm } from '../codec/superjson.js';
import { formatTerm } from '../terms/format.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';

// ----- types ---------------------------------------------------------------------------------

/** Who is calling: `[callerPid, tag]`. Pass it to `genServer.reply` for a deferred reply. */
export type From = [Pid, Ref];

/** A server: a pid, a local name, `[name, node]`, or `['global', name]`. */
export type ServerRef = Pid | string | readonly [string, string] | readonly ['global', string];

/** A name to register a server under: local, or `['global', name]`. */
export type ServerName = string | readonly ['global', string];

/** What may follow a state: a timeout in ms (then `handleInfo('timeout')`), `['continue', c]` (then `handleContinue(c)`), or `'hibernate'` (accepted, no effect). */
export type Action = number | ['continue', unknown] | 'hibernate';

/** `init` results. `['error', r]` (OTP 26) fails the start with r but exits the process normally. */
export type InitResult<S> = ['ok', S] | ['ok', S, Action] | ['stop', unknown] | ['error', unknown] | 'ignore';

/** `handleCall` results. `['stop', reason, reply, state]` replies, runs terminate, then exits. */
export type CallResult<S> =
  | ['reply', unknown, S]
  | ['reply', unknown, S, Action]
  | ['noreply', S]
  | ['noreply', S, Action]
  | ['stop', unknown, unknown, S]
  | ['stop', unknown, S];

/** `handleCast` / `handleInfo` / `handleContinue` results. */
export type NoReplyResult<S> = ['noreply', S] | ['noreply', S, Action] | ['stop', unknown, S];

type MaybePromise<T> = T | Promise<T>;

/**
 * A gen_server callback module. `handleCall` and `handleCast` are needed only if the server
 * gets calls or casts (a missing one crashes the server with `['undef', …]`, as in Erlang); a
 * missing `handleInfo` logs and drops the message; `terminate` is optional.
 */
// The state and argument types default to `any` so that a module may leave them untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface GenServerCallbacks<S = any, A = any> {
  init(self: ProcessContext, args: A): MaybePromise<InitResult<S>>;
  // Methods: a callback may narrow `request`/`msg` to the shapes it accepts.
  handleCall?(self: ProcessContext, request: unknown, from: From, state: S): MaybePromise<CallResult<S>>;
  handleCast?(self: ProcessContext, msg: unknown, state: S): MaybePromise<NoReplyResult<S>>;
  handleInfo?(self: ProcessContext, msg: unknown, state: S): MaybePromise<NoReplyResult<S>>;
  handleContinue?(self: ProcessContext, cont: unknown, state: S): MaybePromise<NoReplyResult<S>>;
  terminate?(self: ProcessContext, reason: unknown, state: S): unknown;
}

/** What `start` resolves to. */
export type StartResult = ['ok', Pid] | ['error', unknown] | 'ignore';

export interface StartOptions {
  /** Register the server: a local name, or `['global', name]` (cluster-wide). */
  name?: ServerName;
  /** Link the server to the calling process (needs a process context); it becomes the server's parent. */
  link?: boolean;
  /** Start it on this node (default: the caller's). Needs `gen_server` and the callback module loaded there. */
  node?: string;
  /** Give up (kill the server, `['error', 'timeout']`) if init has not returned by then. Default Infinity. */
  timeoutMs?: number;
}

/** A process context, or a Node (the call then runs in a short-lived helper process, as rpc does). */
export type Ctx = ProcessContext | Node;

/** Rejection of `call` and `stop`; see the table in the module header. */
export class CallError extends ErlmeshError {
  /** Erlang's exit reason: 'timeout', 'noproc', ['nodedown', node], 'calling_self', or the server's exit reason. */
  readonly reason: unknown;
  constructor(code: ErlmeshErrorCode, reason: unknown, mfa: unknown[]) {
    super(code, `${String(mfa[0])}.${String(mfa[1])}: ${formatTerm(reason)}`, [reason, mfa]);
    this.name = 'CallError';
    this.reason = reason;
  }
}

// ----- the global-name service, as the behaviours use it --------------------------------------

interface GlobalNames {
  registerName(name: string, pid: Pid): Promise<'yes' | 'no'>;
  whereisName(name: string): Pid | undefined;
}

function globalNames(node: Node): GlobalNames {
  const g = node.global as unknown as Partial<GlobalNames> | undefined;
  if (!g || typeof g.registerName !== 'function' || typeof g.whereisName !== 'function') {
    throw new ErlmeshError('badarg', 'global names are not available on this node');
  }
  return g as GlobalNames;
}

// ----- helpers -------------------------------------------------------------------------------

function isGlobalRef(x: unknown): x is readonly ['global', string] {
  return Array.isArray(x) && x.length === 2 && x[0] === 'global' && typeof x[1] === 'string';
}

function isNameNode(x: unknown): x is readonly [string, string] {
  return Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string';
}

function checkServerName(name: unknown): asserts name is ServerName | undefined {
  if (name === undefined) return;
  if (isGlobalRef(name) && name[1].length > 0) return;
  if (typeof name === 'string' && name.length > 0 && name !== 'undefined') return;
  throw badarg(`genServer: bad name ${formatTerm(name)} (a non-empty string or ['global', name])`);
}

function checkServerRef(ref: unknown): asserts ref is ServerRef {
  if (ref instanceof Pid || (typeof ref === 'string' && ref.length > 0) || isNameNode(ref)) return;
  throw badarg(`genServer: bad server reference ${formatTerm(ref)} (a pid, a name, [name, node] or ['global', name])`);
}

function checkTimeoutMs(t: unknown, what: string): number {
  if (t === Infinity) return Infinity;
  if (typeof t !== 'number' || !(t >= 0)) throw badarg(`${what}: timeout must be a number >= 0 or Infinity, got ${String(t)}`);
  return t;
}

/** Where to send: a pid, or `[name, node]`; undefined when a local or global name is not registered. */
function resolveRef(node: Node, ref: ServerRef): Pid | readonly [string, string] | undefined {
  if (ref instanceof Pid) return ref;
  if (typeof ref === 'string') return node.whereis(ref);
  if (isGlobalRef(ref)) return globalNames(node).whereisName(ref[1]);
  return ref;
}

function targetNode(t: Pid | readonly [string, string]): string {
  return t instanceof Pid ? t.node : t[1];
}

function nodeOf(ctx: Ctx): Node {
  return ctx instanceof ProcessContext ? ctx.node : ctx;
}

/** Run `fn` in `ctx` if it is a process, else in a short-lived helper process on the node. */
function inProcess<T>(ctx: Ctx, fn: (self: ProcessContext) => Promise<T>): Promise<T> {
  if (ctx instanceof ProcessContext) return fn(ctx);
  if (!ctx || typeof (ctx as Node).spawn !== 'function') return Promise.reject(badarg('genServer: ctx must be a process context or a Node'));
  return new Promise<T>((resolve, reject) => {
    ctx.spawn(async (self) => {
      try {
        resolve(await fn(self));
      } catch (e) {
        reject(e);
      }
    });
  });
}

const isDown = (m: unknown, ref: Ref): boolean => Array.isArray(m) && m[0] === 'DOWN' && ref.equals(m[1]);
const isExitFrom = (m: unknown, pid: Pid): boolean => Array.isArray(m) && m[0] === 'EXIT' && m.length === 3 && pid.equals(m[1]);

/** Reasons that are not failures: 'normal', 'shutdown', ['shutdown', _]. */
export function isNormalExit(reason: unknown): boolean {
  return reason === 'normal' || reason === 'shutdown' || (Array.isArray(reason) && reason.length === 2 && reason[0] === 'shutdown');
}

/** Outcome of running a callback (or any function) under Erlang's catch rules. */
type Outcome = { ok: true; value: unknown } | { ok: false; reason: unknown };

/**
 * Run `fn` so that `self.exit(r)` and exceptions become a failure with reason r /
 * `['exception', e]` (an undefined function: `['undef', [m, f, args]]`), and `self.throw(v)` a
 * return of v, without ending the process.
 */
async function guarded(self: ProcessContext, fn: () => unknown): Promise<Outcome> {
  const box: { value: unknown } = { value: undefined };
  const r = await self.catch(async () => {
    box.value = await fn();
    return box;
  });
  if (r === box) return { ok: true, value: box.value };
  if (Array.isArray(r) && r.length === 2 && r[0] === 'EXIT') return { ok: false, reason: r[1] };
  return { ok: true, value: r };
}

// ----- start ---------------------------------------------------------------------------------

let spawnSeq = 0;

/** The starter side of the start exchange, in process `self`. */
async function startIn(self: ProcessContext, module: string, args: unknown, opts: StartOptions): Promise<StartResult> {
  const clock = self.node.clock;
  const t0 = clock.now();
  const timeoutMs = checkTimeoutMs(opts.timeoutMs ?? Infinity, 'genServer.start');
  const left = (): number => (timeoutMs === Infinity ? Infinity : Math.max(0, timeoutMs - (clock.now() - t0)));
  const link = !!opts.link;
  const node = opts.node ?? self.node.name;
  const initArgs = [self.pid, link ? self.pid : undefined, module, args, opts.name] as const;
  let pid: Pid;
  let mref: Ref;
  if (node === self.node.name) {
    // Spawned as a closure: arguments need not be sendable terms on the caller's own node.
    const body = (s: ProcessContext): Promise<void> => initIt(s, ...initArgs);
    if (link) {
      pid = self.spawnLink(body);
      mref = self.monitor(pid);
    } else {
      [pid, mref] = self.spawnMonitor(body);
    }
  } else {
    const spawning: Promise<Pid | [Pid, Ref]> = link
      ? self.spawnLink(node, 'gen_server', 'init_it', [...initArgs])
      : self.spawnMonitor(node, 'gen_server', 'init_it', [...initArgs]);
    const tok = ++spawnSeq;
    let abandoned = false;
    void spawning.then((r) => {
      if (!abandoned) return void self.send(self.pid, ['$gen_spawned', tok, r]);
      // The spawn request got no reply in time: the server it started late goes.
      const p = r instanceof Pid ? r : r[0];
      if (link) self.unlink(p);
      self.node.exit(p, 'kill');
    });
    const sp = await self.receive((m) => Array.isArray(m) && m[0] === '$gen_spawned' && m[1] === tok, left());
    if (sp === TIMEOUT) {
      abandoned = true;
      return ['error', 'timeout'];
    }
    const r = (sp as [string, number, Pid | [Pid, Ref]])[2];
    if (r instanceof Pid) {
      pid = r;
      mref = self.monitor(pid);
    } else {
      [pid, mref] = r;
    }
  }
  const m = await self.receive(
    (x) => (Array.isArray(x) && x[0] === '$gen_ack' && pid.equals(x[1])) || isDown(x, mref),
    left(),
  );
  const dropExit = async (): Promise<void> => {
    if (link) await self.receive((x) => isExitFrom(x, pid), 0);
  };
  if (m === TIMEOUT) {
    if (link) self.unlink(pid);
    self.exit(pid, 'kill');
    self.demonitor(mref, { flush: true });
    await dropExit();
    return ['error', 'timeout'];
  }
  if ((m as unknown[])[0] === '$gen_ack') {
    const result = (m as [string, Pid, StartResult])[2];
    if (Array.isArray(result) && result[0] === 'ok') {
      self.demonitor(mref, { flush: true });
      return result;
    }
    // The server exits right after a failed init: return once it is gone.
    await self.receive((x) => isDown(x, mref));
    await dropExit();
    return result;
  }
  let reason = (m as unknown[])[4];
  if (link) {
    const ex = await self.receive((x) => isExitFrom(x, pid), 0);
    if (ex !== TIMEOUT && reason === 'noproc') reason = (ex as unknown[])[2];
  }
  return ['error', reason];
}

/**
 * Start a server running `module`'s callbacks with `init(self, args)`; resolves when init has
 * returned: `['ok', pid]`, `['error', reason]` (init's stop/error reason, a crash reason,
 * `['already_started', pid]` when the name is taken, `'timeout'`), or `'ignore'`.
 *
 * With `link`, a non-trapping caller dies with the server's exit reason when init returns
 * `['stop', reason]` (as in Erlang); `['error', reason]` fails the start without that.
 *
 * @example
 * const [, pid] = await genServer.start(node, counter, 0, { name: 'counter' });   // ['ok', pid]
 * await genServer.start(node, counter, 0, { name: 'counter' });   // ['error', ['already_started', pid]]
 * await genServer.start(self, 'counter', 0, { node: 'b@host', link: true, name: ['global', 'c'] });
 */
async function start(ctx: Ctx, module: string | ErlModule, args?: unknown, opts: StartOptions = {}): Promise<StartResult> {
  const modName = typeof module === 'string' ? module : module?.name;
  if (typeof modName !== 'string' || modName.length === 0) throw badarg('genServer.start: module must be a module or its name');
  if (opts === null || typeof opts !== 'object') throw badarg('genServer.start: opts must be an object');
  checkServerName(opts.name);
  if (opts.node !== undefined && typeof opts.node !== 'string') throw badarg('genServer.start: node must be a node name');
  if (opts.link && !(ctx instanceof ProcessContext)) throw badarg('genServer.start: link needs a calling process (pass self)');
  checkTimeoutMs(opts.timeoutMs ?? Infinity, 'genServer.start');
  return inProcess(ctx, (self) => startIn(self, modName, args, opts));
}

// ----- the server ----------------------------------------------------------------------------

interface Server {
  module: string;
  parent: Pid | undefined;
  name: ServerName | undefined;
  state: unknown;
  /** Timeout for the next receive (from an Action), or undefined. */
  timeout: number | undefined;
}

/** Register `name` for this process; undefined on success, else the holder. */
async function registerName(self: ProcessContext, name: ServerName): Promise<Pid | undefined | 'taken'> {
  if (isGlobalRef(name)) {
    const g = globalNames(self.node);
    if ((await g.registerName(name[1], self.pid)) === 'yes') return undefined;
    return g.whereisName(name[1]) ?? 'taken';
  }
  const holder = self.node.whereis(name as string);
  if (holder) return holder;
  self.register(name as string);
  return undefined;
}

/** The server process body: register, init, ack the starter, loop. */
async function initIt(
  self: ProcessContext,
  starter: Pid,
  parent: Pid | undefined,
  module: string,
  args: unknown,
  name: ServerName | undefined,
): Promise<void> {
  const ack = (v: StartResult): void => void self.send(starter, ['$gen_ack', self.pid, v]);
  if (name !== undefined) {
    const reg = await guarded(self, () => registerName(self, name));
    if (!reg.ok) {
      ack(['error', reg.reason]);
      self.exit(reg.reason);
    }
    if (reg.value !== undefined) {
      ack(['error', ['already_started', reg.value === 'taken' ? undefined : reg.value]]);
      self.exit('normal');
    }
  }
  const srv: Server = { module, parent, name, state: undefined, timeout: undefined };
  const r = await guarded(self, () => self.node.apply(self, module, 'init', [args]));
  if (!r.ok) {
    report(self, srv, INIT, r.reason);
    ack(['error', r.reason]);
    self.exit(r.reason);
  }
  const v = r.value;
  if (Array.isArray(v) && v[0] === 'ok' && (v.length === 2 || v.length === 3)) {
    ack(['ok', self.pid]);
    await next(self, srv, v[1], v.length === 3 ? v[2] : undefined, INIT);
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

function hasCallback(self: ProcessContext, module: string, fun: string): boolean {
  return typeof self.node.module(module)?.functions[fun] === 'function';
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
      await dispatchCall(self, srv, msg[2], msg[1], msg);
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
  if (!hasCallback(self, srv.module, 'handleInfo')) {
    self.node.log('warning', `undefined handleInfo in ${srv.module}; unhandled message: ${formatTerm(msg)}`);
    return;
  }
  return dispatchNoReply(self, srv, 'handleInfo', msg, msg);
}

function isFrom(x: unknown): x is From {
  return Array.isArray(x) && x.length === 2 && x[0] instanceof Pid && x[1] instanceof Ref;
}

/** Deferred replies need the node a `from` came through; see `reply`. */
const fromNodes = new WeakMap<object, Node>();

async function dispatchCall(self: ProcessContext, srv: Server, request: unknown, from: From, msg: unknown): Promise<void> {
  fromNodes.set(from, self.node);
  const r = await guarded(self, () => self.node.apply(self, srv.module, 'handleCall', [request, from, srv.state]));
  if (!r.ok) return terminateServer(self, srv, r.reason, msg);
  const v = r.value;
  if (Array.isArray(v) && v[0] === 'reply' && (v.length === 3 || v.length === 4)) {
    sendReply(self.node, from, v[1]);
    return next(self, srv, v[2], v[3], msg);
  }
  if (Array.isArray(v) && v[0] === 'noreply' && (v.length === 2 || v.length === 3)) return next(self, srv, v[1], v[2], msg);
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
  const r = await guarded(self, () => self.node.apply(self, srv.module, fun, [arg, srv.state]));
  if (!r.ok) return terminateServer(self, srv, r.reason, msg);
  return noReplyResult(self, srv, r.value, msg);
}

async function noReplyResult(self: ProcessContext, srv: Server, v: unknown, msg: unknown): Promise<void> {
  if (Array.isArray(v) && v[0] === 'noreply' && (v.length === 2 || v.length === 3)) return next(self, srv, v[1], v[2], msg);
  if (Array.isArray(v) && v[0] === 'stop' && v.length === 3) {
    srv.state = v[2];
    return terminateServer(self, srv, v[1], msg);
  }
  return terminateServer(self, srv, ['bad_return_value', v], msg);
}

/** Take the new state and follow the action: a receive timeout, or handleContinue. */
async function next(self: ProcessContext, srv: Server, state: unknown, action: unknown, msg: unknown): Promise<void> {
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
  if (hasCallback(self, srv.module, 'terminate')) {
    const t = await guarded(self, () => self.node.apply(self, srv.module, 'terminate', [reason, srv.state]));
    if (!t.ok) why = t.reason;
  }
  beforeExit?.();
  report(self, srv, lastMsg, why);
  self.exit(why);
}

/** Stands for "no message yet" in reports of init failures. */
const INIT = Symbol('init');

/** Erlang's "Generic server terminating" report, for abnormal exits only. */
function report(self: ProcessContext, srv: Server, lastMsg: unknown, reason: unknown): void {
  if (isNormalExit(reason) || isQuietReason(reason)) return;
  const who = srv.name === undefined ? self.pid.toString() : formatTerm(srv.name);
  self.print(
    `** Generic server ${who} terminating\n` +
      `** Last message in was ${lastMsg === INIT ? '(init)' : formatTerm(lastMsg)}\n` +
      `** When Server state == ${formatTerm(srv.state)}\n` +
      `** Reason for termination ==\n** ${formatTerm(reason)}`,
  );
}

// ----- call / cast / reply / stop ---------------------------------------------------------------

function sendReply(node: Node, from: From, value: unknown): void {
  node.send(from[0], [from[1], value]);
}

async function callIn(self: ProcessContext, ref: ServerRef, request: unknown, timeoutMs: number): Promise<unknown> {
  const mfa = ['gen_server', 'call', [ref, request]];
  const target = resolveRef(self.node, ref);
  if (target === undefined) throw new CallError('noproc', 'noproc', mfa);
  if (target instanceof Pid && target.equals(self.pid)) throw new CallError('calling_self', 'calling_self', mfa);
  const mref = self.monitor(target);
  self.send(target, ['$gen_call', [self.pid, mref], request]);
  const m = await self.receive(
    (x) => (Array.isArray(x) && x.length === 2 && x[0] instanceof Ref && mref.equals(x[0])) || isDown(x, mref),
    timeoutMs,
  );
  if (m === TIMEOUT) {
    self.demonitor(mref, { flush: true });
    throw new CallError('timeout', 'timeout', mfa);
  }
  if ((m as unknown[]).length === 2) {
    self.demonitor(mref, { flush: true });
    return (m as unknown[])[1];
  }
  throw downError((m as unknown[])[4], target, mfa);
}

function downError(reason: unknown, target: Pid | readonly [string, string], mfa: unknown[]): CallError {
  if (reason === 'noproc') return new CallError('noproc', 'noproc', mfa);
  if (reason === 'noconnection') return new CallError('nodedown', ['nodedown', targetNode(target)], mfa);
  return new CallError('server_exit', reason, mfa);
}

/**
 * Call a server and wait for its reply (default timeout 5000 ms, `Infinity` allowed).
 * Rejects a `CallError` (code 'timeout' | 'noproc' | 'nodedown' | 'server_exit' | 'calling_self').
 *
 * @example
 * await genServer.call(self, 'counter', 'get');                  // local name
 * await genServer.call(node, ['counter', 'b@host'], ['add', 2]);  // [name, node], from outside a process
 * await genServer.call(node, ['global', 'counter'], 'get', 1_000);
 */
// The reply is whatever the server sends (as rpc.call's result).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(ctx: Ctx, serverRef: ServerRef, request: unknown, timeoutMs: number = 5_000): Promise<any> {
  checkServerRef(serverRef);
  checkTerm(request, 'request');
  const t = checkTimeoutMs(timeoutMs, 'genServer.call');
  return inProcess(ctx, (self) => callIn(self, serverRef, request, t));
}

/**
 * Send a request without waiting; always `'ok'`, even when the server does not exist.
 *
 * @example
 * genServer.cast(self, 'counter', ['add', 1]);   // 'ok'
 */
function cast(ctx: Ctx, serverRef: ServerRef, msg: unknown): 'ok' {
  checkServerRef(serverRef);
  checkTerm(msg);
  const node = nodeOf(ctx);
  let target: Pid | readonly [string, string] | undefined;
  try {
    target = resolveRef(node, serverRef);
  } catch {
    return 'ok';
  }
  if (target === undefined) return 'ok';
  if (ctx instanceof ProcessContext) ctx.send(target, ['$gen_cast', msg]);
  else node.send(target, ['$gen_cast', msg]);
  return 'ok';
}

/**
 * Reply to a call the server answered with `noreply` (Erlang's gen_server:reply). `from` is the
 * one `handleCall` got; `reply(ctx, from, value)` sends from `ctx` (needed for a `from` that
 * came from another node in a message).
 *
 * @example
 * handleCall(self, 'wait', from, s) { return ['noreply', { ...s, waiting: from }] },
 * handleInfo(self, 'ready', s) { genServer.reply(s.waiting, 'done'); return ['noreply', s] },
 */
function reply(from: From, value: unknown): 'ok';
function reply(ctx: Ctx, from: From, value: unknown): 'ok';
function reply(a: unknown, b: unknown, c?: unknown): 'ok' {
  if (arguments.length >= 3) {
    if (!isFrom(b)) throw badarg('genServer.reply: from must be [pid, ref] as handleCall got it');
    if (a instanceof ProcessContext) a.send(b[0], [b[1], c]);
    else if (a && typeof (a as Node).send === 'function') sendReply(a as Node, b, c);
    else throw badarg('genServer.reply: ctx must be a process context or a Node');
    return 'ok';
  }
  if (!isFrom(a)) throw badarg('genServer.reply: from must be [pid, ref] as handleCall got it');
  const node = fromNodes.get(a);
  if (!node) throw badarg('genServer.reply: this from did not come from handleCall here; use reply(ctx, from, value)');
  sendReply(node, a, b);
  return 'ok';
}

async function stopIn(self: ProcessContext, ref: ServerRef, reason: unknown, timeoutMs: number): Promise<'ok'> {
  const mfa = ['gen_server', 'stop', [ref, reason]];
  const target = resolveRef(self.node, ref);
  if (target === undefined) throw new CallError('noproc', 'noproc', mfa);
  if (target instanceof Pid && target.equals(self.pid)) throw new CallError('calling_self', 'calling_self', mfa);
  const mref = self.monitor(target);
  self.send(target, ['$gen_system', [self.pid, mref], ['terminate', reason]]);
  const m = await self.receive((x) => isDown(x, mref), timeoutMs);
  if (m === TIMEOUT) {
    self.demonitor(mref, { flush: true });
    throw new CallError('timeout', 'timeout', mfa);
  }
  const got = (m as unknown[])[4];
  if (sameTerm(got, reason)) return 'ok';
  throw downError(got, target, mfa);
}

/** Structural equality of two terms. */
export function sameTerm(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return encodeTerm(a) === encodeTerm(b);
  } catch {
    return false;
  }
}

/**
 * Stop a server: it runs `terminate(reason)` and exits with `reason` (default 'normal');
 * resolves `'ok'` once it has exited. Rejects a `CallError` as `call` does (default timeout
 * Infinity; a different exit reason → 'server_exit').
 *
 * @example
 * await genServer.stop(node, 'counter');                 // 'ok'
 * await genServer.stop(self, pid, 'shutdown', 1_000);
 */
async function stop(ctx: Ctx, serverRef: ServerRef, reason: unknown = 'normal', timeoutMs: number = Infinity): Promise<'ok'> {
  checkServerRef(serverRef);
  checkTerm(reason, 'reason');
  const t = checkTimeoutMs(timeoutMs, 'genServer.stop');
  return inProcess(ctx, (self) => stopIn(self, serverRef, reason, t));
}

// ----- defining callback modules and child starts ----------------------------------------------

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

/** Options of a genServer child start (`node` comes from the child spec). */
export type ChildStartOptions = Omit<StartOptions, 'link' | 'node'>;

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

/** The gen_server client API. */
export const genServer = { start, call, cast, reply, stop, childStart } as const;

/**
 * The built-in `gen_server` module: the server body (`init_it`) other nodes spawn, and the
 * client functions for rpc and the shell.
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
