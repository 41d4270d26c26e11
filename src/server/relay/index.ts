/**
 * The erlmesh relay (epmd + cookie check + router over WebSocket): `startRelay`.
 */
export { startRelay, type Relay, type RelayStats } from './relay.js';
export type { RelayOptions, RelayLogLine, RelayLogger } from './options.js';
export { DEFAULT_RELAY_PORT, RELAY_PORT_ENV, defaultRelayPort } from './options.js';
export { RELAY_INFO_PATH, type RelayInfo } from './http-api.js';
export { KICK_CODE, PROTOCOL_ERROR } from './router.js';
export { nextCreation, relayProof } from './admission.js';
export {
  CLOSE_CODES,
  RELAY_PATH,
  RELAY_PROTOCOL_VERSION,
  type PeerEntry,
  type RelayRefusal,
} from '../../core/relay-client/protocol.js';
