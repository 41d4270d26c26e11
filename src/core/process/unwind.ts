/**
 * Non-local exits used by process bodies. They unwind user code; the runtime catches them
 * around the process body and never lets them escape into transport code.
 */

/** Thrown by `self.exit(reason)` after the process has already been terminated. */
export class ExitSignal {
  constructor(readonly reason: unknown) {}
}

/** Thrown by `self.throw(value)`: Erlang's `throw`, a non-local return for `catch`/rpc. */
export class ThrowSignal {
  constructor(readonly value: unknown) {}
}

/**
 * Raised by `apply` for a missing module or function; becomes the reason ['undef', [m, f, args]].
 *
 * @example
 * try { node.apply(self, 'nosuch', 'fun', []); }
 * catch (e) { if (e instanceof UndefinedFunction) console.log(e.reason); } // ['undef', ['nosuch', 'fun', []]]
 */
export class UndefinedFunction extends Error {
  readonly reason: ['undef', [string, string, unknown[]]];
  constructor(module: string, fun: string, args: unknown[]) {
    super(`undefined function ${module}:${fun}/${args.length}`);
    this.name = 'UndefinedFunction';
    this.reason = ['undef', [module, fun, args]];
  }
}
