/**
 * A relay cluster on Redis (issue 13): relays that share one Redis server are one cluster.
 * Names are claimed cluster-wide with leases (name-leases.ts), traffic for a node of another
 * relay goes over a direct link to that relay (links.ts) or, while none is open, through its
 * pub/sub channel (wire.ts), and each relay tells every other which of its nodes joined and
 * left, so that every node sees the whole cluster.
 *
 * Liveness: each relay renews its own key (`erlmesh:relay:<id>`, listed in the set
 * `erlmesh:relays`) and its names every heartbeat, on a Redis connection of their own
 * (renewal.ts), and sends every relay it knows a heartbeat.
 * A relay not heard from for a lease is gone: its nodes are removed with reason `relay_down`
 * (every local node sees `nodedown`; links and monitors fire `noconnection`), and its names
 * come free when their leases end. A relay that loses Redis removes every remote node with
 * `redis_down` and refuses registrations (close 1013 `cluster_unavailable`) while it serves its
 * own nodes alone; when Redis is back it re-claims its names (a node whose name another relay
 * took meanwhile is closed with 4409 `name_taken`), then `reset`s every relay, and the cluster
 * re-forms. A gap in a relay's stream of messages is handled as in wire.ts: never delivered past;
 * the order across the two paths is restored by in-order.ts.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CLOSE_CODES } from '../../../core/relay-client/protocol.js';
import { ErlmeshError } from '../../../core/base/errors.js';
import type { RelayLogLine } from '../options.js';
import type { Session } from '../session.js';
import type { ClaimResult, ClusterHost, RelayCluster } from './cluster.js';
import { InOrder, type InOrderResult } from './in-order.js';
import { RelayLinks, parseLinkInfo, type LinkInfo } from './links.js';
import { NameLeases } from './name-leases.js';
import { RemoteNodes, type PeerRelay } from './remote-nodes.js';
import { RELAYS, Renewal, relayKey } from './renewal.js';
import { decodeWire, encodeControl, encodeFrame, relayChannel, type ClusterNode, type Control, type WireMessage } from './wire.js';

/** Where the cluster's Redis is and how fast liveness is judged. */
export interface RedisClusterOptions {
  /** `redis://host:port` (or `rediss://`, with credentials as in the URL). */
  url: string;
  /** How often a relay renews its leases and sends heartbeats; default 1000 ms. */
  heartbeatMs: number;
  /** A relay not heard from this long is gone, and so are its names; default 5000 ms. */
  leaseMs: number;
  /** Direct links to the other relays for their messages (links.ts); default true. */
  links: boolean;
}

type Log = (line: Omit<RelayLogLine, 'ts'>) => void;

export class RedisCluster implements RelayCluster {
  readonly id = randomBytes(8).toString('hex');
  private host!: ClusterHost;
  private remote!: RemoteNodes;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly leases: NameLeases;
  /** The heartbeat's renewals, on a connection of their own (renewal.ts). */
  private readonly renewal: Renewal;
  /** Direct links to the other relays (undefined: every message through Redis). */
  readonly links: RelayLinks | undefined;
  /** Where other relays dial this one's link (undefined until it listens, or without links). */
  private linkUrl: () => string | undefined = () => undefined;
  private readonly peers = new Map<string, PeerRelay>();
  /** Next seq to each relay ever talked to: kept when a peer is forgotten, so that it sees a gap, never a repeat. */
  private readonly seqOut = new Map<string, number>();
  /** Publishes to each relay not yet taken by Redis: its link waits for them (links.ts). */
  private readonly inflight = new Map<string, number>();
  private up = false;
  private recovering = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param linkMaxBytes the largest message this relay reads on a link (its WebSocket payload
   *   cap), advertised so that larger ones come through Redis
   */
  constructor(
    private readonly o: RedisClusterOptions,
    private readonly log: Log,
    private readonly linkMaxBytes = 1024 * 1024,
  ) {
    // No offline queue and no retries: a command that cannot go out now fails now, and nothing
    // old is published late after a reconnect (the cluster is reset then instead).
    // A command that hangs longer than a lease fails too (a Redis that stopped answering is lost).
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: o.leaseMs,
      retryStrategy: (n: number) => Math.min(n * 100, 1000),
    };
    this.pub = new Redis(o.url, common);
    this.sub = new Redis(o.url, { ...common, autoResubscribe: false });
    this.leases = new NameLeases(this.pub, this.id, o.leaseMs);
    this.renewal = new Renewal(o.url, common, this.id, o.leaseMs, () => this.keyValue());
    this.links = o.links
      ? new RelayLinks(
          { id: this.id, lookup: (id) => this.lookup(id), receive: (buf, from) => this.receive(buf, from), log: (l) => this.log(l) },
          o.heartbeatMs,
        )
      : undefined;
    for (const r of [this.pub, this.sub, this.renewal.redis]) {
      r.on('error', () => {}); // reported as `cluster_down` on close
      r.on('close', () => this.down('the connection to Redis closed'));
    }
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.receive(message));
  }

  /** Connect to Redis and join the cluster; throws `redis_unavailable` when Redis cannot be reached. */
  async start(host: ClusterHost): Promise<void> {
    this.host = host;
    this.remote = new RemoteNodes(host, {
      control: (p, msg) => this.control(p, msg),
      frame: (p, kind, own, ch, payload) => this.publish(p, (seq) => encodeFrame(this.id, seq, kind, own, ch, payload)),
    });
    try {
      await Promise.all([this.pub.connect(), this.sub.connect(), this.renewal.redis.connect()]);
      await this.recover();
    } catch (e) {
      this.stopped = true;
      this.disconnect();
      throw new ErlmeshError('redis_unavailable', `cannot reach Redis at ${this.o.url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.timer = setInterval(() => this.tick(), this.o.heartbeatMs);
    this.timer.unref();
  }

  /** Say where other relays dial this one's link (read at every renewal: an attached server may listen later). */
  advertise(linkUrl: () => string | undefined): void {
    this.linkUrl = linkUrl;
    // Now rather than at the next renewal, so that the relays that know this one link at once.
    if (this.up) this.announce().catch(() => {});
  }

  /** Leave the cluster (relay shutdown): the other relays drop this one's nodes at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.timer);
    if (this.up) {
      for (const p of this.peers.values()) this.control(p, { t: 'bye' });
      await Promise.allSettled([...this.host.locals().map((s) => this.leases.free((s.entry as { name: string }).name)), this.pub.del(relayKey(this.id)), this.pub.srem(RELAYS, this.id)]);
    }
    this.stopped = true;
    this.up = false;
    this.disconnect();
  }

  private disconnect(): void {
    this.links?.close();
    for (const r of [this.pub, this.sub, this.renewal.redis]) r.disconnect();
  }

  // ----- RelayCluster (the router's calls) -------------------------------------------------

  async claim(name: string, requested: number | undefined): Promise<ClaimResult> {
    if (!this.up) return { ok: false, code: 'cluster_unavailable', message: 'the relay has lost Redis' };
    const r = await this.leases.claim(name, requested);
    if (r.ok) return r;
    return { ok: false, code: 'name_taken', message: `${name} is registered at another relay of the cluster` };
  }

  unclaim(name: string): void {
    if (this.up) this.leases.free(name).catch(() => {});
  }

  joined(s: Session): void {
    const node = clusterNode(s);
    for (const p of this.peers.values()) this.control(p, { t: 'joined', node });
  }

  leaving(name: string, reason: string): void {
    for (const p of this.peers.values()) this.control(p, { t: 'left', name, reason });
    this.unclaim(name);
  }

  /** Relays known now, channels mapped to their nodes, Redis reachable (Relay.stats). */
  stats(): { clusterRelays: number; clusterChannels: number; clusterUp: number; clusterLinks: number } {
    return { clusterRelays: this.peers.size, clusterChannels: this.remote.channels, clusterUp: this.up ? 1 : 0, clusterLinks: this.links?.open ?? 0 };
  }

  // ----- the wire ----------------------------------------------------------------------------

  private control(p: PeerRelay, msg: Control): void {
    this.publish(p, (seq) => encodeControl(this.id, seq, msg));
  }

  /** Send to `p` with the next seq of the pair: over its link when one is open, else through Redis. */
  private publish(p: PeerRelay, encode: (seq: number) => Buffer): void {
    if (!this.up) return;
    const seq = this.seqOut.get(p.id) ?? 1;
    this.seqOut.set(p.id, seq + 1);
    const buf = encode(seq);
    const inflight = this.inflight.get(p.id) ?? 0;
    if (inflight === 0 && this.links?.send(p.id, buf)) return;
    this.inflight.set(p.id, inflight + 1);
    this.pub.publish(relayChannel(p.id), buf).then(
      () => this.inflight.set(p.id, (this.inflight.get(p.id) ?? 1) - 1),
      () => {
        this.inflight.delete(p.id);
        this.down('a publish failed');
      },
    );
  }

  /** A message from Redis, or from relay `link`'s link. */
  private receive(buf: Buffer, link?: string): void {
    if (!this.up) return; // everything is reset when Redis is back
    const m = decodeWire(buf);
    if (!m) return this.log({ level: 'warn', event: 'cluster_bad_message', detail: `${buf.length} bytes` });
    if (m.from === this.id) return;
    if (link !== undefined && m.from !== link) return this.log({ level: 'warn', event: 'cluster_bad_message', detail: `relay ${link}'s link carried a message of relay ${m.from}` });
    let p = this.peers.get(m.from);
    if (!p) {
      p = this.peer(m.from);
      if (!(m.kind === 'control' && m.msg.t === 'reset')) this.hello(p);
    }
    const now = Date.now();
    p.lastHeard = now;
    const viaLink = link !== undefined;
    const starts = !viaLink || (m.kind === 'control' && (m.msg.t === 'reset' || m.msg.t === 'sync'));
    this.inOrder(p, p.order.offer(m.seq, m, starts, viaLink || this.links?.hasInbound(p.id) === true, now));
  }

  /** Hand on what in-order.ts released; a gap first drops every node of `p` (wire.ts). */
  private inOrder(p: PeerRelay, r: InOrderResult<WireMessage>): void {
    if (r.t === 'held') return;
    if (r.t === 'duplicate') return this.log({ level: 'warn', event: 'cluster_duplicate', detail: `relay ${p.id}: expected seq ${r.expected}` });
    if (r.t === 'gap') {
      this.log({ level: 'warn', event: 'cluster_gap', detail: `relay ${p.id}: seq ${r.got}, expected ${r.expected}` });
      this.remote.removeAll(p, 'connection_closed');
      this.hello(p);
    }
    for (const m of r.run) {
      try {
        this.dispatch(p, m);
      } catch (e) {
        this.log({ level: 'error', event: 'cluster_bad_message', detail: `relay ${p.id}: ${String(e)}` });
      }
    }
  }

  private dispatch(p: PeerRelay, m: WireMessage): void {
    if (m.kind !== 'control') return this.remote.frame(p, m.kind, m.own, m.ch, m.payload);
    const c = m.msg;
    switch (c.t) {
      case 'reset':
        this.remote.removeAll(p, 'connection_closed');
        return this.control(p, { t: 'sync', nodes: this.locals() });
      case 'sync':
        return this.remote.sync(p, c.nodes);
      case 'joined':
        if (!this.remote.add(p, c.node)) this.log({ level: 'warn', event: 'cluster_conflict', name: c.node.entry.name, detail: `also registered at relay ${p.id}` });
        return;
      case 'left':
        return this.remote.remove(p, c.name, c.reason);
      case 'open':
        return this.remote.open(p, c.ch, c.from, c.to);
      case 'close':
        return this.remote.close(p, c.ch, c.own, c.reason);
      case 'bye':
        this.remote.removeAll(p, 'connection_closed');
        this.forget(p);
        return;
      case 'hb':
        return;
    }
  }

  /** Tell `p` to forget this relay's nodes and take them anew. */
  private hello(p: PeerRelay): void {
    this.control(p, { t: 'reset' });
    this.control(p, { t: 'sync', nodes: this.locals() });
  }

  private peer(id: string): PeerRelay {
    const p: PeerRelay = { id, order: new InOrder(), lastHeard: Date.now(), nodes: new Map() };
    this.peers.set(id, p);
    return p;
  }

  /** `p` left the cluster: no more messages to it or from it until it says something anew. */
  private forget(p: PeerRelay): void {
    this.peers.delete(p.id);
    this.links?.drop(p.id);
  }

  /** The link address and secret relay `id` advertises in its key. */
  private async lookup(id: string): Promise<LinkInfo | undefined> {
    return parseLinkInfo(await this.pub.get(relayKey(id)));
  }

  /** Write this relay's key (with its lease) now; renewal.ts rewrites it every heartbeat. */
  private announce(): Promise<unknown> {
    return this.pub.set(relayKey(this.id), this.keyValue(), 'PX', this.o.leaseMs);
  }

  /** This relay's key's value: where and how to dial its link, or '1' when it takes none. */
  private keyValue(): string {
    const link = this.links && this.linkUrl();
    return link ? JSON.stringify({ link, token: this.links!.token, max: this.linkMaxBytes } satisfies LinkInfo) : '1';
  }

  private locals(): ClusterNode[] {
    return this.host.locals().map(clusterNode);
  }

  // ----- liveness ----------------------------------------------------------------------------

  private tick(): void {
    if (this.stopped) return;
    if (!this.up) {
      if (!this.recovering && [this.pub, this.sub, this.renewal.redis].every((r) => r.status === 'ready')) {
        this.recovering = true;
        this.recover()
          .catch((e: unknown) => this.log({ level: 'warn', event: 'cluster_down', detail: `recovery failed: ${String(e)}` }))
          .finally(() => (this.recovering = false));
      }
      return;
    }
    const now = Date.now();
    for (const p of [...this.peers.values()]) {
      if (now - p.lastHeard <= this.o.leaseMs) continue;
      this.log({ level: 'warn', event: 'relay_down', detail: `relay ${p.id}: not heard from for ${now - p.lastHeard} ms` });
      this.forget(p);
      this.remote.removeAll(p, 'relay_down');
    }
    for (const p of this.peers.values()) {
      const r = p.order.expire(now, this.o.leaseMs / 2);
      if (r) this.inOrder(p, r);
    }
    this.links?.tick(this.peers.keys(), now);
    for (const p of this.peers.values()) this.control(p, { t: 'hb' });
    this.renew().catch((e: unknown) => this.down(`renewing leases failed: ${String(e)}`));
  }

  /** Renew this relay's key and names; close local nodes whose name is lost; find new relays. */
  private async renew(): Promise<void> {
    const locals = this.host.locals();
    const r = await this.renewal.renew(locals.map((s) => ({ name: (s.entry as { name: string }).name, creation: s.creation ?? 0 })));
    if (!r) return; // the previous renewal is still unanswered
    const { lost, relays: ids } = r;
    for (const name of lost) this.nameLost(locals.find((s) => s.entry?.name === name));
    // The relay that holds such a name now may have told us of its node while ours still held it
    // (refused then, `cluster_conflict`): reset every relay, so that their syncs bring it.
    if (lost.length > 0 && this.up) for (const p of this.peers.values()) this.hello(p);
    const unknown = ids.filter((id) => id !== this.id && !this.peers.has(id));
    if (unknown.length === 0) return;
    const alive = await this.renewal.alive(unknown);
    unknown.forEach((id, i) => {
      if (alive[i] === 0) void this.pub.srem(RELAYS, id).catch(() => {});
      else if (this.up && !this.peers.has(id)) this.hello(this.peer(id));
    });
  }

  private nameLost(s: Session | undefined): void {
    if (s && s.state === 'registered') this.host.close(s, CLOSE_CODES.name_taken, 'name_taken', { level: 'warn', event: 'name_lost', detail: 'the name is held by another relay of the cluster' });
  }

  private down(why: string): void {
    if (!this.up || this.stopped) return;
    this.up = false;
    this.log({ level: 'warn', event: 'cluster_down', detail: why });
    for (const p of this.peers.values()) this.remote.removeAll(p, 'redis_down');
    this.peers.clear();
  }

  /** (Re)join: subscribe, announce this relay, re-claim its names, reset every relay. */
  private async recover(): Promise<void> {
    await this.sub.subscribe(relayChannel(this.id));
    await this.announce();
    await this.pub.sadd(RELAYS, this.id);
    for (const s of this.host.locals()) {
      const r = await this.leases.claim((s.entry as { name: string }).name, s.creation, true);
      if (!r.ok) this.nameLost(s);
    }
    const ids = (await this.pub.smembers(RELAYS)).filter((id) => id !== this.id);
    const alive = await Promise.all(ids.map((id) => this.pub.exists(relayKey(id))));
    this.up = true;
    this.log({ level: 'info', event: 'cluster_up', detail: `relay ${this.id} on ${this.o.url}` });
    ids.forEach((id, i) => {
      if (alive[i] && !this.peers.has(id)) this.hello(this.peer(id));
    });
  }
}

function clusterNode(s: Session): ClusterNode {
  return { entry: { ...s.entry! }, creation: s.creation ?? 0, members: s.members === true };
}
