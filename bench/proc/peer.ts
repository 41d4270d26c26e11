/**
 * The remote erlmesh node of the node-to-node scenarios, in its own OS process (Erlang's
 * side runs its server node in its own VM too). A server-node from src/server/start-node.ts with
 * the book's kvs started (weather = fine stored) and the `bench` module loaded; it is
 * passive: the client spawns counters, echoes and noops on it.
 *
 *   options (argv[2]): { name, cookie, relay, direct }
 */
import { startNode } from '../../src/server/start-node.js';
import { benchModule } from './bench-module.js';
import { childOptions, measuredMemory, serve } from './ipc.js';

interface PeerOptions {
  name: string;
  cookie: string;
  relay: string;
  direct: boolean;
}

const o = childOptions<PeerOptions>();

await serve(
  async () => {
    const node = await startNode({
      name: o.name,
      cookie: o.cookie,
      relay: o.relay,
      startRelay: false,
      direct: o.direct,
      output: false,
      logger: false,
      modules: [benchModule],
    });
    await node.rpc.call(node.name, 'kvs', 'start', []);
    await node.rpc.call(node.name, 'kvs', 'store', ['weather', 'fine']);
    return { name: node.name };
  },
  { memory: () => measuredMemory() },
);
