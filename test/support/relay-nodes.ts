/**
 * Server-nodes on a real relay on 127.0.0.1 (one OS process, real sockets), for the tests in
 * test/server/: start the relay, start nodes on it, and stop them all after each test.
 *
 * ```ts
 * const mesh = new RelayNodes('mesh-cookie');
 * afterEach(() => mesh.stop());
 * it('pings', async () => {
 *   await mesh.startRelay();
 *   const [a, b] = [await mesh.node('a'), await mesh.node('b')];
 *   expect(await a.ping(b.name)).toBe('pong');
 * });
 * ```
 */
import type { Node } from '../../src/core/index.js';
import { type ServerNodeOptions, startNode } from '../../src/server/index.js';
import { startRelay, type Relay, type RelayOptions } from '../../src/server/relay/index.js';

export class RelayNodes {
  /** The relay started last (undefined before `startRelay` and after `stopRelay`). */
  relay: Relay | undefined;
  private readonly nodes: Node[] = [];

  /**
   * `defaults`: options of every node started with `node`, over the cookie, the relay and no
   * output.
   */
  constructor(
    readonly cookie: string,
    private readonly defaults: Partial<ServerNodeOptions> = {},
  ) {}

  /** Start a relay with this cookie (port 0, no log unless `opts` say otherwise). */
  async startRelay(opts: Partial<RelayOptions> = {}): Promise<Relay> {
    this.relay = await startRelay({ port: 0, cookie: this.cookie, logger: false, ...opts });
    return this.relay;
  }

  /** Close the relay now (the nodes stay). */
  async stopRelay(): Promise<void> {
    const r = this.relay;
    this.relay = undefined;
    await r?.close();
  }

  /** Start the server-node `<sname>@127.0.0.1` on the relay (stopped by `stop`). */
  async node(sname: string, extra: Partial<ServerNodeOptions> = {}): Promise<Node> {
    if (!this.relay) throw new Error('RelayNodes.node: start the relay first');
    return this.track(
      await startNode({
        name: `${sname}@127.0.0.1`,
        cookie: this.cookie,
        relay: this.relay.url,
        startRelay: false,
        output: false,
        logger: false,
        ...this.defaults,
        ...extra,
      } as ServerNodeOptions),
    );
  }

  /** Stop `n` with the others, after the test. */
  track(n: Node): Node {
    this.nodes.push(n);
    return n;
  }

  /** Stop every node, then the relay (for afterEach). */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.stop()));
    await this.stopRelay();
  }
}
