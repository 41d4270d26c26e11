/**
 * What carries a channel's frames, as the observer shows it on a connection: the relay, a
 * direct link between two server-nodes, a BroadcastChannel link between tabs of one browser,
 * or Erlang distribution with a BEAM node (src/server/beam). A transport says so by giving its
 * channels a `via`; a channel without one (the in-memory transport of tests) is `'direct'`.
 */
import type { Channel } from './transport.js';

/**
 * How frames travel between two nodes.
 *
 * @example
 * const via: Via = viaOf(channel);   // 'relay' until the connection moves onto its direct link
 */
export type Via = 'relay' | 'direct' | 'broadcast' | 'beam';

/** A channel that may say what carries it. */
export interface CarriedChannel extends Channel {
  readonly via?: Via;
}

/** What carries `channel` (`'direct'` when its transport does not say). */
export function viaOf(channel: Channel): Via {
  return (channel as CarriedChannel).via ?? 'direct';
}
