/**
 * The registry half of the MemoryNetwork (memory-network.ts), epmd's part plus the test
 * controls: the transports ({@link MemTransport}), their names and creations, connects (which
 * hang while the peer is frozen), partitions, freeze/thaw and kill. Frames and closes travel
 * through the {@link MemoryCarrier} (memory-carrier.ts).
 */
import type { Channel, Registration, Transport } from '../net/transport.js';
import { ErlmeshError } from '../base/errors.js';
import { CONNECTION_CLOSED, type MemEnd, type MemoryCarrier } from './memory-carrier.js';

/**
 * A transport made by `MemoryNetwork.transport()`.
 *
 * @example
 * const t: MemoryTransport = net.transport();
 * const node = await startNode({ sname: 'a', cookie: 'c', transport: t });
 * t.name; // 'a@localhost' once registered
 */
export interface MemoryTransport extends Transport {
  /** Internal id (`anon#N`), the label of this transport until it `listen`s. */
  readonly id: string;
  /** The registered name, once `listen` succeeded. */
  readonly name: string | undefined;
}

interface PendingConnect {
  readonly from: MemTransport;
  readonly peer: string;
  readonly resolve: (channel: Channel) => void;
  readonly reject: (error: unknown) => void;
}

export class MemTransport implements MemoryTransport {
  readonly registry: MemoryRegistry;
  readonly id: string;
  name: string | undefined = undefined;
  onInbound: ((channel: Channel) => void) | undefined = undefined;
  closed = false;
  killed = false;
  readonly ends = new Set<MemEnd>();

  constructor(registry: MemoryRegistry, id: string) {
    this.registry = registry;
    this.id = id;
  }

  /** The name the network knows this node by: its registered name, else its id. */
  get label(): string {
    return this.name ?? this.id;
  }

  async listen(name: string, onInbound: (channel: Channel) => void): Promise<Registration> {
    return this.registry.listen(this, name, onInbound);
  }

  async connect(peer: string): Promise<Channel> {
    return this.registry.connect(this, peer);
  }

  async close(): Promise<void> {
    this.registry.closeTransport(this);
  }
}

/** epmd and the topology: names, creations, connects, partitions, freeze/thaw, kill. */
export class MemoryRegistry {
  readonly carrier: MemoryCarrier;
  /** Registered names (epmd). */
  readonly byName = new Map<string, MemTransport>();
  readonly creations = new Map<string, number>();
  readonly transports = new Set<MemTransport>();
  partitions: Array<readonly [ReadonlySet<string>, ReadonlySet<string>]> = [];
  readonly pendingConnects = new Set<PendingConnect>();
  anonSeq = 0;

  constructor(carrier: MemoryCarrier) {
    this.carrier = carrier;
  }

  /** A new transport for one node. */
  transport(): MemTransport {
    const t = new MemTransport(this, `anon#${++this.anonSeq}`);
    this.transports.add(t);
    return t;
  }

  // ---- registry and connection set-up ------------------------------------------------

  listen(t: MemTransport, name: string, onInbound: (channel: Channel) => void): Registration {
    if (t.closed) throw new ErlmeshError('closed', 'transport is closed');
    if (typeof name !== 'string' || name === '') throw new ErlmeshError('badarg', 'listen: name must be a non-empty string');
    if (typeof onInbound !== 'function') throw new ErlmeshError('badarg', 'listen: onInbound must be a function');
    if (t.name !== undefined) throw new ErlmeshError('badarg', `listen: this transport already listens as ${t.name}`);
    if (this.byName.has(name)) throw new ErlmeshError('name_taken', `name ${name} is already registered`);
    const creation = (this.creations.get(name) ?? 0) + 1;
    this.creations.set(name, creation);
    this.byName.set(name, t);
    t.name = name;
    t.onInbound = onInbound;
    return { creation };
  }

  connect(from: MemTransport, peer: string): Promise<Channel> {
    if (from.closed) return Promise.reject(new ErlmeshError('closed', 'transport is closed'));
    return new Promise<Channel>((resolve, reject) => {
      this.tryConnect({ from, peer, resolve, reject });
    });
  }

  tryConnect(pc: PendingConnect): void {
    if (pc.from.closed) {
      pc.reject(new ErlmeshError('closed', 'transport is closed'));
      return;
    }
    const target = this.byName.get(pc.peer);
    if (target === undefined || target.onInbound === undefined) {
      pc.reject(new ErlmeshError('nodedown', `no node named ${pc.peer}`));
      return;
    }
    if (this.isPartitioned(pc.from.label, pc.peer)) {
      pc.reject(new ErlmeshError('nodedown', `${pc.peer} is partitioned away from ${pc.from.label}`));
      return;
    }
    if (this.carrier.frozen.has(pc.peer)) {
      this.pendingConnects.add(pc); // hangs until thaw, kill or close
      return;
    }
    const [local, remote] = this.carrier.pair(pc.from, target);
    try {
      target.onInbound(remote);
    } catch (e) {
      this.carrier.abort(local, CONNECTION_CLOSED);
      pc.reject(e);
      return;
    }
    pc.resolve(local);
  }

  /** Settle the connects waiting on a frozen node, or dialled from a dead transport. */
  retryPending(match: (pc: PendingConnect) => boolean): void {
    for (const pc of [...this.pendingConnects]) {
      if (!match(pc)) continue;
      this.pendingConnects.delete(pc);
      this.tryConnect(pc);
    }
  }

  isPartitioned(x: string, y: string): boolean {
    return this.partitions.some(([a, b]) => (a.has(x) && b.has(y)) || (a.has(y) && b.has(x)));
  }

  closeTransport(t: MemTransport): void {
    if (t.closed) return;
    t.closed = true;
    this.unregister(t);
    for (const end of [...t.ends]) this.carrier.closeLocal(end, CONNECTION_CLOSED);
    this.retryPending((pc) => pc.from === t || pc.peer === t.name);
  }

  unregister(t: MemTransport): void {
    this.transports.delete(t);
    if (t.name !== undefined && this.byName.get(t.name) === t) this.byName.delete(t.name);
  }

  // ---- test controls -----------------------------------------------------------------

  partition(a: readonly string[], b: readonly string[]): void {
    const groupA = new Set(a);
    const groupB = new Set(b);
    this.partitions.push([groupA, groupB]);
    for (const t of this.transports) {
      for (const end of [...t.ends]) {
        if (this.isPartitioned(end.owner.label, end.peer.owner.label)) this.carrier.abort(end, CONNECTION_CLOSED);
      }
    }
  }

  freeze(name: string): void {
    this.carrier.frozen.add(name);
  }

  thaw(name: string): void {
    if (!this.carrier.frozen.delete(name)) return;
    this.carrier.releaseHeld();
    this.retryPending((pc) => pc.peer === name);
  }

  kill(name: string): void {
    const t = [...this.transports].find((x) => x.label === name);
    if (t === undefined) throw new ErlmeshError('badarg', `kill: no live node ${name}`);
    this.carrier.frozen.delete(name);
    t.killed = true;
    t.closed = true;
    this.unregister(t);
    for (const end of [...t.ends]) this.carrier.killEnd(end);
    this.retryPending((pc) => pc.from === t || pc.peer === name);
  }
}
