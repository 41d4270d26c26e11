/**
 * Erlang distribution capability flags (the DFLAG_* of OTP's lib/kernel/include/dist.hrl),
 * the set erlmesh offers to BEAM nodes, and the check of a peer's flags.
 *
 * Flags are 64 bits on the wire (handshake version 6); they are bigints here so that bit 32
 * and up (SPAWN, V4_NC) are exact.
 *
 * Invariants:
 * - `OUR_FLAGS` holds every flag OTP 25 makes mandatory (MANDATORY_DFLAGS_25), the digest
 *   bit that stands for them (DFLAG_MANDATORY_25_DIGEST is bit 26 as dist.hrl defines it;
 *   the protocol guide's `1 bsl 36` is wrong), and not PUBLISHED: a visible node adds it
 *   (beam-node.ts `visible`), and then answers `global` through global-stand-in.ts.
 * - A peer is accepted only when it has every mandatory flag, or the digest bit (which OTP
 *   25 and later accept as shorthand for all of them); the flags in force on a connection
 *   are ours and the peer's, the digest bit expanded.
 */

export const DFLAG = {
  PUBLISHED: 0x1n,
  ATOM_CACHE: 0x2n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  HIDDEN_ATOM_CACHE: 0x40n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  BIG_SEQTRACE_LABELS: 0x100000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 1n << 32n,
  NAME_ME: 2n << 32n,
  V4_NC: 4n << 32n,
  ALIAS: 8n << 32n,
} as const;

export type DFlagName = keyof typeof DFLAG;

/** MANDATORY_DFLAGS_25 of dist.hrl: what every OTP 25+ node requires of its peer. */
export const MANDATORY_25: bigint =
  DFLAG.EXTENDED_REFERENCES |
  DFLAG.FUN_TAGS |
  DFLAG.EXTENDED_PIDS_PORTS |
  DFLAG.NEW_FUN_TAGS |
  DFLAG.EXPORT_PTR_TAG |
  DFLAG.BIT_BINARIES |
  DFLAG.NEW_FLOATS |
  DFLAG.UTF8_ATOMS |
  DFLAG.MAP_TAG |
  DFLAG.BIG_CREATION |
  DFLAG.HANDSHAKE_23;

/**
 * The flags erlmesh sends: the mandatory set and its digest bit, the distribution header with
 * the atom cache and fragments (read on receive: dist-header.ts; erlmesh's own frames carry an
 * empty header and are never fragmented), monitors (by pid and by name), SPAWN (OTP 25's `rpc:call` is a spawn
 * request), UNLINK_ID and V4_NC (which OTP 26 requires). No PUBLISHED (a visible node adds it).
 */
export const OUR_FLAGS: bigint =
  MANDATORY_25 |
  DFLAG.MANDATORY_25_DIGEST |
  DFLAG.DIST_HDR_ATOM_CACHE |
  DFLAG.FRAGMENTS |
  DFLAG.DIST_MONITOR |
  DFLAG.DIST_MONITOR_NAME |
  DFLAG.SPAWN |
  DFLAG.UNLINK_ID |
  DFLAG.V4_NC;

/**
 * A peer's flags with the digest bit read as what it stands for: OTP 25 and later accept
 * DFLAG_MANDATORY_25_DIGEST as shorthand for every MANDATORY_25 flag (dist.hrl), and a
 * later OTP may send the digest bit alone.
 */
export function expandMandatory25(flags: bigint): bigint {
  return (flags & DFLAG.MANDATORY_25_DIGEST) !== 0n ? flags | MANDATORY_25 : flags;
}

/** The names of the mandatory flags `flags` lacks ([] when it has them all or the digest bit). */
export function missingMandatory(flags: bigint): DFlagName[] {
  return flagNames(MANDATORY_25 & ~expandMandatory25(flags));
}

/** The names of the known flags set in `flags`, lowest bit first. */
export function flagNames(flags: bigint): DFlagName[] {
  return (Object.keys(DFLAG) as DFlagName[]).filter((name) => (flags & DFLAG[name]) !== 0n);
}
