/**
 * `npm run bench`: every scenario on erlmesh and, when `erl` is installed, the same workload
 * on Erlang/OTP (bench/erlang/), in one run on this machine. Prints the side-by-side table,
 * writes bench/results/latest.json (machine facts included) and regenerates
 * docs/benchmarks.md from it.
 *
 * Environment:
 *   BENCH_SCALE=0.1      multiply every count (default 1: the issue's counts)
 *   BENCH_NO_ERL=1       skip the Erlang side even if erl is installed
 *   BENCH_ONLY=a,b       run only these scenario ids (see SCENARIOS)
 *   BENCH_CAP_S=60       time cap of each stream scenario, in seconds
 *   BENCH_RUNS=2         runs per side of each timing scenario (alternating sides; best run kept)
 *   BENCH_BUDGET_S=540   the time the whole run aims to stay within (repeats stop, limits shrink)
 *   BENCH_WRITE=1        write latest.json + docs even for a scaled or partial run
 *   BENCH_MERGE=1        a full-scale partial run (BENCH_ONLY) replaces its scenarios' rows in
 *                        latest.json and docs, each marked as from that run; the rest stay
 *   BENCH_MESH_SIZES=40,100   the node counts of the mesh-join scenarios (default 40,400,1000)
 *   BENCH_MESH_CAP_S=150 time cap of each mesh-join scenario, in seconds
 *   BENCH_CLUSTER_NODES=10000  the bare clients of the cluster-memory scenario (4 relays on one redis-server)
 *   BENCH_CLUSTER_CAP_S=180    time cap of the cluster-memory scenario, in seconds
 *   BENCH_CHILD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'   Node flags for every child process
 *   BENCH_PROFILE_DIR=dir      the cluster-memory relays' CPU profiles of the join go there
 *   ERLMESH_CHROMIUM=…   the Chromium for the browser rows (default: /usr/bin/chromium, else chromium on PATH)
 *
 * Every scenario runs in fresh child processes (bench/proc/*.ts, Erlang VMs) that are killed
 * when it ends, fails or times out; a failure lands in its row and the other scenarios run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { REPO, atExit, buildChildren, childMode, killAll, withChildren, withTimeout, type Scope } from './lib/children.js';
import { ERL_NO_BUSY_WAIT, cleanupErlang, runErlClient, setupErlang, startErlServer, type ErlangEnv } from './lib/erlang.js';
import { findChromium, preparePages, runBrowser, type BrowserResult } from './lib/browser.js';
import { clusterJoin, clusterMemory, crossRelay } from './lib/cluster.js';
import { redisUnavailable } from './lib/redis.js';
import { fmt, markdownDoc, textTable, type MachineFacts, type Results, type Row } from './lib/report.js';

// ----- configuration -----------------------------------------------------------------------

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const NO_ERL = process.env.BENCH_NO_ERL === '1';
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const CAP_S = Number(process.env.BENCH_CAP_S ?? '60');
const CAP_MS = CAP_S * 1000;
const RUNS = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? '2')));
const FULL_SCALE = SCALE === 1;

/** A count of the issue, scaled. */
const sc = (n: number, min = 1): number => Math.max(min, Math.round(n * SCALE));

const P = {
  local: { n: sc(1_000_000, 1000) },
  stream: { n: sc(1_000_000, 1000) },
  // Warm-ups as long as the timed part: V8 compiles the hot paths on a background thread over
  // the first few thousand round trips, and on 2 cores that thread takes a core from a spinning
  // process (bursts of 10-20 round trips at 0.3-2 ms each); see the Fairness notes.
  pingpong: { warm: sc(10_000, 10), n: sc(10_000, 100) },
  rpc: { warm: sc(10_000, 10), n: sc(10_000, 100) },
  rpcConc: { callers: 32, warmPer: sc(2_000, 2), per: sc(500, 5) },
  spawn: { warm: sc(5_000, 10), n: sc(5_000, 100) },
  global: { warm: sc(100, 5), n: sc(1_000, 50), lookups: sc(100_000, 1000) },
  browser: { warm: sc(200, 10), n: sc(2_000, 100) },
  idle: { n: sc(100_000, 1000) },
  relayNodes: { n: sc(1_000, 10) },
  /** Nodes per mesh-join scenario (issue 13), split over MESH_PROCS processes. */
  meshSizes: process.env.BENCH_MESH_SIZES ? process.env.BENCH_MESH_SIZES.split(',').map(Number) : [sc(40, 4), sc(400, 8), sc(1_000, 12)],
  /** Relay cluster on one redis-server (issue 13): relays of the cluster-join scenarios, and the simulated nodes of cluster-memory. */
  cluster: { joinRelays: 3, memoryRelays: 4, memoryNodes: Number(process.env.BENCH_CLUSTER_NODES ?? sc(10_000, 100)), rounds: 2 },
};
/** OS processes the mesh-join nodes run in. */
const MESH_PROCS = 4;
/** How long the mesh-join scenarios measure the relay's CPU with the nodes idle. */
const MESH_IDLE_MS = 10_000;
/** How long they wait after the join before that (one tick interval: what the join set off is over, ticks are steady). */
const MESH_SETTLE_MS = 15_000;
const report = (n: number): number => Math.max(1, Math.floor(n / 20));

/** Time limit of one side of a scenario (setup included), beyond which it is failed. */
const LIMIT = { stream: CAP_MS + 90_000, short: 120_000, browser: 240_000, memory: 240_000, mesh: Number(process.env.BENCH_MESH_CAP_S ?? '150') * 1000, clusterMemory: Number(process.env.BENCH_CLUSTER_CAP_S ?? '180') * 1000 };

/**
 * The whole run aims to end within this budget (the issue asks for under 10 minutes): no run
 * is repeated once 60% of it is spent, and no run may outlast what is left of it (15 s at least).
 */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_S ?? '540') * 1000;
const started = performance.now();
const budgetLeft = (): number => BUDGET_MS - (performance.now() - started);

// ----- helpers -----------------------------------------------------------------------------

type Raw = Record<string, unknown>;
interface Side {
  ok: boolean;
  /** The best run (see Scenario.score). */
  data?: Raw;
  error?: string;
  skipped?: string;
  /** Wall time of all runs of this side, setup included. */
  seconds: number;
  /** Every run: its data, or its error. */
  runs?: Array<{ data?: Raw; error?: string; seconds: number }>;
}
interface ScenarioResult {
  id: string;
  title: string;
  params: Raw;
  erlmesh: Side;
  /** null: the scenario has no Erlang counterpart. */
  erlang: Side | null;
}

const cookie = (): string => randomBytes(12).toString('hex');
const tag = (): string => randomBytes(3).toString('hex');
const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const log = (s: string): void => void process.stdout.write(`${s}\n`);

async function once(what: () => Promise<Raw>, limitMs: number, label: string): Promise<{ data?: Raw; error?: string; seconds: number }> {
  const t0 = performance.now();
  try {
    const data = await withTimeout(what(), limitMs, label);
    return { data, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), seconds: (performance.now() - t0) / 1000 };
  } finally {
    killAll(); // nothing of this run survives into the next, even after a timeout
  }
}

/** The side's result over its runs: the best successful run, else the last error. */
function settle(runs: NonNullable<Side['runs']>, s: Scenario): Side {
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const good = runs.filter((r) => r.data !== undefined);
  if (good.length === 0) return { ok: false, error: runs[runs.length - 1]?.error ?? 'no run', seconds, runs };
  const sign = s.better === 'lower' ? -1 : 1;
  const best = good.reduce((a, b) => (sign * s.score(b.data!) > sign * s.score(a.data!) ? b : a));
  return { ok: true, data: best.data, seconds, runs };
}

// ----- erlmesh side ------------------------------------------------------------------------

interface RelayInfo {
  url: string;
  port: number;
}

/**
 * A relay, a remote node and a driving node, each in its own process. The driving node's
 * name sorts after the remote node's: erlmesh's global arbitrates at the lowest-named node
 * (the leader), so the driver's registrations cross the network, as they do from most
 * nodes of a cluster (and as Erlang's lock-based registration always does).
 */
async function erlmeshCluster(scope: Scope, direct: boolean, env?: Record<string, string>) {
  const c = cookie();
  const t = tag();
  const relay = await scope.node<RelayInfo>('relay.ts', { cookie: c }, { label: 'relay', env });
  const peer = await scope.node<{ name: string }>(
    'peer.ts',
    { name: `a_peer_${t}@127.0.0.1`, cookie: c, relay: relay.info.url, direct },
    { label: 'erlmesh peer', env },
  );
  const client = await scope.node<{ name: string }>(
    'client.ts',
    { name: `b_client_${t}@127.0.0.1`, cookie: c, relay: relay.info.url, direct, peer: peer.info.name },
    { label: 'erlmesh client', env },
  );
  return { relay, peer, client };
}

/**
 * Run `cmd` on a fresh erlmesh cluster; adds the relay's routed frame count. `env` goes to
 * every process of the cluster (e.g. ERLMESH_BUSY_WAIT_MS).
 */
function erlmeshRemote(direct: boolean, cmd: string, args: object, limitMs: number, env?: Record<string, string>): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const { relay, client } = await erlmeshCluster(scope, direct, env);
      type Stats = { framesRouted: number; problems: string[] };
      const before = await relay.request<Stats>('stats');
      let data: Raw;
      try {
        data = await client.request<Raw>(cmd, args, limitMs);
      } catch (e) {
        // say what the relay saw (e.g. a slow consumer it closed)
        const st = await relay.request<Stats>('stats', {}, 5_000).catch(() => undefined);
        const seen = st?.problems.length ? `; the relay logged: ${st.problems.join('; ')}` : '';
        throw new Error(`${e instanceof Error ? e.message : String(e)}${seen}`);
      }
      const after = await relay.request<Stats>('stats').catch(() => undefined);
      return {
        ...data,
        relay_frames: after ? after.framesRouted - before.framesRouted : null,
        ...(after?.problems.length ? { relay_problems: after.problems } : {}),
        direct,
      };
    });
}

/** The ping-pong floor (bench/proc/tcp-floor.ts): a bare TCP echo pair timed with busy wait on, then a pair with it off. */
function tcpFloor(args: { warm: number; n: number }, limitMs: number): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const out: Raw = {};
      for (const [k, env] of [['bw', {}], ['nobw', NO_BUSY_WAIT]] as const) {
        const echo = await scope.node<{ port: number }>('tcp-floor.ts', { role: 'echo' }, { label: `tcp echo (${k})`, env });
        const measure = await scope.node('tcp-floor.ts', { role: 'measure', port: echo.info.port }, { label: `tcp measure (${k})`, env });
        out[k] = await measure.request<Raw>('pingpong', args, limitMs);
      }
      return out;
    });
}

/**
 * Mesh join (issue 13): `n` server-nodes through one relay (no direct links, as tabs), in
 * MESH_PROCS processes, started together; the time until every node lists all the others in
 * `nodes()`, then, after MESH_SETTLE_MS, the relay's CPU (share of one core) and RSS with the
 * nodes idle for MESH_IDLE_MS, and the frames it routed meanwhile (ticks).
 */
function meshJoin(n: number, limitMs: number): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const c = cookie();
      // Registrations of hundreds of nodes at once on 2 cores can take longer than the 10 s default.
      const relay = await scope.node<RelayInfo>('relay.ts', { cookie: c, authTimeoutMs: 60_000 }, { label: 'relay' });
      const per = Math.ceil(n / MESH_PROCS);
      const counts = Array.from({ length: MESH_PROCS }, (_, k) => Math.max(0, Math.min(per, n - k * per))).filter((x) => x > 0);
      const t0 = performance.now();
      const procs = await Promise.all(
        counts.map((count, k) =>
          scope.node('mesh-nodes.ts', { relay: relay.info.url, cookie: c, count, prefix: `m${k}_`, concurrency: 6 }, { label: `mesh nodes ${k}`, readyTimeoutMs: limitMs }),
        ),
      );
      const startedS = (performance.now() - t0) / 1000;
      let complete = 0;
      while (performance.now() - t0 < limitMs) {
        const r = await Promise.all(procs.map((p) => p.request<{ complete: number }>('complete', { total: n }, 30_000)));
        complete = r.reduce((a, x) => a + x.complete, 0);
        if (complete === n) break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const joinS = (performance.now() - t0) / 1000;
      if (complete !== n) throw new Error(`after ${joinS.toFixed(1)} s only ${complete} of ${n} nodes list all the others`);
      type Cpu = { user: number; system: number; rss: number; stats: { framesRouted: number; channels: number; registered: number } };
      await new Promise((res) => setTimeout(res, MESH_SETTLE_MS));
      const a = await relay.request<Cpu>('cpu');
      await new Promise((res) => setTimeout(res, MESH_IDLE_MS));
      const b = await relay.request<Cpu>('cpu');
      return {
        nodes: n,
        processes: counts.length,
        join_seconds: joinS,
        started_seconds: startedS,
        idle_cpu: (b.user + b.system - a.user - a.system) / 1000 / MESH_IDLE_MS,
        idle_rss: b.rss,
        idle_frames_per_s: ((b.stats.framesRouted - a.stats.framesRouted) * 1000) / MESH_IDLE_MS,
        channels: b.stats.channels,
        registered: b.stats.registered,
      };
    });
}

function erlmeshLocal(args: object, limitMs: number): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const client = await scope.node('client.ts', { cookie: cookie() }, { label: 'erlmesh local' });
      return client.request<Raw>('local', args, limitMs);
    });
}

// ----- Erlang side -------------------------------------------------------------------------

let erl: ErlangEnv;

/** An Erlang client VM against a peer VM; `flags`: emulator flags for both (ERL_NO_BUSY_WAIT). */
function erlangRemote(scenario: string, args: Array<string | number>, limitMs: number, flags?: readonly string[]): () => Promise<Raw> {
  return async () => {
    const c = cookie();
    const t = tag();
    const server = await startErlServer(erl, `a_peer_${t}@127.0.0.1`, c, limitMs + 60_000, flags);
    try {
      return await runErlClient(erl, { name: `b_client_${t}@127.0.0.1`, cookie: c, scenario, args: [server.name!, ...args], timeoutMs: limitMs, flags });
    } finally {
      server.kill();
    }
  };
}

function erlangLocal(scenario: string, args: Array<string | number>, limitMs: number): () => Promise<Raw> {
  return () => runErlClient(erl, { cookie: cookie(), scenario, args, timeoutMs: limitMs });
}

// ----- scenarios ---------------------------------------------------------------------------

interface Scenario {
  id: string;
  title: string;
  params: Raw;
  erlmesh: () => Promise<Raw>;
  /** Absent: no Erlang counterpart. */
  erlang?: () => Promise<Raw>;
  erlmeshLimitMs: number;
  erlangLimitMs?: number;
  /** The figure that picks the best run, and which way is better. */
  score: (d: Raw) => number;
  better: 'higher' | 'lower';
  /** Runs per side (default BENCH_RUNS); a run that hit the time cap is not repeated. */
  runs?: number;
  /** Why the erlmesh side cannot run here (checked just before it would). */
  unavailable?: () => string | undefined;
}

let chromiumVersion: string | null = null;
let pages: { dir?: string; how: string } | undefined;

/** The environment of an erlmesh cluster that sleeps in the kernel between messages (src/server/busy-wait.ts). */
const NO_BUSY_WAIT = { ERLMESH_BUSY_WAIT_MS: '0' };

const streamArgs = { n: P.stream.n, capMs: CAP_MS, report: report(P.stream.n) };

const SCENARIOS: Scenario[] = [
  {
    id: 'local',
    title: `local send + receive, ${P.local.n.toLocaleString('en')} messages to one process`,
    params: { n: P.local.n, capMs: CAP_MS },
    erlmesh: erlmeshLocal({ n: P.local.n, capMs: CAP_MS, report: report(P.local.n) }, LIMIT.stream),
    erlang: erlangLocal('local', [P.local.n, CAP_MS, report(P.local.n)], LIMIT.stream),
    erlmeshLimitMs: LIMIT.stream,
    score: (d) => num(d.rate),
    better: 'higher',
    erlangLimitMs: LIMIT.stream,
  },
  {
    id: 'stream',
    title: `node-to-node one-way stream, ${P.stream.n.toLocaleString('en')} messages, direct link`,
    params: streamArgs,
    erlmesh: erlmeshRemote(true, 'stream', streamArgs, LIMIT.stream),
    erlang: erlangRemote('stream', [P.stream.n, CAP_MS, report(P.stream.n)], LIMIT.stream),
    erlmeshLimitMs: LIMIT.stream,
    score: (d) => num(d.rate),
    better: 'higher',
    erlangLimitMs: LIMIT.stream,
  },
  {
    id: 'stream-relay',
    title: `node-to-node one-way stream, ${P.stream.n.toLocaleString('en')} messages, through the relay`,
    params: streamArgs,
    erlmesh: erlmeshRemote(false, 'stream', streamArgs, LIMIT.stream),
    erlmeshLimitMs: LIMIT.stream,
    score: (d) => num(d.rate),
    better: 'higher',
  },
  {
    id: 'pingpong',
    title: 'ping-pong with a remote echo process',
    params: P.pingpong,
    erlmesh: erlmeshRemote(true, 'pingpong', P.pingpong, LIMIT.short),
    erlang: erlangRemote('pingpong', [P.pingpong.warm, P.pingpong.n], LIMIT.short),
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.p50_us),
    better: 'lower',
    erlangLimitMs: LIMIT.short,
  },
  {
    id: 'rpc',
    title: "rpc.call(node, 'kvs', 'lookup', ['weather']), sequential",
    params: P.rpc,
    erlmesh: erlmeshRemote(true, 'rpc_seq', P.rpc, LIMIT.short),
    erlang: erlangRemote('rpc_seq', [P.rpc.warm, P.rpc.n], LIMIT.short),
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.p50_us),
    better: 'lower',
    erlangLimitMs: LIMIT.short,
  },
  {
    id: 'tcp-floor',
    title: 'the floor of ping-pong: a bare TCP echo between two Node processes (no erlmesh), busy wait on and off',
    params: P.pingpong,
    erlmesh: tcpFloor(P.pingpong, LIMIT.short),
    erlmeshLimitMs: 2 * LIMIT.short,
    score: (d) => num((d.bw as Raw | undefined)?.p50_us),
    better: 'lower',
  },
  {
    id: 'pingpong-nobw',
    title: 'ping-pong with a remote echo process, busy wait off (ERLMESH_BUSY_WAIT_MS=0)',
    params: P.pingpong,
    erlmesh: erlmeshRemote(true, 'pingpong', P.pingpong, LIMIT.short, NO_BUSY_WAIT),
    // For the notes only: the rows compare with Erlang as it ships (its busy wait on).
    erlang: erlangRemote('pingpong', [P.pingpong.warm, P.pingpong.n], LIMIT.short, ERL_NO_BUSY_WAIT),
    erlangLimitMs: LIMIT.short,
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.p50_us),
    better: 'lower',
  },
  {
    id: 'rpc-nobw',
    title: "rpc.call(node, 'kvs', 'lookup', ['weather']), sequential, busy wait off (ERLMESH_BUSY_WAIT_MS=0)",
    params: P.rpc,
    erlmesh: erlmeshRemote(true, 'rpc_seq', P.rpc, LIMIT.short, NO_BUSY_WAIT),
    erlang: erlangRemote('rpc_seq', [P.rpc.warm, P.rpc.n], LIMIT.short, ERL_NO_BUSY_WAIT),
    erlangLimitMs: LIMIT.short,
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.p50_us),
    better: 'lower',
  },
  {
    id: 'rpc-concurrent',
    title: `rpc.call with ${P.rpcConc.callers} concurrent callers`,
    params: P.rpcConc,
    erlmesh: erlmeshRemote(true, 'rpc_conc', P.rpcConc, LIMIT.short),
    erlang: erlangRemote('rpc_conc', [P.rpcConc.callers, P.rpcConc.warmPer, P.rpcConc.per], LIMIT.short),
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.rate),
    better: 'higher',
    erlangLimitMs: LIMIT.short,
  },
  {
    id: 'spawn',
    title: 'remote spawn, back to back',
    params: P.spawn,
    erlmesh: erlmeshRemote(true, 'spawn', P.spawn, LIMIT.short),
    erlang: erlangRemote('spawn', [P.spawn.warm, P.spawn.n], LIMIT.short),
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.rate),
    better: 'higher',
    erlangLimitMs: LIMIT.short,
  },
  {
    id: 'global',
    title: 'global.registerName + whereisName',
    params: P.global,
    erlmesh: erlmeshRemote(true, 'global', P.global, LIMIT.short),
    erlang: erlangRemote('global', [P.global.warm, P.global.n, P.global.lookups], LIMIT.short),
    erlmeshLimitMs: LIMIT.short,
    score: (d) => num(d.p50_us),
    better: 'lower',
    erlangLimitMs: LIMIT.short,
  },
  {
    id: 'browser',
    title: 'headless Chromium round trips: bare WebSocket floor, through the relay, over BroadcastChannel',
    params: P.browser,
    unavailable: () => {
      if (!findChromium()) return 'Chromium not found (install chromium or set ERLMESH_CHROMIUM)';
      const p = preparePages();
      pages = p;
      if (!p.dir) return `no tab page: ${p.how}`;
      return undefined;
    },
    erlmesh: () =>
      withChildren(async (scope) => {
        const r: BrowserResult = await runBrowser(scope, {
          executablePath: findChromium()!,
          pages: pages!.dir!,
          cookie: cookie(),
          warm: P.browser.warm,
          n: P.browser.n,
          timeoutMs: LIMIT.browser,
        });
        chromiumVersion = r.chromium;
        return r as unknown as Raw;
      }),
    erlmeshLimitMs: LIMIT.browser,
    score: (d) => num((d.tabToTab as Raw).p50_us),
    better: 'lower',
    runs: 1,
  },
  {
    id: 'idle-memory',
    title: `memory of ${P.idle.n.toLocaleString('en')} idle processes`,
    params: P.idle,
    erlmesh: () =>
      withChildren(async (scope) => {
        const c = await scope.node<Raw>('idle-procs.ts', { n: P.idle.n }, { label: 'idle processes', node: ['--expose-gc'], readyTimeoutMs: LIMIT.memory });
        return c.info;
      }),
    erlang: erlangLocal('mem', [P.idle.n], LIMIT.memory),
    erlmeshLimitMs: LIMIT.memory,
    score: (d) => num(d.bytes_per_process),
    better: 'lower',
    runs: 1,
    erlangLimitMs: LIMIT.memory,
  },
  {
    id: 'relay-memory',
    title: `relay memory with ${P.relayNodes.n.toLocaleString('en')} connected nodes`,
    params: P.relayNodes,
    erlmesh: () =>
      withChildren(async (scope) => {
        const c = cookie();
        const relay = await scope.node<RelayInfo>('relay.ts', { cookie: c }, { label: 'relay', node: ['--expose-gc'] });
        const base = await relay.request<NodeJS.MemoryUsage>('memory');
        const n = P.relayNodes.n;
        const half = Math.ceil(n / 2);
        const t0 = performance.now();
        const clients = await Promise.all(
          [half, n - half].map((count, k) =>
            scope.node<{ registered: number }>(
              'relay-clients.ts',
              { url: relay.info.url, cookie: c, count, prefix: `n${k}_`, concurrency: 16 },
              { label: `relay clients ${k}`, readyTimeoutMs: LIMIT.memory },
            ),
          ),
        );
        const registerSeconds = (performance.now() - t0) / 1000;
        await new Promise((r) => setTimeout(r, 1_000)); // let the last joined/left broadcasts drain
        const mem = await relay.request<NodeJS.MemoryUsage & { stats: { registered: number; sockets: number } }>('memory');
        const still = await Promise.all(clients.map((cl) => cl.request<number>('connected')));
        return {
          nodes: mem.stats.registered,
          sockets: mem.stats.sockets,
          clients_connected: still.reduce((a, b) => a + b, 0),
          rss: mem.rss,
          heap_used: mem.heapUsed,
          external: mem.external,
          base_rss: base.rss,
          base_heap_used: base.heapUsed,
          register_seconds: registerSeconds,
        };
      }),
    erlmeshLimitMs: LIMIT.memory,
    score: (d) => num(d.rss),
    better: 'lower',
    runs: 1,
  },
  ...P.meshSizes.map(
    (n): Scenario => ({
      id: `mesh-join-${n}`,
      title: `${n.toLocaleString('en')} nodes through one relay: until every node lists all others`,
      params: { nodes: n, processes: MESH_PROCS, settle_ms: MESH_SETTLE_MS, idle_ms: MESH_IDLE_MS },
      erlmesh: meshJoin(n, LIMIT.mesh),
      erlmeshLimitMs: LIMIT.mesh + 60_000,
      score: (d) => num(d.join_seconds),
      better: 'lower',
      runs: 1,
    }),
  ),
  ...P.meshSizes.map(
    (n): Scenario => ({
      id: `cluster-join-${n}`,
      title: `${n.toLocaleString('en')} nodes over ${P.cluster.joinRelays} relays on one redis-server: until every node lists all others`,
      params: { nodes: n, relays: P.cluster.joinRelays, processes: MESH_PROCS, settle_ms: MESH_SETTLE_MS, idle_ms: MESH_IDLE_MS },
      unavailable: redisUnavailable,
      erlmesh: clusterJoin(n, { relays: P.cluster.joinRelays, procs: MESH_PROCS, settleMs: MESH_SETTLE_MS, idleMs: MESH_IDLE_MS, limitMs: LIMIT.mesh }),
      erlmeshLimitMs: LIMIT.mesh + 60_000,
      score: (d) => num(d.join_seconds),
      better: 'lower',
      runs: 1,
    }),
  ),
  {
    id: 'cross-relay',
    title: 'ping-pong and rpc.call across two relays of a cluster against on one relay (all relayed)',
    params: { pingpong: P.pingpong, rpc: P.rpc, rounds: P.cluster.rounds },
    unavailable: redisUnavailable,
    erlmesh: crossRelay({ pingpong: P.pingpong, rpc: P.rpc, rounds: P.cluster.rounds, limitMs: LIMIT.short }),
    erlmeshLimitMs: LIMIT.short * 2,
    score: (d) => num((d.cross_pingpong as Raw).p50_us),
    better: 'lower',
    runs: 1,
  },
  {
    id: 'cluster-memory',
    title: `${P.cluster.memoryNodes.toLocaleString('en')} simulated nodes (bare relay clients) over ${P.cluster.memoryRelays} relays on one redis-server`,
    params: { nodes: P.cluster.memoryNodes, relays: P.cluster.memoryRelays },
    unavailable: redisUnavailable,
    erlmesh: clusterMemory(P.cluster.memoryNodes, { relays: P.cluster.memoryRelays, limitMs: LIMIT.clusterMemory }),
    erlmeshLimitMs: LIMIT.clusterMemory + 60_000,
    score: (d) => num(d.join_seconds),
    better: 'lower',
    runs: 1,
  },
];

// ----- rows --------------------------------------------------------------------------------

function rows(results: Map<string, ScenarioResult>): Row[] {
  const out: Row[] = [];
  const erlCell = (r: ScenarioResult): { text?: string; data?: Raw } => {
    if (r.erlang === null) return { text: 'no counterpart' };
    if (r.erlang.skipped) return { text: r.erlang.skipped };
    if (!r.erlang.ok) return { text: 'failed (see notes)' };
    return { data: r.erlang.data };
  };
  const emCell = (r: ScenarioResult): { text?: string; data?: Raw } => {
    if (r.erlmesh.skipped) return { text: 'skipped (see notes)' };
    if (!r.erlmesh.ok) return { text: 'failed (see notes)' };
    return { data: r.erlmesh.data };
  };
  const errNotes = (r: ScenarioResult): string[] => {
    const n: string[] = [];
    if (r.erlmesh.error) n.push(`erlmesh failed: ${r.erlmesh.error.split('\n').slice(0, 6).join(' ⏎ ')}`);
    if (r.erlmesh.skipped) n.push(`erlmesh skipped: ${r.erlmesh.skipped}`);
    if (r.erlang?.error) n.push(`Erlang failed: ${r.erlang.error.split('\n').slice(0, 6).join(' ⏎ ')}`);
    return n;
  };

  /** One row from a scenario and a figure picked from each side's data. */
  const add = (
    id: string,
    label: string,
    better: Row['better'],
    pick: (d: Raw) => number,
    show: (x: number, d: Raw) => string,
    opts: {
      target?: string;
      check?: (ratio: number | null, em: number, data?: Raw) => boolean | null;
      extraNotes?: (em?: Raw, er?: Raw) => string[];
      /** Show this scenario's Erlang figure (the relay row shows Erlang's direct stream). */
      erlangFrom?: string;
      /** Shown after the borrowed Erlang figure (default ' (direct)'). */
      erlangSuffix?: string;
      /** The two figures are not the same measure: no ratio. */
      noRatio?: boolean;
    } = {},
  ): void => {
    const r = results.get(id);
    if (!r) return;
    const em = emCell(r);
    const erSrc = opts.erlangFrom ? results.get(opts.erlangFrom) : r;
    const er = erSrc ? erlCell(erSrc) : { text: 'not run' };
    const emV = em.data ? pick(em.data) : NaN;
    const erV = er.data ? pick(er.data) : NaN;
    const ratio = !opts.noRatio && Number.isFinite(emV) && Number.isFinite(erV) && erV !== 0 ? emV / erV : null;
    const met = opts.check && Number.isFinite(emV) ? opts.check(ratio, emV, em.data) : null;
    out.push({
      id,
      scenario: label,
      better,
      erlmesh: em.text ?? show(emV, em.data!),
      erlang: er.text ?? `${show(erV, er.data!)}${opts.erlangFrom ? (opts.erlangSuffix ?? ' (direct)') : ''}`,
      ratio,
      target: opts.target ?? '',
      met,
      notes: [...errNotes(r), ...(opts.extraNotes?.(em.data, er.data) ?? [])],
    });
  };

  const capped = (d: Raw | undefined, n: number): string[] =>
    d && d.capped === true
      ? [`capped at ${CAP_S} s: ${num(d.count).toLocaleString('en')} of ${n.toLocaleString('en')} messages counted (${num(d.sent).toLocaleString('en')} sent); the rate is over those`]
      : [];
  const streamShow = (x: number, d: Raw): string => `${fmt.rate(x)}${d.capped === true ? ' (capped)' : ''}`;
  const ratioAtLeast = (k: number) => (ratio: number | null) => (ratio === null ? null : ratio >= k);
  const ratioAtMost = (k: number) => (ratio: number | null) => (ratio === null ? null : ratio <= k);
  const viaRelay = (d: Raw | undefined): string[] =>
    d && d.direct === true && num(d.relay_frames) > 50 ? [`the relay routed ${num(d.relay_frames)} frames during this "direct" scenario`] : [];

  add('local', `local send+receive, ${short(P.local.n)} msgs`, 'higher', (d) => num(d.rate), streamShow, {
    target: '≥ 1.0× Erlang',
    check: ratioAtLeast(1),
    extraNotes: (em, er) => [...capped(em, P.local.n), ...capped(er, P.local.n)],
  });
  add('stream', `stream ${short(P.stream.n)} msgs, direct`, 'higher', (d) => num(d.rate), streamShow, {
    target: '≥ 1.0× Erlang',
    check: ratioAtLeast(1),
    extraNotes: (em, er) => [...capped(em, P.stream.n), ...capped(er, P.stream.n), ...viaRelay(em)],
  });
  {
    const direct = results.get('stream')?.erlmesh.data;
    const directRate = direct ? num(direct.rate) : NaN;
    const rel = (em: number): number => em / directRate;
    add('stream-relay', `stream ${short(P.stream.n)} msgs, via relay`, 'higher', (d) => num(d.rate), streamShow, {
      target: Number.isFinite(directRate) ? '≥ 0.5× erlmesh direct' : '≥ 0.5× erlmesh direct (no direct figure)',
      check: (_r, em) => (Number.isFinite(directRate) ? rel(em) >= 0.5 : null),
      erlangFrom: 'stream',
      extraNotes: (em) => [
        ...capped(em, P.stream.n),
        ...(em && Number.isFinite(directRate) ? [`relay ÷ direct = ${rel(num(em.rate)).toFixed(2)}×; the relay routed ${num(em.relay_frames).toLocaleString('en')} frames`] : []),
      ],
    });
  }
  add('pingpong', 'ping-pong round trip p50', 'lower', (d) => num(d.p50_us), fmt.us);
  add('pingpong', 'ping-pong round trip p99', 'lower', (d) => num(d.p99_us), fmt.us);
  {
    const fl = (k: 'bw' | 'nobw', q: 'p50_us' | 'p99_us') => (d: Raw) => num((d[k] as Raw | undefined)?.[q]);
    add('tcp-floor', 'ping-pong, bare TCP floor p50', 'lower', fl('bw', 'p50_us'), (x, d) => `${fmt.us(x)} (p99 ${fmt.us(fl('bw', 'p99_us')(d))}); busy wait off ${fmt.us(fl('nobw', 'p50_us')(d))} (p99 ${fmt.us(fl('nobw', 'p99_us')(d))})`, {
      extraNotes: (em) => {
        if (!em) return [];
        const pp = results.get('pingpong')?.erlmesh?.data;
        const off = results.get('pingpong-nobw')?.erlmesh?.data;
        const r = (a: Raw | undefined, k: 'bw' | 'nobw') =>
          a ? `p50 ${(num(a.p50_us) / fl(k, 'p50_us')(em)).toFixed(2)}×, p99 ${(num(a.p99_us) / fl(k, 'p99_us')(em)).toFixed(2)}×` : 'not run';
        return [
          `no erlmesh: 60 bytes there and back over loopback TCP between two Node processes (bench/proc/tcp-floor.ts), with erlmesh's busy wait kicked on every read as its sockets do, then with it off; what any Node.js implementation pays per round trip on this machine. erlmesh's ping-pong ÷ this floor: busy wait on ${r(pp, 'bw')}; off ${r(off, 'nobw')}`,
        ];
      },
    });
  }
  add('rpc', 'rpc.call kvs lookup p50', 'lower', (d) => num(d.p50_us), fmt.us, { target: '≤ 1.0× Erlang', check: ratioAtMost(1) });
  add('rpc', 'rpc.call kvs lookup p99', 'lower', (d) => num(d.p99_us), fmt.us);
  const noBw = { erlangSuffix: '' };
  /** Erlang with its busy wait off too, from the scenario's own Erlang run: a note, not the ratio. */
  const erlangOff = (id: string, q: 'p50_us' | 'p99_us', label: string) => (em?: Raw): string[] => {
    const off = results.get(id)?.erlang?.data;
    if (!em || !off) return [];
    return [`Erlang with its busy wait off too (${ERL_NO_BUSY_WAIT.join(' ')}): ${label} ${fmt.us(num(off[q]))}; erlmesh ÷ that = ${(num(em[q]) / num(off[q])).toFixed(2)}×`];
  };
  add('pingpong-nobw', 'ping-pong p50, busy wait off', 'lower', (d) => num(d.p50_us), fmt.us, {
    erlangFrom: 'pingpong',
    ...noBw,
    extraNotes: (em) => [
      'this row and the next three: erlmesh with busy wait off (ERLMESH_BUSY_WAIT_MS=0), each process sleeping in the kernel between messages; the Erlang figures are those above (its busy wait on, as it ships)',
      ...erlangOff('pingpong-nobw', 'p50_us', 'ping-pong p50')(em),
    ],
  });
  add('pingpong-nobw', 'ping-pong p99, busy wait off', 'lower', (d) => num(d.p99_us), fmt.us, { erlangFrom: 'pingpong', ...noBw, extraNotes: erlangOff('pingpong-nobw', 'p99_us', 'ping-pong p99') });
  add('rpc-nobw', 'rpc.call p50, busy wait off', 'lower', (d) => num(d.p50_us), fmt.us, { erlangFrom: 'rpc', ...noBw, extraNotes: erlangOff('rpc-nobw', 'p50_us', 'rpc.call p50') });
  add('rpc-nobw', 'rpc.call p99, busy wait off', 'lower', (d) => num(d.p99_us), fmt.us, { erlangFrom: 'rpc', ...noBw, extraNotes: erlangOff('rpc-nobw', 'p99_us', 'rpc.call p99') });
  add('rpc-concurrent', `rpc.call, ${P.rpcConc.callers} concurrent callers`, 'higher', (d) => num(d.rate), (x, d) => (d.cold_rate === undefined ? fmt.rate(x, 'calls/s') : `${fmt.rate(x, 'calls/s')} (cold ${fmt.rate(num(d.cold_rate), 'calls/s')})`), {
    extraNotes: () => [
      `after ${short(P.rpcConc.callers * P.rpcConc.warmPer)} calls of warm-up on both sides; "cold": the first ${short(P.rpcConc.callers * P.rpcConc.per)} of them (erlmesh's code run once per batch, Node's socket writes among it, is not yet optimized by V8 then)`,
    ],
  });
  add('spawn', 'remote spawn', 'higher', (d) => num(d.rate), (x, d) => `${fmt.rate(x, 'spawns/s')} (p50 ${fmt.us(num(d.p50_us))})`);
  add('global', 'global.registerName p50', 'lower', (d) => num(d.p50_us), (x, d) => `${fmt.us(x)} (p99 ${fmt.us(num(d.p99_us))})`);
  add('global', 'global.whereisName', 'lower', (d) => num(d.whereis_us), fmt.us);
  {
    // Browser rows: no Erlang counterpart; each is held against the bare WebSocket floor of the same run.
    const d = results.get('browser')?.erlmesh.data;
    const floor = d ? num((d.wsFloor as Raw).p50_us) : NaN;
    const floor99 = d ? num((d.wsFloor as Raw).p99_us) : NaN;
    const p = (k: string, q: 'p50_us' | 'p99_us') => (x: Raw) => num((x[k] as Raw | undefined)?.[q]);
    const show = (k: string) => (x: number, dd: Raw) => `${fmt.us(x)} (p99 ${fmt.us(p(k, 'p99_us')(dd))})`;
    const vsFloor = (k: string) => (em?: Raw): string[] =>
      em && Number.isFinite(floor)
        ? [`÷ bare WebSocket floor of this run: p50 ${(p(k, 'p50_us')(em) / floor).toFixed(2)}×, p99 ${(p(k, 'p99_us')(em) / floor99).toFixed(2)}×`]
        : [];
    const atMostFloor = (k: number) => (_r: number | null, em: number) => (Number.isFinite(floor) ? em / floor <= k : null);
    add('browser', 'tab → tab, bare WebSocket floor p50', 'lower', p('wsFloor', 'p50_us'), show('wsFloor'), {
      extraNotes: (em) =>
        em
          ? [
              `no erlmesh: 48 bytes tab → WebSocket forwarder → tab → forwarder → tab (bench/proc/ws-floor.ts, in the relay's process); every browser row is measured in ${(em.wsFloorRuns as Raw[]).length} rounds, the rows taking turns (floor p50 by round: ${(em.wsFloorRuns as Raw[]).map((r) => fmt.us(num(r.p50_us))).join(', ')})`,
              `page timer resolution ${num(em.timerResolutionUs).toFixed(1)} µs (crossOriginIsolated: ${String(em.crossOriginIsolated)}); tab visibility: ${(em.visibility as string[]).join(', ')}`,
            ]
          : [],
    });
    add('browser', 'tab → tab round trip p50, via relay', 'lower', p('tabToTab', 'p50_us'), show('tabToTab'), {
      target: '≤ 1.5× WebSocket floor',
      check: atMostFloor(1.5),
      extraNotes: (em) => [...vsFloor('tabToTab')(em), ...(em ? [`both tabs with broadcast: false; the relay routed ${num(em.relayFramesDuringRelayed).toLocaleString('en')} frames for them`] : [])],
    });
    add('browser', 'tab → server round trip p50', 'lower', p('tabToServer', 'p50_us'), show('tabToServer'), { extraNotes: vsFloor('tabToServer') });
    add('browser', 'tab → tab over BroadcastChannel p50', 'lower', p('tabToTabBroadcast', 'p50_us'), show('tabToTabBroadcast'), {
      target: '≤ 0.5× WebSocket floor',
      check: atMostFloor(0.5),
      extraNotes: (em) => [
        ...vsFloor('tabToTabBroadcast')(em),
        ...(em ? [`two tabs of one browser context with broadcast on (the default); the relay routed ${num(em.relayFramesDuringBroadcast).toLocaleString('en')} frames meanwhile`] : []),
      ],
    });
    add('browser', 'tab → tab, bare BroadcastChannel p50', 'lower', p('bcFloor', 'p50_us'), show('bcFloor'), {
      extraNotes: (em) => [...vsFloor('bcFloor')(em), ...(em ? ['no erlmesh: 48 bytes there and back on one BroadcastChannel'] : [])],
    });
  }
  add('idle-memory', 'bytes per idle process', 'lower', (d) => num(d.bytes_per_process), fmt.bytes);
  add('idle-memory', `heap with ${short(P.idle.n)} idle processes`, 'lower', (d) => num(d.heap_used_after ?? d.delta_bytes), (x, d) =>
    d.heap_used_after !== undefined ? `${fmt.bytes(x)} (${fmt.bytes(num(d.delta_bytes))} for them)` : `${fmt.bytes(x)} for them (processes memory)`, {
    noRatio: true,
    target: '≤ 100 MB',
    check: (_r, em) => (FULL_SCALE ? em <= 100e6 : null),
    extraNotes: () => (FULL_SCALE ? [] : ['target checked only at BENCH_SCALE=1']),
  });
  add('relay-memory', `relay with ${short(P.relayNodes.n)} nodes, RSS`, 'lower', (d) => num(d.rss), (x, d) => `${fmt.bytes(x)} (heap ${fmt.bytes(num(d.heap_used))})`, {
    target: '≤ 150 MB',
    check: (_r, em) => (FULL_SCALE ? em <= 150e6 : null),
    extraNotes: (em) => [
      ...(em ? [`${num(em.nodes)} nodes registered in ${num(em.register_seconds).toFixed(1)} s; idle relay: RSS ${fmt.bytes(num(em.base_rss))}, heap ${fmt.bytes(num(em.base_heap_used))}`] : []),
      ...(FULL_SCALE ? [] : ['target checked only at BENCH_SCALE=1']),
    ],
  });
  for (const n of P.meshSizes) {
    const target = n === 400 ? '≤ 20 s, idle relay < 10% of a core' : n === 1000 ? '≤ 60 s' : undefined;
    add(`mesh-join-${n}`, `${short(n)} nodes on one relay, until all list all`, 'lower', (d) => num(d.join_seconds), (x, d) => `${x.toFixed(1)} s (idle relay ${(num(d.idle_cpu) * 100).toFixed(1)}% of a core, RSS ${fmt.bytes(num(d.idle_rss))})`, {
      ...(target ? { target } : {}),
      check: (_r, em, d) => (n === 400 ? em <= 20 && num(d?.idle_cpu) < 0.1 : n === 1000 ? em <= 60 : null),
      extraNotes: (em) => (em ? [`${num(em.nodes)} nodes in ${num(em.processes)} processes (started in ${num(em.started_seconds).toFixed(1)} s); idle ${MESH_IDLE_MS / 1000} s (after ${MESH_SETTLE_MS / 1000} s): relay ${(num(em.idle_cpu) * 100).toFixed(1)}% of a core, RSS ${fmt.bytes(num(em.idle_rss))}, ${num(em.idle_frames_per_s).toFixed(0)} frames/s routed, ${num(em.channels)} channels open`] : []),
    });
  }
  for (const n of P.meshSizes) {
    const cpu = (d: Raw): string => `${(num(d.idle_cpu) * 100).toFixed(1)}% of a core (max ${(num(d.idle_cpu_max) * 100).toFixed(1)}% one relay)`;
    add(`cluster-join-${n}`, `${short(n)} nodes on ${P.cluster.joinRelays} relays + Redis, until all list all`, 'lower', (d) => num(d.join_seconds), (x, d) => `${x.toFixed(1)} s (idle relays ${cpu(d)}, RSS ${fmt.bytes(num(d.idle_rss))} in all)`, {
      extraNotes: (em) => (em ? [`${num(em.nodes)} nodes in ${num(em.processes)} processes, evenly over ${num(em.relays)} relays on one redis-server (started in ${num(em.started_seconds).toFixed(1)} s); idle ${MESH_IDLE_MS / 1000} s (after ${MESH_SETTLE_MS / 1000} s): relays ${cpu(em)}, RSS ${fmt.bytes(num(em.idle_rss))} in all (max ${fmt.bytes(num(em.idle_rss_max))}), ${num(em.idle_frames_per_s).toFixed(0)} frames/s routed; redis-server ${(num(em.redis_idle_cpu) * 100).toFixed(1)}% of a core, RSS ${fmt.bytes(num(em.redis_rss))}; cross-relay channels per relay ${(em.cluster_channels as number[]).join(', ')}`] : []),
    });
  }
  {
    const lat = (k: string) => (d: Raw) => num((d[k] as Raw | undefined)?.p50_us);
    const show = (k: string) => (x: number, d: Raw) => `${fmt.us(x)} (p99 ${fmt.us(num((d[k] as Raw).p99_us))}); same relay ${fmt.us(lat(k.replace('cross', 'same'))(d))}`;
    const ratio = (k: string) => (d: Raw) => lat(`cross_${k}`)(d) / lat(`same_${k}`)(d);
    add('cross-relay', 'ping-pong p50, across 2 relays', 'lower', lat('cross_pingpong'), show('cross_pingpong'), {
      target: '≤ 2× same relay',
      check: (_r, _em, d) => (d ? ratio('pingpong')(d) <= 2 : null),
      extraNotes: (em) => {
        if (!em) return [];
        const floor = em.redis_echo as Raw | undefined;
        const pubsub = em.pubsub_pingpong as Raw | undefined;
        const links = Array.isArray(em.cluster_links) ? `; messages between the relays over their direct links (links open: ${(em.cluster_links as number[]).join(', ')})` : '';
        const off = pubsub ? `; with the links off, through Redis pub/sub: p50 ${fmt.us(num(pubsub.p50_us))} (p99 ${fmt.us(num(pubsub.p99_us))}), ${(num(pubsub.p50_us) / lat('same_pingpong')(em)).toFixed(2)}× same relay` : '';
        const echo = floor ? `; a bare pub/sub echo through the same redis-server between two processes (ioredis, 100 bytes): p50 ${fmt.us(num(floor.p50_us))}, p99 ${fmt.us(num(floor.p99_us))} per round trip` : '';
        return [`cross ÷ same relay = ${ratio('pingpong')(em).toFixed(2)}× (ping-pong), ${ratio('rpc')(em).toFixed(2)}× (rpc); the peer on relay 1, one client on relay 1 and one on relay 2, all relayed (no direct links between nodes), the clients taking turns over ${P.cluster.rounds} rounds (best p50 of each kept)${links}${off}${echo}`];
      },
    });
    add('cross-relay', 'rpc.call p50, across 2 relays', 'lower', lat('cross_rpc'), show('cross_rpc'));
  }
  {
    const n = P.cluster.memoryNodes;
    const full = n === 10_000;
    add('cluster-memory', `${short(n)} simulated nodes on ${P.cluster.memoryRelays} relays + Redis, join`, 'lower', (d) => num(d.join_seconds), (x, d) => `${x.toFixed(1)} s (largest relay RSS ${fmt.bytes(num(d.rss_max))})`, {
      target: '≤ 120 s, each relay < 500 MB RSS',
      check: (_r, em, d) => (full && d ? em <= 120 && num(d.rss_max) < 500e6 : null),
      extraNotes: (em) => [
        ...(em ? [`bare registrations asking for membership (connectAll false) that read nothing after their welcome (bench/proc/relay-clients.ts raw), ${n / P.cluster.memoryRelays} per relay from one process each; all registered in ${num(em.register_seconds).toFixed(1)} s, every relay knew all ${n} names after ${num(em.join_seconds).toFixed(1)} s; relays' RSS ${(em.rss as number[]).map((x) => fmt.bytes(x)).join(', ')} (heap ${(em.heap_used as number[]).map((x) => fmt.bytes(x)).join(', ')}; idle before: ${(em.base_rss as number[]).map((x) => fmt.bytes(x)).join(', ')}); redis-server RSS ${fmt.bytes(num(em.redis_rss))}`] : []),
        ...(full ? [] : ['target checked only with 10,000 nodes']),
      ],
    });
  }
  return out;
}

function short(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!.slice(0, 160);
}

// ----- machine facts -----------------------------------------------------------------------

function git(args: string[]): string | null {
  const r = spawnSync('git', ['--no-optional-locks', ...args], { cwd: REPO, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

function machine(): MachineFacts {
  const c = cpus();
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    memoryGB: totalmem() / 2 ** 30,
    os: `${osType()} ${release()} (${process.platform}/${process.arch})`,
    node: process.version,
    v8: process.versions.v8,
    otp: erl?.available ? (erl.otp ?? null) : null,
    erts: erl?.available ? (erl.erts ?? null) : null,
    chromium: chromiumVersion,
    commit: git(['rev-parse', 'HEAD']),
    dirty: status === null ? null : status.length > 0,
  };
}

// ----- main --------------------------------------------------------------------------------

function runLine(r: { data?: Raw; error?: string; seconds: number }): string {
  if (r.error !== undefined) return `FAILED after ${r.seconds.toFixed(1)} s: ${firstLine(r.error)}`;
  return `${brief(r.data!)} [${r.seconds.toFixed(1)} s]`;
}

function brief(d: Raw): string {
  if (d.cross_pingpong) {
    const p = (k: string): string => fmt.us(num((d[k] as Raw).p50_us));
    return `p50 ping-pong same relay ${p('same_pingpong')}, across ${p('cross_pingpong')}; rpc same ${p('same_rpc')}, across ${p('cross_rpc')}`;
  }
  if (Array.isArray(d.rss)) return `${num(d.nodes)} nodes over ${num(d.relays)} relays known everywhere in ${num(d.join_seconds).toFixed(1)} s; relay RSS ${(d.rss as number[]).map((x) => fmt.bytes(x)).join(', ')}`;
  if (typeof d.join_seconds === 'number') return `${num(d.nodes)} nodes listed all in ${d.join_seconds.toFixed(1)} s; idle relay ${(num(d.idle_cpu) * 100).toFixed(1)}% CPU, RSS ${fmt.bytes(num(d.idle_rss))}`;
  if (typeof d.calls === 'number') return fmt.rate(num(d.rate), 'calls/s');
  if (typeof d.rate === 'number' && typeof d.p50_us !== 'number') return `${fmt.rate(d.rate)}${d.capped === true ? ' (capped)' : ''}`;
  if (typeof d.p50_us === 'number') return `p50 ${fmt.us(d.p50_us)}, p99 ${fmt.us(num(d.p99_us))}`;
  if (typeof d.bytes_per_process === 'number') return `${fmt.bytes(d.bytes_per_process)} per process`;
  if (typeof d.rss === 'number') return `RSS ${fmt.bytes(d.rss)}, heap ${fmt.bytes(num(d.heap_used))}, ${num(d.nodes)} nodes`;
  if (d.tabToTab) {
    const p50 = (k: string): string => fmt.us(num((d[k] as Raw).p50_us));
    return `p50: WebSocket floor ${p50('wsFloor')}, tab→tab ${p50('tabToTab')}, tab→server ${p50('tabToServer')}, tab→tab BroadcastChannel ${p50('tabToTabBroadcast')}, bare BroadcastChannel ${p50('bcFloor')}`;
  }
  return JSON.stringify(d).slice(0, 120);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadStart = loadavg()[0]!;
  erl = setupErlang(NO_ERL);
  atExit(() => cleanupErlang(erl)); // also on Ctrl-C
  await buildChildren();
  // The commit the children were bundled from, whatever is checked out by the end of the run.
  const facts = machine();
  const selected = SCENARIOS.filter((s) => !ONLY || ONLY.has(s.id));
  if (ONLY) for (const id of ONLY) if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`BENCH_ONLY: unknown scenario ${id} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  log(`erlmesh bench — scale ${SCALE}, stream cap ${CAP_S} s, ${cpus().length} cores, Node ${process.version}, ` +
    (erl.available ? `Erlang/OTP ${erl.otp} (ERTS ${erl.erts})` : `Erlang: ${erl.reason}`));
  log(`children: ${childMode}`);
  if (loadStart > 0.5) {
    log(`warning: the machine is busy (1-minute load average ${loadStart.toFixed(2)} on ${cpus().length} cores): figures will be noisy`);
  }
  const results = new Map<string, ScenarioResult>();
  try {
    for (const s of selected) {
      log(`\n▶ ${s.id}: ${s.title}`);
      const why = s.unavailable?.();
      // The sides alternate run by run (erlmesh, Erlang, erlmesh, …) so that a passing
      // disturbance on the machine hits both alike; each side reports its best run.
      const emRuns: NonNullable<Side['runs']> = [];
      const erRuns: NonNullable<Side['runs']> = [];
      const runErlang = s.erlang !== undefined && erl.available;
      const capped = (r: { data?: Raw }): boolean => r.data?.capped === true;
      // Not repeated: a run that hit the time cap, one that failed slowly (a timeout), or
      // any once 60% of the time budget is spent.
      const again = (rs: Array<{ data?: Raw; seconds: number }>): boolean =>
        rs.length === 0 || (budgetLeft() > 0.4 * BUDGET_MS && !rs.some((r) => capped(r) || (r.data === undefined && r.seconds > 30)));
      const limit = (ms: number): number => Math.max(15_000, Math.min(ms, budgetLeft()));
      for (let i = 0; i < (s.runs ?? RUNS); i++) {
        const emGo = !why && again(emRuns);
        const erGo = runErlang && again(erRuns);
        if (!emGo && !erGo) break;
        if (emGo) {
          const r = await once(s.erlmesh, limit(s.erlmeshLimitMs), `erlmesh ${s.id}`);
          emRuns.push(r);
          log(`   erlmesh    #${i + 1}: ${runLine(r)}`);
        }
        if (erGo) {
          const r = await once(s.erlang!, limit(s.erlangLimitMs ?? LIMIT.short), `Erlang ${s.id}`);
          erRuns.push(r);
          log(`   Erlang/OTP #${i + 1}: ${runLine(r)}`);
        }
      }
      const em: Side = why ? { ok: false, skipped: why, seconds: 0 } : settle(emRuns, s);
      if (why) log(`   erlmesh: skipped (${why})`);
      let er: Side | null = null;
      if (s.erlang) er = runErlang ? settle(erRuns, s) : { ok: false, skipped: erl.reason ?? 'erl not installed', seconds: 0 };
      if (s.erlang && !runErlang) log(`   Erlang/OTP: ${erl.reason}`);
      results.set(s.id, { id: s.id, title: s.title, params: s.params, erlmesh: em, erlang: er });
    }
  } finally {
    killAll();
    cleanupErlang(erl);
  }

  const table = rows(results);
  const res: Results = {
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - t0) / 1000,
    scale: SCALE,
    capSeconds: CAP_S,
    erlang: erl.available ? `OTP ${erl.otp}` : (erl.reason ?? 'erl not installed'),
    machine: { ...facts, loadAverage: { start: loadStart, end: loadavg()[0]! } },
    runs: RUNS,
    setup: { children: childMode, pages: pages?.how ?? null },
    rows: table,
    scenarios: Object.fromEntries(results),
  };
  log(`\n${textTable(table)}\n`);
  const dir = join(REPO, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const full = FULL_SCALE && !ONLY;
  if (!full && FULL_SCALE && process.env.BENCH_MERGE === '1') {
    const merged = mergeInto(join(dir, 'latest.json'), res, selected.map((x) => x.id));
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(merged, null, 2)}\n`);
    writeFileSync(join(REPO, 'docs/benchmarks.md'), markdownDoc(merged));
    log(`merged ${selected.map((x) => x.id).join(', ')} into bench/results/latest.json and docs/benchmarks.md`);
  } else if (full || process.env.BENCH_WRITE === '1') {
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(res, null, 2)}\n`);
    writeFileSync(join(REPO, 'docs/benchmarks.md'), markdownDoc(res));
    log(`wrote bench/results/latest.json and docs/benchmarks.md (${res.durationSeconds.toFixed(0)} s in all)`);
  } else {
    writeFileSync(join(dir, 'partial.json'), `${JSON.stringify(res, null, 2)}\n`);
    log(`wrote bench/results/partial.json (a scaled or partial run leaves latest.json and docs/benchmarks.md alone; BENCH_WRITE=1 to write them) — ${res.durationSeconds.toFixed(0)} s in all`);
  }
}

/** latest.json with the rows and scenarios of `ids` replaced by those of the partial run `res`, each marked as such. */
function mergeInto(latestPath: string, res: Results, ids: string[]): Results {
  const latest = JSON.parse(readFileSync(latestPath, 'utf8')) as Results;
  const load = res.machine.loadAverage;
  const others = res.rows.length > 1 ? `this row and the next ${res.rows.length - 1}: ` : '';
  const busy = load && load.start > 0.5 ? `, on a loaded machine (load average ${load.start.toFixed(2)} → ${load.end.toFixed(2)} on ${res.machine.cpus} cores: absolute figures are noisy, the ratios within the run are what count)` : '';
  const mark = `${others}measured in a separate run (BENCH_ONLY=${ids.join(',')}) on ${res.date}, commit ${res.machine.commit?.slice(0, 12) ?? '?'}${busy}; the machine table below is the other rows' run`;
  const fresh = res.rows.map((r, i) => (i === 0 ? { ...r, notes: [...r.notes, mark] } : r));
  const at = latest.rows.findIndex((r) => ids.includes(r.id));
  const kept = latest.rows.filter((r) => !ids.includes(r.id));
  const pos = at < 0 ? kept.length : latest.rows.slice(0, at).filter((r) => !ids.includes(r.id)).length;
  kept.splice(pos, 0, ...fresh);
  const scenarios = { ...latest.scenarios, ...res.scenarios };
  return { ...latest, rows: kept, scenarios, machine: { ...latest.machine, chromium: res.machine.chromium ?? latest.machine.chromium } };
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    killAll();
    console.error(e);
    process.exit(1);
  },
);
