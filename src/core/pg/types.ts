/**
 * The types of pg's public API and what pg needs from its host.
 */
import type { ServiceHost } from '../interfaces/service-host.js';
import type { Matcher } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';

/** A membership change: `[ref, 'join' | 'leave', group, pids]` (Erlang's `{Ref, join, Group, Pids}`). */
export type PgEvent = [ref: Ref, kind: 'join' | 'leave', group: string, pids: Pid[]];

/** A listener for the callback forms of `monitorScope` and `monitor`. */
export type PgListener = (ev: PgEvent) => void;

/** What the callback form of `monitorScope` returns. */
export interface PgScopeSubscription {
  ref: Ref;
  /** Every group with its members at the time of the call. */
  groups: Map<string, Pid[]>;
  /** Stop the events (same as `demonitor(ref)`). */
  off(): void;
}

/** What the callback form of `monitor` returns. */
export interface PgGroupSubscription {
  ref: Ref;
  /** The group's members at the time of the call. */
  members: Pid[];
  off(): void;
}

/** Options of `pgService`. */
export interface PgInit {
  /** The name of the scope the service starts with; default `'pg'`. */
  scope?: string;
}

/** What pg uses of its node. */
export interface PgHost
  extends Pick<
    ServiceHost,
    'name' | 'log' | 'nodes' | 'isConnected' | 'monitorNodes' | 'makeRef' | 'startService' | 'policyOf' | 'refused'
  > {
  /**
   * Remove from the mailbox of the live local process `pid` every queued message `match`
   * accepts (nothing for any other pid). `demonitor` uses it to take back the events of a watch
   * that are still queued in the watcher, as OTP's `pg:demonitor/2` flushes them in the caller.
   */
  dropQueued(pid: Pid, match: Matcher): void;
}
