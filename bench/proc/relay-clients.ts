/**
 * Registers `count` nodes at a relay, as bare RelayTransports (src/core/relay-client/relay-transport.ts
 * over isomorphic-ws, the transport server-nodes use): each proves the cookie, registers a
 * visible name and keeps its socket open, which is what a relay holds per connected node.
 * The bench runs two of these processes for the relay-memory scenario.
 *
 *   options (argv[2]): { url, cookie, count, prefix, concurrency, members? } (members: each asks
 *   for the relay's batched membership, as nodes do, but takes no part in the mesh
 *   (connectAll false): without it each gets one `joined` per other node)
 *   commands: connected → how many are still registered
 */
import WebSocket from 'isomorphic-ws';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { childOptions, serve } from './ipc.js';

interface ClientsOptions {
  url: string;
  cookie: string;
  count: number;
  prefix: string;
  concurrency: number;
  members?: boolean;
}

const o = childOptions<ClientsOptions>();
const transports: RelayTransport[] = [];

await serve(
  async () => {
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < o.count) {
        const i = next++;
        const t = new RelayTransport({
          url: o.url,
          cookie: o.cookie,
          WebSocket: WebSocket as unknown as WebSocketCtor,
          timeoutMs: 30_000,
        });
        transports.push(t);
        const members = o.members ? { onMembers: () => undefined, connectAll: false } : {};
        await t.listen(`${o.prefix}${i}@127.0.0.1`, (ch) => ch.close('not_distributed'), { hidden: false, ...members });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
    return { registered: transports.filter((t) => t.connected).length, seconds: (performance.now() - t0) / 1000 };
  },
  { connected: () => transports.filter((t) => t.connected).length },
);
