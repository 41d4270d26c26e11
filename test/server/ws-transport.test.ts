/**
 * The transport conformance suite (src/core/testing/transport-conformance.ts) on the Node
 * WebSocket transport, through a real relay on 127.0.0.1: relayed channels, and direct links
 * between server-nodes (the relay only as rendezvous).
 */
import WebSocket from 'isomorphic-ws';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Channel, ListenOptions, Registration, Transport } from '../../src/core/net/transport.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import type { TransportHarness } from '../../src/core/testing/transport-conformance.js';
import { itConformsToTransport } from '../support/conformance.js';
import { startDirectLinks } from '../../src/server/transports/direct-links.js';
import { startRelay, type Relay } from '../../src/server/relay/index.js';

const COOKIE = 'conformance-cookie';
let seq = 0;
const unique = (base: string) => `${base}${++seq}x${process.pid}@127.0.0.1`;

/**
 * A relay transport dials only once registered (every node is). The suite also dials from
 * transports that never call listen, so this wrapper registers those under a fresh name first.
 */
class AutoRegistering implements Transport {
  private listening: Promise<unknown> | undefined;
  constructor(readonly inner: RelayTransport) {}
  listen(name: string, onInbound: (ch: Channel) => void, opts?: ListenOptions): Promise<Registration> {
    const p = this.inner.listen(name, onInbound, opts);
    this.listening = p.catch(() => undefined);
    return p;
  }
  async connect(peer: string): Promise<Channel> {
    if (!this.listening) this.listening = this.inner.listen(unique('dialer'), (ch) => ch.close('unexpected'));
    await this.listening;
    return this.inner.connect(peer);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function harness(relay: () => Relay, direct: boolean): TransportHarness {
  const open: Transport[] = [];
  return {
    async newTransport() {
      const links = direct ? await startDirectLinks({ host: '127.0.0.1' }) : undefined;
      const t = new AutoRegistering(
        new RelayTransport({ url: relay().url, cookie: COOKIE, WebSocket: WebSocket as unknown as WebSocketCtor, direct: links }),
      );
      open.push(t);
      return t;
    },
    uniqueName: unique,
    async cleanup() {
      await Promise.all(open.splice(0).map((t) => t.close()));
    },
  };
}

for (const mode of ['relayed', 'direct'] as const) {
  describe(`transport conformance: Node WebSocket, ${mode}`, () => {
    let relay: Relay;
    beforeAll(async () => {
      relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: COOKIE, logger: false });
    });
    afterAll(async () => relay.close());
    itConformsToTransport(harness(() => relay, mode === 'direct'));
  });
}
