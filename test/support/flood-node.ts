/**
 * One node of the flood test (test/server/flood.test.ts, issue 17 point 5), run as its own OS
 * process: `node --import tsx test/support/flood-node.ts` with FLOOD_ROLE, FLOOD_RELAY and
 * FLOOD_TICK_MS in its environment, talking to its parent over IPC.
 *
 * - victim: `sink` (registered, never receives) and `echo` (answers `[from, n]` with
 *   `['echo', n]`); reports RSS, heap and sink's queue length every 250 ms.
 * - flooder: on `{ cmd: 'flood', ms }` sends `[n, payload]` to {sink, victim} as fast as it
 *   can (a setImmediate every 1,000 sends) for `ms`, then reports how many it sent.
 * - honest-a / honest-b: on `{ cmd: 'run', peer }`, every 50 ms each sends the next number to
 *   the victim's echo and to the other honest node's `seq`, and makes one rpc to the victim and
 *   one to the other honest node; on `{ cmd: 'stop' }` it stops sending, waits for what is in
 *   flight and reports what it sent, what came back, in what order, and the rpc outcomes.
 * Every node reports each nodedown it sees with its reason. The process exits when its parent
 * goes (IPC disconnect).
 */
import { startNode } from '../../src/server/start-node.js';

type Cmd = { cmd: 'flood'; ms: number } | { cmd: 'run'; peer: string } | { cmd: 'stop' };

const role = process.env.FLOOD_ROLE!;
const report = (r: Record<string, unknown>): void => void process.send?.({ role, ...r });
process.on('disconnect', () => process.exit(0));

const node = await startNode({
  sname: role,
  cookie: 'flood-cookie',
  relay: process.env.FLOOD_RELAY!,
  startRelay: false,
  tickMs: Number(process.env.FLOOD_TICK_MS),
  output: false,
  logger: false,
});
const victim = `victim@${node.name.split('@')[1]}`;
node.monitorNodes(
  (ev) => {
    if (ev[0] === 'nodedown') report({ ev: 'nodedown', node: ev[1], reason: ev[2]?.nodedownReason });
  },
  { nodedownReason: true },
);
const commands: Array<(c: Cmd) => void> = [];
process.on('message', (c: Cmd) => commands.forEach((f) => f(c)));

if (role === 'victim') {
  const sink = node.spawn(async (self) => {
    await self.receive(() => false, Infinity);
  });
  node.register('sink', sink);
  node.register(
    'echo',
    node.spawn(async (self) => {
      for (;;) {
        const [from, n] = (await self.receive()) as [never, number];
        self.send(from, ['echo', n]);
      }
    }),
  );
  setInterval(() => {
    const m = process.memoryUsage();
    report({ ev: 'stats', rss: m.rss, heap: m.heapUsed, queued: node.processInfo(sink)?.messageQueueLen ?? -1 });
  }, 250);
} else if (role === 'flooder') {
  commands.push((c) => {
    if (c.cmd !== 'flood') return;
    const payload = 'x'.repeat(40);
    const until = Date.now() + c.ms;
    let n = 0;
    const burst = (): void => {
      for (let i = 0; i < 1000; i++) node.send(['sink', victim], [n++, payload]);
      if (Date.now() < until) setImmediate(burst);
      else report({ ev: 'flooded', n, rss: process.memoryUsage().rss });
    };
    burst();
  });
} else {
  // honest-a / honest-b: sequenced messages and rpc to the victim and to each other.
  const got = { echo: [] as number[], seq: [] as number[] };
  const collect = (what: 'echo' | 'seq') =>
    node.spawn(async (self) => {
      for (;;) got[what].push(((await self.receive()) as [string, number])[1]);
    });
  const echoes = collect('echo');
  node.register('seq', collect('seq'));
  const rpc = { ok: 0, failed: [] as string[] };
  let sent = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let pending: Array<Promise<void>> = [];
  commands.push((c) => {
    if (c.cmd === 'run') {
      timer = setInterval(() => {
        const n = sent++;
        node.send(['echo', victim], [echoes, n]);
        node.send(['seq', c.peer], ['seq', n]);
        for (const target of [victim, c.peer]) {
          pending.push(
            node.rpc.call(target, 'erlang', 'node', [], 5_000).then(
              (r) => void (r === target ? rpc.ok++ : rpc.failed.push(`${target}: ${String(r)}`)),
              (e: unknown) => void rpc.failed.push(`${target}: ${String(e)}`),
            ),
          );
        }
      }, 50);
    } else if (c.cmd === 'stop') {
      clearInterval(timer);
      void (async () => {
        await Promise.all(pending);
        pending = [];
        const end = Date.now() + 10_000;
        while (got.echo.length < sent && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 1_000)); // the other node's last `seq` messages
        report({ ev: 'result', sent, echo: got.echo, seq: got.seq, rpc });
      })();
    }
  });
}
report({ ev: 'ready', name: node.name });
