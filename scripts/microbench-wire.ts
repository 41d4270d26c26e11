/**
 * Wire micro-benchmark (measures, asserts nothing): the one-way stream rate of 200k
 * `['msg', i, Uint8Array(64)]` from a process on node a to a counting process on node b, and
 * the ping-pong round trip between two processes, for each wire encoding:
 *
 *   before  encodings ['superjson-1']: one superjson text frame per frame, no batching
 *   after   the default (fast-1): binary frames, batched per connection per event-loop turn
 *
 * over three carriers, all in this one process: the MemoryNetwork, a real relay on 127.0.0.1
 * with two server-nodes relayed through it, and the same two server-nodes on a direct link.
 *
 * The stream is windowed (the receiver acks every ACK_EVERY messages and the sender keeps at
 * most WINDOW in flight), as a sustainable rate, not the time to fill buffers.
 *
 * Run: npx tsx scripts/microbench-wire.ts [--stream N] [--rtt N] [--only memory|relay|direct]
 *      [--encoding before|after]
 * Compare with Erlang on this machine (docs/benchmarks.md runs both): stream ≈ 600k msgs/s,
 * ping-pong ≈ 30 µs.
 */
import { MemoryNetwork } from '../src/core/testing/memory-network.js';
import { startNode as startCoreNode } from '../src/core/node/start-node.js';
import type { Node, NodeOptions } from '../src/core/node/node.js';
import type { WireEncoding } from '../src/core/net/encodings.js';
import type { Pid } from '../src/core/terms/pid.js';
import { startNode as startServerNode } from '../src/server/start-node.js';
import { startRelay } from '../src/server/relay/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const only = (() => {
  const i = args.indexOf('--only');
  return i >= 0 ? args[i + 1] : undefined;
})();
const onlyEncoding = (() => {
  const i = args.indexOf('--encoding');
  return i >= 0 ? args[i + 1] : undefined;
})();
const STREAM = opt('stream', 200_000);
const RTT = opt('rtt', 10_000);
const ACK_EVERY = 2_000;
const WINDOW = 20_000;
const COOKIE = 'microbench';

type Pair = { a: Node; b: Node; stop(): Promise<void> };
type Carrier = { name: string; start(enc: WireEncoding[] | undefined): Promise<Pair> };

const quiet: Partial<NodeOptions> = { output: false, logger: false };

const carriers: Carrier[] = [
  {
    name: 'memory',
    async start(encodings) {
      const net = new MemoryNetwork();
      const extra = { ...quiet, cookie: COOKIE, ...(encodings ? { encodings } : {}) };
      const a = await startCoreNode({ sname: 'a@bench', transport: net.transport(), ...extra });
      const b = await startCoreNode({ sname: 'b@bench', transport: net.transport(), ...extra });
      return { a, b, stop: async () => void (await Promise.all([a.stop(), b.stop()])) };
    },
  },
  ...(['relay', 'direct'] as const).map((mode) => ({
    name: mode,
    async start(encodings: WireEncoding[] | undefined): Promise<Pair> {
      const relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false });
      const extra = {
        ...quiet,
        cookie: COOKIE,
        relay: relay.url,
        startRelay: false,
        direct: mode === 'direct',
        ...(encodings ? { encodings } : {}),
      };
      const a = await startServerNode({ name: 'a@127.0.0.1', ...extra });
      const b = await startServerNode({ name: 'b@127.0.0.1', ...extra });
      return {
        a,
        b,
        stop: async () => {
          await Promise.all([a.stop(), b.stop()]);
          await relay.close();
        },
      };
    },
  })),
];

/** Messages per second of a windowed one-way stream a → b. */
async function stream(a: Node, b: Node, n: number): Promise<number> {
  let done!: (t: number) => void;
  const finished = new Promise<number>((r) => (done = r));
  const counter = b.spawn(async (self) => {
    const from = (await self.receive()) as Pid; // the sender introduces itself
    for (let got = 1; got <= n; got++) {
      const m = (await self.receive()) as [string, number, Uint8Array];
      if (m[1] !== got) throw new Error(`out of order: ${m[1]} at ${got}`);
      if (got % ACK_EVERY === 0) self.send(from, ['ack', got]);
    }
    done(performance.now());
  });
  const payload = new Uint8Array(64).fill(7);
  let t0 = 0;
  a.spawn(async (self) => {
    self.send(counter, self.pid);
    let acked = 0;
    t0 = performance.now();
    for (let i = 1; i <= n; i++) {
      self.send(counter, ['msg', i, payload]);
      if (i % ACK_EVERY === 0) {
        while (i - acked >= WINDOW) acked = ((await self.receive()) as [string, number])[1];
        // Let the turn end so the batch goes out (a real sender does other work in between).
        await new Promise((r) => setImmediate(r));
      }
    }
  });
  const t1 = await finished;
  return n / ((t1 - t0) / 1000);
}

/** Mean round trip in µs of n sequential ping-pongs a → b → a. */
async function pingPong(a: Node, b: Node, n: number): Promise<number> {
  const echo = b.spawn(async (self) => {
    for (;;) {
      const m = (await self.receive()) as [Pid, number];
      self.send(m[0], m[1]);
    }
  });
  return new Promise<number>((resolve) => {
    a.spawn(async (self) => {
      for (let i = 0; i < 200; i++) {
        self.send(echo, [self.pid, i]);
        await self.receive();
      }
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        self.send(echo, [self.pid, i]);
        await self.receive();
      }
      resolve(((performance.now() - t0) * 1000) / n);
    });
  });
}

const rows: Array<{ carrier: string; encoding: string; stream: string; rtt: string }> = [];
for (const carrier of carriers) {
  if (only && carrier.name !== only) continue;
  for (const [label, enc] of [
    ['before: superjson-1, unbatched', ['superjson-1'] as WireEncoding[]],
    ['after: fast-1, batched', undefined],
  ] as const) {
    if (onlyEncoding && !label.startsWith(onlyEncoding)) continue;
    const pair = await carrier.start(enc);
    try {
      if (!(await pair.a.ping(pair.b.name)).startsWith('pong')) throw new Error('no connection');
      await stream(pair.a, pair.b, Math.min(STREAM, 20_000)); // warm-up
      const rate = await stream(pair.a, pair.b, STREAM);
      const rtt = await pingPong(pair.a, pair.b, RTT);
      rows.push({ carrier: carrier.name, encoding: label, stream: `${Math.round(rate).toLocaleString('en')} msgs/s`, rtt: `${rtt.toFixed(1)} µs` });
      console.log(`${carrier.name.padEnd(7)} ${label.padEnd(32)} stream ${Math.round(rate).toLocaleString('en').padStart(9)} msgs/s   ping-pong ${rtt.toFixed(1).padStart(6)} µs`);
    } finally {
      await pair.stop();
    }
  }
}
console.table(rows);
process.exit(0);
