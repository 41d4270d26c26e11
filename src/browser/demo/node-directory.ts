/**
 * The nodes this tab knows: itself plus every connected peer (visible or hidden), kept up to
 * date from monitorNodes. Panels subscribe to changes.
 */
import type { Node, NodeEvent } from '../index.js';
import { nodeKind, type NodeKind } from './format.js';

export interface NodeInfo {
  name: string;
  kind: NodeKind;
  hidden: boolean;
}

export type NodeChangeEvent = { kind: 'nodeup' | 'nodedown'; name: string; hidden: boolean; reason?: string };

const ORDER: Record<NodeKind, number> = { this: 0, server: 1, tab: 2 };

export class NodeDirectory {
  private readonly live = new Map<string, NodeInfo>();
  private readonly listeners = new Set<(ev: NodeChangeEvent | undefined) => void>();
  readonly self: string;

  constructor(readonly node: Node) {
    this.self = node.name;
    this.live.set(node.name, { name: node.name, kind: 'this', hidden: false });
    node.monitorNodes((ev) => this.onEvent(ev), { nodeType: 'all', nodedownReason: true });
    for (const n of node.nodes('visible')) this.put(n, false);
    for (const n of node.nodes('hidden')) this.put(n, true);
  }

  /** This node first, then servers, then tabs; by name within each. */
  list(): NodeInfo[] {
    return [...this.live.values()].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.live.has(name);
  }

  /** Called on every change (with the event) and once at subscription (without). */
  subscribe(fn: (ev: NodeChangeEvent | undefined) => void): () => void {
    this.listeners.add(fn);
    fn(undefined);
    return () => this.listeners.delete(fn);
  }

  private put(name: string, hidden: boolean): void {
    this.live.set(name, { name, kind: nodeKind(name, this.self), hidden });
  }

  private onEvent(ev: NodeEvent): void {
    const [kind, name, info] = ev;
    const hidden = info?.nodeType === 'hidden';
    if (kind === 'nodeup') this.put(name, hidden);
    else this.live.delete(name);
    const change: NodeChangeEvent = { kind, name, hidden, reason: info?.nodedownReason };
    for (const fn of this.listeners) fn(change);
  }
}
