/**
 * erlmesh/browser: tab-nodes. Everything of `erlmesh` plus a `startNode` that connects the
 * tab to the relay with the browser's WebSocket and wires the page lifecycle.
 *
 * @module erlmesh/browser
 */
// Everything the core exports (src/core/index.ts lists it by name), with this entry's own
// `startNode`: a local export takes precedence over the same name from `export *`.
export * from '../core/index.js';
export { startNode } from './tab-node.js';
export type { TabNodeOptions } from './tab-node.js';
