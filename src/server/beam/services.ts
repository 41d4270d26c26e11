/**
 * The registered services a BEAM node calls on any node it talks to, answered for the
 * erlmesh node (unless a process of that name is registered there):
 *
 * - `net_kernel`: `{'$gen_call', {Pid, Tag}, {is_auth, Node}}` → `{Tag, yes}` to `Pid`
 *   (net_adm:ping's question, once the connection is up: the handshake already proved the
 *   cookie);
 * - `rex`: `{'$gen_call', {Pid, Tag}, {call, M, F, A, GL}}` → `{Tag, Result}`, the function run
 *   in a fresh process of the node, or `{Tag, {badrpc, {'EXIT', Reason}}}` (pre-OTP 23
 *   `rpc:call`, and `gen_server:call({rex, Node}, …)`); a result with no Erlang form is
 *   `{Tag, {badrpc, {'EXIT', {unencodable, Why}}}}`, Why a binary (`reply` throws for it).
 *
 * - `rex`, plain messages as OTP 25's rex takes them: `{From, features_request}` →
 *   `{features_reply, Node, [erpc]}` to `From` (rpc's probe of whether a node runs erpc: it
 *   does, every erlmesh node answers erpc:execute_call), and `{From, {call, M, F, A, GL}}` →
 *   `{rex, Result}` to `From` (the form rex keeps for hidden C nodes).
 *
 * Tags are echoed as they came: OTP 25's are `[alias | Ref]` improper lists.
 */
import type { Node } from '../../core/node/node.js';
import type { SignalFrame } from '../../core/process/signals.js';
import { beamError } from '../../core/rpc/erpc-worker.js';
import { binary } from '../../core/terms/beam-binary.js';
import { List, list } from '../../core/terms/beam-list.js';
import { isPid } from '../../core/terms/guards.js';
import type { Pid } from '../../core/terms/pid.js';

/** Sends `msg` to `to`; throws (nothing sent) when it has no Erlang form. */
type Reply = (to: Pid, msg: unknown) => void;

/** `{'$gen_call', {Pid, Tag}, Request}` → its parts, or undefined. */
function genCall(msg: unknown): { from: Pid; tag: unknown; request: unknown } | undefined {
  if (!Array.isArray(msg) || msg instanceof List || msg.length !== 3 || msg[0] !== '$gen_call') return undefined;
  const from = msg[1] as unknown;
  if (!Array.isArray(from) || from.length !== 2 || !isPid(from[0])) return undefined;
  return { from: from[0], tag: from[1], request: msg[2] };
}

/**
 * `{From, features_request}` or `{From, {call, …}}` sent to rex as a plain message, as a call
 * whose reply goes to `From` as `{rex, Reply}` (the reply helper sends `[tag, reply]`).
 */
function rexMessage(msg: unknown): { from: Pid; tag: unknown; request: unknown } | undefined {
  if (!Array.isArray(msg) || msg instanceof List || msg.length !== 2 || !isPid(msg[0])) return undefined;
  if (msg[1] === 'features_request') return { from: msg[0], tag: undefined, request: 'features_request' };
  return { from: msg[0], tag: 'rex', request: msg[1] };
}

function rexFailure(e: unknown, m: string, f: string, args: unknown[]): unknown {
  return ['badrpc', ['EXIT', beamError(e, m, f, args)]];
}

/** True when `name` is a service answered here (no process of that name on `node`). */
export function isBeamService(name: unknown, node: Node): boolean {
  return (name === 'net_kernel' || name === 'rex') && node.whereis(name) === undefined;
}

/**
 * A monitor or demonitor of a service answered here (gen:call monitors its server first):
 * swallowed, since the service never goes down while the node is up (the connection's loss
 * gives the caller `noconnection`). False for any other signal.
 *
 * @example
 * if (serviceMonitor(s, node)) return;   // gen:call's monitor of {net_kernel, Node}
 */
export function serviceMonitor(s: SignalFrame, node: Node): boolean {
  return (s.t === 'monitor' || s.t === 'demonitor') && isBeamService(s.to, node);
}

/**
 * Answers `s` when it is a call to a service BEAM expects (see above); false when it is for the
 * node's processes.
 *
 * @example
 * if (s.t === 'reg_send' && answerService(s, node, reply)) return;   // answered here
 */
export function answerService(s: Extract<SignalFrame, { t: 'reg_send' }>, node: Node, reply: Reply): boolean {
  if (!isBeamService(s.to, node)) return false;
  const call = genCall(s.msg) ?? (s.to === 'rex' ? rexMessage(s.msg) : undefined);
  if (!call) return false;
  if (call.request === 'features_request') {
    reply(call.from, ['features_reply', node.name, list(['erpc'])]);
    return true;
  }
  const r = call.request;
  if (s.to === 'net_kernel') {
    if (!Array.isArray(r) || r[0] !== 'is_auth') return false;
    reply(call.from, [call.tag, 'yes']);
    return true;
  }
  if (!Array.isArray(r) || r[0] !== 'call' || typeof r[1] !== 'string' || typeof r[2] !== 'string' || !(r[3] instanceof List)) return false;
  const [m, f, args] = [r[1], r[2], [...(r[3] as unknown[])]];
  const answer = (v: unknown): void => {
    try {
      reply(call.from, [call.tag, v]);
    } catch (e) {
      reply(call.from, [call.tag, ['badrpc', ['EXIT', ['unencodable', binary(e instanceof Error ? e.message : String(e))]]]]);
    }
  };
  node.run((self) => node.apply(self, m, f, args)).then(answer, (e: unknown) => answer(rexFailure(e, m, f, args)));
  return true;
}
