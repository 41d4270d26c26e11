/**
 * MemoryNetwork: an in-memory stand-in for epmd + TCP, for unit tests of the distribution
 * layer. Each simulated node gets its own `Transport` from `network.transport()`; the network
 * plays name registry (epmd) and carrier (TCP), and lets a test misbehave on purpose:
 * partitions, frozen (SIGSTOPped) nodes, kill -9, latency, frame loss.
 *
 * The parts: memory-registry.ts (epmd: names, connects, and the test controls) and
 * memory-carrier.ts (TCP: the channel ends and the links between them). The exchange:
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
import type { Clock } from '../base/clock.js';
import { ErlmeshError } from '../base/errors.js';
import { MemoryCarrier, type TapFn } from './memory-carrier.js';
import { MemoryRegistry, type MemoryTransport } from './memory-registry.js';

export type { TapFn } from './memory-carrier.js';
export type { MemoryTransport } from './memory-registry.js';

/**
 * Options of `new MemoryNetwork`.
 *
 * @example
 * const net = new MemoryNetwork({ clock: new SimulatedClock(), latencyMs: 5, seed: 42 } satisfies MemoryNetworkOptions);
 */
export interface MemoryNetworkOptions {
  /** Clock used for latency (default `realClock`). Use `SimulatedClock` for simulated time. */
  clock?: Clock;
  /** One-way delay of every frame and close, in ms (default 0: delivered in a microtask). */
  latencyMs?: number;
  /** Seed of the PRNG behind `setDrop` (default 1). Same seed, same drops. */
  seed?: number;
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
  readonly #carrier: MemoryCarrier;
  readonly #registry: MemoryRegistry;

  constructor(options: MemoryNetworkOptions = {}) {
    const latency = options.latencyMs ?? 0;
    checkLatency(latency);
    const seed = options.seed ?? 1;
    if (!Number.isFinite(seed)) throw new ErlmeshError('badarg', `seed must be a finite number, got ${seed}`);
    this.#carrier = new MemoryCarrier(options.clock ?? realClock, latency, seed);
    this.#registry = new MemoryRegistry(this.#carrier);
  }

  /** A new transport for one node. Call it once per node. */
  transport(): MemoryTransport {
    return this.#registry.transport();
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
    this.#registry.partition(groupA, groupB);
  }

  /** Remove every partition. Closed channels stay closed; nodes reconnect on their own. */
  heal(): void {
    this.#registry.partitions = [];
  }

  /**
   * Suspend a node as with SIGSTOP: frames to and from it are held (neither delivered nor
   * dropped), its own close notifications wait, and connects to it hang, until `thaw`.
   * Nothing closes because of a freeze. The name need not be registered yet.
   */
  freeze(name: string): void {
    this.#registry.freeze(name);
  }

  /** Resume a frozen node: held frames are delivered in order (synchronously), pending connects proceed. */
  thaw(name: string): void {
    this.#registry.thaw(name);
  }

  /**
   * kill -9 a node (by name, or `anon#N` id for a dialer that never listened): its name is
   * freed, its sends are dropped from now on, its handlers never run again, and each peer gets
   * the frames already in flight from it, then `onClose('connection_closed')`.
   * Throws `badarg` if no live node has that name.
   */
  kill(name: string): void {
    this.#registry.kill(name);
  }

  /** Change the one-way latency of frames sent from now on (already sent ones keep theirs, order is kept). */
  setLatency(ms: number): void {
    checkLatency(ms);
    this.#carrier.latencyMs = ms;
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
    this.#carrier.dropProbability = probability;
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
    const taps = this.#carrier.taps;
    taps.add(fn);
    return () => {
      taps.delete(fn);
    };
  }

  /** Names currently registered, sorted. */
  names(): string[] {
    return [...this.#registry.byName.keys()].sort();
  }
}

function checkLatency(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new ErlmeshError('badarg', `latency must be a finite number >= 0, got ${ms}`);
}
