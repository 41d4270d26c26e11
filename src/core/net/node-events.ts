/**
 * `monitorNodes`: nodeup/nodedown events in Erlang's three subscription shapes
 * (docs/semantics.md §2):
 *
 * | options                              | nodeup                         | nodedown |
 * |--------------------------------------|--------------------------------|----------|
 * | none                                 | ['nodeup', N]                  | ['nodedown', N] |
 * | { nodedownReason: true }             | ['nodeup', N, {}]              | ['nodedown', N, { nodedownReason: R }] |
 * | { nodeType: 'all' \| 'visible' \| 'hidden', nodedownReason? } | ['nodeup', N, { nodeType }] | ['nodedown', N, { nodeType, nodedownReason? }] |
 *
 * Hidden nodes are reported only to subscribers with nodeType 'hidden' or 'all'.
 */
import type { Emitter } from '../base/emitter.js';
import { badarg, ErlmeshError } from '../base/errors.js';

import type { MonitorNodesOptions, NodeChange, NodeEvent, NodeEventInfo } from '../interfaces/node-events.js';

export type { MonitorNodesOptions, NodeChange, NodeEvent, NodeEventInfo, NodedownReason } from '../interfaces/node-events.js';

const KNOWN = new Set(['nodedownReason', 'nodeType']);

/** Validate options; unknown ones throw `unknown_options` (Erlang: {error,{unknown_options,…}}). */
export function checkMonitorNodesOptions(opts: unknown): MonitorNodesOptions | undefined {
  if (opts === undefined) return undefined;
  if (!opts || typeof opts !== 'object') throw new ErlmeshError('badarg', 'monitorNodes options must be an object');
  const unknown = Object.keys(opts).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new ErlmeshError('unknown_options', `unknown options: ${unknown.join(', ')}`, unknown);
  const o = opts as MonitorNodesOptions;
  if (o.nodeType !== undefined && !['visible', 'hidden', 'all'].includes(o.nodeType)) {
    throw new ErlmeshError('badarg', `nodeType must be 'visible', 'hidden' or 'all'`);
  }
  return o;
}

/** The event a subscriber with `opts` gets for `change`, or undefined if it is not for them. */
export function shapeNodeEvent(change: NodeChange, opts: MonitorNodesOptions | undefined): NodeEvent | undefined {
  const type = opts?.nodeType ?? 'visible';
  if (change.hidden ? type === 'visible' : type === 'hidden') return undefined;
  if (!opts || (opts.nodeType === undefined && !opts.nodedownReason)) return [change.kind, change.node] as NodeEvent;
  const info: NodeEventInfo = {};
  if (opts.nodeType !== undefined) info.nodeType = change.hidden ? 'hidden' : 'visible';
  if (opts.nodedownReason && change.kind === 'nodedown') info.nodedownReason = change.reason ?? 'connection_closed';
  return [change.kind, change.node, info] as NodeEvent;
}

/**
 * Subscribes `listener` to `changes` as `node.monitorNodes(listener, opts)` does. For erlmesh's
 * own services (`asService`), a foreign peer (a BEAM node) is hidden even when the user sees it
 * visible: global and pg must not count it among their protocol peers.
 *
 * @example
 * const off = subscribeNodeEvents(events, (ev) => console.log(ev), { nodeType: 'all' });
 */
export function subscribeNodeEvents(changes: Emitter<NodeChange>, listener: (ev: NodeEvent) => void, opts: unknown, asService = false): () => void {
  if (typeof listener !== 'function') throw badarg('monitorNodes: listener must be a function');
  const o = checkMonitorNodesOptions(opts);
  return changes.on((c) => {
    const ev = shapeNodeEvent(asService && c.foreign === true && !c.hidden ? { ...c, hidden: true } : c, o);
    if (ev) listener(ev);
  });
}
