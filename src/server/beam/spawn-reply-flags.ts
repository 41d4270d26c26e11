/**
 * The flags a SPAWN_REPLY must carry: those of its SPAWN_REQUEST (link, monitor), which BEAM
 * sent and the reply comes back for later. Kept per BEAM peer, so a peer's entries go with its
 * connection (no reply goes on a connection that ended, and a request whose reply never comes
 * does not stay). Used by the server-node's bridge and by a tab's gateway alike.
 */
import { SPAWN_FLAG } from '../../core/net/beam-control.js';
import type { SignalFrame } from '../../core/process/signals.js';

type SpawnRequest = Extract<SignalFrame, { t: 'spawn_request' }>;
type SpawnReply = Extract<SignalFrame, { t: 'spawn_reply' }>;

/**
 * @example
 * const flags = new SpawnReplyFlags();
 * flags.requested('e@host', request);            // on SPAWN_REQUEST from e@host
 * writeControl(reply, { spawnFlags: flags.take('e@host', reply), … });
 * flags.forget('e@host');                        // its connection ended
 */
export class SpawnReplyFlags {
  private readonly byPeer = new Map<string, Map<string, number>>();

  /** Note the flags of a SPAWN_REQUEST `peer` sent. */
  requested(peer: string, s: SpawnRequest): void {
    let open = this.byPeer.get(peer);
    if (!open) this.byPeer.set(peer, (open = new Map()));
    open.set(s.ref.key, (s.link ? SPAWN_FLAG.LINK : 0) | (s.monitor ? SPAWN_FLAG.MONITOR : 0));
  }

  /** The flags for the reply to `peer`'s request (undefined if unknown), no longer kept after. */
  take(peer: string, reply: SpawnReply): number | undefined {
    const open = this.byPeer.get(peer);
    const flags = open?.get(reply.ref.key);
    open?.delete(reply.ref.key);
    return flags;
  }

  /** Drop every entry of `peer` (its connection ended). */
  forget(peer: string): void {
    this.byPeer.delete(peer);
  }
}
