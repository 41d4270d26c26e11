/**
 * The callee side of rpc and erpc: the `erpc` module every node loads. A caller spawns
 * `erpc:execute(M, F, A)` (or `executeFun(source)`) here; the worker exits with
 * `['$erpc', 'return' | 'throw' | 'error', value]`, which the caller reads from the DOWN (see
 * rpc/rpc.ts for the exchange).
 */
import { compileFunction, defineModule } from '../modules/module.js';
import { ExitSignal, ThrowSignal, UndefinedFunction } from '../process/unwind.js';

/** The worker side of rpc (see rpc/rpc.ts for the exchange). */
export const erpcWorker = defineModule('erpc', {
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
      if (e instanceof UndefinedFunction) self.crash(e.reason);
      throw e;
    }
  },
});
