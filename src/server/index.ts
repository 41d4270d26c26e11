/**
 * erlmesh/server: the Node.js platform — server-nodes with the relay transport and direct
 * links, the relay itself, and the Node-only built-in modules.
 */
export * from './relay/index.js';
export { startNode, shortHostname, relayUrl, DEFAULT_RELAY } from './node.js';
export type { ServerNodeOptions } from './node.js';
export { startDirectLinks, DIRECT_PATH } from './direct-links.js';
export type { DirectLinksOptions } from './direct-links.js';
export { readOrCreateCookie, defaultCookiePath } from './cookie.js';
export { mintTicket, ticketKeySync } from './tickets.js';
export type { MintTicketOptions } from '../core/security/ticket.js';
export { file, loadServerModules } from './modules.js';
export { wsChannel } from './ws-channel.js';
export { setBusyWait, busyWait, DEFAULT_BUSY_WAIT_MS } from './busy-wait.js';
export { RelayTransport } from '../core/relay/relay-transport.js';
export type { RelayTransportOptions, DirectLinks } from '../core/relay/relay-transport.js';
