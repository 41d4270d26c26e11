/**
 * Erlang distribution's control messages ↔ erlmesh's signals (process/signals.ts): the
 * mapping a BEAM connection (src/server/beam) applies to each frame, both ways. Platform-free:
 * terms in, terms out; the External Term Format (etf/) is applied around it.
 *
 * A frame from BEAM is a control tuple and, for the sends and SPAWN_REQUEST, a message. Read:
 *
 * | control tuple                                    | signal |
 * |--------------------------------------------------|--------|
 * | LINK `{1, From, To}`                             | link |
 * | SEND `{2, _, To}` / SEND_TT `{22, _, To, TT}`    | send (message) |
 * | EXIT `{3, From, To, R}` / EXIT_TT `{13, From, To, TT, R}` | exit |
 * | UNLINK `{4, From, To}` (pre-OTP 26)              | unlink |
 * | REG_SEND `{6, From, _, Name}` / `_TT` `{16, …, TT}` | reg_send (message) |
 * | EXIT2 `{8, From, To, R}` / EXIT2_TT `{18, From, To, TT, R}` | exit2 |
 * | MONITOR_P `{19, From, PidOrName, Ref}`           | monitor |
 * | DEMONITOR_P `{20, From, PidOrName, Ref}`         | demonitor |
 * | MONITOR_P_EXIT `{21, PidOrName, To, Ref, R}`     | down |
 * | SPAWN_REQUEST `{29, ReqId, From, GL, {M, F, Arity}, Opts}` (`_TT` 30) | spawn_request (message: the args) |
 * | SPAWN_REPLY `{31, ReqId, To, Flags, Result}` (`_TT` 32) | spawn_reply |
 * | UNLINK_ID `{35, Id, From, To}`                   | unlink, answered UNLINK_ID_ACK `{36, Id, To, From}` |
 * | SEND_SENDER `{70, From, To}` / `_TT` 71          | send (message) |
 *
 * Ignored: NODE_LINK (5), GROUP_LEADER (7), UNLINK_ID_ACK (36), ALIAS_SEND (33, only sent to
 * nodes that advertise aliases, which erlmesh does not). Anything else is `bad`, and the
 * connection is closed for it (as OTP does).
 *
 * Written: each signal as the first row that reads back as it (unlink as UNLINK_ID with a fresh
 * id; a send as SEND, a reg_send as REG_SEND). A spawn_reply needs the flags of its request
 * (which of link and monitor were set up): the caller passes them. A spawn request of a shipped
 * function (`spec.kind === 'fn'`) has no Erlang form: `undefined`.
 */
import { ErlmeshError } from '../base/errors.js';
import { isPid, isRef, isStr } from '../terms/guards.js';
import { List, list } from '../terms/beam-list.js';
import type { Pid } from '../terms/pid.js';
import type { SignalFrame } from '../process/signals.js';

/** OTP's control message tags (erl_dist_protocol). */
export const CTL = {
  LINK: 1, SEND: 2, EXIT: 3, UNLINK: 4, NODE_LINK: 5, REG_SEND: 6, GROUP_LEADER: 7, EXIT2: 8,
  SEND_TT: 12, EXIT_TT: 13, REG_SEND_TT: 16, EXIT2_TT: 18, MONITOR_P: 19, DEMONITOR_P: 20,
  MONITOR_P_EXIT: 21, SPAWN_REQUEST: 29, SPAWN_REQUEST_TT: 30, SPAWN_REPLY: 31, SPAWN_REPLY_TT: 32,
  ALIAS_SEND: 33, ALIAS_SEND_TT: 34, UNLINK_ID: 35, UNLINK_ID_ACK: 36, SEND_SENDER: 70, SEND_SENDER_TT: 71,
} as const;

/** SPAWN_REPLY's flags: the link and the monitor the reply confirms. */
export const SPAWN_FLAG = { LINK: 1, MONITOR: 2 } as const;

/** What one frame from BEAM means. */
export type BeamControl =
  | { kind: 'signal'; signal: SignalFrame }
  /** UNLINK_ID: deliver the unlink, then answer `ack` (UNLINK_ID_ACK). */
  | { kind: 'unlink_id'; signal: SignalFrame; ack: unknown[] }
  | { kind: 'ignore' }
  | { kind: 'bad'; why: string };

const bad = (why: string): BeamControl => ({ kind: 'bad', why });
const isProc = (v: unknown): v is Pid | string => isPid(v) || isStr(v);

/** The option list of a SPAWN_REQUEST: `link` and `monitor` (others, such as `{priority, P}`, are ignored). */
function spawnOptions(opts: unknown): { link: boolean; monitor: boolean } | undefined {
  if (!Array.isArray(opts)) return undefined;
  return { link: opts.includes('link'), monitor: opts.includes('monitor') };
}

function spawnRequest(c: unknown[], args: unknown, self: string, ttl: number): BeamControl {
  const [, ref, from, groupLeader, mfa, opts] = c;
  if (c.length !== ttl || !isRef(ref) || !isPid(from) || !isPid(groupLeader)) return bad('SPAWN_REQUEST fields');
  if (!Array.isArray(mfa) || mfa.length !== 3 || !isStr(mfa[0]) || !isStr(mfa[1])) return bad('SPAWN_REQUEST {M, F, Arity}');
  const o = spawnOptions(opts);
  if (!o || !(args instanceof List)) return bad('SPAWN_REQUEST options or arguments');
  const spec = { kind: 'mfa' as const, module: mfa[0], fun: mfa[1], args: [...args] };
  return { kind: 'signal', signal: { t: 'spawn_request', ref, from, groupLeader, node: self, spec, ...o } };
}

function spawnReply(c: unknown[]): BeamControl {
  const [, ref, to, , result] = c;
  if (!isRef(ref) || !isPid(to)) return bad('SPAWN_REPLY fields');
  return { kind: 'signal', signal: { t: 'spawn_reply', ref, to, result: isPid(result) ? { ok: result } : { error: result } } };
}

/**
 * What the control tuple `control` (with `message`, for the tags that carry one) from a BEAM
 * node means to the node called `self`.
 *
 * @example
 * readControl([6, fromPid, '', 'kvs'], ['lookup', 'weather'], 'js@host');
 * // { kind: 'signal', signal: { t: 'reg_send', from: fromPid, to: 'kvs', node: 'js@host', msg: ['lookup', 'weather'] } }
 */
export function readControl(control: unknown, message: unknown, self: string): BeamControl {
  if (!Array.isArray(control) || control instanceof List || typeof control[0] !== 'number') return bad('not a control tuple');
  const c = control as unknown[];
  const sig = (signal: SignalFrame): BeamControl => ({ kind: 'signal', signal });
  const pids = (i: number, j: number): boolean => isPid(c[i]) && isPid(c[j]);
  switch (c[0]) {
    case CTL.LINK:
      return pids(1, 2) ? sig({ t: 'link', from: c[1] as Pid, to: c[2] as Pid }) : bad('LINK');
    case CTL.UNLINK:
      return pids(1, 2) ? sig({ t: 'unlink', from: c[1] as Pid, to: c[2] as Pid }) : bad('UNLINK');
    case CTL.SEND:
    case CTL.SEND_TT:
    case CTL.SEND_SENDER:
    case CTL.SEND_SENDER_TT:
      return isPid(c[2]) ? sig({ t: 'send', to: c[2], msg: message }) : bad('SEND');
    case CTL.REG_SEND:
    case CTL.REG_SEND_TT:
      return isPid(c[1]) && isStr(c[3]) ? sig({ t: 'reg_send', from: c[1], to: c[3], node: self, msg: message }) : bad('REG_SEND');
    case CTL.EXIT:
    case CTL.EXIT2: {
      const t = c[0] === CTL.EXIT ? 'exit' : 'exit2';
      return pids(1, 2) && c.length === 4 ? sig({ t, from: c[1] as Pid, to: c[2] as Pid, reason: c[3] }) : bad(t);
    }
    case CTL.EXIT_TT:
    case CTL.EXIT2_TT: {
      const t = c[0] === CTL.EXIT_TT ? 'exit' : 'exit2';
      return pids(1, 2) && c.length === 5 ? sig({ t, from: c[1] as Pid, to: c[2] as Pid, reason: c[4] }) : bad(t);
    }
    case CTL.MONITOR_P:
    case CTL.DEMONITOR_P: {
      const t = c[0] === CTL.MONITOR_P ? 'monitor' : 'demonitor';
      return isPid(c[1]) && isProc(c[2]) && isRef(c[3]) ? sig({ t, from: c[1], to: c[2], node: self, ref: c[3] }) : bad(t);
    }
    case CTL.MONITOR_P_EXIT:
      return isProc(c[1]) && isPid(c[2]) && isRef(c[3]) ? sig({ t: 'down', from: c[1], to: c[2], ref: c[3], reason: c[4] }) : bad('MONITOR_P_EXIT');
    case CTL.SPAWN_REQUEST:
      return spawnRequest(c, message, self, 6);
    case CTL.SPAWN_REQUEST_TT:
      return spawnRequest(c.slice(0, 6), message, self, 6);
    case CTL.SPAWN_REPLY:
    case CTL.SPAWN_REPLY_TT:
      return spawnReply(c);
    case CTL.UNLINK_ID:
      if (!pids(2, 3)) return bad('UNLINK_ID');
      return { kind: 'unlink_id', signal: { t: 'unlink', from: c[2] as Pid, to: c[3] as Pid }, ack: [CTL.UNLINK_ID_ACK, c[1], c[3], c[2]] };
    case CTL.NODE_LINK:
    case CTL.GROUP_LEADER:
    case CTL.UNLINK_ID_ACK:
    case CTL.ALIAS_SEND:
    case CTL.ALIAS_SEND_TT:
      return { kind: 'ignore' };
    default:
      return bad(`control tag ${String(c[0])}`);
  }
}

/** A control tuple and, when the signal carries one, the message. */
export interface WrittenControl {
  control: unknown[];
  message?: unknown;
}

/**
 * The control tuple (and message) that carries `s` to a BEAM node; undefined for a signal with
 * no Erlang form (a spawn request of a shipped function). `spawnFlags` is SPAWN_REPLY's flags
 * (`SPAWN_FLAG`), `unlinkId` the id an unlink goes out with, `sender` the pid a REG_SEND names
 * when the signal has none (a send from outside any process).
 *
 * @example
 * writeControl({ t: 'send', to: pid, msg: ['kvs', true] }, { sender, unlinkId: 1 });
 * // { control: [2, '', pid], message: ['kvs', true] }
 */
export function writeControl(s: SignalFrame, o: { sender: Pid; unlinkId: number; spawnFlags?: number }): WrittenControl | undefined {
  switch (s.t) {
    case 'send':
      return { control: [CTL.SEND, '', s.to], message: s.msg };
    case 'reg_send':
      return { control: [CTL.REG_SEND, s.from ?? o.sender, '', s.to], message: s.msg };
    case 'link':
      return { control: [CTL.LINK, s.from, s.to] };
    case 'unlink':
      return { control: [CTL.UNLINK_ID, o.unlinkId, s.from, s.to] };
    case 'exit':
      return { control: [CTL.EXIT, s.from, s.to, s.reason] };
    case 'exit2':
      return { control: [CTL.EXIT2, s.from, s.to, s.reason] };
    case 'monitor':
      return { control: [CTL.MONITOR_P, s.from, s.to, s.ref] };
    case 'demonitor':
      return { control: [CTL.DEMONITOR_P, s.from, s.to, s.ref] };
    case 'down':
      return { control: [CTL.MONITOR_P_EXIT, s.from, s.to, s.ref, s.reason] };
    case 'spawn_request': {
      if (s.spec.kind !== 'mfa') return undefined;
      const opts = list([...(s.link ? ['link'] : []), ...(s.monitor ? ['monitor'] : [])]);
      const mfa = [s.spec.module, s.spec.fun, s.spec.args.length];
      return { control: [CTL.SPAWN_REQUEST, s.ref, s.from, s.groupLeader, mfa, opts], message: list(s.spec.args) };
    }
    case 'spawn_reply': {
      const result = 'ok' in s.result ? s.result.ok : s.result.error;
      return { control: [CTL.SPAWN_REPLY, s.ref, s.to, 'ok' in s.result ? (o.spawnFlags ?? 0) : 0, result] };
    }
    default:
      throw new ErlmeshError('badarg', `writeControl: not a signal: ${String((s as { t?: unknown }).t)}`);
  }
}
