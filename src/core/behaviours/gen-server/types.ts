/**
 * The types of the gen_server behaviour (callbacks, results, references, options), the
 * `CallError` that `call` and `stop` reject with, and how the behaviours see the process and
 * node they run in. The message exchange is described in gen-server/index.ts.
 */
import { ErlmeshError, type ErlmeshErrorCode } from '../../base/errors.js';
import type { Self } from '../../interfaces/self.js';
import type { ProcessContext } from '../../process/context.js';
import { formatTerm } from '../../terms/format.js';
import type { Pid } from '../../terms/pid.js';
import type { Ref } from '../../terms/ref.js';

// ----- the process and node the behaviours run in --------------------------------------------

/**
 * The node a process runs on, as the behaviours use it: public members only (`name`, `clock`,
 * `log`, `send`, `spawn`, `exit`, `whereis`, `module`, `apply`, `global`). It follows the type
 * of `ProcessContext.node`.
 */
export type HostNode = ProcessContext['node'];

/**
 * A process where the behaviours use only its BIFs and its node: client calls, name
 * registration, stopping children. Code that runs or spawns callbacks takes a `ProcessContext`,
 * as callbacks get one.
 */
export type SelfOnNode = Self & { readonly node: HostNode };

/**
 * Who makes a behaviour request: a process (`ProcessContext`, which then does the exchange
 * itself), or a node, in which case a short-lived helper process on it does (as rpc does).
 */
export type Caller = ProcessContext | HostNode;

/**
 * Who makes a behaviour request: a process's `self` (a `ProcessContext`), or a node (a
 * short-lived helper process on it then does the exchange, as rpc does).
 *
 * @example
 * const ctx: Ctx = node;  // or, inside a process, its self
 * await genServer.call(ctx, 'counter', 'get');
 */
export type Ctx = Caller;

// ----- references and names -------------------------------------------------------------------

/**
 * Who is calling: `[callerPid, tag]`. Pass it to `genServer.reply` for a deferred reply.
 *
 * @example
 * handleCall: (self, req, from: From, waiting: From[]) => ['noreply', [...waiting, from]],
 * // later, in another callback: genServer.reply(self, waiting[0], 'done')
 */
export type From = [Pid, Ref];

/**
 * A server: a pid, a local name, `[name, node]`, or `['global', name]`.
 *
 * @example
 * const ref: ServerRef = ['counter', 'b@host'];
 * await genServer.call(node, ref, 'get');
 */
export type ServerRef = Pid | string | readonly [string, string] | readonly ['global', string];

/**
 * A name to register a server under: local, or `['global', name]`.
 *
 * @example
 * const name: ServerName = ['global', 'counter'];
 * await genServer.start(node, counter, 0, { name });
 */
export type ServerName = string | readonly ['global', string];

// ----- callbacks and their results ------------------------------------------------------------

/**
 * What may follow a state: a timeout in ms (then `handleInfo('timeout')`), `['continue', c]`
 * (then `handleContinue(c)`), or `'hibernate'` (accepted, no effect).
 *
 * @example
 * init: (self, n: number) => ['ok', n, ['continue', 'load']], // handleContinue(self, 'load', n) next
 */
export type Action = number | ['continue', unknown] | 'hibernate';

/**
 * `init` results. `['error', r]` (OTP 26) fails the start with r but exits the process normally.
 *
 * @example
 * init: (self, n: number): InitResult<number> => (n >= 0 ? ['ok', n] : ['stop', 'negative']),
 */
export type InitResult<S> = ['ok', S] | ['ok', S, Action] | ['stop', unknown] | ['error', unknown] | 'ignore';

/**
 * `handleCall` results. `['stop', reason, reply, state]` replies, runs terminate, then exits.
 *
 * @example
 * handleCall: (self, req, from, n: number): CallResult<number> => (req === 'get' ? ['reply', n, n] : ['stop', 'normal', 'bye', n]),
 */
export type CallResult<S> =
  | ['reply', unknown, S]
  | ['reply', unknown, S, Action]
  | ['noreply', S]
  | ['noreply', S, Action]
  | ['stop', unknown, unknown, S]
  | ['stop', unknown, S];

/**
 * `handleCast` / `handleInfo` / `handleContinue` results.
 *
 * @example
 * handleCast: (self, [, k]: ['add', number], n: number): NoReplyResult<number> => ['noreply', n + k],
 */
export type NoReplyResult<S> = ['noreply', S] | ['noreply', S, Action] | ['stop', unknown, S];

type MaybePromise<T> = T | Promise<T>;

/**
 * A gen_server callback module. `handleCall` and `handleCast` are needed only if the server
 * gets calls or casts (a missing one crashes the server with `['undef', …]`, as in Erlang); a
 * missing `handleInfo` logs and drops the message; `terminate` is optional.
 *
 * @example
 * const callbacks: GenServerCallbacks<number, number> = {
 *   init: (self, n) => ['ok', n],
 *   handleCall: (self, req, from, n) => ['reply', n, n],
 *   handleCast: (self, msg, n) => ['noreply', n + 1],
 * };
 * node.load(defineGenServer('counter', callbacks));
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

// ----- starting -------------------------------------------------------------------------------

/**
 * What `start` resolves to.
 *
 * @example
 * const r: StartResult = await genServer.start(node, 'counter', 0);
 * if (r !== 'ignore' && r[0] === 'ok') console.log('started', r[1]);
 */
export type StartResult = ['ok', Pid] | ['error', unknown] | 'ignore';

/**
 * Options of `genServer.start`.
 *
 * @example
 * const opts: StartOptions = { name: ['global', 'counter'], node: 'b@host', timeoutMs: 5_000 };
 * await genServer.start(node, 'counter', 0, opts);
 */
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

/**
 * Options of a genServer child start (`node` comes from the child spec).
 *
 * @example
 * const opts: ChildStartOptions = { name: 'counter' };
 * const spec = { id: 'counter', start: genServer.childStart('counter', 0, opts) };
 */
export type ChildStartOptions = Omit<StartOptions, 'link' | 'node'>;

// ----- errors ---------------------------------------------------------------------------------

/**
 * Rejection of `call` and `stop`; see the table in gen-server/index.ts.
 *
 * @example
 * try { await genServer.call(node, 'counter', 'get', 1_000); }
 * catch (e) { if (e instanceof CallError && e.code === 'noproc') console.log('no counter running'); }
 */
export class CallError extends ErlmeshError {
  /** Erlang's exit reason: 'timeout', 'noproc', ['nodedown', node], 'calling_self', or the server's exit reason. */
  readonly reason: unknown;
  constructor(code: ErlmeshErrorCode, reason: unknown, mfa: unknown[]) {
    super(code, `${String(mfa[0])}.${String(mfa[1])}: ${formatTerm(reason)}`, [reason, mfa]);
    this.name = 'CallError';
    this.reason = reason;
  }
}
