/**
 * Erlang distribution with BEAM nodes (issue 14): epmd, the OTP 25 handshake in both roles,
 * framing and ticks, and the bridge that makes a server-node started with `beam` a visible (or hidden)
 * Erlang node (attach.ts). Used through startNode's `beam` option; nothing here is exported
 * from a package entry point.
 */
export { listenBeam, BeamNode, type ListenBeamOptions } from './beam-node.js';
export { connectBeam, type ConnectBeamOptions } from './dial.js';
export { BeamConnection, PASS_THROUGH, DEFAULT_NET_TICKTIME, type BeamCloseReason } from './connection.js';
export { registerAtEpmd, lookupAtEpmd, epmdNames, epmdPortFromEnv, EPMD_DEFAULT_PORT, type EpmdRegistration, type EpmdNode } from './epmd.js';
export { DFLAG, OUR_FLAGS, MANDATORY_25, expandMandatory25, missingMandatory, flagNames } from './flags.js';
export { attachBeam, ensureEpmd, checkBeamOptions, type BeamOptions } from './attach.js';
export { BeamBridge } from './bridge.js';
export { startBeamGateway, type BeamGateway, type BeamGatewayOptions } from './gateway.js';
export { serveBeamGateways, type BeamGatewayService, type BeamGatewayServiceOptions } from './gateway-service.js';
