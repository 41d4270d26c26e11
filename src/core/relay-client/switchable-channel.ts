/**
 * SwitchableChannel: the logical channel a node holds for a relayed connection of a
 * server-node (one with DirectLinks), able to move from the relay carrier to a direct link
 * without losing, duplicating or reordering a frame in either direction and without ending
 * (so the node sees no nodedown/nodeup). migrations.ts drives it; the exchange:
 *
 * 1. The dialer (the side that opened the relayed channel) draws a random token, sends it on
 *    the relay carrier (OFFER_PREFIX + token: the relayed channel is the authenticated one) and
 *    dials the peer directly, naming the relayed channel's id and the token (`migrate`). The
 *    acceptor finds its SwitchableChannel by that id (else it closes the link: the dialer
 *    retries later) and takes the link once the same token has come on the relay carrier
 *    (`acceptDirect`; until then the link waits): a direct link that cannot show the token,
 *    from whoever can reach the port, is never used.
 * 2. The acceptor sends SWITCH_MARKER as its last frame on the relay carrier and from then on
 *    sends on the direct carrier.
 * 3. The dialer, once it has both the direct carrier and the acceptor's marker, sends its own
 *    marker on the relay and switches its sends to direct.
 * 4. Each side delivers relay frames until the peer's marker, holding direct frames that came
 *    earlier, then delivers from the direct carrier. A side that has sent and received the
 *    marker closes the relay carrier quietly (the logical channel goes on).
 *
 * Failures: the direct carrier closing before the exchange began abandons it (`onAbandon`:
 * the dialer retries; nothing was sent on it). Once a side has switched (sent or received a
 * marker), either carrier ending ends the logical channel, as a dropped connection would.
 *
 * The marker is a string frame that no distribution frame can be (those are JSON text).
 */
import type { Channel, Frame } from '../net/transport.js';
import { BaseChannel } from './base-channel.js';

export const SWITCH_MARKER = '\u0000erlmesh:switch';
export const OFFER_PREFIX = '\u0000erlmesh:offer:';

export type SwitchRole = 'dialer' | 'acceptor';

export class SwitchableChannel extends BaseChannel {
  private sendOn: Channel;
  private direct: Channel | undefined;
  private role: SwitchRole | undefined;
  private peerSwitched = false;
  private selfSwitched = false;
  private held: Frame[] = [];
  /** The dialer's direct dial is under way (the acceptor's marker may come before it completes). */
  private dialing = false;
  /** Acceptor: the token the dialer sent on the relay, and a direct link waiting for its token. */
  private expected: string | undefined;
  private parked: { link: Channel; token: string } | undefined;
  /** Called when an offered direct carrier closes before the switch began (dialer: retry). */
  onAbandon: (() => void) | undefined;

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

  /** True once both sides have switched: the relay carrier is no longer used. */
  get retired(): boolean {
    return this.peerSwitched && this.selfSwitched;
  }

  /** True while a direct carrier is offered or in use. */
  get hasDirect(): boolean {
    return this.direct !== undefined;
  }

  /** The dialer starts a direct dial for this channel, offering `token` on the relay (false: not now). */
  startDial(token: string): boolean {
    if (!this.isOpen || this.direct !== undefined || this.dialing || this.peerSwitched) return false;
    this.dialing = true;
    this.relay.send(OFFER_PREFIX + token);
    return true;
  }

  /** The acceptor: an inbound direct link naming this channel and `token`; used once the token matches. */
  acceptDirect(link: Channel, token: string): void {
    if (!this.isOpen || this.direct !== undefined || this.peerSwitched) return link.close('no_such_channel');
    if (this.expected !== undefined && sameToken(this.expected, token)) {
      this.expected = undefined;
      if (this.parked?.link !== link) this.parked?.link.close('no_such_channel');
      this.parked = undefined;
      this.offerDirect(link, 'acceptor');
      return;
    }
    // The token may still be on its way through the relay; one link waits at a time.
    this.parked?.link.close('no_such_channel');
    this.parked = { link, token };
  }

  /** The dialer's direct dial failed: if the acceptor had switched already, this connection is lost. */
  dialFailed(): void {
    this.dialing = false;
    if (this.peerSwitched) this.close('connection_closed');
  }

  /** Move onto `ch` (see the exchange above). False if not possible (closed, or already offered). */
  offerDirect(ch: Channel, role: SwitchRole): boolean {
    if (role === 'dialer') this.dialing = false;
    if (!this.isOpen || this.direct !== undefined || (role === 'acceptor' && (this.peerSwitched || this.dialing))) {
      ch.close('no_such_channel');
      if (role === 'dialer' && this.peerSwitched) this.close('connection_closed');
      return false;
    }
    this.direct = ch;
    this.role = role;
    ch.attach({
      onFrame: (f) => {
        if (this.peerSwitched) this.deliver(f);
        else this.held.push(f);
      },
      onClose: (r) => {
        if (this.direct !== ch) return;
        if (this.peerSwitched || this.selfSwitched) {
          this.ended(r);
          return;
        }
        this.direct = undefined;
        this.held = [];
        this.onAbandon?.();
      },
    });
    if (role === 'acceptor' || this.peerSwitched) this.switchSends();
    return true;
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
    if (typeof f === 'string' && f.startsWith(OFFER_PREFIX)) {
      this.expected = f.slice(OFFER_PREFIX.length);
      const p = this.parked;
      this.parked = undefined;
      if (p && p.link.isOpen) this.acceptDirect(p.link, p.token);
      return;
    }
    if (f !== SWITCH_MARKER) {
      if (this.peerSwitched) this.close('protocol_error');
      else this.deliver(f);
      return;
    }
    // A marker without an exchange under way, or a second one: the peer is confused.
    if (this.peerSwitched || (this.direct === undefined && !this.dialing)) {
      this.close('protocol_error');
      return;
    }
    this.peerSwitched = true;
    const held = this.held;
    this.held = [];
    for (const h of held) this.deliver(h);
    // The dialer switches once the acceptor has (its dial may still be completing).
    if (this.role === 'dialer') this.switchSends();
    this.retireIfDone();
  }

  private retireIfDone(): void {
    if (this.retired) this.relay.close('switched');
  }
}

/** Compare two tokens in time independent of where they differ. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
