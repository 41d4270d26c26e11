/**
 * What the observer page's cluster view shows, gathered through the observer's node: every
 * node it is connected to (the source of truth: a node that goes down is gone at the next
 * look), each node's `observer:nodeStats()`, the connections between them, and the relay's
 * view (each node's stats carry its connections' frame counters: the page makes rates of
 * them). Nothing is asked while no page asks: `cluster()` refreshes the figures when they are
 * older than REFRESH_MS, in the background, one refresh at a time.
 *
 * Discovery: the observer connects to every node it hears of — from the relay's list
 * (`peers`) and from the connections each node reports — so hidden nodes and tabs show too.
 */
import type { Node } from '../../core/node/node.js';
import type { NodeStats } from '../../core/node/observer/types.js';
import type { PeerEntry } from '../../core/relay-client/protocol.js';
import { ask } from './answers.js';
import type { RelayView } from './types.js';

/** Figures older than this are asked for again (when a page asks). */
export const REFRESH_MS = 800;
/** A node heard of but not connected is dialled at most this often. */
const REDIAL_MS = 3_000;
/** How long a refresh waits for the dials it started (a node that answers later shows next time). */
const DIAL_WAIT_MS = 1_000;

/** One node as the page shows it. */
export interface NodeEntry {
  name: string;
  /** The observer's own node. */
  self: boolean;
  hidden: boolean;
  /** Its ticket role, or 'cookie'. */
  role: string;
  stats: NodeStats | undefined;
  /** `refused` when its capabilities turned the observer down; another error in words. */
  error: string | undefined;
}

/** A connection between two nodes (names sorted). */
export interface Edge {
  a: string;
  b: string;
}

export interface ClusterView {
  observer: string;
  nodes: NodeEntry[];
  edges: Edge[];
  relay: RelayView | undefined;
}

export class Collector {
  private readonly stats = new Map<string, { stats?: NodeStats; error?: string }>();
  private readonly dialled = new Map<string, number>();
  private relayView: RelayView | undefined;
  private last = 0;
  private running: Promise<void> | undefined;
  private readonly unmonitor: () => void;

  constructor(
    private readonly node: Node,
    private readonly peers: (() => PeerEntry[]) | undefined,
    private readonly relay: (() => RelayView | Promise<RelayView>) | undefined,
  ) {
    this.unmonitor = node.monitorNodes(
      (ev) => {
        if (ev[0] === 'nodedown') this.stats.delete(ev[1]);
      },
      { nodeType: 'all' },
    );
  }

  /** The cluster now: the connections as they are, the figures as last gathered. */
  async cluster(): Promise<ClusterView> {
    if (this.last === 0) await this.refresh();
    else if (Date.now() - this.last > REFRESH_MS) void this.refresh();
    return this.view();
  }

  /**
   * Stop watching: every connected node stops counting messages (`observer:unobserve()`), so
   * the cluster is back to paying nothing. Bounded by ASK_TIMEOUT_MS.
   */
  async close(): Promise<void> {
    this.unmonitor();
    if (this.last === 0) return;
    await Promise.all([this.node.name, ...this.node.nodes('connected')].map((n) => ask(this.node, n, 'unobserve')));
  }

  /** Gather the figures again (one refresh at a time). */
  refresh(): Promise<void> {
    return (this.running ??= this.gather().finally(() => {
      this.last = Date.now();
      this.running = undefined;
    }));
  }

  private async gather(): Promise<void> {
    const dials = this.dialUnknown();
    if (dials.length) await Promise.race([Promise.all(dials), new Promise((r) => setTimeout(r, DIAL_WAIT_MS))]);
    const names = [this.node.name, ...this.node.nodes('connected')];
    const [relayView] = await Promise.all([
      this.relay ? Promise.resolve(this.relay()).catch((e: unknown) => ({ note: String(e) })) : undefined,
      ...names.map(async (n) => {
        const a = await ask<NodeStats>(this.node, n, 'nodeStats');
        if (n !== this.node.name && !this.node.nodes('connected').includes(n)) return;
        this.stats.set(n, a.ok ? { stats: a.value } : { error: a.error });
      }),
    ]);
    this.relayView = relayView;
  }

  /** Dial every node heard of that is not connected (each at most once per REDIAL_MS). */
  private dialUnknown(): Promise<unknown>[] {
    const connected = new Set([this.node.name, ...this.node.nodes('connected')]);
    const heard = new Set<string>();
    for (const p of this.peers?.() ?? []) heard.add(p.name);
    for (const { stats } of this.stats.values()) for (const n of [...(stats?.visible ?? []), ...(stats?.hidden ?? [])]) heard.add(n);
    const now = Date.now();
    const dials: Promise<unknown>[] = [];
    for (const n of heard) {
      if (connected.has(n) || now - (this.dialled.get(n) ?? 0) < REDIAL_MS) continue;
      this.dialled.set(n, now);
      dials.push(this.node.ping(n));
    }
    return dials;
  }

  private view(): ClusterView {
    const me = this.node.name;
    const connected = this.node.nodes('connected');
    const listed = new Map((this.peers?.() ?? []).map((p) => [p.name, p]));
    const visibleSomewhere = new Set<string>();
    for (const { stats } of this.stats.values()) for (const n of stats?.visible ?? []) visibleSomewhere.add(n);
    const entry = (name: string): NodeEntry => {
      const s = this.stats.get(name);
      const role = listed.get(name)?.role ?? s?.stats?.role ?? (name === me ? this.node.role : this.node.roleOf(name) ?? undefined);
      const hidden = listed.get(name)?.hidden ?? (name === me ? true : !visibleSomewhere.has(name));
      return { name, self: name === me, hidden, role: role ?? 'cookie', stats: s?.stats, error: s?.error };
    };
    const nodes = [me, ...connected].map(entry);
    const present = new Set(nodes.map((n) => n.name));
    const edges = new Map<string, Edge>();
    const addEdge = (x: string, y: string) => {
      if (x === y || !present.has(x) || !present.has(y)) return;
      const [a, b] = x < y ? [x, y] : [y, x];
      edges.set(`${a} ${b}`, { a, b });
    };
    for (const n of connected) addEdge(me, n);
    for (const [name, { stats }] of this.stats) for (const peer of [...(stats?.visible ?? []), ...(stats?.hidden ?? [])]) addEdge(name, peer);
    return { observer: me, nodes, edges: [...edges.values()], relay: this.relayView };
  }
}
