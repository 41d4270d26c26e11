/**
 * erlmesh/browser: tab-nodes. Everything of `erlmesh` plus a `startNode` that connects the
 * tab to the relay with the browser's WebSocket and wires the page lifecycle.
 *
 * @module erlmesh/browser
 */
export * from '../core/index.js';
export { startNode } from './tab-node.js';
export type { TabNodeOptions } from './tab-node.js';
export { nobleCrypto, tabCrypto } from './crypto.js';
