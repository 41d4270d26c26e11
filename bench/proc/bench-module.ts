/**
 * The `bench` module, loaded on every erlmesh node of the bench: the processes the scenarios
 * spawn, locally or on the remote node (`spawn(node, 'bench', 'counter', [...])`), written as
 * their Erlang twins in bench/erlang/erlmesh_bench.erl.
 */
import { defineModule, type ProcessContext } from '../../src/core/index.js';
import type { Pid } from '../../src/core/terms/pid.js';

/**
 * Count `['msg', i, bin]`; report `['count', c]` to `parent` every `report` messages and at `n`.
 *
 * ```erlang
 * counter(Parent, N, _Report, N) -> Parent ! {count, N};
 * counter(Parent, N, Report, C) -> receive {msg, _I, _Bin} -> … counter(Parent, N, Report, C + 1) end.
 * ```
 */
export async function counter(self: ProcessContext, parent: Pid, n: number, report: number): Promise<void> {
  let c = 0;
  while (c < n) {
    const m = (await self.receive()) as unknown[];
    if (m[0] !== 'msg') continue;
    c++;
    if (c % report === 0 && c !== n) self.send(parent, ['count', c]);
  }
  self.send(parent, ['count', n]);
}

/** `echo() -> receive {From, I} -> From ! {pong, I}, echo() end.` */
export async function echo(self: ProcessContext): Promise<void> {
  for (;;) {
    const m = (await self.receive()) as [Pid, unknown];
    self.send(m[0], ['pong', m[1]]);
  }
}

/** `noop() -> ok.` */
export function noop(): string {
  return 'ok';
}

/** `idle() -> receive _ -> ok end.` (blocked in receive until any message comes) */
export async function idle(self: ProcessContext): Promise<void> {
  await self.receive();
}

export const benchModule = defineModule('bench', { counter, echo, noop, idle });
