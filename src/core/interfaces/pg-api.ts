/**
 * The public API of pg (`node.pg` and its scopes), Erlang's process groups; pg/ implements it.
 * Types only.
 */
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { Self } from './self.js';

/**
 * A membership change: `[ref, 'join' | 'leave', group, pids]` (Erlang's `{Ref, join, Group, Pids}`).
 *
 * @example
 * node.pg.monitor(([, kind, group, pids]: PgEvent) => console.log(kind, group, pids.length), 'workers');
 */
export type PgEvent = [ref: Ref, kind: 'join' | 'leave', group: string, pids: Pid[]];

/**
 * A listener for the callback forms of `monitorScope` and `monitor`.
 *
 * @example
 * const log: PgListener = ([, kind, group]) => console.log(kind, group);
 * const sub = node.pg.monitorScope(log);
 */
export type PgListener = (ev: PgEvent) => void;

/**
 * What the callback form of `monitorScope` returns.
 *
 * @example
 * const sub: PgScopeSubscription = node.pg.monitorScope((ev) => console.log(ev));
 * console.log([...sub.groups.keys()]);
 * sub.off();
 */
export interface PgScopeSubscription {
  ref: Ref;
  /** Every group with its members at the time of the call. */
  groups: Map<string, Pid[]>;
  /** Stop the events (same as `demonitor(ref)`). */
  off(): void;
}

/**
 * What the callback form of `monitor` returns.
 *
 * @example
 * const sub: PgGroupSubscription = node.pg.monitor((ev) => console.log(ev), 'workers');
 * console.log(sub.members.length);
 * sub.off();
 */
export interface PgGroupSubscription {
  ref: Ref;
  /** The group's members at the time of the call. */
  members: Pid[];
  off(): void;
}

/**
 * One pg scope on one node (`node.pg` is the default scope).
 *
 * @example
 * node.pg.join('workers', self.pid);
 * node.pg.getMembers('workers');          // every member, cluster-wide
 * node.pg.scope('chat').whichGroups();
 */
export interface PgApi {
  /** The scope's name (`'pg'` for the default scope). */
  readonly scopeName: string;
  scope(name: string): PgApi;
  join(group: string, pidOrPids: Pid | readonly Pid[]): 'ok';
  leave(group: string, pidOrPids: Pid | readonly Pid[]): 'ok' | 'not_joined';
  getMembers(group: string): Pid[];
  getLocalMembers(group: string): Pid[];
  whichGroups(): string[];
  monitorScope(subscriber: Self | Pid): [Ref, Map<string, Pid[]>];
  monitorScope(listener: PgListener): PgScopeSubscription;
  monitor(subscriber: Self | Pid, group: string): [Ref, Pid[]];
  monitor(listener: PgListener, group: string): PgGroupSubscription;
  demonitor(ref: Ref): 'ok' | false;
}
