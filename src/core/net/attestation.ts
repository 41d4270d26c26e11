/**
 * What a transport vouches for about the other end of a channel.
 *
 * The relay admits every node itself (cookie proof, or ticket proof + checks) and sets the
 * `from` of every channel, so a relayed channel can tell its owner who is at the other end,
 * as the relay admitted it: its registered name and its role (ticket holders). The handshake
 * (net/handshake.ts) uses it to
 * - refuse a peer whose hello names another node than the one the relay admitted (a ticket
 *   holder cannot pose as another node, not even one of its own prefix);
 * - admit a ticket holder only over an attested channel (never over a direct link or any
 *   other unattested channel, where its name would be its own word);
 * - let two ticket holders, which cannot check each other's tickets, connect on the relay's
 *   word alone. That trust rests on the relay connection (use wss://); cookie holders never
 *   accept such an attested handshake, they always check proofs.
 *
 * A transport attests by putting an `attestation` on the channels it hands out.
 */
import type { Channel } from './transport.js';

export interface ChannelAttestation {
  /** Who vouches. */
  readonly by: 'relay';
  /** The other end's name, as the relay admitted it. */
  readonly name: string;
  /** The other end's ticket role; undefined for a cookie holder. */
  readonly role?: string;
  /**
   * The relay vouches that the other end proved the cluster cookie and takes part in its
   * membership (relay protocol "Membership"): two cookie holders may then connect without a
   * challenge (handshake.ts, "Relay-vouched hello").
   */
  readonly vouched?: true;
}

/** A channel that may carry an attestation. */
export interface AttestedChannel extends Channel {
  readonly attestation?: ChannelAttestation;
}

/** The attestation of `channel`, if its transport gave one. */
export function attestationOf(channel: Channel): ChannelAttestation | undefined {
  const a = (channel as AttestedChannel).attestation;
  return a && a.by === 'relay' && typeof a.name === 'string' ? a : undefined;
}
