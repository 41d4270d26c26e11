/**
 * A BEAM gateway for a node that cannot speak Erlang distribution itself (a browser tab, or
 * any erlmesh node without `beam`): a `beam` server-node listens and registers at epmd under
 * that node's name, so `{kvs, 'tab-x@host'} ! Msg` from `erl` reaches the tab
 * (docs/beam-interop.md, "BEAM reaching a tab"). First step (issue 14, M3): messages one way.
 *
 *   erl                         gateway (listens as tab-x@host)            tab-x@host
 *   PORT_PLEASE2 tab-x  → epmd: the gateway's port for that name
 *   handshake (acceptor role, as tab-x, with the tab's creation)
 *   REG_SEND {6, From, _, kvs}, Msg          →  node.send(['kvs', tab], Msg)   →  kvs gets Msg
 *   SEND {2, _, TabPid}, Msg                 →  node.send(TabPid, Msg)         →  the process gets Msg
 *   {net_kernel, tab} is_auth (net_adm:ping) ←  {Tag, yes}
 *
 * Invariants: the gateway answers only as the name it was made for, with that node's creation
 * (learnt from a pid of it, so BEAM's sends to the tab's pids are not taken for an old
 * incarnation's); only messages for that node's processes are carried (a frame naming another
 * node closes the connection, as any bad frame); what it does not carry yet (links, monitors,
 * exits, spawns, rpc, and every reply from the tab to BEAM) is dropped and counted in
 * `dropped`. Messages keep their BEAM terms exactly (fast-2 between gateway and tab).
 */
import { inflateSync } from 'node:zlib';
import { ErlmeshError } from '../../core/base/errors.js';
import { decodeEtfAt } from '../../core/etf/reader.js';
import { encodeEtf } from '../../core/etf/writer.js';
import { CTL, readControl } from '../../core/net/beam-control.js';
import type { Node } from '../../core/node/node.js';
import { List } from '../../core/terms/beam-list.js';
import { isPid } from '../../core/terms/guards.js';
import { Pid } from '../../core/terms/pid.js';
import { listenBeam } from './beam-node.js';
import type { BeamConnection } from './connection.js';
import { epmdPortFromEnv } from './epmd.js';

/** Options of {@link startBeamGateway}. */
export interface BeamGatewayOptions {
  /** The node BEAM should reach through this one (`tab-x@host`), connected to it over erlmesh. */
  for: string;
  /** epmd's port (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  /** Interface to listen on (default all, as `erl`). */
  host?: string;
}

/** A running gateway: the listener registered under the other node's name. */
export interface BeamGateway {
  readonly name: string;
  readonly creation: number;
  /** Signals from BEAM this step does not carry (links, monitors, spawns, …). */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * Makes `node` (a server-node with a cookie) the BEAM gateway of `o.for`: registers that name
 * at epmd on a listener of its own and carries BEAM's messages for it. Closed when `o.for` goes
 * down, or by `close()` (call it before stopping `node`).
 *
 * @example
 * const gw = await startBeamGateway(srv, { for: 'tab-x@myhost' });
 * // in erl: {kvs, 'tab-x@myhost'} ! {self(), {store, k, v}}   → the tab's kvs stores it
 */
export async function startBeamGateway(node: Node, o: BeamGatewayOptions): Promise<BeamGateway> {
  if (!node.isAlive() || node.role !== undefined) throw new ErlmeshError('badarg', 'a BEAM gateway runs on a named server-node with the cookie');
  // A pid of the tab gives its creation (the rpc runs in a process there).
  const probe = await node.rpc.call(o.for, 'erlang', 'self', []);
  if (!isPid(probe) || probe.node !== o.for) throw new ErlmeshError('badarg', `no pid of ${o.for} came back: is it connected?`, { for: o.for });
  const beam = await listenBeam({
    name: o.for,
    cookie: node.getCookie(),
    creation: probe.creation,
    epmdPort: o.epmdPort ?? epmdPortFromEnv(),
    ...(o.host !== undefined ? { host: o.host } : {}),
  });
  let dropped = 0;
  beam.onConnection((c) => c.onFrame((bytes) => (carry(node, o.for, c, bytes) ? undefined : dropped++)));
  const off = node.monitorNodes((ev) => {
    if (ev[0] === 'nodedown' && ev[1] === o.for) void closing();
  });
  const closing = (): Promise<void> => {
    off();
    return beam.close();
  };
  return {
    name: o.for,
    creation: probe.creation,
    get dropped() {
      return dropped;
    },
    close: closing,
  };
}

/** One frame from BEAM for `tab`: carried (true), or not carried by this step (false). */
function carry(node: Node, tab: string, c: BeamConnection, bytes: Uint8Array): boolean {
  let control: unknown;
  let message: unknown;
  try {
    const first = decodeEtfAt(bytes, 0, { inflate: (d) => inflateSync(d) });
    control = first.term;
    if (first.end < bytes.length) message = decodeEtfAt(bytes, first.end, { inflate: (d) => inflateSync(d) }).term;
  } catch {
    c.close('bad_frame');
    return true;
  }
  const r = readControl(control, message, tab);
  if (r.kind === 'ignore') return true;
  if (r.kind === 'bad') {
    c.close('bad_frame');
    return true;
  }
  const s = r.signal;
  if (s.t === 'send') {
    if (s.to.node !== tab) c.close('bad_frame');
    else node.send(s.to, s.msg);
    return true;
  }
  if (s.t !== 'reg_send') return false;
  if (s.node !== tab) {
    c.close('bad_frame');
    return true;
  }
  if (s.to === 'net_kernel' && isAuth(s.msg)) {
    const [, [from, tag]] = s.msg as [string, [Pid, unknown]];
    const ctl = encodeEtf([CTL.SEND, '', from]);
    const msg = encodeEtf([tag, 'yes']);
    const out = new Uint8Array(ctl.length + msg.length);
    out.set(ctl, 0);
    out.set(msg, ctl.length);
    c.send(out);
    return true;
  }
  node.send([s.to, tab], s.msg);
  return true;
}

/** `{'$gen_call', {Pid, Tag}, {is_auth, _}}`: net_adm:ping's question. */
function isAuth(msg: unknown): boolean {
  if (!Array.isArray(msg) || msg instanceof List || msg[0] !== '$gen_call' || msg.length !== 3) return false;
  const from = msg[1] as unknown;
  const req = msg[2] as unknown;
  return Array.isArray(from) && from.length === 2 && from[0] instanceof Pid && Array.isArray(req) && req[0] === 'is_auth';
}
