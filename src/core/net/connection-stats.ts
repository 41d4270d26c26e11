/**
 * Per-connection counters for the observer (`observer:nodeStats().links`): what the framed
 * channels count anyway (`framesIn`, `framesOut`: every frame goes through them), read when
 * asked. Nothing is counted for it: an unobserved node pays nothing.
 */
import type { Connection } from './connection.js';
import { viaOf, type Via } from './carrier.js';

/**
 * One connection of a node, as `observer:nodeStats()` reports it. The counters run from the
 * moment the connection came up (a new connection starts again from 0); rates come from the
 * difference between two looks.
 *
 * @example
 * const { links }: { links: LinkStats[] } = await node.rpc.call('a@host', 'observer', 'nodeStats', []);
 * for (const l of links) console.log(l.peer, l.via, l.framesIn, l.framesOut);
 */
export interface LinkStats {
  readonly peer: string;
  /** What carries it now (a relayed connection moves onto a direct or BroadcastChannel link). */
  readonly via: Via;
  /** Frames received from the peer (signals, ticks, flow control); a BEAM connection: packets. */
  readonly framesIn?: number;
  /** Frames sent to it (a fast-1 batch of many counts each); unknown for a BEAM connection. */
  readonly framesOut?: number;
  /** Bytes, where the carrier counts them (a BEAM connection's TCP socket). */
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

/** The counters of each connection that is up. */
export function connectionStats(conns: Iterable<Connection>): LinkStats[] {
  const out: LinkStats[] = [];
  for (const c of conns) {
    if (c.state !== 'up') continue;
    const f = c.framed;
    let framesIn = f?.framesIn ?? 0;
    for (const r of c.rx) framesIn += r.framesIn;
    // A vouched connection with no channel yet opens one through the relay on first use.
    out.push({ peer: c.peer, via: f ? viaOf(f.channel) : 'relay', framesIn, framesOut: f?.framesOut ?? 0 });
  }
  return out;
}
