/**
 * The relay as introducer, on the node's side (issue 13): the members the transport reports
 * (net/transport.ts `MembershipChange`), and which of them the net kernel holds as up on the
 * relay's word, without a handshake or ticks.
 *
 * A member is up on the relay's word ("vouched", connection.ts) when the full mesh would have
 * connected the two nodes anyway and the relay can vouch for the pair:
 * - the mesh: both visible, at least one of them takes part in it (connect_all), the same name
 *   mode, and the member passes this node's allow list;
 * - the vouching: this node is a cookie holder that registered with the relay, the member is a
 *   cookie holder the relay vouches for (it takes part in membership too) reached through the relay (not over a direct link: those keep their own
 *   handshake and ticks), and this node's cookie for the member is the one it registered with
 *   (a per-node cookie set with `setCookie(node, c)` means the relay cannot vouch).
 * Any other visible member is dialled as before (`dial`), with the full handshake, when this
 * node takes part in the mesh: on the snapshot every one, on a later `joined` only when this
 * node's name sorts first (the other side dials otherwise), as RelayTransport did with `joined`.
 *
 * A vouched connection goes down when its member leaves (the relay's reason: the peer's socket
 * closed, or it stopped answering the relay), when one of its channels closes, or when the
 * relay is lost (every member leaves).
 */
import type { ChannelAttestation } from './attestation.js';
import type { NodeFlags } from './frames.js';
import type { Member, MembershipChange } from './transport.js';
import { compareNames, parseNodeName } from '../terms/node-names.js';

/** What the membership needs of its node's net kernel. */
export interface MembershipHost {
  readonly name: string;
  readonly flags: NodeFlags;
  /** The cookie this node registered with at the relay; undefined for a ticket holder. */
  readonly vouchCookie: string | undefined;
  cookieFor(peer: string): string;
  isAllowed(peer: string): boolean;
  /** `m` is up on the relay's word (a restart of it replaces the old incarnation). */
  memberUp(m: Member): void;
  /** `peer` left the relay: its vouched connection, if any, goes down with `reason`. */
  memberLeft(peer: string, reason: string): void;
}

export class RelayMembership {
  private readonly members = new Map<string, Member>();

  constructor(private readonly host: MembershipHost) {}

  /** The member `peer` as the relay last reported it. */
  get(peer: string): Member | undefined {
    return this.members.get(peer);
  }

  /** May this node connect to `peer` on the relay's word over a channel attested `att`? */
  canVouch(peer: string, att: ChannelAttestation | undefined): boolean {
    const h = this.host;
    // A peer this node reaches over a direct link keeps the full handshake and ticks, also on a relayed channel.
    if (h.vouchCookie === undefined || this.members.get(peer)?.relayed === false) return false;
    return att?.vouched === true && att.role === undefined && att.name === peer && h.cookieFor(peer) === h.vouchCookie;
  }

  /** Whether `m` is up on the relay's word (see the header). */
  vouchedUp(m: Member): boolean {
    const h = this.host;
    const me = h.flags;
    return (
      h.vouchCookie !== undefined &&
      m.role === undefined &&
      m.vouched &&
      m.relayed &&
      !me.hidden &&
      !m.hidden &&
      (me.connectAll || m.connectAll) &&
      parseNodeName(m.name)?.mode === me.mode &&
      h.isAllowed(m.name) &&
      h.cookieFor(m.name) === h.vouchCookie
    );
  }

  /**
   * Apply the transport's changes; returns the visible members to dial with the full handshake
   * (`initial`: the snapshot of a registration, where this node dials them all).
   */
  apply(changes: MembershipChange[], initial: boolean): string[] {
    const dial: string[] = [];
    for (const c of changes) {
      if ('left' in c) {
        if (this.members.delete(c.left)) this.host.memberLeft(c.left, c.reason);
        continue;
      }
      const m = c.joined;
      this.members.set(m.name, m);
      if (this.vouchedUp(m)) this.host.memberUp(m);
      else if (!m.hidden && (initial || compareNames(this.host.name, m.name) < 0)) dial.push(m.name);
    }
    return dial;
  }
}
