/**
 * One connection to one peer node, through its life: `pending` (handshake in flight; signals
 * for the peer queue up here, in order) → `up` (frames flow; tick bookkeeping) → removed.
 *
 * A relay-vouched connection (`vouched`, issue 13) is up on the relay's word: it may have no
 * channel yet (`framed` undefined: made up from the relay's membership; signals queue until
 * the net kernel has opened one), it does not tick (the relay reports the peer gone), and it
 * may receive on more than one channel (`rx`: the peer opened one while ours was opening). It
 * sends on one channel only, the first it had, so frames to the peer stay in order.
 */
import type { FramedChannel } from './framed-channel.js';
import type { PeerInfo } from './handshake.js';
import { isSignalTag, type DistFrame } from './frames.js';
import type { TimerHandle } from '../base/clock.js';

export class Connection {
  state: 'pending' | 'up' = 'pending';
  /** Created by an inbound handshake in progress (no dial of ours is running). */
  inboundOnly = false;
  /** We answered the peer's hello with ok_simultaneous: its attempt is the one that makes this connection. */
  yieldedToInbound = false;
  framed: FramedChannel | undefined;
  info: PeerInfo | undefined;
  /** Frames waiting for the handshake to finish. */
  queue: DistFrame[] = [];
  setupTimer: TimerHandle | undefined;
  /** Callbacks waiting for the outcome of the setup (ping, connect). */
  waiters: Array<(up: boolean) => void> = [];
  /** Up on the relay's word (see above); no ticks. */
  vouched = false;
  /** A vouched connection's channel is being opened. */
  opening = false;
  /** Further channels of a vouched connection, which this node only receives on. */
  rx: FramedChannel[] = [];
  sentSinceTick = false;
  recvSinceTick = true;
  silentTicks = 0;

  constructor(readonly peer: string) {}

  /** Set by the net kernel: this node itself is hidden, so every connection of it is hidden. */
  localHidden = false;

  /** The peer's role (PeerInfo.role): undefined for a cookie holder. */
  get role(): string | undefined {
    return this.info?.role;
  }

  get hidden(): boolean {
    return this.localHidden || (this.info?.flags.hidden ?? false);
  }

  send(frame: DistFrame): void {
    if (this.state === 'up' && this.framed) {
      // Held output does not reach the peer: only what goes out spares a tick.
      if (isSignalTag(frame.t)) this.framed.send(frame);
      else this.framed.sendUrgent(frame);
      if (!this.framed.holding) this.sentSinceTick = true;
    } else {
      this.queue.push(frame);
    }
  }

  /**
   * Send the frames queued during the handshake. A message that cannot be sent (a term
   * deeper than superjson-1 carries, or bigger than this peer takes, `message_too_large`: its
   * sender could not know the encoding or the limit yet) is dropped and reported to `onError`, as a message to a node that cannot be reached is dropped; the
   * frames after it still go.
   */
  sendQueued(onError: (e: string) => void): void {
    const queued = this.queue;
    this.queue = [];
    for (const f of queued) {
      try {
        this.send(f);
      } catch (e) {
        onError(e instanceof Error ? e.message : String(e));
      }
    }
  }

  /**
   * A `pause` or `resume` from the peer (true), else false: pause holds the signals to the
   * peer, encoded, in the framed channel (ticks and control frames still go); resume sends
   * them, in order.
   */
  onFlowFrame(frame: { t: string }): boolean {
    if (frame.t === 'pause') this.framed?.hold();
    else if (frame.t === 'resume') this.framed?.release();
    else return false;
    return true;
  }

  /** Start with the signals held and say so (`holding`), to a peer that knows flow control. */
  startHeld(): void {
    if (!this.framed || !this.info?.flags.flowControl) return;
    this.framed.hold();
    this.framed.sendUrgent({ t: 'holding' });
  }

  /** Ask the peer to hold its signals to us (true) or to send them again; false if it cannot be asked. */
  askFlow(hold: boolean): boolean {
    if (this.state !== 'up' || !this.info?.flags.flowControl) return false;
    this.send({ t: hold ? 'pause' : 'resume' });
    return true;
  }

  settle(up: boolean): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(up);
  }
}
