/**
 * The book's remote-spawn demo (Programming Erlang, ch. 14):
 *
 * ```erlang
 * start(Node) -> spawn(Node, fun() -> loop() end).
 * rpc(Pid, M, F, A) -> Pid ! {rpc, self(), M, F, A}, receive {Pid, Response} -> Response end.
 * loop() -> receive {rpc, Pid, M, F, A} -> Pid ! {self(), (catch apply(M, F, A))}, loop() end.
 * ```
 *
 * `catch` turns a thrown Error into `['EXIT', ['exception', e]]`, an undefined function into
 * `['EXIT', ['undef', [m, f, args]]]`, `self.exit(e)` into `['EXIT', e]`, and returns a
 * `self.throw(v)` value as is. `rpc` has no timeout, as in the book.
 */
import { defineModule } from '../modules/module.js';
import type { ProcessContext } from '../process/context.js';
import type { Pid } from '../terms/pid.js';

/** Erlang's `catch apply(M, F, A)`. */
function catchApply(self: ProcessContext, m: string, f: string, a: unknown[]): Promise<unknown> {
  return self.catch(() => self.node.apply(self, m, f, a));
}

/**
 * The `dist_demo` module (loaded on every node): `start(node)` spawns the rpc loop there,
 * `rpc(pid, m, f, a)` asks it to apply a function and waits for the answer.
 *
 * @example
 * const pid = await node.rpc.call(node.name, 'dist_demo', 'start', ['b@host']);
 * await node.rpc.call(node.name, 'dist_demo', 'rpc', [pid, 'erlang', 'node', []]); // 'b@host'
 */
export const distDemo = defineModule('dist_demo', {
  start: (self, node: string) => self.spawn(node, 'dist_demo', 'loop', []),
  rpc: async (self, pid: Pid, m: string, f: string, a: unknown[] = []) => {
    self.send(pid, ['rpc', self.pid, m, f, a]);
    const reply = (await self.receive((x) => Array.isArray(x) && x.length === 2 && pid.equals(x[0]))) as [Pid, unknown];
    return reply[1];
  },
  loop: async (self) => {
    for (;;) {
      const m = (await self.receive()) as unknown[];
      if (!Array.isArray(m) || m[0] !== 'rpc') continue;
      const [, from, mod, fun, args] = m as [string, Pid, string, string, unknown[]];
      self.send(from, [self.pid, await catchApply(self, mod, fun, Array.isArray(args) ? args : [])]);
    }
  },
});
