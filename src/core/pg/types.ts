/**
 * The types of pg's public API and what pg needs from its host.
 */
import type { ServiceHost } from '../interfaces/service-host.js';

/** The event and subscription types of pg's public API: one definition, in interfaces/pg-api.ts. */
export type { PgEvent, PgGroupSubscription, PgListener, PgScopeSubscription } from '../interfaces/pg-api.js';

/** Options of `pgService`. */
export interface PgInit {
  /** The name of the scope the service starts with; default `'pg'`. */
  scope?: string;
}

/**
 * What pg uses of its node. `dropQueued`: `demonitor` takes back the events of a watch still
 * queued in the watcher, as OTP's `pg:demonitor/2` flushes them in the caller.
 */
export type PgHost = Pick<
  ServiceHost,
  'name' | 'log' | 'nodes' | 'isConnected' | 'isVouched' | 'monitorNodes' | 'makeRef' | 'startService' | 'dropQueued' | 'policyOf' | 'refused'
>;
