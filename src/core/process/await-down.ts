/**
 * A monitored remote spawn awaited from outside any process: how `rpc.call` and `erpc.call`
 * made on the node (not by a process) wait for their worker's DOWN, with a call-table entry
 * (the pending spawn request, keyed by its monitor ref) instead of a throwaway local process
 * per call. Erlang's semantics stay: the DOWN reason is the answer, `noconnection` when the
 * node is unreachable or goes down, and on timeout the monitor is dropped (a DOWN that comes
 * later is ignored).
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import { TIMEOUT } from '../base/timeout.js';
import type { Bifs } from './bifs.js';
import type { SpawnSpec } from './signals.js';

/**
 * Spawn `spec` on `node` (another node) monitored with `reply: 'error_only'` and resolve with
 * the worker's DOWN reason, or TIMEOUT once `timeoutMs` has passed (undefined: never).
 * Rejects `notalive` when the node has stopped.
 *
 * @example
 * const reason = await awaitDown(bifs, clock, 'b@host', { kind: 'mfa', module: 'erpc', fun: 'execute', args: ['erlang', 'node', []] }, 5_000);
 */
export function awaitDown(
  bifs: Pick<Bifs<unknown>, 'spawnForDown' | 'cancelForDown'>,
  clock: Clock,
  node: string,
  spec: SpawnSpec,
  timeoutMs: number | undefined,
): Promise<unknown> {
  return new Promise((resolve) => {
    let done = false;
    let timer: TimerHandle | undefined;
    const ref = bifs.spawnForDown(node, spec, (reason) => {
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      resolve(reason);
    });
    if (done || timeoutMs === undefined) return;
    timer = clock.setTimeout(() => {
      bifs.cancelForDown(ref);
      resolve(TIMEOUT);
    }, timeoutMs);
  });
}
