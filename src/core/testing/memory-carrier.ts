/**
 * The carrier half of the MemoryNetwork (memory-network.ts), TCP's part: the two ends of a
 * channel ({@link MemEnd}) and the {@link MemoryCarrier} that moves frames and closes between
 * them. A sent frame is copied, shown to the taps, possibly dropped, then put in flight on an
 * ordered link; it arrives after a microtask (latency 0) or after `clock.setTimeout(latencyMs)`
 * and waits in the receiving end's inbox until the owner attaches. A frozen node's links and
 * inboxes are held back (in `held`) until the registry (memory-registry.ts) thaws them.
 *
 * The invariants of close, partition, freeze and kill are listed in memory-network.ts.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Channel, ChannelHandlers, Frame } from '../net/transport.js';
import { ErlmeshError } from '../base/errors.js';
import { mulberry32 } from './random.js';

/**
 * Observer of data frames on the network; `from`/`to` are node names (or `anon#N` ids).
 *
 * @example
 * const log: TapFn = (from, to, frame) => console.log(`${from} -> ${to}`, typeof frame === 'string' ? frame : `${frame.length} bytes`);
 * const untap = net.tap(log);
 */
export type TapFn = (from: string, to: string, frame: Frame) => void;

type Event = { readonly kind: 'data'; readonly frame: Frame } | { readonly kind: 'close'; readonly reason: string };

interface Flight {
  readonly event: Event;
  arrived: boolean;
  timer: TimerHandle | undefined;
}

/** What an end needs from the transport that owns it (memory-registry.ts's `MemTransport`). */
export interface EndOwner {
  /** The name the network knows this node by: its registered name, else its id. */
  readonly label: string;
  readonly killed: boolean;
  readonly ends: Set<MemEnd>;
}

export const CONNECTION_CLOSED = 'connection_closed';

/** Rethrow outside the current call stack, so a throwing handler cannot break delivery. */
function rethrowAsync(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** One end of a channel. The logic lives in `MemoryCarrier`; this is the owner's handle. */
export class MemEnd implements Channel {
  readonly carrier: MemoryCarrier;
  readonly owner: EndOwner;
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

  constructor(carrier: MemoryCarrier, owner: EndOwner) {
    this.carrier = carrier;
    this.owner = owner;
  }

  attach(handlers: ChannelHandlers): void {
    if (this.handlers !== undefined) throw new ErlmeshError('badarg', 'channel already attached');
    this.handlers = handlers;
    this.carrier.pumpInbox(this);
  }

  send(frame: Frame): void {
    this.carrier.send(this, frame);
  }

  close(reason = 'normal'): void {
    this.carrier.closeLocal(this, reason);
  }

  get isOpen(): boolean {
    return this.open;
  }
}

/** Moves frames and closes along the links between ends: copy, tap, loss, latency, order, freeze. */
export class MemoryCarrier {
  readonly clock: Clock;
  latencyMs: number;
  dropProbability = 0;
  readonly random: () => number;
  readonly frozen = new Set<string>();
  readonly taps = new Set<TapFn>();
  /** Ends with events held back by a freeze (in their inbox or on their outbound link). */
  readonly held = new Set<MemEnd>();

  constructor(clock: Clock, latencyMs: number, seed: number) {
    this.clock = clock;
    this.latencyMs = latencyMs;
    this.random = mulberry32(seed);
  }

  /** A connected pair of ends, one per owner. */
  pair(a: EndOwner, b: EndOwner): [MemEnd, MemEnd] {
    const local = new MemEnd(this, a);
    const remote = new MemEnd(this, b);
    local.peer = remote;
    remote.peer = local;
    a.ends.add(local);
    b.ends.add(remote);
    return [local, remote];
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

  /** kill -9 of `end`'s owner: the end goes silent; its peer gets what is in flight, then a close. */
  killEnd(end: MemEnd): void {
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

  /** Resume after a thaw: pump every held end; those of nodes still frozen go back into `held`. */
  releaseHeld(): void {
    const held = [...this.held];
    this.held.clear();
    for (const end of held) {
      this.pumpInbox(end);
      this.pumpLink(end);
    }
  }
}
