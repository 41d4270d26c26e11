/**
 * `erlmesh` as resolved in Node.js (the "node" export condition): the platform-free API with
 * the server-node `startNode` (cookie file, relay defaults, direct links), so that
 * `import { startNode } from 'erlmesh'` in Node.js gives the same node as 'erlmesh/server'.
 */
// Everything the core exports (src/core/index.ts lists it by name), with this entry's own
// `startNode` and `mintTicket`: a local export takes precedence over the same name from `export *`.
export * from '../core/index.js';
export { startNode } from './start-node.js';
export type { ServerNodeOptions } from './start-node.js';
// In Node the ticket minter is synchronous (node:crypto); `await mintTicket(…)` works with either.
export { mintTicket } from './tickets.js';
