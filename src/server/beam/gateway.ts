/**
 * A BEAM gateway for a node that cannot speak Erlang distribution itself (a browser tab, or
 * any erlmesh node without `beam`): a `beam` server-node listens and registers at epmd under
 * that node's name, so `{kvs, 'tab-x@host'} ! Msg` from `erl` reaches the tab
 * (docs/beam-interop.md, "BEAM reaching a tab"; issue 14, M3).
 *
 *   erl                         gateway (listens as tab-x@host)            tab-x@host
 *   PORT_PLEASE2 tab-x  → epmd: the gateway's port for that name
 *   handshake (acceptor role, as tab-x, with the tab's creation)
 *   REG_SEND {6, From, _, kvs}, Msg          →  node.send(['kvs', tab], Msg)   →  kvs gets Msg
 *   SEND {2, _, TabPid}, Msg                 →  node.send(TabPid, Msg)         →  the process gets Msg
 *   {net_kernel, tab} is_auth (net_adm:ping) ←  {Tag, yes}
 *
 * With the way back (the tab ran `attachBeamProxy`, core/node/beam-proxy.ts), every signal
 * goes through the tab's `$beam_proxy` instead, both ways and in order:
 *
 *   connection of Peer up / down             →  ['beam_up', Peer] / ['beam_down', Peer, Reason]
 *   any signal from Peer                      →  ['signal', Signal, Peer]
 *   ETF of Signal on Peer's connection        ←  ['via', Tab, Peer, Signal] to `$beam_gateway` here
 *
 * `$beam_gateway` also takes a tab's `['open', From, Ref]` (joinBeamGateway), answered by
 * gateway-service.ts when this node serves gateways, else `not_allowed`.
 *
 * Invariants: the gateway answers only as the name it was made for, with that node's creation
 * (learnt from a pid of it, so BEAM's sends to the tab's pids are not taken for an old
 * incarnation's); only signals for that node's processes are carried (a frame naming another
 * node closes the connection, as any bad frame). Without the way back only messages go, and
 * what else BEAM sends (links, monitors, spawns) is dropped and counted in `dropped`; with it,
 * everything is carried: a SPAWN_REQUEST (rpc:call and erpc:call into the tab run OTP's
 * erpc:execute_call/4 there) has its link and monitor flags kept here, by request ref, for the
 * SPAWN_REPLY the tab sends back, as the bridge does for the server-node's own spawns. An
 * UNLINK_ID is acked by the gateway as it forwards it. Messages keep their BEAM terms exactly
 * (fast-2 between gateway and tab).
 */
import { ErlmeshError } from '../../core/base/errors.js';
import { encodeEtf } from '../../core/etf/writer.js';
import { AtomBudget } from '../../core/etf/atom-budget.js';
import { CTL, readControl, writeControl } from '../../core/net/beam-control.js';
import { BEAM_GATEWAY, BEAM_PROXY } from '../../core/node/beam-proxy.js';
import type { Node } from '../../core/node/node.js';
import type { SignalFrame } from '../../core/process/signals.js';
import { List } from '../../core/terms/beam-list.js';
import { isPid } from '../../core/terms/guards.js';
import { Pid } from '../../core/terms/pid.js';
import { listenBeam, type BeamNode } from './beam-node.js';
import { asErlang } from './erlang-forms.js';
import type { BeamConnection } from './connection.js';
import { epmdPortFromEnv } from './epmd.js';
import { decodeDistFrame } from './dist-frame.js';
import type { DistFrame } from './dist-header.js';
import { SpawnReplyFlags } from './spawn-reply-flags.js';

/**
 * Options of {@link startBeamGateway}.
 *
 * @example
 * const o: BeamGatewayOptions = { for: 'tab-x@myhost', allow: ['e@myhost'] };
 */
export interface BeamGatewayOptions {
  /** The node BEAM should reach through this one (`tab-x@host`), connected to it over erlmesh. */
  for: string;
  /** epmd's port (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  /** Interface to listen on (default all, as `erl`). */
  host?: string;
  /** The only BEAM nodes that may connect to the tab's name (as `beam.allow`; default any cookie holder). */
  allow?: string[];
}

/**
 * A running gateway: the listener registered under the other node's name.
 *
 * @example
 * const gw: BeamGateway = await startBeamGateway(srv, { for: 'tab-x@myhost' });
 * gw.name;          // 'tab-x@myhost'
 * await gw.close(); // its epmd registration ends with it
 */
export interface BeamGateway {
  readonly name: string;
  readonly creation: number;
  /** Signals from BEAM not carried: links, monitors and spawns when the tab has no way back (`attachBeamProxy`). */
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
    ...(o.allow !== undefined ? { allow: [...o.allow] } : {}),
  });
  let dropped = 0;
  const proxied = (await node.rpc.call(o.for, 'erlang', 'whereis', [BEAM_PROXY])) !== undefined;
  const writer: TabWriter | undefined = proxied ? { beam, atoms: new Map(), nobody: new Pid(o.for, 0, 0, probe.creation), unlinkId: 0, spawnFlags: new SpawnReplyFlags() } : undefined;
  if (writer) gatewayHost(node).tabs.set(o.for, writer);
  beam.onConnection((c) => {
    if (proxied) {
      node.send([BEAM_PROXY, o.for], ['beam_up', c.peer]);
      c.onClose((reason) => {
        writer?.spawnFlags.forget(c.peer); // no SPAWN_REPLY goes on a connection that ended
        node.send([BEAM_PROXY, o.for], ['beam_down', c.peer, reason]);
      });
    }
    c.onFrame((dist) => (carry(node, o.for, c, dist, writer) ? undefined : dropped++));
  });
  const off = node.monitorNodes((ev) => {
    if (ev[0] === 'nodedown' && ev[1] === o.for) void closing();
  });
  const closing = (): Promise<void> => {
    off();
    gateways.get(node)?.tabs.delete(o.for);
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

/** A tab's listener, as the way back writes to it. */
export interface TabWriter {
  beam: BeamNode;
  atoms: Map<string, AtomBudget>;
  nobody: Pid;
  unlinkId: number;
  /** SPAWN_REPLY flags of the spawn requests BEAM sent into the tab (as the bridge's). */
  spawnFlags: SpawnReplyFlags;
}

/**
 * Per gateway node: its tabs with the way back, and the `$beam_gateway` process serving them;
 * `open` answers tabs asking for a gateway (gateway-service.ts) when the node serves them.
 */
export interface GatewayHost {
  readonly tabs: Map<string, TabWriter>;
  open?: (from: Pid, ref: unknown) => void;
}

const gateways = new WeakMap<Node, GatewayHost>();

/** `node`'s gateway host, its `$beam_gateway` process registered on first use. */
export function gatewayHost(node: Node): GatewayHost {
  const known = gateways.get(node);
  if (known) return known;
  const host: GatewayHost = { tabs: new Map() };
  gateways.set(node, host);
  node.register(
    BEAM_GATEWAY,
    node.spawn(async (self) => {
      for (;;) {
        const m = await self.receive();
        if (!Array.isArray(m)) continue;
        if (m[0] === 'open' && isPid(m[1])) {
          if (host.open) host.open(m[1], m[2]);
          else self.send(m[1], ['beam_gateway', m[2], 'error', 'not_allowed', `${node.name} serves no BEAM gateways`]);
          continue;
        }
        if (m[0] !== 'via' || typeof m[1] !== 'string' || typeof m[2] !== 'string') continue;
        const w = host.tabs.get(m[1]);
        if (w && typeof (m[3] as { t?: unknown } | null)?.t === 'string') void writeBack(w, m[2], m[3] as SignalFrame, node);
      }
    }),
  );
  return host;
}

/** Writes `signal` from the tab on its connection with `peer` (dialled as the tab when none is up). */
async function writeBack(w: TabWriter, peer: string, signal: SignalFrame, node: Node): Promise<void> {
  let c: BeamConnection;
  try {
    c = await w.beam.connect(peer);
  } catch {
    return; // unreachable: the tab's links and monitors of it get no answer from here
  }
  const spawnFlags = signal.t === 'spawn_reply' ? w.spawnFlags.take(peer, signal) : undefined;
  const wc = writeControl(asErlang(signal), { sender: w.nobody, unlinkId: ++w.unlinkId, spawnFlags });
  if (!wc) return;
  const atoms = atomsOf(w, peer);
  try {
    const ctl = encodeEtf(wc.control, { atoms });
    if ('message' in wc) c.send(ctl, encodeEtf(wc.message, { atoms }));
    else c.send(ctl);
  } catch (e) {
    // No Erlang form: the tab's send already went (it could not know); dropped as a send to a
    // gone node would be, and said in the gateway's log as the bridge says it.
    const what = 'message' in wc ? 'A message' : 'A signal';
    node.log('error', `** ${what} from ${w.nobody.node} for ${peer} has no Erlang form and was dropped (${e instanceof ErlmeshError ? `${e.code}: ` : ''}${e instanceof Error ? e.message : String(e)}) **`);
  }
}

/**
 * The atom budget of `peer` for the tab (kept across its reconnects: BEAM's atoms outlive a
 * connection). Frames from the peer are decoded with it too, so atoms it sent the tab go back
 * to it free, as on the bridge.
 */
function atomsOf(w: TabWriter, peer: string): AtomBudget {
  let atoms = w.atoms.get(peer);
  if (!atoms) w.atoms.set(peer, (atoms = new AtomBudget()));
  return atoms;
}

/** One frame from BEAM for `tab`: carried (true), or not carried (false). */
function carry(node: Node, tab: string, c: BeamConnection, dist: DistFrame, writer: TabWriter | undefined): boolean {
  let frame: { control: unknown; message: unknown };
  try {
    frame = decodeDistFrame(dist, writer && atomsOf(writer, c.peer));
  } catch {
    c.close('bad_frame');
    return true;
  }
  const r = readControl(frame.control, frame.message, tab);
  if (r.kind === 'ignore') return true;
  if (r.kind === 'bad') {
    c.close('bad_frame');
    return true;
  }
  const s = r.signal;
  if (writer && !(s.t === 'reg_send' && s.to === 'net_kernel')) {
    const target = 'to' in s && s.to instanceof Pid ? s.to.node : s.t === 'reg_send' ? s.node : tab;
    if (target !== tab) {
      c.close('bad_frame');
      return true;
    }
    if (s.t === 'spawn_request') {
      writer.spawnFlags.requested(c.peer, s);
    }
    node.send([BEAM_PROXY, tab], ['signal', s, c.peer]);
    if (r.kind === 'unlink_id') c.send(encodeEtf(r.ack));
    return true;
  }
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
    c.send(encodeEtf([CTL.SEND, '', from]), encodeEtf([tag, 'yes']));
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
