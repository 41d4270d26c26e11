/**
 * The nodes of other relays, as this relay's router sees them: one `Session` each, with a
 * `Conn` that turns what the router says to it into relay-to-relay messages (wire.ts), and the
 * map between this relay's channel ids and the ids on the wire. Incoming messages of another
 * relay come back into the router as if that node had sent them (`ClusterHost.onText`,
 * `onBinary`), so the router routes across relays exactly as within one.
 *
 * A channel is known on the wire by the id its opener's relay gave it: frames carry that id
 * and whether the sender or the receiver numbered it. A channel's mapping lives exactly as
 * long as the router's channel: it goes when the router says `closed` to the remote end, when
 * the other relay closes it, or when the remote node goes.
 *
 * There is no back-pressure across relays: the router never pauses a node of another relay
 * (its `Conn` has no backlog); a local receiver that falls too far behind is cut as a slow
 * consumer, as ever.
 */
import { BIN_HEADER_BYTES, binDataChannel, encodeBinData, type FromRelay } from '../../../core/relay-client/protocol.js';
import type { Conn, Session } from '../session.js';
import type { ClusterHost } from './cluster.js';
import type { InOrder } from './in-order.js';
import type { ClusterNode, Control, WireMessage } from './wire.js';

/** Another relay of the cluster, as this one knows it. */
export interface PeerRelay {
  readonly id: string;
  /** Its messages, put back in seq order across Redis and its link. */
  readonly order: InOrder<WireMessage>;
  /** When it was last heard from (ms). */
  lastHeard: number;
  /** Its registered nodes, by name. */
  readonly nodes: Map<string, Session>;
}

/** How a remote node's traffic reaches its relay (redis-cluster.ts assigns the seq and publishes). */
export interface Outbox {
  control(p: PeerRelay, msg: Control): void;
  frame(p: PeerRelay, kind: 'bin' | 'text', own: boolean, ch: number, payload: Uint8Array | string): void;
}

interface Wired {
  relay: PeerRelay;
  /** This relay numbered it (the wire id is the local id). */
  mine: boolean;
  wireId: number;
  node: Session;
}

export class RemoteNodes {
  private readonly byLocal = new Map<number, Wired>();
  private readonly byTheirs = new Map<string, number>();

  constructor(
    private readonly host: ClusterHost,
    private readonly out: Outbox,
  ) {}

  /** Channels mapped now (for stats and tests). */
  get channels(): number {
    return this.byLocal.size;
  }

  /** Add (or replace) a node of `p`; false if its name is held by a local node. */
  add(p: PeerRelay, n: ClusterNode): boolean {
    if (p.nodes.has(n.entry.name)) this.remove(p, n.entry.name, 'connection_closed');
    const holder: { node?: Session } = {};
    const s: Session = {
      conn: this.conn(p, holder),
      nonce: '',
      state: 'registered',
      entry: { ...n.entry },
      bin: true,
      members: n.members,
      creation: n.creation,
      channels: new Map(),
      recentClosed: new Set(),
      evictedMax: 0,
      remote: p.id,
    };
    holder.node = s;
    if (!this.host.addRemote(s)) return false;
    p.nodes.set(n.entry.name, s);
    return true;
  }

  /** `name` of `p` is gone with `reason`: its channels end, local nodes hear `left`. */
  remove(p: PeerRelay, name: string, reason: string): void {
    const s = p.nodes.get(name);
    if (!s) return;
    p.nodes.delete(name);
    for (const id of s.channels.keys()) this.unmap(id);
    this.host.removeRemote(s, reason);
  }

  /** Every node of `p` is gone with `reason`. */
  removeAll(p: PeerRelay, reason: string): void {
    for (const name of [...p.nodes.keys()]) this.remove(p, name, reason);
  }

  /** Make `p`'s node list exactly `nodes` (a `sync`). */
  sync(p: PeerRelay, nodes: ClusterNode[]): void {
    const listed = new Map(nodes.map((n) => [n.entry.name, n]));
    for (const [name, s] of [...p.nodes]) {
      const n = listed.get(name);
      if (n && n.creation === s.creation) listed.delete(name);
      else this.remove(p, name, 'connection_closed');
    }
    for (const n of listed.values()) this.add(p, n);
  }

  /** `p`'s node `from` opens channel `ch` (its id) to the local node `to`. */
  open(p: PeerRelay, ch: number, from: string, to: string): void {
    const s = p.nodes.get(from);
    if (!s || !this.host.locals().some((l) => l.entry?.name === to)) {
      this.out.control(p, { t: 'close', ch, own: false, reason: 'connection_closed' });
      return;
    }
    this.host.onText(s, Buffer.from(JSON.stringify({ t: 'open', req: ch, to })));
  }

  /** `p` closed a channel. */
  close(p: PeerRelay, ch: number, own: boolean, reason: string): void {
    const local = this.resolve(p, ch, own);
    if (local === undefined) return;
    const w = this.byLocal.get(local)!;
    this.unmap(local);
    this.host.onText(w.node, Buffer.from(JSON.stringify({ t: 'close', ch: local, reason })));
  }

  /** A frame from `p`; dropped when its channel is no longer open. */
  frame(p: PeerRelay, kind: 'bin' | 'text', own: boolean, ch: number, payload: Buffer): void {
    const local = this.resolve(p, ch, own);
    if (local === undefined) return;
    const { node } = this.byLocal.get(local)!;
    if (kind === 'bin') this.host.onBinary(node, Buffer.from(encodeBinData(local, payload)));
    else this.host.onText(node, Buffer.from(JSON.stringify({ t: 'd', ch: local, d: payload.toString('utf8') })));
  }

  private forget(p: PeerRelay, s: Session | undefined): void {
    const name = s?.entry?.name;
    if (!s || name === undefined || p.nodes.get(name) !== s) return;
    p.nodes.delete(name);
    for (const id of s.channels.keys()) {
      const w = this.byLocal.get(id);
      this.unmap(id);
      if (w) this.out.control(p, { t: 'close', ch: w.wireId, own: w.mine, reason: 'connection_closed' });
    }
  }

  private resolve(p: PeerRelay, ch: number, own: boolean): number | undefined {
    if (own) return this.byTheirs.get(`${p.id}:${ch}`);
    return this.byLocal.get(ch)?.relay === p ? ch : undefined;
  }

  private unmap(local: number): void {
    const w = this.byLocal.get(local);
    if (!w) return;
    this.byLocal.delete(local);
    if (!w.mine) this.byTheirs.delete(`${w.relay.id}:${w.wireId}`);
  }

  /** The `Conn` of a node of `p`: what the router says to it goes to `p`. */
  private conn(p: PeerRelay, holder: { node?: Session }): Conn {
    return {
      remote: `relay:${p.id}`,
      bufferedAmount: 0,
      send: (data) => {
        if (holder.node) this.said(p, holder.node, JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as FromRelay);
      },
      sendBinary: (data) => {
        const ch = binDataChannel(data);
        const w = ch === undefined ? undefined : this.byLocal.get(ch);
        if (w) this.out.frame(p, 'bin', w.mine, w.wireId, data.subarray(BIN_HEADER_BYTES));
      },
      pauseReading() {},
      resumeReading() {},
      onDrain() {},
      // The router dropped it (a message it refused): forget it here too; its relay's next sync brings it back.
      close: () => this.forget(p, holder.node),
      terminate: () => this.forget(p, holder.node),
      admitted() {},
    };
  }

  /** The router said `m` to `node`, a node of `p`. */
  private said(p: PeerRelay, node: Session, m: FromRelay): void {
    switch (m.t) {
      case 'incoming': // a local node opened a channel to it
        this.byLocal.set(m.ch, { relay: p, mine: true, wireId: m.ch, node });
        this.out.control(p, { t: 'open', ch: m.ch, from: m.from, to: (node.entry as { name: string }).name });
        return;
      case 'opened': // its open (req = its relay's channel id) succeeded
        this.byLocal.set(m.ch, { relay: p, mine: false, wireId: m.req, node });
        this.byTheirs.set(`${p.id}:${m.req}`, m.ch);
        return;
      case 'open_failed':
        this.out.control(p, { t: 'close', ch: m.req, own: false, reason: 'connection_closed' });
        return;
      case 'd':
      case 'b': {
        const w = this.byLocal.get(m.ch);
        if (w) this.out.frame(p, m.t === 'd' ? 'text' : 'bin', w.mine, w.wireId, m.t === 'd' ? m.d : Buffer.from(m.d, 'base64'));
        return;
      }
      case 'closed': {
        const w = this.byLocal.get(m.ch);
        if (!w) return;
        this.unmap(m.ch);
        this.out.control(p, { t: 'close', ch: w.wireId, own: w.mine, reason: m.reason });
        return;
      }
      default: // membership, partitions, pongs: the other relay tells its own nodes
        return;
    }
  }
}
