/**
 * The relay as the introducer (issue 13; src/core/relay-client/protocol.ts "Membership"): the
 * changes of the name table, told to the registered nodes. A node that asked for membership
 * gets them batched, one `members` message per batch interval for all changes of that
 * interval, the same text for every such node (each skips the changes about itself); any
 * other node gets today's `joined` / `left`, one message per change, at once.
 *
 * The interval adapts to the fan-out (`batchInterval`): MEMBERS_BATCH_MS while few nodes take
 * membership, growing by 1 ms per 10 member sessions up to MEMBERS_BATCH_MAX_MS, so that a
 * mass join on a large relay sends fewer, larger batches (each batch costs one send per member).
 *
 * The broadcaster keeps the local sessions it tells in two sets, those that take membership and
 * the others (`welcomed` adds, `gone` removes), so that a change or a batch costs a send per
 * session that hears of it and nothing for the rest (a scan of the whole name table per join
 * was O(n²) at 10,000 nodes). Nodes of other relays are not in them: their own relay tells them.
 *
 * Invariants: changes go out in the order they happened (the early `left` of `leaving` flushes
 * the batch first); a session admitted in the middle of a
 * batch gets only the changes after its welcome (its welcome's snapshot already holds the
 * earlier ones); a `left` is queued only after the router has ended that node's channels.
 */
import type { Clock, TimerHandle } from '../../core/base/clock.js';
import { MEMBERS_BATCH_MS, type FromRelay, type MemberChange, type PeerEntry } from '../../core/relay-client/protocol.js';
import type { Session } from './session.js';

/**
 * What the broadcaster needs of the router: a flow-controlled send of a text message. A message
 * for many sessions is handed over as one UTF-8 Buffer, encoded once: ws would encode a string
 * again for every socket (most of the relay's CPU at 10k nodes).
 */
export interface MembershipHost {
  sendText(s: Session, text: string | Buffer): boolean;
}

/** The longest a batch is held, however many member sessions there are. */
export const MEMBERS_BATCH_MAX_MS = 1000;
/** Member sessions per extra millisecond of the batch interval. */
const MEMBERS_PER_MS = 10;

/** The batch interval when `members` sessions take membership: `baseMs`, or longer for a large fan-out. */
export function batchInterval(members: number, baseMs: number = MEMBERS_BATCH_MS): number {
  return Math.max(baseMs, Math.min(MEMBERS_BATCH_MAX_MS, Math.ceil(members / MEMBERS_PER_MS)));
}

/** `m` as one UTF-8 text frame's payload, to hand to many sessions. */
function encoded(m: FromRelay): Buffer {
  return Buffer.from(JSON.stringify(m), 'utf8');
}

export class MemberBroadcast {
  private queue: MemberChange[] = [];
  /** Local registered sessions that take membership, and those that take `joined`/`left`. */
  private readonly memberSessions = new Set<Session>();
  private readonly plainSessions = new Set<Session>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly host: MembershipHost,
    private readonly clock: Clock,
    private readonly batchMs: number = MEMBERS_BATCH_MS,
  ) {}

  /** A local session was just welcomed: it gets only the changes queued from now on. */
  welcomed(s: Session): void {
    if (s.members) {
      s.membersFrom = this.queue.length;
      this.memberSessions.add(s);
    } else this.plainSessions.add(s);
  }

  /** A welcomed session is gone: it hears of nothing more. */
  gone(s: Session): void {
    this.memberSessions.delete(s);
    this.plainSessions.delete(s);
  }

  /** `entry` was admitted with `creation` (which only member sessions are told). */
  joined(entry: PeerEntry, creation: number, except: Session): void {
    let text: Buffer | undefined;
    for (const o of this.plainSessions) if (o !== except) this.host.sendText(o, (text ??= encoded({ t: 'joined', peer: { ...entry } })));
    this.enqueue({ joined: { ...entry, creation } });
  }

  /**
   * The member sessions at the other end of a leaving node's channels hear of it at once, before
   * the relay closes those channels, so that they take it down with the relay's reason (a
   * closed channel alone would say `connection_closed`); the batch repeats it (skipped there).
   */
  leaving(name: string, reason: string, peers: Iterable<Session>): void {
    const told = new Set<Session>();
    let text: Buffer | undefined;
    for (const p of peers) {
      if (!p.members || told.has(p)) continue;
      if (told.size === 0) this.flush(); // its joined (still queued, maybe) goes first
      told.add(p);
      this.host.sendText(p, (text ??= encoded({ t: 'members', changes: [{ left: name, reason }] })));
    }
  }

  left(name: string, reason: string): void {
    let text: Buffer | undefined;
    for (const o of this.plainSessions) this.host.sendText(o, (text ??= encoded({ t: 'left', name })));
    this.enqueue({ left: name, reason });
  }

  private enqueue(c: MemberChange): void {
    this.queue.push(c);
    this.timer ??= this.clock.setTimeout(() => this.flush(), batchInterval(this.memberSessions.size, this.batchMs));
  }

  /** Send the queued changes to every member session. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const changes = this.queue;
    this.queue = [];
    if (changes.length === 0) return;
    const all = encoded({ t: 'members', changes });
    for (const s of this.memberSessions) {
      const from = s.membersFrom ?? 0;
      s.membersFrom = undefined;
      if (from === 0) this.host.sendText(s, all);
      else if (from < changes.length) this.host.sendText(s, JSON.stringify({ t: 'members', changes: changes.slice(from) } satisfies FromRelay));
    }
  }

  /** Stop (relay shutdown): nothing queued is sent. */
  stop(): void {
    this.memberSessions.clear();
    this.plainSessions.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }
}
