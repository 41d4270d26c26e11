/**
 * One relay's messages to this one, put back in seq order (wire.ts). They come by two paths:
 * the sender's Redis channel, and its direct link (links.ts) once that is open. Each path keeps
 * its own order, but a sender that switches path (Redis → link as the link opens, link →
 * Redis as it fails) can have messages of both in flight, and the later path can overtake.
 *
 * Invariants:
 * - messages are handed on strictly in seq order, each once: a seq below the next expected is
 *   a duplicate and is dropped;
 * - a message ahead of the next expected is held while the missing ones may still come by the
 *   other path (`mayWait`: a link is or was open); otherwise, or once the oldest held message
 *   has waited `holdMs`, the missing ones are lost: a gap. The caller then drops the sender's
 *   nodes (nodedown) before anything past the gap is handed on.
 * - only a message that may start the stream (`canStart`: it came by Redis, where a sender
 *   always says something first, or it is a `reset` or `sync`, which replace all before them)
 *   sets the first expected seq; any other message before it waits, `holdMs` at most.
 *
 * Pure and clock-free: the caller passes `now`.
 */

/** What `offer` and `expire` decided. */
export type InOrderResult<T> =
  | { t: 'deliver'; run: T[] }
  | { t: 'held' }
  | { t: 'duplicate'; expected: number }
  | { t: 'gap'; expected: number; got: number; run: T[] };

export class InOrder<T> {
  /** The seq expected next (undefined: not started). */
  next: number | undefined;
  private readonly held = new Map<number, T>();
  private heldSince = 0;

  /** Messages held now (for tests and stats). */
  get holding(): number {
    return this.held.size;
  }

  /**
   * Offer message `seq`; `canStart`: it may set the first expected seq; `mayWait`: a missing
   * predecessor may still come by another path.
   */
  offer(seq: number, msg: T, canStart: boolean, mayWait: boolean, now: number): InOrderResult<T> {
    if (this.next === undefined) {
      if (!canStart) return this.hold(seq, msg, now);
      this.next = seq;
      for (const s of this.held.keys()) if (s < seq) this.held.delete(s);
    }
    if (seq < this.next) return { t: 'duplicate', expected: this.next };
    if (seq > this.next) {
      if (mayWait) return this.hold(seq, msg, now);
      const expected = this.next;
      this.held.set(seq, msg);
      return { t: 'gap', expected, got: seq, run: this.skip(now) };
    }
    this.next = seq + 1;
    return { t: 'deliver', run: [msg, ...this.drain(now)] };
  }

  /**
   * Give up on what is missing once the oldest held message has waited `holdMs`: a gap, or,
   * when the stream had not started, its start (nothing was handed on that a gap could follow).
   */
  expire(now: number, holdMs: number): InOrderResult<T> | undefined {
    if (this.held.size === 0 || now - this.heldSince < holdMs) return undefined;
    if (this.next === undefined) return { t: 'deliver', run: this.skip(now) };
    return { t: 'gap', expected: this.next, got: Math.min(...this.held.keys()), run: this.skip(now) };
  }

  private hold(seq: number, msg: T, now: number): InOrderResult<T> {
    if (this.held.has(seq)) return { t: 'duplicate', expected: this.next ?? seq };
    if (this.held.size === 0) this.heldSince = now;
    this.held.set(seq, msg);
    return { t: 'held' };
  }

  /** Jump to the lowest held seq and take the run from there. */
  private skip(now: number): T[] {
    this.next = Math.min(...this.held.keys());
    return this.drain(now);
  }

  private drain(now: number): T[] {
    const run: T[] = [];
    for (let m = this.held.get(this.next!); m !== undefined; m = this.held.get(this.next!)) {
      this.held.delete(this.next!);
      this.next! += 1;
      run.push(m);
    }
    if (run.length > 0 && this.held.size > 0) this.heldSince = now;
    return run;
  }
}
