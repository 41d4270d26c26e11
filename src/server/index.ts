/**
 * erlmesh/server: the Node.js platform — server-nodes with the relay transport and direct
 * links, the relay itself, and the Node-only built-in modules.
 *
 * @module erlmesh/server
 */
export { startNode, defaultRelayUrl } from './start-node.js';
export type { ServerNodeOptions } from './start-node.js';
export type { BeamOptions } from './beam/attach.js';
export { startBeamGateway, type BeamGateway, type BeamGatewayOptions } from './beam/gateway.js';
export { serveBeamGateways, type BeamGatewayService, type BeamGatewayServiceOptions } from './beam/gateway-service.js';
export { startRelay, DEFAULT_RELAY_PORT } from './relay/index.js';
export type { Relay, RelayStats, RelayOptions, RelayLogLine, RelayLogger, RelayInfo } from './relay/index.js';
export { probeRelay, type RelayProbe } from './relay-probe.js';
export { readOrCreateCookie, defaultCookiePath } from './cookie.js';
export { mintTicket, ticketKeySync } from './tickets.js';
export type { MintTicketOptions } from '../core/trust/ticket.js';
export { file, loadServerModules } from './modules.js';
export { wsChannel } from './transports/ws-channel.js';
export type { WsSocket } from './transports/ws-channel.js';
export { setBusyWait, DEFAULT_BUSY_WAIT_MS } from './busy-wait.js';
export { RelayTransport } from '../core/relay-client/relay-transport.js';
export type { RelayTransportOptions, DirectLinks } from '../core/relay-client/relay-transport.js';
export { startObserver } from './observer/start-observer.js';
export type { Observer, ObserverOptions, RelayView } from './observer/types.js';
