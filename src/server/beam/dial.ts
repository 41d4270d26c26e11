/**
 * Setting up one distribution connection over TCP, in either role, with a time limit.
 *
 * Dialling `alive@host`: ask epmd on `host` for the port of `alive` (PORT_PLEASE2), connect,
 * run the initiator's handshake. Accepting: run the acceptor's handshake on a socket a
 * listener got. Either way a BeamConnection comes out, or the socket is destroyed and the
 * error says why.
 *
 * Invariants: the whole handshake has one deadline (7 s by default, as OTP's
 * net_setuptime), on the injected clock; when it passes the socket is destroyed and the
 * error is `timeout`, whatever the half-done handshake then reports; a node epmd does not
 * know is `beam_node_unknown`; a node that does not speak version 6 is `incompatible_version`.
 */
import { connect, type Socket } from 'node:net';
import { realClock, type Clock } from '../../core/base/clock.js';
import { ErlmeshError } from '../../core/base/errors.js';
import { BeamConnection } from './connection.js';
import { lookupAtEpmd } from './epmd.js';
import { OUR_FLAGS } from './flags.js';
import { acceptHandshake, initiateHandshake, isNodeName, type Admission, type Handshaken, type HandshakeSelf } from './handshake.js';
import { PacketSocket } from './packet-socket.js';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 7_000;

/** What both roles need besides the socket. */
export interface SetupOptions {
  /** This node: name, cookie, creation (flags default to OUR_FLAGS). */
  self: Omit<HandshakeSelf, 'flags'> & { flags?: bigint };
  /** net_ticktime in seconds (default 60). */
  netTicktime?: number;
  /** Deadline of the whole handshake (default 7,000 ms). */
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
  clock?: Clock;
}

export interface DialOptions extends SetupOptions {
  /** epmd's port on the peer's host (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  /** Send the old v5 'n' send_name instead of 'N' (only to test acceptors). */
  sendNameVersion?: 5 | 6;
  /** Called with the socket once it exists, so that a caller can abort the attempt. */
  onSocket?: (socket: Socket) => void;
  /** Whether a connection with the peer is up already (answers the peer's `alive`, handshake.ts). */
  isUp?: () => boolean;
}

/** `['alive', 'host']` of `alive@host`; badarg otherwise. */
export function splitNodeName(name: string): [alive: string, host: string] {
  if (!isNodeName(name)) throw new ErlmeshError('badarg', `${JSON.stringify(name)} is not a node name (name@host)`);
  const at = name.indexOf('@');
  return [name.slice(0, at), name.slice(at + 1)];
}

function selfOf(o: SetupOptions): HandshakeSelf {
  return { ...o.self, flags: o.self.flags ?? OUR_FLAGS };
}

/** Runs `handshake` on `socket` within the deadline; the socket is destroyed when it fails. */
async function underDeadline(socket: Socket, o: SetupOptions, peer: string, handshake: (p: PacketSocket) => Promise<Handshaken>): Promise<BeamConnection> {
  const clock = o.clock ?? realClock;
  const ms = o.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const packets = new PacketSocket(socket);
  let late = false;
  const timer = clock.setTimeout(() => {
    late = true;
    socket.destroy();
  }, ms);
  try {
    const hs = await handshake(packets);
    return new BeamConnection(o.self.name, hs, packets, { clock, netTicktime: o.netTicktime, maxFrameBytes: o.maxFrameBytes });
  } catch (e) {
    socket.destroy();
    if (late) throw new ErlmeshError('timeout', `no complete distribution handshake with ${peer} within ${ms} ms`, { peer });
    throw e;
  } finally {
    clock.clearTimeout(timer);
  }
}

function tcpConnect(host: string, port: number, onSocket?: (s: Socket) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    onSocket?.(socket);
    const aborted = (): void => reject(new ErlmeshError('closed', `the connection attempt to ${host}:${port} was abandoned`, { host, port }));
    socket.once('close', aborted);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      socket.removeListener('close', aborted);
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      reject(new ErlmeshError('nodedown', `cannot reach ${host}:${port} (${e.code ?? e.message})`, { host, port }));
    });
  });
}

/** Dials the BEAM node `peer` (`alive@host`) and runs the initiator's handshake. */
export async function dialBeam(peer: string, o: DialOptions): Promise<BeamConnection> {
  const [alive, host] = splitNodeName(peer);
  const found = await lookupAtEpmd(alive, { host, port: o.epmdPort });
  if (!found) throw new ErlmeshError('beam_node_unknown', `epmd on ${host} knows no node named ${alive}`, { peer });
  if (found.highestVersion < 6) {
    throw new ErlmeshError('incompatible_version', `${peer} speaks distribution versions ${found.lowestVersion}–${found.highestVersion}; erlmesh needs 6 (OTP 23 and later)`, { peer });
  }
  const socket = await tcpConnect(host, found.port, o.onSocket);
  return underDeadline(socket, o, peer, (p) => initiateHandshake(p, selfOf(o), peer, o.sendNameVersion ?? 6, o.isUp));
}

/** Runs the acceptor's handshake on a socket a listener accepted. */
export function acceptBeam(socket: Socket, o: SetupOptions, admit?: (peer: string) => Admission): Promise<BeamConnection> {
  socket.setNoDelay(true);
  return underDeadline(socket, o, 'a connecting node', (p) => acceptHandshake(p, selfOf(o), admit));
}

/** A random 32-bit creation other than 0 (which OTP reads as "unknown"). */
export function randomCreation(): number {
  return 1 + Math.floor(Math.random() * 0xfffffffe);
}

export interface ConnectBeamOptions {
  /** This node's full name, `js@host`. */
  localName: string;
  /** The BEAM node to reach, `e@host`. */
  peer: string;
  cookie: string;
  /** 32-bit creation of this node (default random). */
  creation?: number;
  /** epmd's port on the peer's host (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  netTicktime?: number;
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
  clock?: Clock;
}

/**
 * One connection to a BEAM node without listening for any (no epmd registration, so no
 * simultaneous-connect arbitration: use BeamNode.connect for that).
 */
export function connectBeam(o: ConnectBeamOptions): Promise<BeamConnection> {
  return dialBeam(o.peer, {
    self: { name: o.localName, cookie: o.cookie, creation: o.creation ?? randomCreation() },
    epmdPort: o.epmdPort,
    netTicktime: o.netTicktime,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    maxFrameBytes: o.maxFrameBytes,
    clock: o.clock,
  });
}
