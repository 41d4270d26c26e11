/**
 * When each node started, on its own clock, for `observer:nodeStats()`'s uptime: a side
 * table filled by startNode, so the node facade carries no field for it.
 */
import type { Clock } from '../../base/clock.js';

const startedAt = new WeakMap<object, number>();

/** @internal record that `node` starts now (node/start-node.ts) */
export function markStarted(node: object, clock: Clock): void {
  startedAt.set(node, clock.now());
}

/** @internal milliseconds since `node` started (0 when it was never marked) */
export function uptimeOf(node: object, clock: Clock): number {
  const t = startedAt.get(node);
  return t === undefined ? 0 : Math.max(0, clock.now() - t);
}
