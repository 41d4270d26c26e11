/**
 * The types of pg's public API and what pg needs from its host.
 */
import type { ServiceHost } from '../interfaces/service-host.js';
import type { Matcher } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';

/** The event and subscription types of pg's public API: one definition, in interfaces/pg-api.ts. */
export type { PgEvent, PgGroupSubscription, PgListener, PgScopeSubscription } from '../interfaces/pg-api.js';

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
