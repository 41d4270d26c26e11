/**
 * The erlmesh node that drives a scenario, in its own OS process: the twin of the Erlang
 * client VM (bench/erlang/erlmesh_bench.erl). Each command runs one scenario against the
 * remote node (bench/proc/peer.ts) and answers with the same fields the Erlang side prints.
 *
 *   options (argv[2]): { cookie, name?, relay?, direct?, peer? }
 *   without `name`: a node that is not distributed (the local scenario).
 */
import { startNode as startCoreNode, TIMEOUT, type Node, type ProcessContext } from '../../src/core/index.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { startNode } from '../../src/server/start-node.js';
import { summarize } from '../lib/stats.js';
import { benchModule, counter, idle } from './bench-module.js';
import { childOptions, serve } from './ipc.js';

interface ClientOptions {
  cookie: string;
  name?: string;
  relay?: string;
  direct?: boolean;
  peer?: string;
}

const o = childOptions<ClientOptions>();
let node!: Node;

/** Let pending I/O and timers run (the cooperative stand-in for Erlang's preemption). */
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const now = (): number => performance.now();

/** Run `fn` in a fresh process of this node and resolve with what it returns. */
function inProcess<T>(fn: (self: ProcessContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    node.spawn(async (self) => {
      try {
        resolve(await fn(self));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

function peer(): string {
  if (!o.peer) throw new Error('no peer node given');
  return o.peer;
}

/** Time `f(i)` for i in 0..n-1 (after `warm` untimed calls); durations in µs. */
async function timed(warm: number, n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warm; i++) await f(i);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await f(warm + i);
    out[i] = (now() - t0) * 1000;
  }
  return out;
}

/**
 * One-way stream of `n` ['msg', i, <64-byte Uint8Array>] to a counting process (on the peer,
 * or local). The sender yields to the event loop every 1024 messages and checks the time cap
 * there; the rate is the count last reported by the counter over the time that report arrived.
 */
function stream(remote: boolean, n: number, capMs: number, report: number) {
  return inProcess(async (self) => {
    const target: Pid = remote
      ? await self.spawn(peer(), 'bench', 'counter', [self.pid, n, report])
      : self.spawn((s) => counter(s, self.pid, n, report));
    const bin = new Uint8Array(64);
    const t0 = now();
    const deadline = t0 + capMs;
    let sent = 0;
    while (sent < n) {
      self.send(target, ['msg', sent, bin]);
      sent++;
      if ((sent & 1023) === 0) {
        progress = `after ${sent} of ${n} messages were sent`;
        await yieldToLoop();
        if (now() > deadline) break;
      }
    }
    const sendMs = now() - t0;
    progress = `after ${sent} of ${n} messages were sent, before any count came back`;
    let count = 0;
    let t = t0;
    while (count < n) {
      const left = deadline - now();
      if (left <= 0) break;
      const m = (await self.receive((x) => Array.isArray(x) && x[0] === 'count', left)) as [string, number] | typeof TIMEOUT;
      if (m === TIMEOUT) break;
      count = m[1];
      t = now();
      progress = `after ${count} of ${n} messages were counted (${sent} sent)`;
    }
    const seconds = (t - t0) / 1000;
    return { count, sent, seconds, send_seconds: sendMs / 1000, rate: seconds > 0 ? count / seconds : 0, capped: count < n };
  });
}

const scenarios = {
  local: (a: { n: number; capMs: number; report: number }) => stream(false, a.n, a.capMs, a.report),

  stream: (a: { n: number; capMs: number; report: number }) => stream(true, a.n, a.capMs, a.report),

  pingpong: (a: { warm: number; n: number }) =>
    inProcess(async (self) => {
      const echo = await self.spawn(peer(), 'bench', 'echo', []);
      const times = await timed(a.warm, a.n, async (i) => {
        self.send(echo, [self.pid, i]);
        await self.receive((m) => Array.isArray(m) && m[0] === 'pong' && m[1] === i);
      });
      return summarize(times);
    }),

  rpc_seq: async (a: { warm: number; n: number }) => {
    const check = (await node.rpc.call(peer(), 'kvs', 'lookup', ['weather'])) as unknown;
    if (JSON.stringify(check) !== '["ok","fine"]') throw new Error(`kvs lookup returned ${JSON.stringify(check)}`);
    const times = await timed(a.warm, a.n, () => node.rpc.call(peer(), 'kvs', 'lookup', ['weather']));
    return summarize(times);
  },

  rpc_conc: async (a: { callers: number; warmPer: number; per: number }) => {
    const round = (per: number) =>
      Promise.all(
        Array.from({ length: a.callers }, async () => {
          for (let k = 0; k < per; k++) await node.rpc.call(peer(), 'kvs', 'lookup', ['weather']);
        }),
      );
    // The first `per` calls of each caller are timed on their own: the rate before V8 has
    // optimized the code run once per batch (Node's stream writes, the flush), for the report.
    const tc = now();
    await round(a.per);
    const coldRate = (a.callers * a.per) / ((now() - tc) / 1000);
    await round(Math.max(0, a.warmPer - a.per));
    const t0 = now();
    await round(a.per);
    const seconds = (now() - t0) / 1000;
    return { calls: a.callers * a.per, callers: a.callers, seconds, rate: (a.callers * a.per) / seconds, cold_rate: coldRate };
  },

  spawn: async (a: { warm: number; n: number }) => {
    const s = summarize(await timed(a.warm, a.n, () => node.spawn(peer(), 'bench', 'noop', [])));
    // spawns per second back to back: 1 / the mean time of one spawn (as the Erlang side)
    return { ...s, rate: 1e6 / s.mean_us };
  },

  global: async (a: { warm: number; n: number; lookups: number }) => {
    await node.global.sync();
    const register = async (name: string): Promise<number> => {
      const pid = node.spawn((s) => idle(s));
      const t0 = now();
      const r = await node.global.registerName(name, pid);
      const us = (now() - t0) * 1000;
      if (r !== 'yes') throw new Error(`registerName(${name}) returned ${r}`);
      return us;
    };
    for (let i = 1; i <= a.warm; i++) await register(`bench_w_${i}`);
    const names = Array.from({ length: a.n }, (_, i) => `bench_b_${i + 1}`);
    const times: number[] = [];
    for (const name of names) times.push(await register(name));
    const t0 = now();
    for (let k = a.lookups; k > 0; k--) {
      if (node.global.whereisName(names[k % a.n]!) === undefined) throw new Error('whereisName: a registered name is missing');
    }
    const whereis_us = ((now() - t0) * 1000) / a.lookups;
    return { whereis_us, ...summarize(times) };
  },
};

/**
 * Rejects when the connection to the peer is lost: a scenario then fails at once with the
 * reason instead of waiting for replies that cannot come (its progress so far in the text).
 */
let peerLost: Promise<never> = new Promise<never>(() => undefined);
let progress = '';

function watchPeer(name: string): void {
  peerLost = new Promise<never>((_, reject) => {
    node.monitorNodes(
      (ev) => {
        if (ev[0] !== 'nodedown' || ev[1] !== name) return;
        const info = ev[2] as { nodedownReason?: unknown } | undefined;
        reject(new Error(`nodedown ${name} (${String(info?.nodedownReason ?? 'no reason')})${progress ? ` ${progress}` : ''}`));
      },
      { nodedownReason: true },
    );
  });
  peerLost.catch(() => undefined);
}

const guarded = Object.fromEntries(
  Object.entries(scenarios).map(([k, f]) => [
    k,
    (args: Record<string, unknown>) => {
      progress = '';
      return Promise.race([(f as (a: Record<string, unknown>) => Promise<unknown>)(args), peerLost]);
    },
  ]),
);

await serve(
  async () => {
    if (o.name === undefined) {
      node = await startCoreNode({ output: false, logger: false, modules: [benchModule] });
      return { name: node.name };
    }
    node = await startNode({
      name: o.name,
      cookie: o.cookie,
      relay: o.relay,
      startRelay: false,
      direct: o.direct ?? true,
      output: false,
      logger: false,
      modules: [benchModule],
    });
    if (o.peer) {
      const deadline = Date.now() + 15_000;
      while ((await node.ping(o.peer)) !== 'pong') {
        if (Date.now() > deadline) throw new Error(`${o.peer} does not answer ping (${node.lastConnectError(o.peer) ?? 'no error'})`);
        await new Promise((r) => setTimeout(r, 100));
      }
      watchPeer(o.peer);
    }
    return { name: node.name };
  },
  guarded,
);
