/**
 * erlmesh/server: the Node.js platform — server-nodes with the relay transport and direct
 * links, the relay itself, and the Node-only built-in modules.
 *
 * @module erlmesh/server
 */
export * from './relay/index.js';
export { startNode, shortHostname, relayUrl, DEFAULT_RELAY, defaultRelayUrl } from './start-node.js';
export { probeRelay, type RelayProbe } from './relay-probe.js';
export type { ServerNodeOptions } from './start-node.js';
export { startDirectLinks, DIRECT_PATH } from './transports/direct-links.js';
export type { DirectLinksOptions } from './transports/direct-links.js';
export { readOrCreateCookie, defaultCookiePath } from './cookie.js';
export { mintTicket, ticketKeySync } from './tickets.js';
export type { MintTicketOptions } from '../core/trust/ticket.js';
export { file, loadServerModules } from './modules.js';
export { wsChannel } from './transports/ws-channel.js';
export type { WsSocket } from './transports/ws-channel.js';
export { setBusyWait, busyWait, DEFAULT_BUSY_WAIT_MS } from './busy-wait.js';
export { RelayTransport } from '../core/relay-client/relay-transport.js';
export type { RelayTransportOptions, DirectLinks } from '../core/relay-client/relay-transport.js';
