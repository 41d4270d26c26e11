/**
 * The direct half of RelayTransport's path choice (server-nodes with `DirectLinks`): the
 * direct address last heard for each peer, the direct channels open to each, and the cuts
 * the relay ordered (`partitioned` / `healed`, see protocol.ts).
 *
 * Rules:
 * - A peer's direct address is remembered until the relay gives another, and survives the
 *   relay socket and the peer's `left`: a pair can reconnect directly while the relay is down
 *   or the peer is re-registering (after a freeze, say), not only through the relay.
 * - Under a cut from `peer`: every direct channel to or from it is closed with
 *   'connection_closed' (both nodes see nodedown, as the relayed channels give), `dial`
 *   rejects with nodedown, and its inbound direct links are closed as they arrive, until
 *   `healed` (or a new registration: the relay's welcome says the cuts anew).
 * - Before refusing, the node asks the relay once more (`confirm`, a round trip on the relay
 *   socket): the relay sends `healed` before answering anything asked after it, so a dial
 *   made after `Relay.heal()` returned is never refused by a `healed` still on its way.
 *   (A cut itself reaches the nodes as a message: direct links end when it arrives.)
 *
 * An inbound link is known by the name its dialer put in the URL (`from`); the handshake
 * proves the cookie, not that name. A peer that hides its name is not cut — partitions are a
 * testing tool, not a security boundary.
 */
import { ErlmeshError } from '../base/errors.js';
import type { Channel } from '../net/transport.js';
import type { PeerEntry } from './protocol.js';

/**
 * Direct node-to-node links (server-nodes): accept inbound and dial advertised addresses.
 * The server `startNode` makes WebSocket ones unless `direct: false`.
 *
 * @example
 * const direct: DirectLinks = myLinks; // address 'ws://10.0.0.5:45123/erlmesh-direct'
 * const transport = new RelayTransport({ url, cookie, WebSocket, direct });
 */
export interface DirectLinks {
  /** The ws:// address this node advertises through the relay. */
  readonly address: string;
  /**
   * `onInbound` gets each inbound link with the name its dialer gave (`from`), if any, and the
   * relayed channel it is to carry (`migrate`, see migrations.ts), if any.
   */
  start(name: string, onInbound: (channel: Channel, from?: string, migrate?: string) => void): void;
  /** Dial `peer` at `address`, naming this node (the `name` of `start`) as `from`, and `migrate` if given. */
  dial(address: string, peer: string, migrate?: string): Promise<Channel>;
  close(): Promise<void>;
  /**
   * Links that find their peers themselves rather than through the relay (tabs of one
   * browser, see `LocalLinks`): the address of `peer` while it is reachable, else undefined.
   */
  locate?(peer: string): string | undefined;
}

export class DirectPaths {
  private readonly addresses = new Map<string, string>();
  private readonly open = new Map<string, Set<Channel>>();
  private readonly cut = new Set<string>();

  /** `confirm(peer)`: a round trip to the relay, after which the cuts are up to date. */
  constructor(
    private readonly links: DirectLinks,
    private readonly confirm: (peer: string) => Promise<unknown>,
  ) {}

  /**
   * Start accepting: inbound links from a peer under a cut are closed as they arrive. A link
   * that is to carry a relayed channel goes to `onMigrate` (closed if there is none).
   */
  start(name: string, onInbound: (channel: Channel) => void, onMigrate?: (channel: Channel, from: string, migrate: string) => void): void {
    this.links.start(name, (ch, from, migrate) => {
      if (from === undefined) return migrate === undefined ? onInbound(ch) : ch.close('no_such_channel');
      const accept = () => {
        if (this.cut.has(from)) return ch.close('connection_closed');
        if (migrate !== undefined && !onMigrate) return ch.close('no_such_channel');
        this.track(from, ch);
        if (migrate !== undefined) onMigrate!(ch, from, migrate);
        else onInbound(ch);
      };
      // Frames wait in the channel (nothing is attached) while the relay is asked.
      if (this.cut.has(from)) void this.confirm(from).then(accept, accept);
      else accept();
    });
  }

  /** What the relay says of a peer (welcome, joined, lookup_reply): its direct address. */
  learn(entry: PeerEntry): void {
    if (entry.direct) this.addresses.set(entry.name, entry.direct);
  }

  /** The direct address last heard for `peer` (or where the links locate it). */
  address(peer: string): string | undefined {
    return this.addresses.get(peer) ?? this.links.locate?.(peer);
  }

  /** True while the relay has this node cut off from `peer`. */
  isCut(peer: string): boolean {
    return this.cut.has(peer);
  }

  /** The peers this node has open direct channels to (or from), sorted. */
  linkedPeers(): string[] {
    return [...this.open].filter(([, set]) => [...set].some((c) => c.isOpen)).map(([p]) => p).sort();
  }

  /** Dial `peer` directly; rejects with nodedown under a cut. */
  async dial(peer: string, address: string, migrate?: string): Promise<Channel> {
    if (this.cut.has(peer)) await this.confirm(peer).catch(() => undefined);
    if (this.cut.has(peer)) throw cutError(peer);
    const ch = await (migrate === undefined ? this.links.dial(address, peer) : this.links.dial(address, peer, migrate));
    if (this.cut.has(peer)) {
      // Cut while the dial was under way.
      ch.close('connection_closed');
      throw cutError(peer);
    }
    this.track(peer, ch);
    return ch;
  }

  /** The relay's `partitioned`: cut `peers` off and close every direct channel to them. */
  partitioned(peers: readonly string[]): void {
    for (const p of peers) {
      this.cut.add(p);
      this.left(p);
    }
  }

  /**
   * The relay says `peer` left (its relay socket closed): close the direct channels to it with
   * 'connection_closed'. Only for links that cannot tell a peer's end themselves (local links:
   * a BroadcastChannel has no close event); server-nodes' direct links outlive the relay.
   */
  left(peer: string): void {
    const chans = this.open.get(peer);
    this.open.delete(peer);
    for (const ch of chans ?? []) ch.close('connection_closed');
  }

  /** The relay's `healed`: no more cuts. */
  healed(): void {
    this.cut.clear();
  }

  /** A new registration: the cuts are the welcome's (none when it names none). */
  registered(cuts: readonly string[] | undefined): void {
    this.cut.clear();
    this.partitioned(cuts ?? []);
  }

  close(): Promise<void> {
    this.open.clear();
    return this.links.close();
  }

  /** Note `ch` as a direct channel of `peer`; closed ones are dropped as new ones come. */
  private track(peer: string, ch: Channel): void {
    for (const [p, set] of this.open) {
      for (const c of set) if (!c.isOpen) set.delete(c);
      if (set.size === 0) this.open.delete(p);
    }
    let set = this.open.get(peer);
    if (!set) this.open.set(peer, (set = new Set()));
    set.add(ch);
  }
}

function cutError(peer: string): ErlmeshError {
  return new ErlmeshError('nodedown', `${peer} is cut off by a partition at the relay`);
}
