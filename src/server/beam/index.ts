/**
 * Erlang distribution with BEAM nodes (issue 14), transport half: epmd, the OTP 25
 * handshake in both roles, framing and ticks. Internal to src/server until the node runtime
 * is wired to it; nothing here is exported from a package entry point yet.
 */
export { listenBeam, BeamNode, type ListenBeamOptions } from './beam-node.js';
export { connectBeam, type ConnectBeamOptions } from './dial.js';
export { BeamConnection, PASS_THROUGH, DEFAULT_NET_TICKTIME, type BeamCloseReason } from './connection.js';
export { registerAtEpmd, lookupAtEpmd, epmdNames, epmdPortFromEnv, EPMD_DEFAULT_PORT, type EpmdRegistration, type EpmdNode } from './epmd.js';
export { DFLAG, OUR_FLAGS, MANDATORY_25, expandMandatory25, missingMandatory, flagNames } from './flags.js';
