/**
 * The way back from a node without Erlang distribution (a browser tab) to BEAM, through its
 * gateway (src/server/beam/gateway.ts; docs/beam-interop.md, "BEAM reaching a tab"). The node
 * attaches a foreign route that claims the BEAM nodes connected to its name at the gateway and
 * sends their signals to the gateway as erlmesh messages, which writes them as Erlang
 * distribution. Platform-free: it is erlmesh messages both ways.
 *
 *   gateway → '$beam_proxy' here:  ['beam_up', Peer] | ['beam_down', Peer, Reason] | ['signal', Signal, Peer]
 *   here → '$beam_gateway' there:  ['via', ThisNode, Peer, Signal]
 *
 * Invariants: only peers the gateway said are up are claimed (others go the usual way); a
 * signal from BEAM is delivered only for a peer that is up, as from a cookie holder (the
 * gateway is one); `beam_down` gives `noconnection` to links and monitors of that peer, and a
 * hidden nodedown, as any BEAM connection's end.
 */
import type { Node } from './node.js';
import type { ForeignHooks, ForeignRoute } from './peer-routes.js';
import type { SignalFrame } from '../process/signals.js';

/** The registered name the gateway's messages for this node go to. */
export const BEAM_PROXY = '$beam_proxy';
/** The registered name, on the gateway, of the process that writes signals to BEAM. */
export const BEAM_GATEWAY = '$beam_gateway';

class BeamProxyRoute implements ForeignRoute {
  readonly up = new Set<string>();
  constructor(
    private readonly node: Node,
    /** The gateway's name: set again when the node attaches once more (another gateway). */
    public gateway: string,
    readonly hooks: ForeignHooks,
  ) {}

  claims(node: string): boolean {
    return this.up.has(node);
  }

  send(node: string, s: SignalFrame): void {
    this.node.send([BEAM_GATEWAY, this.gateway], ['via', this.node.name, node, s]);
  }

  whenConnected(node: string): Promise<boolean> {
    return Promise.resolve(this.up.has(node));
  }

  isConnected(node: string): boolean {
    return this.up.has(node);
  }

  peers(kind: 'visible' | 'hidden' | 'connected'): string[] {
    return kind === 'visible' ? [] : [...this.up];
  }

  disconnect(): boolean {
    return false;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** One message from the gateway (malformed ones are ignored). */
  hear(m: unknown): void {
    if (!Array.isArray(m)) return;
    const [kind, a, b] = m as unknown[];
    if (kind === 'beam_up' && typeof a === 'string') {
      if (this.up.has(a)) return;
      this.up.add(a);
      this.hooks.change({ kind: 'nodeup', node: a, hidden: true });
    } else if (kind === 'beam_down' && typeof a === 'string') {
      if (!this.up.delete(a)) return;
      this.hooks.change({ kind: 'nodedown', node: a, hidden: true, reason: typeof b === 'string' ? b : 'connection_closed' });
      this.hooks.nodeDown(a);
    } else if (kind === 'signal' && typeof b === 'string' && this.up.has(b) && typeof (a as { t?: unknown } | null)?.t === 'string') {
      this.hooks.deliver(a as SignalFrame, b);
    }
  }
}

/** The way back of each node that attached one. */
const routes = new WeakMap<Node, BeamProxyRoute>();

/**
 * Makes `node` reach the BEAM nodes connected to its name at `gateway` (a server-node that
 * ran `startBeamGateway` for it): replies, sends, links and monitors to them go through the
 * gateway. Call it on the node BEAM is to reach (a tab), before BEAM connects; calling it
 * again points the way back at another gateway (a node has one at a time). Returns the
 * gateway it pointed at before, if any.
 *
 * @example
 * attachBeamProxy(node, 'srv@myhost');   // in the tab; on srv: startBeamGateway(srv, { for: node.name })
 */
export function attachBeamProxy(node: Node, gateway: string): string | undefined {
  const known = routes.get(node);
  if (known) {
    const before = known.gateway;
    known.gateway = gateway;
    return before;
  }
  let route!: BeamProxyRoute;
  node._attachForeign((hooks) => (route = new BeamProxyRoute(node, gateway, hooks)));
  routes.set(node, route);
  const pid = node.spawn(async (self) => {
    for (;;) route.hear(await self.receive());
  });
  node.register(BEAM_PROXY, pid);
  return undefined;
}
