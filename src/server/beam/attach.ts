/**
 * Makes a started server-node an Erlang node too: epmd running (started as `erl` starts it
 * when none answers), a distribution listener registered under the node's alive name with the
 * node's own creation (the one its pids and refs carry, so BEAM sees one incarnation), and the
 * bridge (bridge.ts) attached as the node's route to BEAM nodes. Visible by default, as `erl`
 * is (in BEAM's `nodes()`, `global` answered by global-stand-in.ts); `hidden` as `erl -hidden`.
 */
import { spawn } from 'node:child_process';
import { ErlmeshError } from '../../core/base/errors.js';
import type { Node } from '../../core/node/node.js';
import { listenBeam, type BeamNode } from './beam-node.js';
import { BeamBridge } from './bridge.js';
import { epmdNames, epmdPortFromEnv } from './epmd.js';

/**
 * What `startNode({ beam })` takes: `true`, or where to listen and which epmd to use.
 *
 * @example
 * const node = await startNode({ sname: 'js', beam: { epmdPort: 4370, netTicktime: 60 } });
 */
export interface BeamOptions {
  /** Port of the distribution listener (default any free one, as `erl`). */
  port?: number;
  /** Interface to listen on (default all, as `erl`). */
  host?: string;
  /** epmd's port (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  /** net_ticktime in seconds (default 60). */
  netTicktime?: number;
  /** Start `epmd -daemon` when none answers (default true, as `erl`). */
  startEpmd?: boolean;
  /**
   * The only BEAM peers (full names, `e@host`) this node connects with, as OTP's
   * `net_kernel:allow/1`: a handshake from any other is refused with the status `not_allowed`
   * (docs/security.md). Default: any node that has the cookie.
   *
   * @example
   * await startNode({ sname: 'js', beam: { allow: ['e@myhost', 'f@myhost'] } });
   */
  allow?: string[];
  /**
   * Serve BEAM gateways: every cookie-holder tab that calls `joinBeamGateway(node, this node)`
   * gets its name registered at epmd here, so `erl` reaches it (gateway-service.ts;
   * docs/beam-interop.md, "BEAM reaching a tab"). `allow` holds for the tabs' names too.
   * Default false.
   *
   * @example
   * await startNode({ sname: 'srv', beam: { gateway: true } });   // erlmesh node --sname srv --beam-gateway
   */
  gateway?: boolean;
  /**
   * Connect as a hidden node, as `erl -hidden` (default false: visible). A visible node is in
   * BEAM nodes' `nodes()` and answers their `global` (an empty name table that grants every
   * lock: docs/beam-interop.md); a hidden one is only in `nodes(hidden)`, and BEAM's `global`
   * ignores it.
   *
   * @example
   * await startNode({ sname: 'js', beam: { hidden: true } });   // erlmesh node --sname js --beam --hidden
   */
  hidden?: boolean;
}

const KEYS = new Set(['port', 'host', 'epmdPort', 'netTicktime', 'startEpmd', 'allow', 'gateway', 'hidden']);

/** `beam` as given to startNode, checked: `badarg` or `unknown_options` otherwise. */
export function checkBeamOptions(beam: unknown): BeamOptions | undefined {
  if (beam === undefined || beam === false) return undefined;
  if (beam === true) return {};
  if (typeof beam !== 'object' || beam === null || Array.isArray(beam)) throw new ErlmeshError('badarg', 'beam: true, false, or { port, host, epmdPort, netTicktime, startEpmd, allow, gateway, hidden }');
  const unknown = Object.keys(beam).filter((k) => !KEYS.has(k));
  if (unknown.length) throw new ErlmeshError('unknown_options', `beam: unknown options: ${unknown.join(', ')}`, unknown);
  const allow = (beam as { allow?: unknown }).allow;
  if (allow !== undefined && (!Array.isArray(allow) || !allow.every((n) => typeof n === 'string' && /^[^@]+@[^@]+$/.test(n)))) {
    throw new ErlmeshError('badarg', 'beam.allow: a list of full node names (name@host)', allow);
  }
  const gateway = (beam as { gateway?: unknown }).gateway;
  if (gateway !== undefined && typeof gateway !== 'boolean') throw new ErlmeshError('badarg', 'beam.gateway: true or false', gateway);
  const hidden = (beam as { hidden?: unknown }).hidden;
  if (hidden !== undefined && typeof hidden !== 'boolean') throw new ErlmeshError('badarg', 'beam.hidden: true or false', hidden);
  return beam as BeamOptions;
}

async function epmdAnswers(port: number): Promise<boolean> {
  try {
    await epmdNames({ port, timeoutMs: 1_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs `epmd -daemon` on `port`; resolves false when it could not be run (not installed). */
function runEpmdDaemon(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('epmd', ['-daemon'], { stdio: 'ignore', env: { ...process.env, ERL_EPMD_PORT: String(port) } });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** An epmd answers on `port`, started here (`epmd -daemon`) when none did and `start` allows. */
export async function ensureEpmd(port: number, start = true): Promise<void> {
  if (await epmdAnswers(port)) return;
  const hint = 'start one with `epmd -daemon` (Erlang/OTP, Debian package erlang-base), or point ERL_EPMD_PORT at the one you run';
  if (!start) throw new ErlmeshError('epmd_unreachable', `no epmd answers on port ${port}; ${hint}`, { port });
  if (!(await runEpmdDaemon(port))) throw new ErlmeshError('epmd_unreachable', `no epmd answers on port ${port} and \`epmd\` could not be run (is Erlang/OTP installed?); ${hint}`, { port });
  for (let i = 0; i < 30; i++) {
    if (await epmdAnswers(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ErlmeshError('epmd_unreachable', `epmd was started on port ${port} but does not answer`, { port });
}

/**
 * Makes `node` speak Erlang distribution (see the file comment); the listener closes when the
 * node stops.
 *
 * @example
 * const node = await startNode({ sname: 'js', cookie: 'C' });
 * await attachBeam(node, {});   // what startNode({ sname: 'js', cookie: 'C', beam: true }) does
 */
export async function attachBeam(node: Node, o: BeamOptions): Promise<BeamNode> {
  if (!node.isAlive()) throw new ErlmeshError('distribution_not_started', 'beam: the node must have a name (sname or name) to speak Erlang distribution');
  if (node.role !== undefined) throw new ErlmeshError('badarg', 'beam: a ticket holder has no cookie, which Erlang distribution needs');
  const epmdPort = o.epmdPort ?? epmdPortFromEnv();
  await ensureEpmd(epmdPort, o.startEpmd ?? true);
  const beam = await listenBeam({
    name: node.name,
    cookie: node.getCookie(),
    creation: node.creation,
    epmdPort,
    visible: o.hidden !== true,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.netTicktime !== undefined ? { netTicktime: o.netTicktime } : {}),
    ...(o.allow !== undefined ? { allow: [...o.allow] } : {}),
  });
  node._attachForeign((hooks) => new BeamBridge(beam, hooks, node, epmdPort));
  return beam;
}
