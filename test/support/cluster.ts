/**
 * Test helper: N nodes on one MemoryNetwork, each with its output and log captured.
 */
import { startNode } from '../../src/core/node/start-node.js';
import type { LogEntry, Node, NodeOptions } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { nobleCrypto } from '../../src/browser/crypto.js';
import type { Clock } from '../../src/core/base/clock.js';

export interface TestNode extends Node {}

export interface Captured {
  output: string[];
  logs: LogEntry[];
}

/** The network's clock (real time if absent), latency and seed; the host part of node names (`vm`). */
export interface ClusterOptions {
  clock?: Clock;
  latencyMs?: number;
  seed?: number;
  host?: string;
}

export class TestCluster {
  readonly net: MemoryNetwork;
  readonly captured = new Map<string, Captured>();
  readonly nodes: Node[] = [];
  constructor(readonly opts: ClusterOptions = {}) {
    this.net = new MemoryNetwork({ clock: opts.clock, latencyMs: opts.latencyMs, seed: opts.seed });
  }

  async node(sname: string, extra: Partial<NodeOptions> = {}): Promise<Node> {
    const cap: Captured = { output: [], logs: [] };
    const n = await startNode({
      sname: sname.includes('@') ? sname : `${sname}@${this.opts.host ?? 'vm'}`,
      cookie: 'abc',
      transport: this.net.transport(),
      clock: this.opts.clock,
      // HMAC in JavaScript: the handshake then settles in microtasks, never on real time, so
      // tests on a SimulatedClock are deterministic (WebCrypto is covered by the ws tests).
      crypto: nobleCrypto,
      output: (t) => cap.output.push(t),
      logger: (e) => cap.logs.push(e),
      ...extra,
    } as NodeOptions);
    this.captured.set(n.name, cap);
    this.nodes.push(n);
    return n;
  }

  /** Start plain nodes one after another, as `node(sname)` for each; resolves with them in order. */
  async startNodes<N extends string[]>(...snames: N): Promise<{ [K in keyof N]: Node }> {
    const started: Node[] = [];
    for (const sname of snames) started.push(await this.node(sname));
    return started as { [K in keyof N]: Node };
  }

  output(n: Node): string {
    return (this.captured.get(n.name)?.output ?? []).join('');
  }

  logs(n: Node): string {
    return (this.captured.get(n.name)?.logs ?? []).map((l) => l.text).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}

/** Poll `cond` on real time (for tests whose waits are not clock-driven), failing after `ms`. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms: ${cond.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
