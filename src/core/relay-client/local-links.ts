/**
 * LocalLinks: links between tab-nodes of one browser over BroadcastChannel (the constructor is
 * injected: the page's own; Node's global works the same in tests). They only carry relayed
 * connections that move off the relay (migrations.ts `moveNow`): a link names the relayed
 * channel it is to carry and is used only once the token it names has come through that relayed
 * channel, so both ends are admitted by the same relay (same cluster, same cookie) and the
 * connection keeps the relay's attestation (name, role) and its handshake's role.
 *
 * Messages, on the bus `erlmesh:<scope>` every instance listens to (tabs use one scope per
 * origin; the relay's token, not the scope, keeps clusters apart):
 *
 *   hello { t, name, inst }       an instance starts: `inst` (random) is its address
 *   here  { t, name, inst }       the answer of every other instance to `hello`
 *   bye   { t, inst }             an instance stops (close, pagehide): its links end
 *   dial  { t, to, from, link, migrate }   `from` asks instance `to` for link `link`
 *
 * and on the link's own bus `erlmesh:<scope>:<link>` (only its two ends listen):
 *
 *   { a: 1 }        the acceptor took the dial (the dialer sends nothing before it)
 *   { f: frame }    one frame (a string or a Uint8Array, structured-cloned)
 *   { c: reason }   the sender closed the link
 *
 * Invariants: frames arrive in order (one sender, one bus); a link ends exactly once, on `c`,
 * on `bye` from the other end's instance, or when the relay says the peer left (direct-paths.ts
 * `left`: a crashed tab sends nothing, but its relay socket closes); a peer that freezes is
 * dropped by the connection's ticks, as on the relay; a dial not taken within `dialTimeoutMs`
 * fails (the connection stays on the relay). Same-origin code can read and write these buses:
 * it is trusted as it is with the page's cookie or ticket (docs/security.md).
 *
 * Why BroadcastChannel rather than a SharedWorker: it needs nothing served (a SharedWorker
 * needs a same-origin script URL: a `blob:` URL differs per tab, so each tab would get its own
 * worker, and a `data:` URL worker failed to start under the cross-origin isolation headers),
 * and it exists where SharedWorker does not (Chrome on Android). Measured in headless Chromium
 * on the bench machine, a bare BroadcastChannel round trip between two tabs took ~0.67 ms p50
 * and a MessagePort pair handed over through a SharedWorker ~0.21 ms: with a worker script the
 * app serves, that is the next step down (the links would carry the same messages).
 */
import { realClock, type Clock } from '../base/clock.js';
import { webCrypto, type DistCrypto } from '../base/crypto.js';
import { ErlmeshError } from '../base/errors.js';
import type { Channel } from '../net/transport.js';
import { BaseChannel } from './base-channel.js';
import type { DirectLinks } from './direct-paths.js';

/**
 * The part of the `BroadcastChannel` API LocalLinks uses (the browser's, or Node's global).
 *
 * @example
 * const Bus: BroadcastChannelCtor = globalThis.BroadcastChannel;
 */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  close(): void;
}

/**
 * A `BroadcastChannel` constructor.
 *
 * @example
 * const links = new LocalLinks({ scope: relayUrl, BroadcastChannel: globalThis.BroadcastChannel });
 */
export type BroadcastChannelCtor = new (name: string) => BroadcastChannelLike;

/**
 * What `new LocalLinks` takes.
 *
 * @example
 * const opts: LocalLinksOptions = { scope: 'wss://example.com/erlmesh', BroadcastChannel: globalThis.BroadcastChannel };
 */
export interface LocalLinksOptions {
  /** Who may meet: instances with the same scope (tabs: one for the origin). */
  scope: string;
  BroadcastChannel: BroadcastChannelCtor;
  /** How long a dial waits for the other instance to take it. Default 1 000. */
  dialTimeoutMs?: number;
  clock?: Clock;
  crypto?: DistCrypto;
}

type BusMessage =
  | { t: 'hello' | 'here'; name: string; inst: string }
  | { t: 'bye'; inst: string }
  | { t: 'dial'; to: string; from: string; inst: string; link: string; migrate: string };

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 512;

/** One end of a local link: a channel over the link's own bus. */
class LocalLink extends BaseChannel {
  /** The dialer: the acceptor took the dial. */
  onAck: (() => void) | undefined;

  constructor(
    readonly bus: BroadcastChannelLike,
    /** The instance at the other end. */
    readonly peerInst: string,
    count: () => void,
    private readonly dropped: () => void,
  ) {
    super(
      (f) => {
        count();
        // A view of a larger buffer would clone all of it.
        bus.postMessage({ f: typeof f === 'string' || (f.byteOffset === 0 && f.byteLength === f.buffer.byteLength) ? f : f.slice() });
      },
      (reason) => bus.postMessage({ c: reason }),
      undefined,
      'broadcast',
    );
    bus.onmessage = (ev) => {
      const d = ev.data as { a?: unknown; f?: unknown; c?: unknown };
      if (typeof d !== 'object' || d === null) return;
      if (typeof d.f === 'string' || d.f instanceof Uint8Array) this.deliver(d.f);
      else if (d.c !== undefined) this.ended(typeof d.c === 'string' ? d.c : 'connection_closed');
      else if (d.a === 1) this.onAck?.();
    };
  }

  override ended(reason: string): void {
    if (this.isOpen) {
      this.bus.close();
      this.dropped();
    }
    super.ended(reason);
  }
}

/**
 * Links between tab-nodes of one browser, over BroadcastChannel: give them to a
 * `RelayTransport` as `local` and its connections to tabs of this browser move off the relay.
 * The tab `startNode` of erlmesh/browser does (option `broadcast`, on by default).
 *
 * @example
 * const local = new LocalLinks({ scope: url, BroadcastChannel: globalThis.BroadcastChannel });
 * const transport = new RelayTransport({ url, cookie, WebSocket: globalThis.WebSocket, local });
 */
export class LocalLinks implements DirectLinks {
  /** Not advertised through the relay: peers find each other on the bus. */
  readonly address = '';
  /** Frames sent on local links (for benchmarks and tests: proof the path is used). */
  framesSent = 0;
  private readonly inst: string;
  private readonly clock: Clock;
  private readonly where = new Map<string, string>();
  private readonly links = new Map<string, LocalLink>();
  private bus: BroadcastChannelLike | undefined;
  private name: string | undefined;
  private onInbound: ((channel: Channel, from?: string, migrate?: string) => void) | undefined;

  constructor(private readonly opts: LocalLinksOptions) {
    if (typeof opts !== 'object' || opts === null || !isStr(opts.scope)) throw new ErlmeshError('badarg', 'LocalLinks: scope must be a non-empty string');
    if (typeof opts.BroadcastChannel !== 'function') throw new ErlmeshError('badarg', 'LocalLinks: no BroadcastChannel constructor');
    this.clock = opts.clock ?? realClock;
    this.inst = (opts.crypto ?? webCrypto).randomHex(12);
  }

  start(name: string, onInbound: (channel: Channel, from?: string, migrate?: string) => void): void {
    this.name = name;
    this.onInbound = onInbound;
    const bus = (this.bus = new this.opts.BroadcastChannel(`erlmesh:${this.opts.scope}`));
    bus.onmessage = (ev) => this.onBus(ev.data as BusMessage);
    bus.postMessage({ t: 'hello', name, inst: this.inst });
  }

  locate(peer: string): string | undefined {
    return this.where.get(peer);
  }

  dial(address: string, peer: string, migrate?: string): Promise<Channel> {
    const bus = this.bus;
    if (!bus || this.name === undefined || migrate === undefined) return Promise.reject(new ErlmeshError('nodedown', `no local link to ${peer}`));
    const id = (this.opts.crypto ?? webCrypto).randomHex(12);
    const ch = this.link(id, address);
    return new Promise<Channel>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        ch.close('timeout');
        reject(new ErlmeshError('nodedown', `${peer} did not take the local link`));
      }, this.opts.dialTimeoutMs ?? 1_000);
      ch.onAck = () => {
        this.clock.clearTimeout(timer);
        resolve(ch);
      };
      bus.postMessage({ t: 'dial', to: address, from: this.name, inst: this.inst, link: id, migrate });
    });
  }

  async close(): Promise<void> {
    for (const l of [...this.links.values()]) l.close('connection_closed');
    this.bus?.postMessage({ t: 'bye', inst: this.inst });
    this.bus?.close();
    this.bus = undefined;
    this.where.clear();
  }

  private onBus(m: BusMessage): void {
    if (typeof m !== 'object' || m === null) return;
    if ((m.t === 'hello' || m.t === 'here') && isStr(m.name) && isStr(m.inst)) {
      this.where.set(m.name, m.inst);
      if (m.t === 'hello') this.bus?.postMessage({ t: 'here', name: this.name, inst: this.inst });
    } else if (m.t === 'bye' && isStr(m.inst)) {
      for (const [n, i] of this.where) if (i === m.inst) this.where.delete(n);
      for (const l of [...this.links.values()]) if (l.peerInst === m.inst) l.ended('connection_closed');
    } else if (m.t === 'dial' && m.to === this.inst && isStr(m.from) && isStr(m.inst) && isStr(m.link) && isStr(m.migrate) && !this.links.has(m.link)) {
      const ch = this.link(m.link, m.inst);
      ch.bus.postMessage({ a: 1 });
      this.onInbound?.(ch, m.from, m.migrate);
    }
  }

  /** Link `id` with the instance `peerInst`: its bus and channel, entered in the table. */
  private link(id: string, peerInst: string): LocalLink {
    const bus = new this.opts.BroadcastChannel(`erlmesh:${this.opts.scope}:${id}`);
    const ch = new LocalLink(bus, peerInst, () => this.framesSent++, () => this.links.delete(id));
    this.links.set(id, ch);
    return ch;
  }
}
