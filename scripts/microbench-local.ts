/**
 * Local process hot path: message throughput to one process, and heap per process.
 *
 *   node --expose-gc --import tsx scripts/microbench-local.ts [--n 1000000] [--procs 100000] [--runs 3]
 *        [--warmup 1] [--only a|b] [--shapes burst,interleaved,selective,selective+10]
 *
 * (a) one process sends N `['msg', i, bin]` (one shared 64-byte Uint8Array, as Erlang's
 *     `<<0:512>>` literal is shared) to another that takes them all with `await self.receive()`:
 *       burst        the sender sends all N without yielding, then the receiver drains its queue
 *       interleaved  the sender yields after each send, so each message finds the receiver waiting
 *       selective    as burst, with a matcher (`m[0] === 'msg'`) on every receive
 *       selective+10 as selective, with 10 non-matching messages queued ahead of the stream
 *     Erlang on this machine (performance-anchors.md): 3.2M–4.0M msgs/s for the burst shape.
 * (b) heap bytes per idle process: P processes blocked in `await self.receive()` (heapUsed
 *     after a full gc, minus before, over P), with a closure per spawn and with one shared body.
 * (c) heap bytes per exited process: the same P processes after they have all exited (≈ 0).
 */
import { startNode, type Node, type ProcessContext } from '../src/core/index.js';
import type { Pid } from '../src/core/terms/pid.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc --import tsx scripts/microbench-local.ts');
  process.exit(2);
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function argStr(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const N = arg('n', 1_000_000);
const P = arg('procs', 100_000);
const RUNS = arg('runs', 3);
const WARMUP = arg('warmup', 1);
const ONLY = argStr('only');
const SHAPES = (argStr('shapes') ?? 'burst,interleaved,selective,selective+10').split(',');

/** Let every pending microtask and I/O callback run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

async function fullGc(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    await settle();
    gc!();
  }
  return process.memoryUsage().heapUsed;
}

type Shape = 'burst' | 'interleaved' | 'selective' | 'selective+10';

/**
 * One run of shape `shape`: msgs/s by the wall clock and by this process's CPU time (all its
 * threads: a machine shared with other work slows the first more than the second), and for
 * `interleaved` the share of sends that found the receiver waiting.
 */
async function throughput(node: Node, shape: Shape): Promise<{ rate: number; cpuRate: number; direct?: number }> {
  const bin = new Uint8Array(64);
  const match = (m: unknown[]): boolean => m[0] === 'msg';
  const selective = shape === 'selective' || shape === 'selective+10';
  let t0 = 0;
  let c0 = process.cpuUsage();
  let direct = 0;
  const done = new Promise<number>((resolve) => {
    const receiver = node.spawn(async (self) => {
      let last = -1;
      if (selective) {
        for (let k = 0; k < N; k++) {
          const m = (await self.receive(match)) as [string, number, Uint8Array];
          last = m[1];
        }
      } else {
        for (let k = 0; k < N; k++) {
          const m = (await self.receive()) as [string, number, Uint8Array];
          last = m[1];
        }
      }
      if (last !== N - 1) throw new Error(`last message ${last}`);
      resolve(performance.now());
    });
    if (shape === 'selective+10') for (let k = 0; k < 10; k++) node.send(receiver, ['noise', k]);
    node.spawn(async (self) => {
      // Let the receiver reach its first receive.
      await settle();
      t0 = performance.now();
      c0 = process.cpuUsage();
      if (shape === 'interleaved') {
        const box = node.runtime.local(receiver)!.mailbox;
        for (let i = 0; i < N; i++) {
          self.send(receiver, ['msg', i, bin]);
          if (box.length === 0) direct++;
          await null;
        }
      } else {
        for (let i = 0; i < N; i++) self.send(receiver, ['msg', i, bin]);
      }
    });
  });
  const t1 = await done;
  const c1 = process.cpuUsage(c0);
  const rate = N / ((t1 - t0) / 1000);
  const cpuRate = N / ((c1.user + c1.system) / 1e6);
  return shape === 'interleaved' ? { rate, cpuRate, direct: direct / N } : { rate, cpuRate };
}

/** The body of a (b) process when it is the same function for all (Erlang's `fun loop/0`). */
const sharedIdleBody = async (self: ProcessContext): Promise<void> => {
  await self.receive();
};

/**
 * (b) and (c). `shared`: every process runs the same body function; otherwise each spawn
 * creates its own closure, as `spawn(async (self) => …)` in a loop does (its ~56 bytes count).
 */
async function idleHeap(node: Node, shared: boolean): Promise<{ idle: number; exited: number; exitedViaReturn: number }> {
  const before = await fullGc();
  const firstId = node.runtime.neverAlivePid().id;
  for (let i = 0; i < P; i++) {
    node.spawn(
      shared
        ? sharedIdleBody
        : async (self) => {
            await self.receive();
          },
    );
  }
  await settle();
  const idle = await fullGc();
  if (node.runtime.processCount < P) throw new Error('processes missing');
  // Wake them all: each exits normally.
  const pids: Pid[] = node.runtime
    .processes()
    .map((p) => p.pid)
    .filter((p) => p.id > firstId);
  for (const pid of pids) node.send(pid, 'stop');
  pids.length = 0;
  const exited = await fullGc();
  // Processes that return at once.
  for (let i = 0; i < P; i++) node.spawn(() => undefined);
  const exitedViaReturn = await fullGc();
  return { idle: (idle - before) / P, exited: (exited - before) / P, exitedViaReturn: (exitedViaReturn - before) / P };
}

function fmtRate(r: number): string {
  return r >= 1e5 ? `${(r / 1e6).toFixed(2)}M/s` : `${(r / 1e3).toFixed(1)}k/s`;
}

async function main(): Promise<void> {
  const node = await startNode({ output: false, logger: false });
  console.log(`node ${process.version}, N=${N}, procs=${P}, runs=${RUNS}`);
  if (!ONLY || ONLY === 'a') {
    for (const shape of SHAPES as Shape[]) {
      for (let w = 0; w < WARMUP; w++) await throughput(node, shape);
      await fullGc();
      const rates: number[] = [];
      const cpuRates: number[] = [];
      let direct: number | undefined;
      for (let r = 0; r < RUNS; r++) {
        const res = await throughput(node, shape);
        rates.push(res.rate);
        cpuRates.push(res.cpuRate);
        direct = res.direct;
        await fullGc();
      }
      const sorted = [...rates].sort((x, y) => x - y);
      const cpuSorted = [...cpuRates].sort((x, y) => x - y);
      const extra = direct !== undefined ? `  (receiver waiting on ${(direct * 100).toFixed(1)}% of sends)` : '';
      console.log(
        `(a) ${shape.padEnd(13)} wall: median ${fmtRate(sorted[sorted.length >> 1]!)} best ${fmtRate(sorted[sorted.length - 1]!)}` +
          ` | per CPU-second: median ${fmtRate(cpuSorted[cpuSorted.length >> 1]!)} best ${fmtRate(cpuSorted[cpuSorted.length - 1]!)}` +
          ` | runs ${rates.map(fmtRate).join(' ')}${extra}`,
      );
    }
  }
  if (!ONLY || ONLY === 'b' || ONLY === 'c') {
    for (const shared of [false, true]) {
      const h = await idleHeap(node, shared);
      const how = shared ? 'one shared body function' : 'a closure per spawn';
      console.log(`(b) idle process (${how}): ${h.idle.toFixed(0)} bytes of heap each (${((h.idle * P) / 1e6).toFixed(1)} MB for ${P})`);
      console.log(`(c) exited process (${how}): ${h.exited.toFixed(1)} bytes each after waking and exiting; ${h.exitedViaReturn.toFixed(1)} after also ${P} that returned at once`);
    }
  }
  await node.stop();
}

await main();
