/**
 * A client of epmd, the Erlang port mapper daemon (erl_dist_protocol, "EPMD Protocol").
 *
 * Requests carry a 2-byte length prefix; replies do not.
 *
 *   ALIVE2_REQ 'x' PortNo(2) NodeType(1) Protocol(1) Highest(2) Lowest(2) Nlen(2) Name Elen(2) Extra
 *     → ALIVE2_X_RESP 'v' Result(1) Creation(4)   (older epmds: ALIVE2_RESP 'y' Result(1) Creation(2))
 *   PORT_PLEASE2_REQ 'z' Name
 *     → PORT2_RESP 'w' Result(1) [PortNo(2) NodeType(1) Protocol(1) Highest(2) Lowest(2) Nlen(2) Name Elen(2) Extra]
 *   NAMES_REQ 'n'  → EpmdPort(4) then "name N at port P\n" lines, until epmd closes.
 *
 * Invariants: a registration lives exactly as long as its TCP connection (epmd unregisters
 * the name when it closes), so `EpmdRegistration.close()` is the unregister; erlmesh
 * registers as a normal node (NodeType 77) or, when it is hidden, as a hidden one (72),
 * speaking version 6 only. epmd's port is
 * `$ERL_EPMD_PORT` when set, else 4369. No reply within `timeoutMs` is `epmd_unreachable`.
 */
import { connect, type Socket } from 'node:net';
import { ErlmeshError } from '../../core/base/errors.js';

export const EPMD_DEFAULT_PORT = 4369;

const ALIVE2_REQ = 120;
const ALIVE2_X_RESP = 118;
const ALIVE2_RESP = 121;
const PORT_PLEASE2_REQ = 122;
const PORT2_RESP = 119;
const NAMES_REQ = 110;
const NODE_TYPE_HIDDEN = 72;
const NODE_TYPE_NORMAL = 77;
const DIST_VERSION = 6;

/** epmd's port: `$ERL_EPMD_PORT` when it is set (and a port number), else 4369. */
export function epmdPortFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env['ERL_EPMD_PORT'];
  if (raw === undefined || raw === '') return EPMD_DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ErlmeshError('badarg', `ERL_EPMD_PORT must be a port number, not ${JSON.stringify(raw)}`);
  }
  return port;
}

export interface EpmdAddress {
  /** Where epmd runs: 127.0.0.1 for this machine's. */
  host?: string;
  /** Default `$ERL_EPMD_PORT` or 4369. */
  port?: number;
  /** How long to wait for epmd's answer (default 5,000 ms). */
  timeoutMs?: number;
}

/** A name registered at epmd; `close()` unregisters it. */
export interface EpmdRegistration {
  /** The creation epmd gave this incarnation of the name. */
  readonly creation: number;
  /** Settles when the registration ends (closed here, or epmd went away). */
  readonly ended: Promise<void>;
  close(): void;
}

/** What epmd knows of a registered node (PORT2_RESP). */
export interface EpmdNode {
  port: number;
  nodeType: number;
  protocol: number;
  highestVersion: number;
  lowestVersion: number;
  name: string;
}

function where(a: EpmdAddress): { host: string; port: number; timeoutMs: number } {
  return { host: a.host ?? '127.0.0.1', port: a.port ?? epmdPortFromEnv(), timeoutMs: a.timeoutMs ?? 5_000 };
}

function unreachable(host: string, port: number, cause: string): ErlmeshError {
  return new ErlmeshError(
    'epmd_unreachable',
    `no epmd answers at ${host}:${port} (${cause}); start one with \`epmd -daemon\`, or point ERL_EPMD_PORT at the one you run`,
    { host, port },
  );
}

function withLength(body: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  out.set(body, 2);
  return out;
}

/**
 * One request to epmd. `complete` says when the bytes read so far are the whole reply (for
 * replies that end when epmd closes, it returns false until then). Resolves with the socket
 * still open when `keepOpen`.
 */
function ask(a: EpmdAddress, request: Uint8Array, complete: (reply: Buffer, ended: boolean) => boolean, keepOpen = false): Promise<{ reply: Buffer; socket: Socket }> {
  const { host, port, timeoutMs } = where(a);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = Buffer.alloc(0);
    let settled = false;
    const settle = (err: ErlmeshError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        if (!keepOpen) socket.destroy();
        resolve({ reply, socket });
      }
    };
    const timer = setTimeout(() => settle(unreachable(host, port, `no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => socket.write(withLength(request)));
    socket.on('data', (d: Buffer) => {
      reply = Buffer.concat([reply, d]);
      if (complete(reply, false)) settle(undefined);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => settle(unreachable(host, port, e.code ?? e.message)));
    socket.on('close', () => {
      if (complete(reply, true)) settle(undefined);
      else settle(unreachable(host, port, reply.length === 0 ? 'it closed the connection without answering' : 'its answer was cut short'));
    });
  });
}

/**
 * Registers `alive` (the part of a node name before '@') at epmd as a node listening on
 * `listenPort`, hidden (NodeType 72) unless `a.hidden` is false. Throws `epmd_name_taken` when
 * another node holds the name.
 */
export async function registerAtEpmd(alive: string, listenPort: number, a: EpmdAddress & { hidden?: boolean } = {}): Promise<EpmdRegistration> {
  const name = Buffer.from(alive, 'utf8');
  const req = Buffer.alloc(13 + name.length + 2);
  req[0] = ALIVE2_REQ;
  req.writeUInt16BE(listenPort, 1);
  req[3] = a.hidden === false ? NODE_TYPE_NORMAL : NODE_TYPE_HIDDEN;
  req[4] = 0; // protocol: TCP/IPv4
  req.writeUInt16BE(DIST_VERSION, 5);
  req.writeUInt16BE(DIST_VERSION, 7);
  req.writeUInt16BE(name.length, 9);
  name.copy(req, 11);
  req.writeUInt16BE(0, 11 + name.length); // no Extra
  const { host, port } = where(a);
  const { reply, socket } = await ask(
    a,
    req.subarray(0, 13 + name.length),
    (r) => (r[0] === ALIVE2_X_RESP && r.length >= 6) || (r[0] === ALIVE2_RESP && r.length >= 4) || (r.length >= 2 && r[1] !== 0),
    true,
  );
  if (reply[0] !== ALIVE2_X_RESP && reply[0] !== ALIVE2_RESP) {
    socket.destroy();
    throw unreachable(host, port, `it answered ALIVE2_REQ with tag ${reply[0]}`);
  }
  if (reply[1] !== 0) {
    socket.destroy();
    throw new ErlmeshError('epmd_name_taken', `epmd at ${host}:${port} refused the name ${alive}: another node is registered under it`, { name: alive });
  }
  const creation = reply[0] === ALIVE2_X_RESP ? reply.readUInt32BE(2) : reply.readUInt16BE(2);
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {}); // a registration that fails just ends
  return { creation, ended, close: () => void socket.destroy() };
}

/** Asks epmd at `a.host` where the node `alive` listens; undefined when it knows no such name. */
export async function lookupAtEpmd(alive: string, a: EpmdAddress = {}): Promise<EpmdNode | undefined> {
  const name = Buffer.from(alive, 'utf8');
  const req = Buffer.alloc(1 + name.length);
  req[0] = PORT_PLEASE2_REQ;
  name.copy(req, 1);
  const { reply } = await ask(a, req, (r, ended) => ended || (r.length >= 2 && r[1] !== 0));
  const { host, port } = where(a);
  if (reply[0] !== PORT2_RESP || reply.length < 2) throw unreachable(host, port, `it answered PORT_PLEASE2_REQ with tag ${reply[0]}`);
  if (reply[1] !== 0) return undefined;
  if (reply.length < 12) throw unreachable(host, port, 'its PORT2_RESP was cut short');
  const nlen = reply.readUInt16BE(10);
  return {
    port: reply.readUInt16BE(2),
    nodeType: reply[4]!,
    protocol: reply[5]!,
    highestVersion: reply.readUInt16BE(6),
    lowestVersion: reply.readUInt16BE(8),
    name: reply.subarray(12, 12 + nlen).toString('utf8'),
  };
}

/** The names epmd at `a.host` has registered, with their ports (NAMES_REQ, as `epmd -names`). */
export async function epmdNames(a: EpmdAddress = {}): Promise<{ name: string; port: number }[]> {
  const { reply } = await ask(a, Uint8Array.of(NAMES_REQ), (_r, ended) => ended);
  const { host, port } = where(a);
  if (reply.length < 4) throw unreachable(host, port, 'its NAMES reply was cut short');
  const names: { name: string; port: number }[] = [];
  for (const line of reply.subarray(4).toString('utf8').split('\n')) {
    const m = /^name (.+) at port (\d+)$/.exec(line);
    if (m) names.push({ name: m[1]!, port: Number(m[2]) });
  }
  return names;
}
