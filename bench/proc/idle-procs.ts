/**
 * Bytes per idle process, in a dedicated process run with --expose-gc: heapUsed after full
 * garbage collections, before and after spawning `n` processes blocked in `receive` (the
 * `bench:idle` body, `await self.receive()`), on a node that is not distributed. The pids
 * are kept in an array, as the Erlang side keeps them in a list.
 *
 *   options (argv[2]): { n }
 */
import { startNode } from '../../src/core/index.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { idle } from './bench-module.js';
import { childOptions, measuredMemory, serve } from './ipc.js';

const o = childOptions<{ n: number }>();
let pids: Pid[] = [];

await serve(async () => {
  const node = await startNode({ output: false, logger: false });
  node.spawn((s) => idle(s)); // warm the code paths before the baseline
  const before = await measuredMemory();
  if (!before.gc) throw new Error('run with --expose-gc');
  pids = new Array<Pid>(o.n);
  for (let i = 0; i < o.n; i++) pids[i] = node.spawn((s) => idle(s));
  const after = await measuredMemory();
  const delta = after.heapUsed - before.heapUsed;
  return {
    processes: pids.length,
    bytes_per_process: delta / o.n,
    delta_bytes: delta,
    heap_used_before: before.heapUsed,
    heap_used_after: after.heapUsed,
    rss_after: after.rss,
    alive: pids.filter((p) => node.isProcessAlive(p)).length,
  };
}, {});
