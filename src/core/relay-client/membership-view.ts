/**
 * A node's view of the relay's membership (protocol.ts "Membership"), for a session on which
 * both sides said `members`: it turns the welcome's snapshot, the batched `members` changes,
 * `joined` after a heal, `partitioned` and the loss of the socket into `MembershipChange`s for
 * the node (net/transport.ts `ListenOptions.onMembers`), and ticks with the relay: a `ping`
 * every tick interval, and a relay heard from in none of TICKS_TO_TIMEOUT intervals is closed
 * (then every member leaves with `net_tick_timeout`).
 *
 * Invariants: a member is reported joined once per creation and left once; a change about
 * this node itself is skipped; when the session ends, every member still listed leaves.
 */
import type { Clock, TimerHandle } from '../base/clock.js';
import type { Member, MembershipChange } from '../net/transport.js';
import type { MemberChange, PeerEntry } from './protocol.js';

/** Silent tick intervals after which the relay is taken for gone (as net_kernel's ticks). */
export const RELAY_TICKS_TO_TIMEOUT = 4;

export interface MembershipViewEnv {
  clock: Clock;
  /** This node's name (changes about it are skipped). */
  self: string;
  /** This node has direct links: members with a direct address are reached over them. */
  direct: boolean;
  tickMs: number;
  /** `snapshot`: the changes are a registration's snapshot. */
  report(changes: MembershipChange[], snapshot: boolean): void;
  /** Send a relay `ping`. */
  ping(): void;
  /** The relay went silent: close the socket. */
  silent(): void;
}

export class MembershipView {
  private readonly members = new Map<string, Member>();
  private timer: TimerHandle | undefined;
  private heardSinceTick = true;
  private silentTicks = 0;
  private timedOut = false;

  constructor(private readonly env: MembershipViewEnv) {}

  private member(p: PeerEntry): Member {
    const m: Member = {
      name: p.name,
      creation: typeof p.creation === 'number' ? p.creation : 0,
      hidden: p.hidden === true,
      connectAll: p.connectAll !== false,
      relayed: !(this.env.direct && typeof p.direct === 'string'),
      vouched: p.vouched === true,
    };
    if (typeof p.role === 'string') m.role = p.role;
    return m;
  }

  /** The welcome's snapshot: the session starts (ticks too). */
  snapshot(peers: PeerEntry[]): void {
    this.timedOut = false;
    this.heardSinceTick = true;
    this.silentTicks = 0;
    this.arm();
    this.apply(peers.map((p) => ({ joined: p })), true);
  }

  /** Changes from the relay (`members`; `joined` / `left` said singly). */
  apply(changes: MemberChange[], snapshot = false): void {
    const out: MembershipChange[] = [];
    for (const c of changes) {
      if ('joined' in c) {
        const p = c.joined;
        if (!p || typeof p.name !== 'string' || p.name === this.env.self) continue;
        const m = this.member(p);
        const old = this.members.get(m.name);
        if (old && old.creation === m.creation) continue;
        if (old) out.push({ left: old.name, reason: 'connection_closed' });
        this.members.set(m.name, m);
        out.push({ joined: m });
      } else if (typeof c.left === 'string' && this.members.delete(c.left)) {
        out.push({ left: c.left, reason: typeof c.reason === 'string' ? c.reason : 'connection_closed' });
      }
    }
    if (out.length || snapshot) this.env.report(out, snapshot);
  }

  /** `partitioned`: the peers across the cut are gone from this node's view until `joined`. */
  cut(peers: string[]): void {
    this.apply(peers.map((name) => ({ left: name, reason: 'connection_closed' })));
  }

  /** Anything from the relay: it is alive. */
  heard(): void {
    this.heardSinceTick = true;
  }

  /** The session ended: every member leaves. */
  lost(): void {
    this.stop();
    const reason = this.timedOut ? 'net_tick_timeout' : 'connection_closed';
    this.apply([...this.members.keys()].map((name) => ({ left: name, reason })));
  }

  stop(): void {
    if (this.timer !== undefined) this.env.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.stop();
    this.timer = this.env.clock.setTimeout(() => this.tick(), this.env.tickMs);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.heardSinceTick) this.silentTicks = 0;
    else this.silentTicks++;
    this.heardSinceTick = false;
    if (this.silentTicks >= RELAY_TICKS_TO_TIMEOUT) {
      this.timedOut = true;
      this.env.silent();
      return;
    }
    this.env.ping();
    this.arm();
  }
}
