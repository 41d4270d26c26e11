/**
 * Relay.partition / heal carried out on the router's state (router.ts): end the channels across
 * a new cut and tell each node whom it is cut from; on heal, tell the nodes that were under a
 * cut, then each the peers it was cut from (`joined`), so that the mesh re-forms by itself.
 * See core/relay-client/protocol.ts "Partitions".
 */
import type { FromRelay, PeerEntry } from '../../core/relay-client/protocol.js';
import type { Partitions } from './partitions.js';
import { entryFor, type RoutedChannel, type Session } from './session.js';

/** What cutting and healing need of the router. */
export interface CutHost {
  readonly partitions: Partitions;
  channels(): RoutedChannel[];
  /** Whether the channel is still open (an earlier end may have closed it). */
  open(c: RoutedChannel): boolean;
  /** End the channel, telling both ends 'connection_closed'. */
  end(c: RoutedChannel): void;
  byName(name: string): Session | undefined;
  registered(): Session[];
  send(s: Session, m: FromRelay): void;
}

/** Cut `a` from `b` (Relay.partition). */
export function cutApart(h: CutHost, a: readonly string[], b: readonly string[]): void {
  const news = h.partitions.add(a, b);
  for (const c of h.channels()) {
    if (h.open(c) && h.partitions.between(c.a.entry?.name, c.b.entry?.name)) h.end(c);
  }
  for (const [name, peers] of news) {
    const s = h.byName(name);
    if (s) h.send(s, { t: 'partitioned', peers });
  }
}

/** Lift every cut (Relay.heal). */
export function healAll(h: CutHost): void {
  const all = h.registered();
  const cut = h.partitions.cutPairs(all.map((s) => (s.entry as PeerEntry).name));
  const under = all.filter((s) => h.partitions.involves((s.entry as PeerEntry).name));
  h.partitions.clear();
  for (const s of under) h.send(s, { t: 'healed' });
  for (const [x, y] of cut) {
    const sx = h.byName(x);
    const sy = h.byName(y);
    if (sx && sy) h.send(sx, { t: 'joined', peer: entryFor(sx, sy) });
  }
}
