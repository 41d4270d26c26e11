/**
 * Test helpers for watching membership: node events and node lists.
 */
import type { Node } from '../../src/core/node/node.js';
import type { MonitorNodesOptions, NodeEvent } from '../../src/core/net/node-events.js';

/** Subscribe to `node`'s monitorNodes and collect the events as they come. */
export function watch(node: Node, opts?: MonitorNodesOptions): NodeEvent[] {
  const evs: NodeEvent[] = [];
  node.monitorNodes((e) => evs.push(e), opts);
  return evs;
}

/** A sorted copy of a list of names (nodes() comes in no particular order). */
export const sorted = (xs: string[]): string[] => [...xs].sort();
