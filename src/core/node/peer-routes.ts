/**
 * Where a node's signals for another node go: the net kernel (erlmesh's own distribution, over
 * the relay or direct links), or a foreign route attached later — a server-node's Erlang
 * distribution with BEAM nodes (src/server/beam/bridge.ts). The node consults this, never the
 * net kernel directly, for sends, connects, `nodes()` and `disconnect`.
 *
 * Invariants:
 * - a peer the net kernel is connected to stays with the net kernel; otherwise the foreign
 *   route is asked whether it claims the peer, and may take a while to answer (it looks the
 *   name up); signals for that peer wait, in order, and all go the way the answer says;
 * - without a foreign route everything is the net kernel's, exactly as before.
 */
import type { SignalFrame } from '../process/signals.js';
import type { NodeChange } from '../interfaces/node-events.js';
import type { NetKernel } from '../net/net-kernel.js';
import type { LinkStats } from '../net/connection-stats.js';

/** Which connected peers: as `nodes()` counts them. */
type PeerKind = 'visible' | 'hidden' | 'connected';

/**
 * Another way to reach some nodes (BEAM nodes over Erlang distribution). Its peers are cookie
 * holders: their signals are delivered without the capability guard.
 *
 * @example
 * node._attachForeign((hooks) => beamBridge(hooks));   // what startNode({ beam: true }) does
 */
export interface ForeignRoute {
  /** True when signals for `node` go this way (a promise while that is being found out). */
  claims(node: string): boolean | Promise<boolean>;
  send(node: string, s: SignalFrame): void;
  whenConnected(node: string): Promise<boolean>;
  isConnected(node: string): boolean;
  peers(kind: PeerKind): string[];
  disconnect(node: string): boolean;
  close(): Promise<void>;
  /** Its connections' counters, as far as it keeps any (the observer's `links`). */
  linkStats?(): LinkStats[];
}

/**
 * What a node gives its foreign route: its identity, and where that route's signals, losses
 * and nodeup/nodedown go.
 *
 * @example
 * node._attachForeign((hooks) => new BeamBridge(beam, hooks, node, epmdPort));   // src/server/beam/attach.ts
 */
export interface ForeignHooks {
  name: string;
  creation: number;
  /** A signal from the foreign peer `peer`, checked: delivered as from a cookie holder. */
  deliver(s: SignalFrame, peer: string): void;
  /** `node` is lost or unreachable: its links and monitors fire `noconnection`. */
  nodeDown(node: string): void;
  change(c: NodeChange): void;
  log(level: 'info' | 'warning' | 'error', text: string): void;
}

export class PeerRoutes {
  private foreign: ForeignRoute | undefined;
  /** Signals for peers whose route is still being found out, in order. */
  private readonly waiting = new Map<string, SignalFrame[]>();

  constructor(private readonly net: () => NetKernel | undefined) {}

  attach(route: ForeignRoute): ForeignRoute {
    return (this.foreign = route);
  }

  /** The route of `node` once known: true for the foreign one. */
  private decide(node: string): boolean | Promise<boolean> {
    if (!this.foreign || this.net()?.isConnected(node)) return false;
    return this.foreign.claims(node);
  }

  /** Send `s` to `node` by its route (the net kernel's `send` when there is no other). */
  send(node: string, s: SignalFrame, viaNet: (node: string, s: SignalFrame) => void): void {
    const queue = this.waiting.get(node);
    if (queue) {
      queue.push(s);
      return;
    }
    const d = this.decide(node);
    if (d === true) return this.foreign!.send(node, s);
    if (d === false) return viaNet(node, s);
    const q = [s];
    this.waiting.set(node, q);
    const release = (foreign: boolean): void => {
      this.waiting.delete(node);
      for (const x of q) {
        if (foreign) this.foreign!.send(node, x);
        else viaNet(node, x);
      }
    };
    d.then(release, () => release(false));
  }

  /** Resolves true once `node` is connected by its route (the net kernel's when there is no other). */
  async whenConnected(node: string): Promise<boolean> {
    const net = this.net();
    if ((await this.decide(node)) === true) return this.foreign!.whenConnected(node);
    return net ? net.whenConnected(node) : false;
  }

  isConnected(node: string): boolean {
    return (this.net()?.isConnected(node) ?? false) || (this.foreign?.isConnected(node) ?? false);
  }

  peers(kind: PeerKind): string[] {
    return [...(this.net()?.peers(kind) ?? []), ...(this.foreign?.peers(kind) ?? [])];
  }

  /** `peers` as erlmesh's services count them: the foreign route's peers all hidden. */
  readonly forServices = {
    peers: (kind: PeerKind): string[] => {
      const ours = this.net()?.peers(kind) ?? [];
      if (!this.foreign || kind === 'visible') return ours;
      return [...ours, ...this.foreign.peers(kind === 'hidden' ? 'connected' : kind)];
    },
  };

  /** Every connection's counters, both routes' (the observer's `nodeStats().links`). */
  linkStats(): LinkStats[] {
    return [...(this.net()?.connectionStats() ?? []), ...(this.foreign?.linkStats?.() ?? [])];
  }

  disconnect(node: string): boolean {
    return (this.foreign?.isConnected(node) ? this.foreign.disconnect(node) : undefined) ?? this.net()?.disconnect(node) ?? false;
  }

  async close(): Promise<void> {
    await this.foreign?.close();
  }
}
