/**
 * The erlmesh relay (epmd + cookie check + router over WebSocket): `startRelay`.
 */
export { startRelay, type Relay, type RelayStats } from './relay.js';
export type { RelayOptions, RelayLogLine, RelayLogger } from './options.js';
export { KICK_CODE, PROTOCOL_ERROR } from './router.js';
export { nextCreation, relayProof } from './admission.js';
export {
  CLOSE_CODES,
  RELAY_PATH,
  RELAY_PROTOCOL_VERSION,
  type PeerEntry,
  type RelayRefusal,
} from '../../core/relay-client/protocol.js';
