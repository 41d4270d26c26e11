/**
 * One connection to one peer node, through its life: `pending` (handshake in flight; signals
 * for the peer queue up here, in order) → `up` (frames flow; tick bookkeeping) → removed.
 */
import type { FramedChannel } from './framed-channel.js';
import type { PeerInfo } from './handshake.js';
import type { DistFrame } from './frames.js';
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
      this.sentSinceTick = true;
      this.framed.send(frame);
    } else {
      this.queue.push(frame);
    }
  }

  /**
   * Send the frames queued during setup. One that cannot be sent (e.g. `message_too_large` for
   * this peer) has no sender left to throw to: it is dropped and reported to `log`.
   */
  sendQueued(log: (line: string) => void): void {
    const queued = this.queue;
    this.queue = [];
    for (const f of queued) {
      try {
        this.send(f);
      } catch (e) {
        log(`** Dropped a ${f.t} frame queued for node ${this.peer}: ${e instanceof Error ? e.message : String(e)} **`);
      }
    }
  }

  settle(up: boolean): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(up);
  }
}
