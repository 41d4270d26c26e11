/**
 * The shapes of nodeup/nodedown events (`monitorNodes`); see net/node-events.ts for how a
 * change becomes an event for each subscription shape.
 */

/**
 * Why a node went down. Erlang's reasons, plus `rate_limited`: this node cut a peer that sent
 * more signals per second than its role allows (trust/guard.ts); the peer sees
 * `connection_closed`.
 *
 * @example
 * node.monitorNodes((ev) => {
 *   const reason: NodedownReason | undefined = ev[2]?.nodedownReason;
 *   if (ev[0] === 'nodedown') console.log(ev[1], reason);
 * }, { nodedownReason: true });
 */
export type NodedownReason =
  | 'disconnect'
  | 'connection_closed'
  | 'net_tick_timeout'
  | 'connection_setup_failed'
  | 'rate_limited'
  | (string & {});

/**
 * Options of `node.monitorNodes` (Erlang's `net_kernel:monitor_nodes/2` options).
 *
 * @example
 * const opts: MonitorNodesOptions = { nodedownReason: true, nodeType: 'all' };
 * const off = node.monitorNodes((ev) => console.log(ev), opts);
 */
export interface MonitorNodesOptions {
  nodedownReason?: boolean;
  nodeType?: 'visible' | 'hidden' | 'all';
}

/**
 * The third element of a node event when `monitorNodes` was given options.
 *
 * @example
 * node.monitorNodes((ev) => {
 *   const info: NodeEventInfo | undefined = ev[2];
 *   console.log(ev[0], ev[1], info?.nodeType, info?.nodedownReason);
 * }, { nodeType: 'all', nodedownReason: true });
 */
export interface NodeEventInfo {
  nodeType?: 'visible' | 'hidden';
  nodedownReason?: NodedownReason;
}

/**
 * A nodeup or nodedown event, as `node.monitorNodes` hands it (with `NodeEventInfo` when it
 * was given options).
 *
 * @example
 * node.monitorNodes((ev: NodeEvent) => console.log(`${ev[0]}: ${ev[1]}`));
 */
export type NodeEvent =
  | ['nodeup', string]
  | ['nodedown', string]
  | ['nodeup', string, NodeEventInfo]
  | ['nodedown', string, NodeEventInfo];

/** What the net kernel knows when a node comes or goes. */
export interface NodeChange {
  kind: 'nodeup' | 'nodedown';
  node: string;
  hidden: boolean;
  /**
   * A peer on another route than erlmesh's own (a BEAM node): users see it as `hidden` says,
   * erlmesh's services (global, pg) always as hidden, since it speaks neither's protocol.
   */
  foreign?: boolean;
  reason?: NodedownReason;
}

/**
 * The kinds `nodes()` lists.
 *
 * @example
 * const kinds: NodesKind[] = ['visible', 'hidden'];
 * node.nodes(kinds);
 */
export type NodesKind = 'visible' | 'hidden' | 'connected' | 'this' | 'known';
