/**
 * The relay-cluster scenarios of `npm run bench` (issue 13): relays sharing one real
 * redis-server (bench/lib/redis.ts), each relay in its own process (bench/proc/relay.ts).
 *
 *  - clusterJoin: n nodes spread evenly over `relays` relays (mesh-nodes.ts, a few processes),
 *    until every node lists all others, then the relays' CPU and RSS with the nodes idle;
 *  - crossRelay: ping-pong and rpc from a node on the same relay as the peer and from one on
 *    another relay of the cluster, taking turns, every node relayed (no direct links); then
 *    ping-pong across two relays with their links off (through Redis pub/sub), and a bare
 *    pub/sub echo;
 *  - clusterMemory: n bare relay clients (relay-clients.ts) over `relays` relays, until every
 *    relay knows all n names, then each relay's memory.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { withChildren, type NodeChild, type Scope } from './children.js';
import { startRedis } from './redis.js';

type Raw = Record<string, unknown>;
interface RelayInfo {
  url: string;
  port: number;
}
type Cpu = { user: number; system: number; rss: number; stats: { framesRouted: number; channels: number; registered: number; clusterChannels?: number } };

/** BENCH_PROFILE_DIR: the cluster-memory relays' CPU profiles of the registrations go there. */
const PROFILE = process.env.BENCH_PROFILE_DIR;
const cookie = (): string => randomBytes(12).toString('hex');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** user + system CPU seconds of a process from /proc (Linux; NaN elsewhere). */
function procCpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
function procRss(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function clusterRelays(scope: Scope, count: number, c: string, node: string[] = [], links = true): Promise<{ redis: { url: string; pid: number }; relays: Array<NodeChild<RelayInfo>> }> {
  const redis = await startRedis(scope);
  const relays = await Promise.all(
    Array.from({ length: count }, (_, k) =>
      // Registrations of thousands of nodes at once on 2 cores can take longer than the 10 s default.
      scope.node<RelayInfo>('relay.ts', { cookie: c, redis: redis.url, authTimeoutMs: 120_000, links }, { label: `relay ${k}${links ? '' : ' (no links)'}`, node }),
    ),
  );
  return { redis, relays };
}

export function clusterJoin(n: number, o: { relays: number; procs: number; settleMs: number; idleMs: number; limitMs: number }): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const c = cookie();
      const { redis, relays } = await clusterRelays(scope, o.relays, c);
      const urls = relays.map((r) => r.info.url);
      const per = Math.ceil(n / o.procs);
      const counts = Array.from({ length: o.procs }, (_, k) => Math.max(0, Math.min(per, n - k * per))).filter((x) => x > 0);
      const t0 = performance.now();
      const procs = await Promise.all(
        counts.map((count, k) =>
          scope.node('mesh-nodes.ts', { relay: urls[0], relays: urls, cookie: c, count, prefix: `m${k}_`, concurrency: 6 }, { label: `mesh nodes ${k}`, readyTimeoutMs: o.limitMs }),
        ),
      );
      const startedS = (performance.now() - t0) / 1000;
      let complete = 0;
      while (performance.now() - t0 < o.limitMs) {
        const r = await Promise.all(procs.map((p) => p.request<{ complete: number }>('complete', { total: n }, 30_000)));
        complete = r.reduce((a, x) => a + x.complete, 0);
        if (complete === n) break;
        await sleep(200);
      }
      const joinS = (performance.now() - t0) / 1000;
      if (complete !== n) throw new Error(`after ${joinS.toFixed(1)} s only ${complete} of ${n} nodes list all the others`);
      await sleep(o.settleMs);
      const a = await Promise.all(relays.map((r) => r.request<Cpu>('cpu')));
      const ra = procCpuSeconds(redis.pid);
      await sleep(o.idleMs);
      const b = await Promise.all(relays.map((r) => r.request<Cpu>('cpu')));
      const rb = procCpuSeconds(redis.pid);
      const cpu = b.map((x, i) => (x.user + x.system - a[i]!.user - a[i]!.system) / 1000 / o.idleMs);
      return {
        nodes: n,
        relays: o.relays,
        processes: counts.length,
        join_seconds: joinS,
        started_seconds: startedS,
        idle_cpu: cpu.reduce((s, x) => s + x, 0),
        idle_cpu_max: Math.max(...cpu),
        idle_rss: b.reduce((s, x) => s + x.rss, 0),
        idle_rss_max: Math.max(...b.map((x) => x.rss)),
        redis_idle_cpu: (rb - ra) / (o.idleMs / 1000),
        redis_rss: procRss(redis.pid),
        idle_frames_per_s: (b.reduce((s, x, i) => s + x.stats.framesRouted - a[i]!.stats.framesRouted, 0) * 1000) / o.idleMs,
        registered: b.map((x) => x.stats.registered),
        cluster_channels: b.map((x) => x.stats.clusterChannels ?? 0),
      };
    });
}

export function crossRelay(p: { pingpong: { warm: number; n: number }; rpc: { warm: number; n: number }; rounds: number; limitMs: number }): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const c = cookie();
      const t = randomBytes(3).toString('hex');
      const { redis, relays } = await clusterRelays(scope, 2, c);
      const [r1, r2] = relays as [NodeChild<RelayInfo>, NodeChild<RelayInfo>];
      const peer = await scope.node<{ name: string }>('peer.ts', { name: `a_peer_${t}@127.0.0.1`, cookie: c, relay: r1.info.url, direct: false }, { label: 'peer (relay 1)' });
      const client = (name: string, url: string) =>
        scope.node<{ name: string }>('client.ts', { name: `${name}_${t}@127.0.0.1`, cookie: c, relay: url, direct: false, peer: peer.info.name }, { label: name });
      const same = await client('b_same', r1.info.url);
      const cross = await client('c_cross', r2.info.url);
      type Lat = { p50_us: number; p99_us: number };
      const out: Record<string, Lat[]> = { same_pingpong: [], cross_pingpong: [], same_rpc: [], cross_rpc: [] };
      // The two clients take turns, so that a passing disturbance of the machine hits both alike.
      for (let i = 0; i < p.rounds; i++) {
        for (const [k, cl] of [['same', same], ['cross', cross]] as const) {
          out[`${k}_pingpong`]!.push(await cl.request<Lat>('pingpong', p.pingpong, p.limitMs));
          out[`${k}_rpc`]!.push(await cl.request<Lat>('rpc_seq', p.rpc, p.limitMs));
        }
      }
      /** The best round's (lowest p50) figures. */
      const best = (xs: Lat[]): Lat => xs.reduce((a, b) => (b.p50_us < a.p50_us ? b : a));
      type Stats = { framesRouted: number; clusterChannels?: number; clusterLinks?: number };
      const [s1, s2] = (await Promise.all([r1, r2].map((r) => r.request<Stats>('stats')))) as [Stats, Stats];
      // The same cross-relay ping-pong on two relays with their links off: every message through Redis pub/sub.
      const off = await clusterRelays(scope, 2, c, [], false);
      const offPeer = await scope.node<{ name: string }>('peer.ts', { name: `d_peer_${t}@127.0.0.1`, cookie: c, relay: off.relays[0]!.info.url, direct: false }, { label: 'peer (no links)' });
      const offClient = await scope.node<{ name: string }>('client.ts', { name: `e_cross_${t}@127.0.0.1`, cookie: c, relay: off.relays[1]!.info.url, direct: false, peer: offPeer.info.name }, { label: 'e_cross (no links)' });
      const pubsub: Lat[] = [];
      for (let i = 0; i < p.rounds; i++) pubsub.push(await offClient.request<Lat>('pingpong', p.pingpong, p.limitMs));
      // The floor of that: a bare pub/sub echo through the same redis-server between two processes (redis-echo.ts).
      await scope.node('redis-echo.ts', { url: redis.url, role: 'echo' }, { label: 'redis echo' });
      const measure = await scope.node('redis-echo.ts', { url: redis.url, role: 'measure' }, { label: 'redis echo measure' });
      const floor = await measure.request<Lat>('echo', p.pingpong, p.limitMs);
      return {
        pubsub_pingpong: best(pubsub),
        cluster_links: [s1.clusterLinks ?? 0, s2.clusterLinks ?? 0],
        same_pingpong: best(out.same_pingpong!),
        cross_pingpong: best(out.cross_pingpong!),
        same_rpc: best(out.same_rpc!),
        cross_rpc: best(out.cross_rpc!),
        rounds: out,
        relay1_cluster_channels: s1.clusterChannels ?? null,
        redis_echo: floor,
        p50_ratio_pingpong: best(out.cross_pingpong!).p50_us / best(out.same_pingpong!).p50_us,
        p50_ratio_rpc: best(out.cross_rpc!).p50_us / best(out.same_rpc!).p50_us,
      };
    });
}

/** What each relay logged beyond the routine (warnings, departures), counted by kind: `relay 0: left (4409) ×2500; …`. */
async function relayProblems(relays: Array<NodeChild<RelayInfo>>): Promise<string> {
  const all = await Promise.all(relays.map((r) => r.request<{ problemCounts?: Record<string, number> }>('stats', {}, 30_000).catch(() => ({ problemCounts: undefined }))));
  return all
    .map((x, k) => {
      const c = Object.entries(x.problemCounts ?? {});
      return `relay ${k}: ${c.length ? c.map(([kind, count]) => `${kind} ×${count}`).join(', ') : 'nothing'}`;
    })
    .join('; ');
}

export function clusterMemory(n: number, o: { relays: number; limitMs: number }): () => Promise<Raw> {
  return () =>
    withChildren(async (scope) => {
      const c = cookie();
      const { redis, relays } = await clusterRelays(scope, o.relays, c, ['--expose-gc']);
      const base = await Promise.all(relays.map((r) => r.request<NodeJS.MemoryUsage>('memory')));
      const per = Math.ceil(n / o.relays);
      if (PROFILE) await Promise.all(relays.map((r) => r.request('profile_start')));
      const t0 = performance.now();
      let registerS = NaN;
      const starting = Promise.all(
        relays.map((r, k) =>
          scope.node<{ registered: number; seconds: number }>(
            'relay-clients.ts',
            { url: r.info.url, cookie: c, count: Math.min(per, n - k * per), prefix: `n${k}_`, concurrency: 16, raw: true },
            { label: `relay clients ${k}`, readyTimeoutMs: o.limitMs + 60_000 },
          ),
        ),
      ).then((cs) => {
        registerS = (performance.now() - t0) / 1000;
        return cs;
      });
      // A clients process that failed (a registration refused or closed: bare clients do not retry) says why at the cap.
      let clientsFailed = '';
      starting.catch((e: unknown) => (clientsFailed = `; a clients process failed: ${e instanceof Error ? e.message : String(e)}`));
      // What every relay knows, polled while the clients register: at the limit, how far they got.
      let known: number[] = [];
      const progress: string[] = [];
      while (performance.now() - t0 < o.limitMs) {
        known = await Promise.all(relays.map((r) => r.request<number>('names', {}, 60_000)));
        if (known.every((k) => k >= n)) break;
        const s = Math.round((performance.now() - t0) / 1000);
        if (s >= (progress.length + 1) * 30) progress.push(`${s} s: ${Math.min(...known)}`);
        await sleep(250);
      }
      const joinS = (performance.now() - t0) / 1000;
      if (PROFILE) await Promise.all(relays.map((r, k) => r.request('profile_stop', { path: `${PROFILE}/relay-${k}.cpuprofile` })));
      if (!known.every((k) => k >= n)) {
        const rss = (await Promise.all(relays.map((r) => r.request<{ rss: number }>('cpu', {}, 30_000).catch(() => ({ rss: NaN }))))).map((m) => (m.rss / 1e6).toFixed(0));
        const logged = await relayProblems(relays);
        throw new Error(`after ${joinS.toFixed(1)} s the relays know ${known.join(', ')} of ${n} names (fewest known every 30 s: ${progress.join(', ')}); relay RSS ${rss.join(', ')} MB; logged: ${logged}${clientsFailed}`);
      }
      const clients = await starting;
      await sleep(1_000); // the last members batches drain
      const mem = await Promise.all(relays.map((r) => r.request<NodeJS.MemoryUsage & { stats: { registered: number } }>('memory', {}, 60_000)));
      const still = await Promise.all(clients.map((cl) => cl.request<number>('connected')));
      return {
        nodes: n,
        relays: o.relays,
        register_seconds: registerS,
        join_seconds: joinS,
        clients_connected: still.reduce((a, b) => a + b, 0),
        registered: mem.map((m) => m.stats.registered),
        rss: mem.map((m) => m.rss),
        rss_max: Math.max(...mem.map((m) => m.rss)),
        heap_used: mem.map((m) => m.heapUsed),
        base_rss: base.map((m) => m.rss),
        redis_rss: procRss(redis.pid),
        relays_logged: await relayProblems(relays),
      };
    });
}
