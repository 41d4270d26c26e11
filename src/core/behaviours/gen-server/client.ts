/**
 * The client side: `call`, `cast`, `reply` and `stop`. A call or stop monitors the server
 * (that is what makes a dead or unreachable server reject at once), sends its request and
 * waits for the answer, the DOWN, or the timeout.
 */
import { badarg } from '../../base/errors.js';
import { ProcessContext } from '../../process/context.js';
import { TIMEOUT } from '../../process/mailbox.js';
import { checkTerm } from '../../terms/check.js';
import { sameTerm } from '../../codec/term-equal.js';
import { Pid } from '../../terms/pid.js';
import { Ref } from '../../terms/ref.js';
import { callerNode, inCallerProcess } from '../caller.js';
import { isDownFor } from '../../terms/guards.js';
import { isFrom, replySender, sendReply, type ReplySender } from './messages.js';
import { checkServerRef, checkTimeoutMs, resolveRef, targetNode } from './refs.js';
import { CallError, type Caller, type From, type SelfOnNode, type ServerRef } from './types.js';

async function callIn(self: SelfOnNode, ref: ServerRef, request: unknown, timeoutMs: number): Promise<unknown> {
  const mfa = ['gen_server', 'call', [ref, request]];
  const target = resolveRef(self.node, ref);
  if (target === undefined) throw new CallError('noproc', 'noproc', mfa);
  if (target instanceof Pid && target.equals(self.pid)) throw new CallError('calling_self', 'calling_self', mfa);
  const mref = self.monitor(target);
  self.send(target, ['$gen_call', [self.pid, mref], request]);
  const m = await self.receive(
    (x) => (Array.isArray(x) && x.length === 2 && x[0] instanceof Ref && mref.equals(x[0])) || isDownFor(x, mref),
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
export async function call(ctx: Caller, serverRef: ServerRef, request: unknown, timeoutMs: number = 5_000): Promise<any> {
  checkServerRef(serverRef);
  checkTerm(request, 'request');
  const t = checkTimeoutMs(timeoutMs, 'genServer.call');
  return inCallerProcess(ctx, (self) => callIn(self, serverRef, request, t));
}

/**
 * Send a request without waiting; always `'ok'`, even when the server does not exist.
 *
 * @example
 * genServer.cast(self, 'counter', ['add', 1]);   // 'ok'
 */
export function cast(ctx: Caller, serverRef: ServerRef, msg: unknown): 'ok' {
  checkServerRef(serverRef);
  checkTerm(msg);
  const node = callerNode(ctx);
  let target: Pid | readonly [string, string] | undefined;
  try {
    target = resolveRef(node, serverRef);
  } catch {
    return 'ok';
  }
  if (target === undefined) return 'ok';
  // From a process the cast is sent as that process (the class says which).
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
export function reply(from: From, value: unknown): 'ok';
export function reply(ctx: Caller, from: From, value: unknown): 'ok';
export function reply(a: unknown, b: unknown, c?: unknown): 'ok' {
  if (arguments.length >= 3) {
    if (!isFrom(b)) throw badarg('genServer.reply: from must be [pid, ref] as handleCall got it');
    if (a instanceof ProcessContext) a.send(b[0], [b[1], c]);
    else if (a && typeof (a as ReplySender).send === 'function') sendReply(a as ReplySender, b, c);
    else throw badarg('genServer.reply: ctx must be a process context or a Node');
    return 'ok';
  }
  if (!isFrom(a)) throw badarg('genServer.reply: from must be [pid, ref] as handleCall got it');
  const via = replySender(a);
  if (!via) throw badarg('genServer.reply: this from did not come from handleCall here; use reply(ctx, from, value)');
  sendReply(via, a, b);
  return 'ok';
}

async function stopIn(self: SelfOnNode, ref: ServerRef, reason: unknown, timeoutMs: number): Promise<'ok'> {
  const mfa = ['gen_server', 'stop', [ref, reason]];
  const target = resolveRef(self.node, ref);
  if (target === undefined) throw new CallError('noproc', 'noproc', mfa);
  if (target instanceof Pid && target.equals(self.pid)) throw new CallError('calling_self', 'calling_self', mfa);
  const mref = self.monitor(target);
  self.send(target, ['$gen_system', [self.pid, mref], ['terminate', reason]]);
  const m = await self.receive((x) => isDownFor(x, mref), timeoutMs);
  if (m === TIMEOUT) {
    self.demonitor(mref, { flush: true });
    throw new CallError('timeout', 'timeout', mfa);
  }
  const got = (m as unknown[])[4];
  if (sameTerm(got, reason)) return 'ok';
  throw downError(got, target, mfa);
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
export async function stop(ctx: Caller, serverRef: ServerRef, reason: unknown = 'normal', timeoutMs: number = Infinity): Promise<'ok'> {
  checkServerRef(serverRef);
  checkTerm(reason, 'reason');
  const t = checkTimeoutMs(timeoutMs, 'genServer.stop');
  return inCallerProcess(ctx, (self) => stopIn(self, serverRef, reason, t));
}
