/**
 * pg, the process groups service: `pgService(init)` gives the factory the composition root
 * calls with the node's host; the node's `pg` is the default scope it returns.
 *
 * @example
 * const pg = pgService()(host);   // the default scope, 'pg'
 * pg.scope('s2');                 // another scope on the same node
 */
import { Pg } from './pg.js';
import type { PgHost, PgInit } from './types.js';

export { Pg } from './pg.js';
export type { PgEvent, PgGroupSubscription, PgHost, PgInit, PgListener, PgScopeSubscription } from './types.js';

/** The pg service over `host`: its default scope (`init.scope`, default `'pg'`), started. */
export function pgService(init: PgInit = {}): (host: PgHost) => Pg {
  return (host) => new Pg(host, init.scope ?? 'pg');
}
