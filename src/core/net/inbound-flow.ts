/**
 * Back-pressure from a mailbox to the connection that fills it (issue 17 point 5).
 *
 * Erlang queues every message a node sends to a process, however many; a node flooding one
 * process grows the victim's heap until it runs out. Here, when a message from `peer` leaves
 * its target's mailbox at or above {@link MAILBOX_HIGH_WATER} messages, the node asks `peer`
 * to hold its signals (a `pause` frame, sent only to a peer that states `flags.flowControl`);
 * the peer keeps them, in order, on its side (connection.ts) and still sends ticks and
 * control frames, so the connection stays up however long the pause lasts. Every
 * {@link FLOW_POLL_MS} the node looks at that mailbox again; once it is at or below
 * {@link MAILBOX_LOW_WATER} (or its process is gone), it sends `resume` and
 * the held signals follow in order. Nothing is lost or reordered; the memory of a flood moves
 * to the node that makes it (as Erlang's busy dist port suspends the sender).
 *
 * What arrived before the peer saw `pause` is still delivered (a mailbox may go some way over
 * the mark: what was in flight). Messages to other processes from that peer wait too (one
 * connection, one order).
 *
 * A pause outlives its connection: a paused peer that keeps sending past its held-output limit
 * loses the connection (`send_queue_full`, framed-channel.ts) and starts the next one held,
 * saying `holding`; the node answers `resume` at once unless that peer is still paused here,
 * and then only once the mailbox is down to the low mark. A peer that comes back without
 * `holding` is paused again by its first message to a full mailbox.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Pid } from '../terms/pid.js';
import type { SignalFrame } from './frames.js';

/** A mailbox this long asks the sender's node to pause. */
export const MAILBOX_HIGH_WATER = 100_000;
/** …and this short lets it go on. */
export const MAILBOX_LOW_WATER = 50_000;
/** How often a paused sender's target mailbox is looked at. */
export const FLOW_POLL_MS = 50;

export interface InboundFlowEnv {
  clock: Clock;
  /** Messages waiting in the mailbox of the local process `to` (a pid or a registered name); undefined when there is none. */
  queued(to: Pid | string): number | undefined;
  /** Ask `peer` to hold its signals (true) or to send them again; false when it cannot be asked. */
  setPeerFlow(peer: string, hold: boolean): boolean;
  isConnected(peer: string): boolean;
  highWater?: number;
  lowWater?: number;
}

interface Paused {
  /** The mailbox that made the peer pause. */
  to: Pid | string;
  /** Whether the peer's current connection was asked to hold (false once that one is gone). */
  asked: boolean;
}

export class InboundFlow {
  /** Paused peers, by name (the pause outlives a connection). */
  private readonly paused = new Map<string, Paused>();
  private timer: TimerHandle | undefined;
  private readonly high: number;
  private readonly low: number;

  constructor(private readonly env: InboundFlowEnv) {
    this.high = env.highWater ?? MAILBOX_HIGH_WATER;
    this.low = Math.min(env.lowWater ?? MAILBOX_LOW_WATER, this.high);
  }

  /** `s` from `peer` was just delivered. */
  delivered(s: SignalFrame, peer: string): void {
    if ((s.t !== 'send' && s.t !== 'reg_send') || this.paused.get(peer)?.asked) return;
    const n = this.env.queued(s.to);
    if (n === undefined || n < this.high || !this.env.setPeerFlow(peer, true)) return;
    this.paused.set(peer, { to: s.to, asked: true });
    this.schedule();
  }

  /** `peer` started its connection held (`holding`): resume it now, or once its mailbox drained. */
  holding(peer: string): void {
    const p = this.paused.get(peer);
    if (p === undefined) this.env.setPeerFlow(peer, false);
    else {
      p.asked = true;
      this.schedule();
    }
  }

  private schedule(): void {
    this.timer ??= this.env.clock.setTimeout(this.poll, FLOW_POLL_MS);
  }

  private readonly poll = (): void => {
    this.timer = undefined;
    for (const [peer, p] of [...this.paused]) {
      const n = this.env.queued(p.to);
      if (n !== undefined && n > this.low) {
        if (!this.env.isConnected(peer)) p.asked = false;
        continue;
      }
      this.paused.delete(peer);
      this.env.setPeerFlow(peer, false);
    }
    if (this.paused.size > 0) this.schedule();
  };
}
