/**
 * Many nodes in one OS process, all through one relay as tabs are (the core `startNode` over a
 * RelayTransport on isomorphic-ws, cookie holders, no direct links),
 * for the mesh-join scenarios: the bench runs a few of these processes and asks each how many
 * of its nodes list every other node of the cluster in `nodes()`.
 *
 *   options (argv[2]): { relay, cookie, count, prefix, concurrency, relays? } (relays: the
 *   relays of a cluster on Redis; node i registers with relays[i % relays.length])
 *   commands: complete { total } → { complete, nodes }: how many of this process's nodes list
 *             total − 1 others
 */
import WebSocket from 'isomorphic-ws';
import type { Node } from '../../src/core/index.js';
import { startNode } from '../../src/core/node/start-node.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { childOptions, serve } from './ipc.js';

interface MeshOptions {
  relay: string;
  cookie: string;
  count: number;
  prefix: string;
  concurrency: number;
  relays?: string[];
}

const o = childOptions<MeshOptions>();
const nodes: Node[] = [];

await serve(
  async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < o.count) {
        const i = next++;
        const url = o.relays?.length ? o.relays[i % o.relays.length]! : o.relay;
        const transport = new RelayTransport({ url, cookie: o.cookie, WebSocket: WebSocket as unknown as WebSocketCtor, timeoutMs: 120_000 });
        nodes.push(await startNode({ name: `${o.prefix}${i}@127.0.0.1`, cookie: o.cookie, transport, output: false, logger: false }));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
    return { started: nodes.length };
  },
  {
    complete: (args) => {
      const total = Number(args.total);
      return { complete: nodes.filter((n) => n.nodes().length >= total - 1).length, nodes: nodes.length };
    },
  },
);
