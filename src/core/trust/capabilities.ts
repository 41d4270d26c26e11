/**
 * Capabilities: what a peer acting in a role (a join-ticket holder) may do to this node, as a
 * pure decision on each signal it sends (see types.ts for {@link RolePolicy}). Cookie holders
 * (role `undefined`) never reach this module: they may do everything, as in Erlang.
 *
 * | signal from the peer             | allowed when                                                      |
 * |----------------------------------|-------------------------------------------------------------------|
 * | `send` to a pid                  | always                                                            |
 * | `reg_send` to a name             | the name is in `send` (or `send: '*'`), or it is a name service's (global, pg) |
 * | `link`                           | `link`                                                            |
 * | `exit2` (`exit(pid, reason)`)    | `exit`                                                            |
 * | `spawn_request` of `erpc:execute(M, F, A)` / `erpc:executeCast(M, F, A)` (rpc, erpc, cast) | M:F in `rpc` |
 * | `spawn_request` of `erpc:executeFun` or a shipped function (`{ kind: 'fn' }`) | `shipFunctions` |
 * | `spawn_request` of any other M:F | M:F in `spawn`                                                    |
 * | …where M:F is `erlang:apply` or `erpc:execute`/`executeCast` (in `rpc` or `spawn`) | also the M:F its arguments name (followed) |
 * | …where M:F is `erpc:executeFun` or `code:loadSources` (in `rpc` or `spawn`) | also `shipFunctions` |
 * | `spawn_request` with `link`      | as above, and `link`                                              |
 * | `monitor`, `demonitor`, `spawn_request` with a reference the peer did not make | never (forged: it would take over another node's monitor, whose entry has that reference) |
 * | `down`, `spawn_reply` with the reference of a monitor or spawn request aimed at another node | never (forged: an rpc's result rides on such a DOWN) |
 * | `monitor`, `demonitor`, `unlink`, `down`, `spawn_reply`, `exit` (a linked process exited) | always (monitors up to `maxMonitors`: guard.ts) |
 *
 * A role with no policy is treated as the empty policy `{}`: it may send to pids and monitor
 * (and the plumbing of those: demonitor, DOWN, replies). An `exit` from a linked process is
 * always let through: the runtime acts on it only if the link exists, and a link exists only
 * if `link` (or an own link of this node's process) made it.
 *
 * The name services (`global_name_server`, pg scope servers) are reachable by every role so
 * that a ticket holder can read names and groups; they check `global` and `pg` themselves.
 * Their messages name their sender in their second element (`[tag, fromNode, …]` for global,
 * `[tag, serverPid, …]` for pg), which they trust; so a message from a ticket holder to a
 * name service (by name, or to the pid registered under it) must name that holder there, or
 * it is refused as forged.
 */
import type { SignalFrame, SpawnSpec } from '../process/signals.js';
import { badarg, ErlmeshError } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import { isStrings } from '../terms/guards.js';
import type { Ref } from '../terms/ref.js';
import type { Allowlist, Capabilities, RolePolicy } from '../interfaces/trust.js';

/** The outcome of {@link decide}: `what` names the refused operation for logs. */
export type Decision = { ok: true } | { ok: false; what: string };

/** What {@link decide} needs to know of the node, for messages to its name services. */
export interface DecideContext {
  /** The peer the signal comes from. */
  readonly peer: string;
  /** Is `name` a name service's registered name (always reachable, origin checked)? */
  isService(name: string): boolean;
  /** The local registered name of `pid`, if any. */
  nameOf(pid: Pid): string | undefined;
  /**
   * The node the local process `to` awaits a DOWN or a spawn_reply with `ref` from (the node
   * of its monitor with that ref, or of its spawn request), if it awaits one.
   */
  awaitedFrom?(to: Pid, ref: Ref): string | undefined;
}

/** Default of {@link RolePolicy.maxMonitors}. */
export const DEFAULT_MAX_MONITORS = 10_000;

/** Default of {@link RolePolicy.maxMessagesPerSecond}. */
export const DEFAULT_MAX_MESSAGES_PER_SECOND = 1000;

const OK: Decision = { ok: true };
const EMPTY: RolePolicy = {};

const POLICY_KEYS = new Set(['rpc', 'spawn', 'shipFunctions', 'global', 'pg', 'send', 'link', 'exit', 'maxMessagesPerSecond', 'maxMonitors']);
const BOOLEAN_KEYS = ['shipFunctions', 'global', 'pg', 'link', 'exit'] as const;

/**
 * Modules a wildcard never covers: they evaluate arbitrary code (the CLI's `shell:eval`) or
 * read every process's mailbox (`observer`), so a role gets them only by naming them
 * (`rpc: { shell: ['eval'] }`, `rpc: { observer: ['nodeStats'] }`).
 */
export const NAMED_ONLY_MODULES: ReadonlySet<string> = new Set(['shell', 'observer']);

/**
 * Whether `allowlist` lets `module:fun` through (an undefined list lets nothing through).
 * `'*'` covers every module but {@link NAMED_ONLY_MODULES}.
 *
 * @example
 * allows({ kvs: ['lookup'] }, 'kvs', 'lookup');   // true
 * allows({ kvs: ['lookup'] }, 'kvs', 'store');    // false
 * allows('*', 'os', 'cmd');                        // true
 * allows('*', 'shell', 'eval');                    // false: name it to grant it
 */
export function allows(allowlist: Allowlist | undefined, module: string, fun: string): boolean {
  if (allowlist === undefined) return false;
  if (allowlist === '*') return !NAMED_ONLY_MODULES.has(module);
  if (!Object.prototype.hasOwnProperty.call(allowlist, module)) return false;
  const fns = allowlist[module];
  return fns === '*' || (Array.isArray(fns) && fns.includes(fun));
}

/**
 * May a peer whose role has `policy` (undefined: a role this node has no policy for) send
 * this signal to this node? Pure: no state, no side effects.
 *
 * @param ctx the node's name services (without it, a `reg_send` is checked against `send` alone)
 * @example
 * const spec = { kind: 'mfa', module: 'erpc', fun: 'execute', args: ['kvs', 'store', ['k', 'v']] };
 * decide({ rpc: { kvs: ['lookup'] } }, { t: 'spawn_request', ref, from, groupLeader, node, spec, link: false, monitor: true });
 * // { ok: false, what: 'rpc of kvs:store' }
 * decide(undefined, { t: 'send', to: pid, msg: 'hi' });   // { ok: true }
 */
export function decide(policy: RolePolicy | undefined, s: SignalFrame, ctx?: DecideContext): Decision {
  const p = policy ?? EMPTY;
  switch (s.t) {
    case 'send': {
      const name = ctx?.nameOf(s.to);
      if (name === undefined || !ctx!.isService(name) || namesSender(s.msg, ctx!.peer)) return OK;
      return { ok: false, what: `a forged message to '${name}'` };
    }
    case 'reg_send':
      if (ctx?.isService(s.to) === true) {
        return namesSender(s.msg, ctx.peer) ? OK : { ok: false, what: `a forged message to '${s.to}'` };
      }
      if (p.send === '*' || (Array.isArray(p.send) && p.send.includes(s.to))) return OK;
      return { ok: false, what: `send to '${s.to}'` };
    case 'link':
      return p.link === true ? OK : { ok: false, what: `link to ${s.to.toString()}` };
    case 'exit2':
      return p.exit === true ? OK : { ok: false, what: `exit signal to ${s.to.toString()}` };
    case 'monitor':
    case 'demonitor':
      return ctx === undefined || s.ref.node === ctx.peer ? OK : { ok: false, what: `a ${s.t} with a reference made by another node (${s.ref.toString()})` };
    case 'down':
    case 'spawn_reply': {
      const from = ctx?.awaitedFrom?.(s.to, s.ref);
      if (from === undefined) return OK;
      const foreignPid = s.t === 'spawn_reply' && 'ok' in s.result && s.result.ok.node !== ctx!.peer;
      if (from === ctx!.peer && !foreignPid) return OK;
      return { ok: false, what: `a forged ${s.t === 'down' ? 'DOWN' : 'spawn_reply'} for ${s.to.toString()} (${s.ref.toString()} awaits node ${from})` };
    }
    case 'spawn_request': {
      if (ctx !== undefined && s.ref.node !== ctx.peer) return { ok: false, what: `a spawn with a reference made by another node (${s.ref.toString()})` };
      const d = decideSpawn(p, s.spec);
      if (!d.ok || !s.link || p.link === true) return d;
      return { ok: false, what: `${describeSpec(s.spec)} with link (link not allowed)` };
    }
    default:
      return OK;
  }
}

/** A name service message `[tag, sender, …]` whose sender (a node name or a pid) is on `peer`. */
function namesSender(msg: unknown, peer: string): boolean {
  if (!Array.isArray(msg)) return false;
  const from: unknown = msg[1];
  return from === peer || (from instanceof Pid && from.node === peer);
}

function decideSpawn(p: RolePolicy, spec: SpawnSpec): Decision {
  if (spec.kind === 'fn') return p.shipFunctions === true ? OK : { ok: false, what: 'spawn of a shipped function' };
  if (spec.module === 'erpc') {
    if (spec.fun === 'executeFun') return p.shipFunctions === true ? OK : { ok: false, what: 'erpc of a shipped function' };
    if (spec.fun === 'execute' || spec.fun === 'executeCast') return decideCall(p, p.rpc, 'rpc', spec.args[0], spec.args[1], spec.args[2], 0);
  }
  return decideCall(p, p.spawn, 'spawn', spec.module, spec.fun, spec.args, 0);
}

/** How deep {@link decideCall} follows calls that call what their arguments name. */
const MAX_TRAMPOLINES = 8;

/**
 * May `m:f(args)` run under `list`? Built-in functions that run what their arguments name
 * are followed, so that an allowlist entry for them (`erlang: '*'`) grants no more than what
 * it lets through directly: `erlang:apply(M, F, A)` and `erpc:execute` / `executeCast(M, F, A)`
 * need M:F too, and `erpc:executeFun` and `code:loadSources` (running or loading shipped
 * source) need `shipFunctions`.
 */
function decideCall(p: RolePolicy, list: Allowlist | undefined, kind: 'rpc' | 'spawn', m: unknown, f: unknown, args: unknown, depth: number): Decision {
  const refused: Decision = { ok: false, what: `${kind} of ${String(m)}:${String(f)}` };
  if (typeof m !== 'string' || typeof f !== 'string' || !allows(list, m, f)) return refused;
  const a = Array.isArray(args) ? (args as unknown[]) : [];
  const inner = (m === 'erlang' && f === 'apply') || (m === 'erpc' && (f === 'execute' || f === 'executeCast'));
  if (inner) return depth < MAX_TRAMPOLINES ? decideCall(p, list, kind, a[0], a[1], a[2], depth + 1) : refused;
  if ((m === 'erpc' && f === 'executeFun') || (m === 'code' && f === 'loadSources')) {
    return p.shipFunctions === true ? OK : { ok: false, what: `${kind} of ${m}:${f} (runs shipped source: shipFunctions not allowed)` };
  }
  return OK;
}

function describeSpec(spec: SpawnSpec): string {
  return spec.kind === 'fn' ? 'spawn of a shipped function' : `spawn of ${spec.module}:${spec.fun}`;
}

/**
 * Validate the `capabilities` node option. A value that is not an object, a policy that is not
 * an object, or a field of the wrong type throws `badarg`; a policy field that does not exist
 * throws `unknown_options` (details: the unknown names). Returns `caps`.
 *
 * @example
 * checkCapabilities({ guest: { rpc: { kvs: ['lookup'] }, send: ['kvs'] } }); // ok
 * checkCapabilities({ guest: { rcp: '*' } });   // throws ErlmeshError code 'unknown_options'
 */
export function checkCapabilities(caps: unknown): Capabilities {
  if (!isPlainObject(caps)) throw badarg('capabilities must be an object: { [role]: RolePolicy }', { capabilities: caps });
  for (const [role, policy] of Object.entries(caps)) {
    if (!isPlainObject(policy)) throw badarg(`capabilities.${role} must be an object (a RolePolicy)`, { role, policy });
    const unknown = Object.keys(policy).filter((k) => !POLICY_KEYS.has(k));
    if (unknown.length > 0) {
      throw new ErlmeshError('unknown_options', `capabilities.${role}: unknown fields ${unknown.join(', ')}`, unknown);
    }
    const pol = policy as Record<string, unknown>;
    for (const k of ['rpc', 'spawn'] as const) {
      if (pol[k] !== undefined) checkAllowlist(pol[k], `capabilities.${role}.${k}`);
    }
    for (const k of BOOLEAN_KEYS) {
      if (pol[k] !== undefined && typeof pol[k] !== 'boolean') throw badarg(`capabilities.${role}.${k} must be a boolean`, { role, [k]: pol[k] });
    }
    const send = pol.send;
    if (send !== undefined && send !== '*' && !isStrings(send)) {
      throw badarg(`capabilities.${role}.send must be '*' or a list of names`, { role, send });
    }
    const rate = pol.maxMessagesPerSecond;
    if (rate !== undefined && !(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
      throw badarg(`capabilities.${role}.maxMessagesPerSecond must be a finite number > 0`, { role, maxMessagesPerSecond: rate });
    }
    const mon = pol.maxMonitors;
    if (mon !== undefined && !(typeof mon === 'number' && Number.isSafeInteger(mon) && mon >= 0)) {
      throw badarg(`capabilities.${role}.maxMonitors must be an integer >= 0`, { role, maxMonitors: mon });
    }
  }
  return caps as Capabilities;
}

function checkAllowlist(v: unknown, where: string): void {
  if (v === '*') return;
  if (!isPlainObject(v)) throw badarg(`${where} must be '*' or { module: '*' | [function names] }`, { [where]: v });
  for (const [m, fns] of Object.entries(v)) {
    if (fns !== '*' && !isStrings(fns)) throw badarg(`${where}.${m} must be '*' or a list of function names`, { module: m, fns });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
