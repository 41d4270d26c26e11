/**
 * SwitchableChannel: the logical channel a node holds for a relayed connection of a
 * server-node (one with DirectLinks), able to move from the relay carrier to a direct link
 * without losing, duplicating or reordering a frame in either direction and without ending
 * (so the node sees no nodedown/nodeup). migrations.ts drives it; the exchange:
 *
 * 1. The dialer (the side that opened the relayed channel) draws a random token and dials the
 *    peer directly, naming the relayed channel's id and the token (`migrate`). The acceptor
 *    finds its SwitchableChannel by that id (else it closes the link: the dialer retries
 *    later), answers READY on the link (`acceptDirect`) and keeps the link waiting.
 * 2. On READY the dialer sends the token on the relay carrier (OFFER_PREFIX + token: the
 *    relayed channel is the authenticated one). The acceptor takes the waiting link only if
 *    it named that token: a link from whoever can reach the port is never used.
 * 3. The acceptor sends SWITCH_MARKER as its last frame on the relay carrier and from then on
 *    sends on the direct carrier. The dialer, on the acceptor's marker, sends its own marker
 *    on the relay and switches its sends to direct.
 * 4. Each side delivers relay frames until the peer's marker, holding direct frames that came
 *    earlier, then delivers from the direct carrier. A side that has sent and received the
 *    marker closes the relay carrier quietly (the logical channel goes on).
 *
 * Nothing but READY goes to the dialer before it has seen READY: a peer of an older version
 * (which takes the link for a new connection) never answers READY, so the dialer closes the
 * link without having sent anything on the relay that such a peer would not understand.
 *
 * Failures: the direct carrier closing before the switch began abandons the move
 * (`onAbandon`: the dialer retries). Once a side has switched (sent or received a marker),
 * either carrier ending ends the logical channel, as a dropped connection would; but a side
 * that has switched its sends and still waits for the peer's marker (the acceptor) ends only
 * when that marker comes: the direct frames it holds were sent before the direct close, and
 * the marker that releases them is already on the relay carrier (the peer sent it first).
 *
 * The control frames are strings that no distribution frame can be (those are JSON text).
 */
import type { Channel, Frame } from '../net/transport.js';
import { BaseChannel } from './base-channel.js';
import { viaOf, type Via } from '../net/carrier.js';

export const SWITCH_MARKER = '\u0000erlmesh:switch';
export const OFFER_PREFIX = '\u0000erlmesh:offer:';
export const READY = '\u0000erlmesh:ready';

export class SwitchableChannel extends BaseChannel {
  private sendOn: Channel;
  private direct: Channel | undefined;
  private peerSwitched = false;
  private selfSwitched = false;
  private held: Frame[] = [];
  /** The direct carrier ended (this reason) while its frames wait for the peer's marker. */
  private directEnded: string | undefined;
  /** Dialer: a dial is under way or its link waits for READY / the acceptor's marker. */
  private dialing = false;
  /** Acceptor: a direct link waiting for its token on the relay. */
  private parked: { link: Channel; token: string } | undefined;
  /** Called when the dialer's direct link closes before the switch began (retry). */
  onAbandon: (() => void) | undefined;
  /** Called once both sides have switched (the relay carrier is retired). */
  onRetired: (() => void) | undefined;

  constructor(
    /** The relayed channel's id, the same at both ends (the relay gives it). */
    readonly relayId: number,
    private readonly relay: BaseChannel,
  ) {
    super(
      (f) => this.sendOn.send(f),
      (reason) => {
        if (!this.retired) this.relay.close(reason);
        this.direct?.close(reason);
        this.parked?.link.close(reason);
      },
      relay.attestation,
    );
    this.sendOn = relay;
    relay.attach({
      onFrame: (f) => this.fromRelay(f),
      onClose: (r) => {
        if (!this.retired) this.ended(r);
      },
    });
  }

  /** The relay until this side sends on the direct carrier, then what carries that one. */
  override get via(): Via {
    return this.sendOn === this.relay ? 'relay' : viaOf(this.sendOn);
  }

  /** The carrier it sends on decides when a turn's output goes (Channel.afterTurn). */
  override afterTurn(fn: () => void): void {
    const c = this.sendOn;
    if (c.afterTurn) c.afterTurn(fn);
    else queueMicrotask(fn);
  }

  /** True once both sides have switched: the relay carrier is no longer used. */
  get retired(): boolean {
    return this.peerSwitched && this.selfSwitched;
  }

  /** True while a direct carrier is in use or being set up by the dialer. */
  get hasDirect(): boolean {
    return this.direct !== undefined;
  }

  /** The dialer starts a direct dial for this channel (false: not now). */
  startDial(): boolean {
    if (!this.isOpen || this.direct !== undefined || this.dialing || this.peerSwitched) return false;
    this.dialing = true;
    return true;
  }

  /** The dialer's direct dial failed. */
  dialFailed(): void {
    this.dialing = false;
  }

  /** The dialer's direct dial gave `link`, named with `token`: wait for READY, then offer the token. */
  dialed(link: Channel, token: string): void {
    if (!this.isOpen || !this.dialing) {
      this.dialing = false;
      return link.close('no_such_channel');
    }
    let ready = false;
    this.useDirect(link, (f) => {
      if (ready) return true;
      if (f === READY) {
        ready = true;
        this.relay.send(OFFER_PREFIX + token);
      } else {
        link.close('no_migrate'); // not a peer that moves connections
      }
      return false;
    });
  }

  /** The acceptor: an inbound direct link naming this channel and `token`; used once the token comes on the relay. */
  acceptDirect(link: Channel, token: string): void {
    if (!this.isOpen || this.direct !== undefined || this.dialing || this.peerSwitched) return link.close('no_such_channel');
    // One link waits at a time.
    this.parked?.link.close('no_such_channel');
    this.parked = { link, token };
    link.send(READY);
  }

  /** Carry on `link`; `filter` sees each of its frames first (false: not for the node). */
  private useDirect(link: Channel, filter?: (f: Frame) => boolean): void {
    this.direct = link;
    link.attach({
      onFrame: (f) => {
        if (filter && !filter(f)) return;
        if (this.peerSwitched) this.deliver(f);
        else this.held.push(f);
      },
      onClose: (r) => {
        if (this.direct !== link) return;
        if (this.peerSwitched) return this.ended(r);
        if (this.selfSwitched) {
          this.directEnded = r;
          return;
        }
        this.direct = undefined;
        this.dialing = false;
        this.held = [];
        this.onAbandon?.();
      },
    });
  }

  private switchSends(): void {
    const d = this.direct;
    if (!d || this.selfSwitched || !this.isOpen) return;
    this.relay.send(SWITCH_MARKER);
    this.sendOn = d;
    this.selfSwitched = true;
    this.retireIfDone();
  }

  private fromRelay(f: Frame): void {
    if (typeof f === 'string' && f.startsWith(OFFER_PREFIX)) return this.offered(f.slice(OFFER_PREFIX.length));
    if (f !== SWITCH_MARKER) {
      if (this.peerSwitched) this.close('protocol_error');
      else this.deliver(f);
      return;
    }
    // A marker with no move under way, or a second one: the peer is confused.
    if (this.peerSwitched || this.direct === undefined) return this.close('protocol_error');
    this.peerSwitched = true;
    const held = this.held;
    this.held = [];
    for (const h of held) this.deliver(h);
    if (this.directEnded !== undefined) return this.ended(this.directEnded);
    // The dialer switches once the acceptor has.
    this.switchSends();
    this.retireIfDone();
  }

  /** The acceptor: the dialer's token came through the relay. */
  private offered(token: string): void {
    const p = this.parked;
    this.parked = undefined;
    if (!p || !p.link.isOpen || this.direct !== undefined || !sameToken(p.token, token)) {
      p?.link.close('no_such_channel');
      return;
    }
    this.useDirect(p.link);
    this.switchSends();
  }

  private retireIfDone(): void {
    if (!this.retired) return;
    this.relay.close('switched');
    this.onRetired?.();
  }
}

/** Compare two tokens in time independent of where they differ. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
