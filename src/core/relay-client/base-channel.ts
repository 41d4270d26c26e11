/**
 * The Channel contract (see net/transport.ts) implemented once for channels whose frames are
 * pushed in by a transport: buffering before `attach`, exactly-once close on both ends,
 * silent sends after close. Relayed channels and direct WebSocket links build on it.
 */
import { badarg } from '../base/errors.js';
import type { Channel, ChannelHandlers, Frame } from '../net/transport.js';
import type { AttestedChannel, ChannelAttestation } from '../net/attestation.js';
import type { CarriedChannel, Via } from '../net/carrier.js';

export class BaseChannel implements Channel, AttestedChannel, CarriedChannel {
  private handlers: ChannelHandlers | undefined;
  private pending: Frame[] = [];
  private closeReason: string | undefined;
  private open = true;

  constructor(
    private readonly sendImpl: (frame: Frame) => void,
    private readonly closeImpl: (reason: string) => void,
    /** Who the transport vouches is at the other end (relayed channels; see trust/attestation.ts). */
    readonly attestation?: ChannelAttestation,
    /** What carries it (net/carrier.ts): the relay, a direct link, a BroadcastChannel link. */
    private readonly carrier: Via = 'direct',
    /**
     * `Channel.afterTurn` of this transport (default: a microtask). Not `queueMicrotask` itself:
     * called as a method it gets this channel as `this`, and browsers throw "Illegal invocation".
     */
    private readonly afterTurnImpl: (fn: () => void) => void = (fn) => queueMicrotask(fn),
  ) {}

  /** What carries this channel's frames (the observer shows it on the connection). */
  get via(): Via {
    return this.carrier;
  }

  afterTurn(fn: () => void): void {
    this.afterTurnImpl(fn);
  }

  get isOpen(): boolean {
    return this.open;
  }

  attach(handlers: ChannelHandlers): void {
    if (this.handlers) throw badarg('channel already attached');
    this.handlers = handlers;
    const pending = this.pending;
    this.pending = [];
    for (const f of pending) handlers.onFrame(f);
    if (this.closeReason !== undefined) {
      const r = this.closeReason;
      queueMicrotask(() => handlers.onClose(r));
    }
  }

  send(frame: Frame): void {
    if (this.open) this.sendImpl(frame);
  }

  close(reason = 'normal'): void {
    if (!this.open) return;
    this.closeImpl(reason);
    this.ended(reason);
  }

  /** Transport side: a frame arrived. */
  deliver(frame: Frame): void {
    if (!this.open) return;
    if (this.handlers) this.handlers.onFrame(frame);
    else this.pending.push(frame);
  }

  /** Transport side: the channel ended (closed by the peer, or the carrier dropped). */
  ended(reason: string): void {
    this.open = false;
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    const h = this.handlers;
    if (h) queueMicrotask(() => h.onClose(reason));
  }
}
