/** The global service: `globalService(init)(host)` builds a node's `Global` over its host. */
import { Global, type GlobalInit } from './global.js';
import type { GlobalHost } from './host.js';

export function globalService(init: GlobalInit = {}): (host: GlobalHost) => Global {
  return (host) => new Global(host, init);
}

export { Global, type GlobalInit, type Resolve } from './global.js';
export type { GlobalHost } from './host.js';
export type { LockId } from './locks.js';
export type { ResolveFn } from './state.js';
export { SERVER_NAME } from './protocol.js';
