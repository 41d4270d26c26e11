/**
 * A lost connection's links and monitors fire in a microtask (never inside the net kernel's
 * own bookkeeping, which a dying process's last sends could re-enter), yet nothing from that
 * peer may overtake them: Erlang orders every signal between two processes, so a DOWN or EXIT
 * for the old connection comes before any message of the next one.
 *
 * Invariant: `runtime.nodeDown(peer)` runs before any later signal from `peer` is delivered,
 * and exactly once per loss.
 */
export class PendingNodeDowns {
  private readonly pending = new Set<string>();

  constructor(private readonly nodeDown: (node: string) => void) {}

  /** `node` was lost: fire its nodeDown soon, and before anything else it sends. */
  schedule(node: string): void {
    if (this.pending.has(node)) return;
    this.pending.add(node);
    queueMicrotask(() => this.flush(node));
  }

  /** A signal from `peer` is about to be delivered: a loss still pending fires first. */
  flush(peer: string): void {
    if (this.pending.delete(peer)) this.nodeDown(peer);
  }
}
