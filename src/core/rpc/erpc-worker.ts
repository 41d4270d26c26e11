/**
 * The callee side of rpc and erpc: the `erpc` module every node loads. A caller spawns
 * `erpc:execute(M, F, A)` (or `executeFun(source)`) here; the worker exits with
 * `['$erpc', 'return' | 'throw' | 'error' | 'exit', value]`, which the caller reads from the
 * DOWN (see rpc/rpc.ts for the exchange). Any other exit reason is an exit signal that killed
 * the worker: erpc tells `exit:{exception, R}` (the function called `exit(R)`) from
 * `exit:{signal, R}` (something else killed it) by this tag, as OTP's erpc does.
 */
import { compileFunction, defineModule } from '../modules/module.js';
import type { ProcessContext } from '../process/context.js';
import { ExitSignal, ThrowSignal, UndefinedFunction } from '../process/unwind.js';
import { takeTurn } from './block-server.js';
import { ErlmeshError } from '../base/errors.js';
import { binary } from '../terms/beam-binary.js';
import { list } from '../terms/beam-list.js';

/** How the function ended, marked so that it cannot be taken for what `self.catch` makes of an exit. */
class Outcome {
  constructor(
    readonly tag: 'return' | 'throw' | 'error',
    readonly value: unknown,
  ) {}
}

/**
 * Run `fn` as OTP's erpc:execute_call does, inside a catch: the function's own `self.exit(r)`
 * is an exception (the process goes on to report it) rather than the end of the process.
 * Returns the worker's exit reason, `['$erpc', tag, value]`.
 */
async function outcomeOf(self: ProcessContext, fn: () => unknown, errorReason: (e: unknown) => unknown): Promise<unknown[]> {
  const caught = await self.catch(async () => {
    try {
      return new Outcome('return', await fn());
    } catch (e) {
      if (e instanceof ExitSignal) throw e;
      if (e instanceof ThrowSignal) return new Outcome('throw', e.value);
      return new Outcome('error', errorReason(e));
    }
  });
  if (caught instanceof Outcome) return ['$erpc', caught.tag, caught.value];
  // self.catch made the function's self.exit(r) into ['EXIT', r].
  return ['$erpc', 'exit', (caught as ['EXIT', unknown])[1]];
}

/**
 * A BEAM caller's error reason and stack (erpc:execute_call's `{Ref, error, Reason, Stack}`,
 * rex's `{badrpc, {'EXIT', {Reason, Stack}}}`): an undefined function is `undef` with the call
 * as the stack's top, as Erlang has it; `erlang.error(R)` is `R`; an erlmesh error is its code
 * (`badarg`, …); any other JavaScript exception is `{js_error, <<"Name: message">>}` (an Error
 * has no Erlang form). The stack is otherwise empty.
 *
 * @example
 * beamError(new UndefinedFunction('kvs', 'nosuch', []), 'kvs', 'nosuch', []);   // ['undef', List [['kvs', 'nosuch', List [], List []]]]
 */
export function beamError(e: unknown, m: string, f: string, args: unknown[]): [reason: unknown, stack: unknown] {
  if (e instanceof UndefinedFunction) return ['undef', list([[m, f, list(args), list()]])];
  if (e instanceof Error && Object.hasOwn(e, 'reason')) return [(e as unknown as { reason: unknown }).reason, list()];
  if (e instanceof ErlmeshError) return [e.code, list()];
  return [['js_error', binary(e instanceof Error ? `${e.name}: ${e.message}` : String(e))], list()];
}

/** The worker side of rpc (see rpc/rpc.ts for the exchange). */
export const erpcWorker = defineModule('erpc', {
  /** `mode` 'block': wait for this node's block-call turn first (rpc.blockCall, block-server.ts). */
  execute: async (self, m: string, f: string, args: unknown[], mode?: unknown) => {
    if (mode === 'block') await takeTurn(self);
    const reason = await outcomeOf(
      self,
      () => self.node.apply(self, m, f, args),
      (e) => (e instanceof UndefinedFunction ? e.reason : ['exception', e]),
    );
    self.exit(reason);
  },
  /** erpc:call(Node, Fun): run a shipped function with the worker's context. */
  executeFun: async (self, source: string) => {
    const reason = await outcomeOf(
      self,
      () => (compileFunction(source) as (s: typeof self) => unknown)(self),
      (e) => (e instanceof SyntaxError ? ['badfun', `${e.name}: ${e.message}`] : ['exception', e]),
    );
    self.exit(reason);
  },
  /**
   * OTP's erpc:execute_call/4, spawned by a BEAM node's `erpc:call` and `rpc:call`: exits with
   * `{Ref, return, V}`, `{Ref, throw, V}`, `{Ref, exit, R}` or `{Ref, error, R, Stack}`.
   */
  execute_call: async (self, ref: unknown, m: string, f: string, args: unknown[]) => {
    let failure: [unknown, unknown] = ['undef', list()];
    const [, tag, value] = (await outcomeOf(
      self,
      () => self.node.apply(self, m, f, args),
      (e) => (failure = beamError(e, m, f, args)),
    )) as [string, string, unknown];
    self.exit(tag === 'error' ? [ref, 'error', ...failure] : [ref, tag, value]);
  },
  /** OTP's erpc:execute_cast/3, spawned by a BEAM node's `erpc:cast` and `rpc:cast`. */
  execute_cast: (self, m: string, f: string, args: unknown[]) => self.node.apply(self, m, f, args),
  executeCast: async (self, m: string, f: string, args: unknown[]) => {
    try {
      await self.node.apply(self, m, f, args);
    } catch (e) {
      if (e instanceof UndefinedFunction) self.crash(e.reason);
      throw e;
    }
  },
});
