/**
 * Issue 17 point 5: a mailbox flood from a trusted node, measured with real processes on loopback.
 *
 *   npx tsx scripts/flood-repro.ts [seconds=10] [maxMessages=3000000] [--direct]
 *
 * This (parent) process runs a relay on port 0 and forks three children (this file again):
 * - victim: a server-node with a registered process `sink` that never receives;
 * - flooder: sends `{n, payload}` to {sink, victim} as fast as it can (yielding with
 *   setImmediate every 1,000 sends, so its own ticks go), up to maxMessages;
 * - honest: pings the victim every 200 ms and sends it sequenced messages to `echo` (which
 *   replies), counting nodedowns and replies.
 * Every node uses tickMs 1000 (a silent peer is dropped after 4–5 s). Every 500 ms the victim
 * reports RSS, heap, `sink`'s queue length and its event-loop lag (worst timer lateness).
 * The parent prints one line per report and a summary, then kills every child and stops the relay.
 * Bounded: `seconds` of flood (≤ 15), then 2 s to observe; children exit when the parent does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const role = process.env.FLOOD_ROLE;
const TICK_MS = 1000;
const COOKIE = 'flood-cookie';

type Report = { role: string; t: number; [k: string]: unknown };
const report = (r: Omit<Report, 't' | 'role'>): void => {
  process.send?.({ role, t: Date.now(), ...r });
};

/** Worst lateness of a 50 ms interval since the last call (event-loop lag). */
function lagMeter(): () => number {
  let last = Date.now();
  let worst = 0;
  setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last - 50);
    last = now;
  }, 50).unref();
  return () => {
    const w = worst;
    worst = 0;
    return w;
  };
}

async function child(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  const { startNode } = await import('../src/server/start-node.js');
  const relay = process.env.FLOOD_RELAY!;
  const direct = process.env.FLOOD_DIRECT === '1';
  const node = await startNode({ sname: role!, cookie: COOKIE, relay, startRelay: false, direct, tickMs: TICK_MS, output: false, logger: false });
  let nodedowns = 0;
  node.monitorNodes((ev) => {
    if (ev.kind === 'nodedown') {
      nodedowns++;
      report({ ev: 'nodedown', node: ev.node, reason: (ev as { reason?: unknown }).reason });
    }
  });
  const lag = lagMeter();
  const victim = `victim@${node.name.split('@')[1]}`;
  if (role === 'victim') {
    const sink = node.spawn(async (self) => {
      await new Promise(() => {}); // never receives
      void self;
    });
    node.register('sink', sink);
    node.register(
      'echo',
      node.spawn(async (self) => {
        for (;;) {
          const m = (await self.receive()) as [unknown, number];
          node.send(m[0] as never, ['echo', m[1]]);
        }
      }),
    );
    setInterval(() => {
      const mem = process.memoryUsage();
      report({ ev: 'stats', rssMB: Math.round(mem.rss / 2 ** 20), heapMB: Math.round(mem.heapUsed / 2 ** 20), queued: node.processInfo(sink)?.messageQueueLen ?? -1, lagMs: lag(), nodedowns });
    }, 500);
    report({ ev: 'ready' });
    return;
  }
  if ((await node.ping(victim)) !== 'pong') throw new Error('cannot reach the victim');
  if (role === 'flooder') {
    report({ ev: 'ready' });
    const max = Number(process.env.FLOOD_MAX);
    const payload = 'x'.repeat(40);
    let n = 0;
    const until = Date.now() + Number(process.env.FLOOD_MS);
    setInterval(() => report({ ev: 'sent', n, rssMB: Math.round(process.memoryUsage().rss / 2 ** 20), lagMs: lag(), nodedowns }), 500);
    await new Promise<void>((resolve) => {
      const burst = (): void => {
        for (let i = 0; i < 1000 && n < max; i++) node.send(['sink', victim], [n++, payload]);
        if (n < max && Date.now() < until) setImmediate(burst);
        else resolve();
      };
      burst();
    });
    report({ ev: 'done', n });
    return;
  }
  // honest
  report({ ev: 'ready' });
  let seq = 0;
  let replies = 0;
  let outOfOrder = 0;
  let pangs = 0;
  let maxPingMs = 0;
  const me = node.spawn(async (self) => {
    let expect = 0;
    for (;;) {
      const m = (await self.receive()) as [string, number];
      if (m[1] !== expect) outOfOrder++;
      expect = m[1] + 1;
      replies++;
    }
  });
  setInterval(() => {
    node.send(['echo', victim], [me, seq++]);
    const t0 = Date.now();
    void node.ping(victim).then((r) => {
      if (r === 'pang') pangs++;
      maxPingMs = Math.max(maxPingMs, Date.now() - t0);
    });
  }, 200);
  setInterval(() => {
    report({ ev: 'honest', seq, replies, outOfOrder, pangs, maxPingMs, lagMs: lag(), nodedowns });
    maxPingMs = 0;
  }, 500);
}

async function parent(): Promise<void> {
  const seconds = Math.min(15, Number(process.argv[2] ?? 10));
  const max = Number(process.argv[3] ?? 3_000_000);
  const direct = process.argv.includes('--direct');
  const { startRelay } = await import('../src/server/relay/index.js');
  const relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false } as never);
  const url = (relay as unknown as { url: string }).url;
  const kids: ChildProcess[] = [];
  const last: Record<string, Report> = {};
  const events: Report[] = [];
  let peakRss = 0;
  let peakQueued = 0;
  let peakLag = 0;
  let flooderRss = 0;
  const t0 = Date.now();
  const spawnRole = (r: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = fork(fileURLToPath(import.meta.url), [], {
        env: { ...process.env, FLOOD_ROLE: r, FLOOD_RELAY: url, FLOOD_DIRECT: direct ? '1' : '0', FLOOD_MAX: String(max), FLOOD_MS: String(seconds * 1000) },
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      kids.push(c);
      c.on('error', reject);
      c.on('exit', (code) => code && reject(new Error(`${r} exited ${code}`)));
      c.on('message', (m: Report) => {
        last[`${m.role}:${String(m.ev)}`] = m;
        if (m.ev === 'ready' && m.role === r) resolve();
        if (m.ev === 'stats') {
          peakRss = Math.max(peakRss, m.rssMB as number);
          peakQueued = Math.max(peakQueued, m.queued as number);
          peakLag = Math.max(peakLag, m.lagMs as number);
        }
        if (m.ev === 'sent') flooderRss = Math.max(flooderRss, m.rssMB as number);
        if (m.ev === 'nodedown' || m.ev === 'done') events.push(m);
        if (m.ev === 'stats' || m.ev === 'sent' || m.ev === 'honest' || m.ev === 'nodedown' || m.ev === 'done') {
          const { role: who, t, ev, ...rest } = m;
          console.log(`${((t - t0) / 1000).toFixed(1).padStart(5)}s ${who.padEnd(7)} ${String(ev).padEnd(8)} ${JSON.stringify(rest)}`);
        }
      });
    });
  const stopAll = async (): Promise<void> => {
    for (const k of kids) k.kill('SIGKILL');
    await relay.close();
  };
  const guard = setTimeout(() => void stopAll().then(() => process.exit(2)), (seconds + 30) * 1000);
  try {
    await spawnRole('victim');
    await spawnRole('honest');
    await spawnRole('flooder');
    await new Promise((r) => setTimeout(r, seconds * 1000 + 2000));
  } finally {
    await stopAll();
    clearTimeout(guard);
  }
  const h = last['honest:honest'];
  console.log(
    `\nSUMMARY ${direct ? 'direct' : 'relay'} ${seconds}s: sent=${String(last['flooder:done']?.n ?? last['flooder:sent']?.n)} peakQueued=${peakQueued} peakRssMB=${peakRss} ` +
      `peakVictimLagMs=${peakLag} peakFlooderRssMB=${flooderRss} honest seq=${String(h?.seq)} replies=${String(h?.replies)} outOfOrder=${String(h?.outOfOrder)} pangs=${String(h?.pangs)} ` +
      `nodedowns=${JSON.stringify(events.filter((e) => e.ev === 'nodedown').map((e) => `${e.role}:${String(e.node)}:${String(e.reason)}`))}`,
  );
  process.exit(0);
}

if (role) await child();
else await parent();
