/**
 * The shapes of nodeup/nodedown events (`monitorNodes`); see net/node-events.ts for how a
 * change becomes an event for each subscription shape.
 */

/**
 * Why a node went down. Erlang's reasons, plus `rate_limited`: this node cut a peer that sent
 * more signals per second than its role allows (trust/guard.ts); the peer sees
 * `connection_closed`.
 */
export type NodedownReason =
  | 'disconnect'
  | 'connection_closed'
  | 'net_tick_timeout'
  | 'connection_setup_failed'
  | 'rate_limited'
  | (string & {});

export interface MonitorNodesOptions {
  nodedownReason?: boolean;
  nodeType?: 'visible' | 'hidden' | 'all';
}

export interface NodeEventInfo {
  nodeType?: 'visible' | 'hidden';
  nodedownReason?: NodedownReason;
}

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
  reason?: NodedownReason;
}

/** The kinds `nodes()` lists. */
export type NodesKind = 'visible' | 'hidden' | 'connected' | 'this' | 'known';
