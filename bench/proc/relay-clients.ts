/**
 * Registers `count` nodes at a relay, as bare RelayTransports (src/core/relay-client/relay-transport.ts
 * over isomorphic-ws, the transport server-nodes use): each proves the cookie, registers a
 * visible name and keeps its socket open, which is what a relay holds per connected node.
 * The bench runs two of these processes for the relay-memory scenario.
 *
 *   options (argv[2]): { url, cookie, count, prefix, concurrency, raw? }
 *   commands: connected → how many are still registered
 *
 * With `raw` (the cluster-memory scenario's thousands of simulated nodes), each is a bare
 * WebSocket speaking the registration by hand (challenge, cookie proof, `register` asking for
 * membership with connectAll false, `welcome`) and then reading nothing: the relay sends it
 * what it sends a node (the welcome's snapshot, the members batches), but this process keeps
 * no view of the membership. Real nodes would, each one: thousands of them in one process
 * would be the process's cost, not the relay's.
 */
import { createHmac } from 'node:crypto';
import WebSocket from 'isomorphic-ws';
import { RELAY_PROTOCOL_VERSION, relayProofInput } from '../../src/core/relay-client/protocol.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { childOptions, serve } from './ipc.js';

interface ClientsOptions {
  url: string;
  cookie: string;
  count: number;
  prefix: string;
  concurrency: number;
  raw?: boolean;
}

const o = childOptions<ClientsOptions>();
const transports: Array<{ readonly connected: boolean }> = [];

/** A bare registration: resolves once welcomed; `connected` until the socket closes. */
function rawClient(name: string): Promise<{ readonly connected: boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url);
    const state = { connected: false };
    let step: 'challenge' | 'welcome' | 'done' = 'challenge';
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (step === 'done' || binary) return;
      const m = JSON.parse(data.toString('utf8')) as { t: string; nonce?: string; code?: string };
      if (step === 'challenge' && m.t === 'challenge') {
        const proof = createHmac('sha256', o.cookie).update(relayProofInput(String(m.nonce), name)).digest('hex');
        ws.send(JSON.stringify({ t: 'register', v: RELAY_PROTOCOL_VERSION, name, proof, hidden: false, bin: true, members: true, connectAll: false }));
        step = 'welcome';
      } else if (step === 'welcome' && m.t === 'welcome') {
        step = 'done';
        state.connected = true;
        resolve(state);
      } else if (m.t === 'refused') reject(new Error(`${name} refused: ${m.code}`));
    });
    ws.on('close', () => {
      state.connected = false;
      if (step !== 'done') reject(new Error(`${name}: closed before welcome`));
    });
    ws.on('error', (e: Error) => step !== 'done' && reject(e));
  });
}

await serve(
  async () => {
    const t0 = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < o.count) {
        const i = next++;
        const name = `${o.prefix}${i}@127.0.0.1`;
        if (o.raw) {
          transports.push(await rawClient(name));
          continue;
        }
        const t = new RelayTransport({
          url: o.url,
          cookie: o.cookie,
          WebSocket: WebSocket as unknown as WebSocketCtor,
          timeoutMs: 30_000,
        });
        transports.push(t);
        await t.listen(name, (ch) => ch.close('not_distributed'), { hidden: false });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, worker));
    return { registered: transports.filter((t) => t.connected).length, seconds: (performance.now() - t0) / 1000 };
  },
  { connected: () => transports.filter((t) => t.connected).length },
);
