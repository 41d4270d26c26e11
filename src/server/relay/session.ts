/**
 * The relay's per-socket state, shared by the router (router.ts) and its back-pressure
 * (flow-control.ts): `Conn` is the socket as they see it, `Session` a node's session on it,
 * `RoutedChannel` one channel between two sessions.
 */
import type { PeerEntry } from '../../core/relay-client/protocol.js';

/** The socket under a session, as the router sees it. */
export interface Conn {
  readonly remote: string;
  /** Bytes queued for this socket and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Send one text message. */
  send(data: string | Buffer): void;
  /** Send one binary message. */
  sendBinary(data: Buffer): void;
  /** Stop reading this socket (back-pressure towards its node) / read again. */
  pauseReading(): void;
  resumeReading(): void;
  /** Called (possibly often) when this socket's backlog has been written out. */
  onDrain(fn: () => void): void;
  /** Start the close handshake; the socket is destroyed if it does not finish soon. */
  close(code: number, reason: string): void;
  /** Destroy the socket now. */
  terminate(): void;
  /** Called once, when the session is admitted. */
  admitted(): void;
}

export interface Session {
  readonly conn: Conn;
  readonly nonce: string;
  state: 'pending' | 'registered' | 'gone';
  entry: PeerEntry | undefined;
  /** The node takes binary data messages (it said `bin` when registering). */
  bin: boolean;
  /** The node gets membership (`members` messages) instead of `joined` / `left` (it said `members`). */
  members?: boolean;
  /** A node of another relay of the cluster: that relay's id (cluster/remote-nodes.ts); absent: a local node. */
  remote?: string;
  /** The name being claimed in the cluster for this session, until its welcome (router.ts). */
  claiming?: string | undefined;
  /** The creation handed out at admission. */
  creation?: number;
  /** Membership changes queued before this session's welcome, which it must not get (membership.ts). */
  membersFrom?: number;
  readonly channels: Map<number, RoutedChannel>;
  /** Ids of channels this session was an endpoint of and that are closed (most recent last). */
  readonly recentClosed: Set<number>;
  /** Greatest id evicted from `recentClosed` (0: none): frames on lower ids are given the benefit of the doubt. */
  evictedMax: number;
  /** Senders paused because this session's backlog is above the high-water mark. */
  blocking?: Set<Session>;
  /** How many receivers currently hold this session paused. */
  pausedBy?: number;
  /** When this session went above the high-water mark (for the slow-consumer cut). */
  highSince?: number;
  /** The slow-consumer timer of the current above-the-mark episode (cleared when it drains). */
  slowTimer?: unknown;
}

/** A channel the relay routes between two registered sessions (not core's `Channel`). */
export interface RoutedChannel {
  readonly id: number;
  readonly a: Session;
  readonly b: Session;
}

/** How many closed channel ids a session remembers, to tell late frames from foreign ones. */
const RECENT_CLOSED_MAX = 4096;

/** Remember that channel `id` of `s` is closed (a late frame on it is dropped, not a protocol error). */
export function forgetChannel(s: Session, id: number): void {
  s.recentClosed.add(id);
  if (s.recentClosed.size > RECENT_CLOSED_MAX) {
    const oldest = s.recentClosed.values().next().value as number;
    s.recentClosed.delete(oldest);
    s.evictedMax = Math.max(s.evictedMax, oldest);
  }
}

/** `o`'s entry as told to `viewer`: members get its creation, and whether it is vouched for (protocol.ts "Membership"). */
export function entryFor(viewer: Session, o: Session): PeerEntry {
  const e = { ...(o.entry as PeerEntry) };
  return viewer.members ? { ...e, creation: o.creation, ...(o.members && e.role === undefined ? { vouched: true as const } : {}) } : e;
}

/** A session's name and remote address, for log lines. */
export function who(s: Session): { name?: string; remote: string } {
  return s.entry ? { name: s.entry.name, remote: s.conn.remote } : { remote: s.conn.remote };
}

/** A registered session's entry as its `joined` says it: vouched for when a cookie holder that takes part in membership. */
export function memberEntry(s: Session): PeerEntry {
  const e = s.entry as PeerEntry;
  return s.members && e.role === undefined ? { ...e, vouched: true } : e;
}
