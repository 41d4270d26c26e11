/**
 * MemoryNetwork: an in-memory stand-in for epmd + TCP, for unit tests of the distribution
 * layer. Each simulated node gets its own `Transport` from `network.transport()`; the network
 * plays name registry (epmd) and carrier (TCP), and lets a test misbehave on purpose:
 * partitions, frozen (SIGSTOPped) nodes, kill -9, latency, frame loss.
 *
 * The exchange:
 * - `listen(name, onInbound)` registers `name` and returns `{ creation }`; the creation is per
 *   name, starts at 1 and grows by one each time the name registers again. Closing (or
 *   killing) the holder frees the name.
 * - `connect(peer)` creates a channel pair: the local end is returned, the remote end is
 *   handed (synchronously, before `connect` resolves) to the peer's `onInbound`. A transport
 *   that never called `listen` may still dial; it shows up under its `id` (`anon#N`) in taps
 *   and in `partition`/`freeze`/`kill`.
 * - Each direction of a channel is an ordered link. A sent frame is copied (a `Uint8Array` is
 *   delivered as a fresh plain `Uint8Array`), shown to the taps, possibly dropped (`setDrop`),
 *   then put in flight: it arrives after a microtask (latency 0) or after
 *   `clock.setTimeout(latencyMs)`. Arrival order never overtakes send order, even when the
 *   latency changes in between. Arrived frames wait in the receiving end's inbox until the
 *   owner `attach`es.
 *
 * Invariants (those of `Transport`, checked by `transportConformanceCases`, plus):
 * - `close(reason)` on one end: that end stops sending and receiving at once; its own
 *   `onClose(reason)` fires in a microtask; the close travels to the other end behind the data
 *   sent before it, so the other end gets those frames, then `onClose(reason)`. Each end's
 *   `onClose` fires exactly once, whatever mix of closes, partitions and transport closes hits
 *   it. Frames still in flight towards an end that has closed are discarded.
 * - `partition(a, b)` is a network cut: channels between the groups lose their in-flight
 *   frames and both ends get `onClose('connection_closed')` in a microtask; connects across the
 *   cut reject with `nodedown` until `heal()`.
 * - `freeze(name)` holds, without dropping, every frame from and to that node (and its own
 *   close notifications) until `thaw(name)`, which delivers them in order; connects to it hang
 *   until then. Its sockets stay open: nothing closes because of a freeze.
 * - `kill(name)` is kill -9: the name is freed, the dead node's ends close silently (its
 *   handlers never run again and its sends are dropped), and each peer receives the frames
 *   already in flight from it, then `onClose('connection_closed')`. Killing a frozen node
 *   thaws it first.
 * - Close notifications are not frames: taps and `setDrop` see and drop data frames only.
 *
 * @example
 * const clock = new SimulatedClock();
 * const net = new MemoryNetwork({ clock, latencyMs: 10 });
 * const a = net.transport(), b = net.transport();
 * await b.listen('b@x', (ch) => ch.attach({ onFrame: (f) => got.push(f), onClose: () => {} }));
 * const ch = await a.connect('b@x');
 * ch.send('hello');
 * await clock.advance(10);                   // got: ['hello']
 * net.partition(['a@x'], ['b@x']);           // would close channels between them
 */
import { realClock } from '../base/clock.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Channel, ChannelHandlers, Frame, Registration, Transport } from '../net/transport.js';
import { ErlmeshError } from '../base/errors.js';
import { mulberry32 } from './random.js';

export interface MemoryNetworkOptions {
  /** Clock used for latency (default `realClock`). Use `SimulatedClock` for simulated time. */
  clock?: Clock;
  /** One-way delay of every frame and close, in ms (default 0: delivered in a microtask). */
  latencyMs?: number;
  /** Seed of the PRNG behind `setDrop` (default 1). Same seed, same drops. */
  seed?: number;
}

/** A transport made by `MemoryNetwork.transport()`. */
export interface MemoryTransport extends Transport {
  /** Internal id (`anon#N`), the label of this transport until it `listen`s. */
  readonly id: string;
  /** The registered name, once `listen` succeeded. */
  readonly name: string | undefined;
}

/** Observer of data frames on the network; `from`/`to` are node names (or `anon#N` ids). */
export type TapFn = (from: string, to: string, frame: Frame) => void;

type Event = { readonly kind: 'data'; readonly frame: Frame } | { readonly kind: 'close'; readonly reason: string };

interface Flight {
  readonly event: Event;
  arrived: boolean;
  timer: TimerHandle | undefined;
}

interface PendingConnect {
  readonly from: MemTransport;
  readonly peer: string;
  readonly resolve: (channel: Channel) => void;
  readonly reject: (error: unknown) => void;
}

const CONNECTION_CLOSED = 'connection_closed';

/** Rethrow outside the current call stack, so a throwing handler cannot break delivery. */
function rethrowAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** One end of a channel. The logic lives in `Core`; this is the owner's handle. */
class MemEnd implements Channel {
  readonly core: Core;
  readonly owner: MemTransport;
  /** Set right after construction; the two ends of a pair point at each other. */
  peer!: MemEnd;
  handlers: ChannelHandlers | undefined = undefined;
  /** Sends are accepted (isOpen). */
  open = true;
  /** The owner closed this end itself: undelivered frames are discarded. */
  locallyClosed = false;
  /** A close is in the inbox or was notified; nothing more is accepted into the inbox. */
  closeQueued = false;
  /** Arrived events not yet handed to the handlers (not attached yet, or owner frozen). */
  inbox: Event[] = [];
  /** The link from this end to the peer: events in flight, in send order. */
  outbound: Flight[] = [];
  inboxPumping = false;
  linkPumping = false;

  constructor(core: Core, owner: MemTransport) {
    this.core = core;
    this.owner = owner;
  }

  attach(handlers: ChannelHandlers): void {
    if (this.handlers !== undefined) throw new ErlmeshError('badarg', 'channel already attached');
    this.handlers = handlers;
    this.core.pumpInbox(this);
  }

  send(frame: Frame): void {
    this.core.send(this, frame);
  }

  close(reason = 'normal'): void {
    this.core.closeLocal(this, reason);
  }

  get isOpen(): boolean {
    return this.open;
  }
}

class MemTransport implements MemoryTransport {
  readonly core: Core;
  readonly id: string;
  name: string | undefined = undefined;
  onInbound: ((channel: Channel) => void) | undefined = undefined;
  closed = false;
  killed = false;
  readonly ends = new Set<MemEnd>();

  constructor(core: Core, id: string) {
    this.core = core;
    this.id = id;
  }

  /** The name the network knows this node by: its registered name, else its id. */
  get label(): string {
    return this.name ?? this.id;
  }

  async listen(name: string, onInbound: (channel: Channel) => void): Promise<Registration> {
    return this.core.listen(this, name, onInbound);
  }

  async connect(peer: string): Promise<Channel> {
    return this.core.connect(this, peer);
  }

  async close(): Promise<void> {
    this.core.closeTransport(this);
  }
}

class Core {
  readonly clock: Clock;
  latencyMs: number;
  dropProbability = 0;
  readonly random: () => number;
  readonly registry = new Map<string, MemTransport>();
  readonly creations = new Map<string, number>();
  readonly transports = new Set<MemTransport>();
  partitions: Array<readonly [ReadonlySet<string>, ReadonlySet<string>]> = [];
  readonly frozen = new Set<string>();
  readonly taps = new Set<TapFn>();
  readonly pendingConnects = new Set<PendingConnect>();
  /** Ends with events held back by a freeze (in their inbox or on their outbound link). */
  readonly held = new Set<MemEnd>();
  anonSeq = 0;

  constructor(clock: Clock, latencyMs: number, seed: number) {
    this.clock = clock;
    this.latencyMs = latencyMs;
    this.random = mulberry32(seed);
  }

  // ---- registry and connection set-up ------------------------------------------------

  listen(t: MemTransport, name: string, onInbound: (channel: Channel) => void): Registration {
    if (t.closed) throw new ErlmeshError('closed', 'transport is closed');
    if (typeof name !== 'string' || name === '') throw new ErlmeshError('badarg', 'listen: name must be a non-empty string');
    if (typeof onInbound !== 'function') throw new ErlmeshError('badarg', 'listen: onInbound must be a function');
    if (t.name !== undefined) throw new ErlmeshError('badarg', `listen: this transport already listens as ${t.name}`);
    if (this.registry.has(name)) throw new ErlmeshError('name_taken', `name ${name} is already registered`);
    const creation = (this.creations.get(name) ?? 0) + 1;
    this.creations.set(name, creation);
    this.registry.set(name, t);
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
    const target = this.registry.get(pc.peer);
    if (target === undefined || target.onInbound === undefined) {
      pc.reject(new ErlmeshError('nodedown', `no node named ${pc.peer}`));
      return;
    }
    if (this.isPartitioned(pc.from.label, pc.peer)) {
      pc.reject(new ErlmeshError('nodedown', `${pc.peer} is partitioned away from ${pc.from.label}`));
      return;
    }
    if (this.frozen.has(pc.peer)) {
      this.pendingConnects.add(pc); // hangs until thaw, kill or close
      return;
    }
    const local = new MemEnd(this, pc.from);
    const remote = new MemEnd(this, target);
    local.peer = remote;
    remote.peer = local;
    pc.from.ends.add(local);
    target.ends.add(remote);
    try {
      target.onInbound(remote);
    } catch (e) {
      this.abort(local, CONNECTION_CLOSED);
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

  // ---- frames ------------------------------------------------------------------------

  send(from: MemEnd, frame: Frame): void {
    if (!from.open || from.owner.killed) return;
    let copy: Frame;
    if (typeof frame === 'string') copy = frame;
    else if (frame instanceof Uint8Array) copy = new Uint8Array(frame);
    else throw new ErlmeshError('badarg', 'a frame is a string or a Uint8Array');
    for (const tap of [...this.taps]) {
      try {
        tap(from.owner.label, from.peer.owner.label, copy);
      } catch (e) {
        rethrowAsync(e);
      }
    }
    if (this.dropProbability > 0 && this.random() < this.dropProbability) return;
    this.enqueue(from, { kind: 'data', frame: copy });
  }

  /** Put an event in flight on the link `from` → `from.peer`. */
  enqueue(from: MemEnd, event: Event): void {
    const flight: Flight = { event, arrived: false, timer: undefined };
    from.outbound.push(flight);
    const arrive = (): void => {
      flight.arrived = true;
      flight.timer = undefined;
      this.pumpLink(from);
    };
    if (this.latencyMs <= 0) queueMicrotask(arrive);
    else flight.timer = this.clock.setTimeout(arrive, this.latencyMs);
  }

  /** Hand arrived events, in order, to the receiving end, unless the sender is frozen. */
  pumpLink(from: MemEnd): void {
    if (from.linkPumping) return;
    from.linkPumping = true;
    try {
      for (;;) {
        const head = from.outbound[0];
        if (head === undefined || !head.arrived) return;
        if (this.frozen.has(from.owner.label)) {
          this.held.add(from);
          return;
        }
        from.outbound.shift();
        this.receive(from.peer, head.event);
      }
    } finally {
      from.linkPumping = false;
    }
  }

  /** An event reaches `end` from the wire. */
  receive(end: MemEnd, event: Event): void {
    if (end.closeQueued || end.owner.killed) return;
    if (event.kind === 'close') {
      end.open = false;
      end.closeQueued = true;
      this.dropFlights(end); // what this end still had in flight, the closed peer discards
      this.forgetIfDone(end);
    }
    end.inbox.push(event);
    this.pumpInbox(end);
  }

  /** Deliver the inbox to the handlers, unless not attached yet or the owner is frozen. */
  pumpInbox(end: MemEnd): void {
    if (end.inboxPumping) return;
    end.inboxPumping = true;
    try {
      for (;;) {
        const handlers = end.handlers;
        if (handlers === undefined || end.owner.killed || end.inbox.length === 0) return;
        if (this.frozen.has(end.owner.label)) {
          this.held.add(end);
          return;
        }
        const event = end.inbox.shift() as Event;
        if (event.kind === 'data') {
          if (end.locallyClosed) continue;
          try {
            handlers.onFrame(event.frame);
          } catch (e) {
            rethrowAsync(e);
          }
        } else {
          end.inbox = [];
          try {
            handlers.onClose(event.reason);
          } catch (e) {
            rethrowAsync(e);
          }
          return;
        }
      }
    } finally {
      end.inboxPumping = false;
    }
  }

  // ---- closing -----------------------------------------------------------------------

  /** `channel.close(reason)`: the close travels behind the data; local notice in a microtask. */
  closeLocal(end: MemEnd, reason: string): void {
    if (!end.open) return;
    end.open = false;
    end.locallyClosed = true;
    this.dropFlights(end.peer); // frames heading here would be discarded on arrival anyway
    this.enqueue(end, { kind: 'close', reason });
    this.notifyClose(end, reason);
    this.forgetIfDone(end);
  }

  /** Close `end` on its own side only: queue `onClose(reason)`, delivered in a microtask. */
  notifyClose(end: MemEnd, reason: string): void {
    if (end.closeQueued) return;
    end.open = false;
    end.closeQueued = true;
    end.inbox.push({ kind: 'close', reason });
    queueMicrotask(() => this.pumpInbox(end));
  }

  /** A network cut: both ends lose what is in flight and are told `reason`. */
  abort(end: MemEnd, reason: string): void {
    this.dropFlights(end);
    this.dropFlights(end.peer);
    this.notifyClose(end, reason);
    this.notifyClose(end.peer, reason);
    this.forgetIfDone(end);
  }

  dropFlights(from: MemEnd): void {
    for (const flight of from.outbound) {
      if (flight.timer !== undefined) this.clock.clearTimeout(flight.timer);
    }
    from.outbound = [];
  }

  /** Once neither end can send, the transports stop tracking the pair. */
  forgetIfDone(end: MemEnd): void {
    if (end.open || end.peer.open) return;
    end.owner.ends.delete(end);
    end.peer.owner.ends.delete(end.peer);
  }

  closeTransport(t: MemTransport): void {
    if (t.closed) return;
    t.closed = true;
    this.unregister(t);
    for (const end of [...t.ends]) this.closeLocal(end, CONNECTION_CLOSED);
    this.retryPending((pc) => pc.from === t || pc.peer === t.name);
  }

  unregister(t: MemTransport): void {
    this.transports.delete(t);
    if (t.name !== undefined && this.registry.get(t.name) === t) this.registry.delete(t.name);
  }

  // ---- test controls -----------------------------------------------------------------

  partition(a: readonly string[], b: readonly string[]): void {
    const groupA = new Set(a);
    const groupB = new Set(b);
    this.partitions.push([groupA, groupB]);
    for (const t of this.transports) {
      for (const end of [...t.ends]) {
        if (this.isPartitioned(end.owner.label, end.peer.owner.label)) this.abort(end, CONNECTION_CLOSED);
      }
    }
  }

  thaw(name: string): void {
    if (!this.frozen.delete(name)) return;
    // Pump every held end; those of nodes still frozen simply go back into `held`.
    const held = [...this.held];
    this.held.clear();
    for (const end of held) {
      this.pumpInbox(end);
      this.pumpLink(end);
    }
    this.retryPending((pc) => pc.peer === name);
  }

  kill(name: string): void {
    const t = [...this.transports].find((x) => x.label === name);
    if (t === undefined) throw new ErlmeshError('badarg', `kill: no live node ${name}`);
    this.frozen.delete(name);
    t.killed = true;
    t.closed = true;
    this.unregister(t);
    for (const end of [...t.ends]) {
      end.inbox = [];
      end.handlers = undefined;
      this.dropFlights(end.peer);
      if (end.open) {
        end.open = false;
        end.closeQueued = true;
        this.enqueue(end, { kind: 'close', reason: CONNECTION_CLOSED });
      }
      this.pumpLink(end); // frames held while it was frozen are on the wire already
      this.forgetIfDone(end);
    }
    this.retryPending((pc) => pc.from === t || pc.peer === name);
  }
}

/**
 * An in-memory network of transports: epmd + TCP for unit tests, with controls to
 * partition, freeze, kill, delay and lose.
 *
 * @example
 * const net = new MemoryNetwork();             // latency 0, real clock
 * const a = net.transport();
 * const b = net.transport();
 * await a.listen('a@x', onInboundA);
 * await b.listen('b@x', onInboundB);
 * const ch = await a.connect('b@x');           // onInboundB got the other end
 */
export class MemoryNetwork {
  readonly #core: Core;

  constructor(options: MemoryNetworkOptions = {}) {
    const latency = options.latencyMs ?? 0;
    checkLatency(latency);
    const seed = options.seed ?? 1;
    if (!Number.isFinite(seed)) throw new ErlmeshError('badarg', `seed must be a finite number, got ${seed}`);
    this.#core = new Core(options.clock ?? realClock, latency, seed);
  }

  /** A new transport for one node. Call it once per node. */
  transport(): MemoryTransport {
    const core = this.#core;
    const t = new MemTransport(core, `anon#${++core.anonSeq}`);
    core.transports.add(t);
    return t;
  }

  /**
   * Cut the network between every node of `groupA` and every node of `groupB`: open channels
   * between them close with `'connection_closed'` (in-flight frames are lost), and connects
   * across the cut reject with `nodedown` until `heal()`. Partitions accumulate.
   *
   * @example
   * net.partition(['a@x'], ['b@x', 'c@x']);     // a is cut off from b and c; b and c still talk
   */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    this.#core.partition(groupA, groupB);
  }

  /** Remove every partition. Closed channels stay closed; nodes reconnect on their own. */
  heal(): void {
    this.#core.partitions = [];
  }

  /**
   * Suspend a node as with SIGSTOP: frames to and from it are held (neither delivered nor
   * dropped), its own close notifications wait, and connects to it hang, until `thaw`.
   * Nothing closes because of a freeze. The name need not be registered yet.
   */
  freeze(name: string): void {
    this.#core.frozen.add(name);
  }

  /** Resume a frozen node: held frames are delivered in order (synchronously), pending connects proceed. */
  thaw(name: string): void {
    this.#core.thaw(name);
  }

  /**
   * kill -9 a node (by name, or `anon#N` id for a dialer that never listened): its name is
   * freed, its sends are dropped from now on, its handlers never run again, and each peer gets
   * the frames already in flight from it, then `onClose('connection_closed')`.
   * Throws `badarg` if no live node has that name.
   */
  kill(name: string): void {
    this.#core.kill(name);
  }

  /** Change the one-way latency of frames sent from now on (already sent ones keep theirs, order is kept). */
  setLatency(ms: number): void {
    checkLatency(ms);
    this.#core.latencyMs = ms;
  }

  /**
   * Drop each data frame sent from now on with this probability (0..1), using the PRNG seeded
   * by the `seed` option: the same seed and the same traffic drop the same frames.
   * Close notifications are never dropped. Dropped frames are still seen by taps.
   */
  setDrop(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) {
      throw new ErlmeshError('badarg', `drop probability must be within [0, 1], got ${probability}`);
    }
    this.#core.dropProbability = probability;
  }

  /**
   * Observe every data frame sent on the network, at send time (before loss and latency),
   * with the sender's and receiver's node names (an anonymous dialer shows as its `anon#N`
   * id). Returns an unsubscribe function. A throwing tap is reported asynchronously and does
   * not disturb delivery: collect frames and assert afterwards.
   *
   * @example
   * const seen: string[] = [];
   * const untap = net.tap((from, to, f) => seen.push(typeof f === 'string' ? f : new TextDecoder().decode(f)));
   * // ... run a handshake ...
   * expect(seen.join('\n')).not.toContain(cookie);
   */
  tap(fn: TapFn): () => void {
    const taps = this.#core.taps;
    taps.add(fn);
    return () => {
      taps.delete(fn);
    };
  }

  /** Names currently registered, sorted. */
  names(): string[] {
    return [...this.#core.registry.keys()].sort();
  }
}

function checkLatency(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new ErlmeshError('badarg', `latency must be a finite number >= 0, got ${ms}`);
}
