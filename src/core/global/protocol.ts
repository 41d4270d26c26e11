/**
 * Every message the global name server sends or receives, by name. On the wire each is a tuple
 * `[tag, fromNode, …]` (between servers, sent to `[global_name_server, node]`); `decode` and
 * `encode` are the only code that reads or writes their positions, and the tuples are those of
 * every earlier version, so old and new nodes interoperate.
 *
 * `decode` is also the validator: a message whose fields have the wrong shape is `undefined`.
 * Lists are filtered rather than refused where the server always did so (the entries of a
 * snapshot, the ops of a `g_ops`). Such a message from another node is, by `malformedOf`, a
 * `Malformed`: the server logs it (one flood-limited line naming the node and the tag, through
 * the capability guard's refusal log), or refuses it as any other when it comes from a ticket
 * holder whose role lacks `global`, and never acts on it.
 */
import type { NodeEvent } from '../interfaces/node-events.js';
import { isPid, isRef, isStr } from '../terms/guards.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { Entry, ResolverDesc } from './name-table.js';

/** The local name of the server process on every node. */
export const SERVER_NAME = 'global_name_server';

export type CallKind = 'register' | 'reregister' | 'unregister';

/** An owner's change to its entries, as broadcast in `g_ops` (wire: `['add', name, pid, res]` / `['del', name, pid]`). */
export type Op = { op: 'add'; name: string; pid: Pid; res: ResolverDesc } | { op: 'del'; name: string; pid: Pid };
/** One step of a chain, run by `node`, the owner of what it touches (wire: `[node, 'own', name, pid, res]` / `[node, 'drop', name, pid]`). */
export type Step = { node: string; action: 'own'; name: string; pid: Pid; res: ResolverDesc } | { node: string; action: 'drop'; name: string; pid: Pid };
/** The answer to a call (wire: `[ref, result, info]`); `info` is `['several', names]` when the pid already had a name. */
export interface Reply {
  ref: string;
  result: string;
  info: unknown;
}

/** Messages between the name servers of two nodes (`from`: the sender's node). */
export type RemoteMsg =
  /** Send your owned set (asked on every nodeup, and by a restarted server). */
  | { t: 'g_snapshot_req'; from: string; token: unknown }
  /** The sender's complete owned set: replaces its replica; the token of our last request ends the wait for it. */
  | { t: 'g_snapshot'; from: string; entries: Entry[] | null; token: unknown }
  /** The sender's changes to its entries; `reply` answers the recipient's call, `done` tells the recipient leader that chain `done` ended. */
  | { t: 'g_ops'; from: string; ops: Op[]; reply: Reply | null; done: string | null }
  /** A call to the leader. `retry`: sent again, so a register finding its own pid under the name answers `yes`. */
  | { t: 'g_reserve'; from: string; ref: string; kind: CallKind; name: string; pid: Pid | null; res: ResolverDesc | null; retry: boolean }
  /** The rest of a chain: run the leading steps that are ours, pass on the rest (steps of owners we are not connected to are skipped). */
  | { t: 'g_chain'; from: string; ref: string; requester: string; leader: string | null; steps: Step[]; result: string }
  /** The answer to a call, when it cannot ride on a `g_ops`. */
  | { t: 'g_reply'; from: string; ref: string; result: string; info: unknown }
  /** The end of a chain, when it cannot ride on a `g_ops`; `relay`: an answer for a caller the chain's last node is not connected to. */
  | { t: 'g_done'; from: string; ref: string; relay: Reply | null }
  /** The recipient of a `g_reserve` is not the leader: the caller retries when its leader changes. */
  | { t: 'g_not_leader'; from: string; ref: string }
  /** The sender just became the leader: parked calls retry. */
  | { t: 'g_leader_up'; from: string }
  /** The sender's server restarted (its mailbox was lost): handled as its nodedown then nodeup. */
  | { t: 'g_restarted'; from: string }
  /** Before resolving a conflict: does the recipient still hold `name` for `pid`? Answered `g_confirmed`. */
  | { t: 'g_confirm'; from: string; rref: string; name: string; pid: Pid }
  | { t: 'g_confirmed'; from: string; rref: string; still: boolean }
  /** Run the user resolve function `fnId` registered on the recipient; answered `g_resolve_rep` (the pid to keep, or null). */
  | { t: 'g_resolve_req'; from: string; rref: string; name: string; pid1: Pid; pid2: Pid; fnId: string }
  | { t: 'g_resolve_rep'; from: string; rref: string; keep: Pid | null }
  /**
   * A `sync()` barrier round, answered `g_sync_ack` once settled. Round 2 probes the
   * recipient's peers first: all of them, or only those in `via` (a name call's chain nodes).
   */
  | { t: 'g_sync_req'; from: string; ref: string; round: 1 | 2; via: string[] | null }
  | { t: 'g_sync_ack'; from: string; ref: string }
  /** A round-2 barrier's round trip to every peer. */
  | { t: 'g_probe'; from: string; ref: unknown }
  | { t: 'g_probe_ack'; from: string; ref: string }
  /** The sender admits the recipient with a role: the recipient must not lead while connected to it. */
  | { t: 'g_untrusted'; from: string };

/** A lock request from a lock client (locks.ts); served to any node, peer or not. */
export interface LockRequest {
  t: 'g_lock';
  from: string;
  ref: unknown;
  replyTo: Pid;
  op: 'set' | 'del';
  resource: unknown;
  requester: unknown;
}

/** Messages from this node: the API, the node-event listener, monitors. */
export type LocalMsg =
  | { t: 'DOWN'; ref: Ref }
  | { t: '$new_call'; ref: string }
  | { t: '$new_barrier'; ref: string }
  | { t: '$nodeup'; node: string; hidden: boolean }
  | { t: '$nodedown'; node: string; hidden: boolean };

/** Every message the name server handles. */
export type GlobalMsg = RemoteMsg | LocalMsg | LockRequest;
export type GlobalTag = GlobalMsg['t'];

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A server-to-server message before the sender's name is filled in. */
export type Outgoing = Without<RemoteMsg, 'from'>;

/** The answer to a lock request: `fresh` when this request newly set the lock. */
export interface LockReply {
  t: 'g_lock_reply';
  ref: unknown;
  node: string;
  granted: boolean;
  fresh: boolean;
}

// ----- shapes: wire tuple ↔ value -------------------------------------------------------------

function resolverOf(x: unknown): ResolverDesc | null {
  if (x === 'random_exit' || x === 'random_notify' || x === 'notify_all') return x;
  if (Array.isArray(x) && x.length === 3 && x[0] === 'fun' && isStr(x[1]) && isStr(x[2])) return { fnNode: x[1], fnId: x[2] };
  return null;
}

const resolverTuple = (r: ResolverDesc): unknown => (typeof r === 'string' ? r : ['fun', r.fnNode, r.fnId]);

function entryOf(x: unknown): Entry | null {
  if (!Array.isArray(x) || x.length !== 3 || !isStr(x[0]) || !isPid(x[1])) return null;
  const res = resolverOf(x[2]);
  return res && { name: x[0], pid: x[1], res };
}

function stepOf(x: unknown): Step | null {
  if (!Array.isArray(x) || !isStr(x[0]) || !isStr(x[2]) || !isPid(x[3])) return null;
  const res = x[1] === 'own' && x.length === 5 ? resolverOf(x[4]) : null;
  if (res) return { node: x[0], action: 'own', name: x[2], pid: x[3], res };
  return x[1] === 'drop' && x.length === 4 ? { node: x[0], action: 'drop', name: x[2], pid: x[3] } : null;
}

function opOf(x: unknown): Op | null {
  if (!Array.isArray(x) || !isStr(x[1]) || !isPid(x[2])) return null;
  const res = x[0] === 'add' ? resolverOf(x[3]) : null;
  if (res) return { op: 'add', name: x[1], pid: x[2], res };
  return x[0] === 'del' ? { op: 'del', name: x[1], pid: x[2] } : null;
}

/** Each of `xs` that has the shape, as a value (the others are left out). */
function valid<T>(xs: unknown[], of: (x: unknown) => T | null): T[] {
  const out: T[] = [];
  for (const x of xs) {
    const v = of(x);
    if (v !== null) out.push(v);
  }
  return out;
}

/** A chain's steps, if every one has the shape. */
function stepsOf(x: unknown): Step[] | null {
  if (!Array.isArray(x)) return null;
  const steps = valid(x, stepOf);
  return steps.length === x.length ? steps : null;
}

// Fields of an answer are passed on as they came (a leader relays them unchanged).
const replyOf = (x: unknown): Reply | null => (Array.isArray(x) ? { ref: x[0] as string, result: x[1] as string, info: x[2] } : null);

const entryTuple = (e: Entry): unknown[] => [e.name, e.pid, resolverTuple(e.res)];
const opTuple = (o: Op): unknown[] => (o.op === 'add' ? ['add', o.name, o.pid, resolverTuple(o.res)] : ['del', o.name, o.pid]);
const stepTuple = (s: Step): unknown[] => (s.action === 'own' ? [s.node, 'own', s.name, s.pid, resolverTuple(s.res)] : [s.node, 'drop', s.name, s.pid]);
const replyTuple = (r: Reply | null): unknown[] | null => (r ? [r.ref, r.result, r.info] : null);

/** The names of `['several', names]` in an answer's info: the pid already had a global name. */
export function severalNames(info: unknown): unknown[] | undefined {
  return Array.isArray(info) && info[0] === 'several' && Array.isArray(info[1]) ? info[1] : undefined;
}

// ----- the tag table ---------------------------------------------------------------------------

type Decoders = { [T in GlobalTag]: (m: unknown[]) => Extract<GlobalMsg, { t: T }> | undefined };

/** For each tag, its tuple → message (undefined: a field has the wrong shape). */
const decoders: Decoders = {
  DOWN: ([, ref]) => (isRef(ref) ? { t: 'DOWN', ref } : undefined),
  $new_call: ([, ref]) => (isStr(ref) ? { t: '$new_call', ref } : undefined),
  $new_barrier: ([, ref]) => (isStr(ref) ? { t: '$new_barrier', ref } : undefined),
  $nodeup: ([, node, hidden]) => (isStr(node) ? { t: '$nodeup', node, hidden: hidden === true } : undefined),
  $nodedown: ([, node, hidden]) => (isStr(node) ? { t: '$nodedown', node, hidden: hidden === true } : undefined),
  g_lock: ([, from, ref, replyTo, op, resource, requester]) =>
    isStr(from) && isPid(replyTo) && (op === 'set' || op === 'del') ? { t: 'g_lock', from, ref, replyTo, op, resource, requester } : undefined,
  g_snapshot_req: ([, from, token]) => ({ t: 'g_snapshot_req', from: from as string, token }),
  g_snapshot: ([, from, entries, token]) => ({
    t: 'g_snapshot',
    from: from as string,
    entries: Array.isArray(entries) ? valid(entries, entryOf) : null,
    token,
  }),
  g_ops: ([, from, ops, reply, done]) => ({
    t: 'g_ops',
    from: from as string,
    ops: Array.isArray(ops) ? valid(ops, opOf) : [],
    reply: replyOf(reply),
    done: isStr(done) ? done : null,
  }),
  g_reserve: ([, from, ref, kind, name, pid, res, retry]) =>
    isStr(ref) && isStr(kind) && isStr(name)
      ? {
          t: 'g_reserve',
          from: from as string,
          ref,
          kind: kind as CallKind, // checked by the leader (an unknown kind is ignored there)
          name,
          pid: isPid(pid) ? pid : null,
          res: resolverOf(res),
          retry: retry === true,
        }
      : undefined,
  g_chain: ([, from, ref, requester, leader, list, result]) => {
    const steps = stepsOf(list);
    return isStr(ref) && isStr(requester) && steps && isStr(result)
      ? { t: 'g_chain', from: from as string, ref, requester, leader: isStr(leader) ? leader : null, steps, result }
      : undefined;
  },
  g_reply: ([, from, ref, result, info]) => (isStr(ref) && isStr(result) ? { t: 'g_reply', from: from as string, ref, result, info } : undefined),
  g_done: ([, from, ref, relay]) => (isStr(ref) ? { t: 'g_done', from: from as string, ref, relay: replyOf(relay) } : undefined),
  g_not_leader: ([, from, ref]) => (isStr(ref) ? { t: 'g_not_leader', from: from as string, ref } : undefined),
  g_leader_up: ([, from]) => ({ t: 'g_leader_up', from: from as string }),
  g_restarted: ([, from]) => ({ t: 'g_restarted', from: from as string }),
  g_confirm: ([, from, rref, name, pid]) => (isStr(rref) && isStr(name) && isPid(pid) ? { t: 'g_confirm', from: from as string, rref, name, pid } : undefined),
  g_confirmed: ([, from, rref, still]) => (isStr(rref) ? { t: 'g_confirmed', from: from as string, rref, still: still === true } : undefined),
  g_resolve_req: ([, from, rref, name, pid1, pid2, fnId]) =>
    isStr(rref) && isStr(name) && isPid(pid1) && isPid(pid2) && isStr(fnId)
      ? { t: 'g_resolve_req', from: from as string, rref, name, pid1, pid2, fnId }
      : undefined,
  g_resolve_rep: ([, from, rref, keep]) => (isStr(rref) ? { t: 'g_resolve_rep', from: from as string, rref, keep: isPid(keep) ? keep : null } : undefined),
  g_sync_req: ([, from, ref, round, via]) =>
    isStr(ref) ? { t: 'g_sync_req', from: from as string, ref, round: round === 2 ? 2 : 1, via: Array.isArray(via) ? via.filter(isStr) : null } : undefined,
  g_sync_ack: ([, from, ref]) => (isStr(ref) ? { t: 'g_sync_ack', from: from as string, ref } : undefined),
  g_probe: ([, from, ref]) => ({ t: 'g_probe', from: from as string, ref }),
  g_probe_ack: ([, from, ref]) => (isStr(ref) ? { t: 'g_probe_ack', from: from as string, ref } : undefined),
  g_untrusted: ([, from]) => ({ t: 'g_untrusted', from: from as string }),
};

/** The tags of `RemoteMsg`: each such message names its sender's node in position 1. */
const remoteTags: { [T in RemoteMsg['t']]: true } = {
  g_snapshot_req: true, g_snapshot: true, g_ops: true, g_reserve: true, g_chain: true, g_reply: true, g_done: true,
  g_not_leader: true, g_leader_up: true, g_restarted: true, g_confirm: true, g_confirmed: true, g_resolve_req: true,
  g_resolve_rep: true, g_sync_req: true, g_sync_ack: true, g_probe: true, g_probe_ack: true, g_untrusted: true,
};
const REMOTE_TAGS: ReadonlySet<string> = new Set(Object.keys(remoteTags));

export function isRemote(msg: GlobalMsg): msg is RemoteMsg {
  return REMOTE_TAGS.has(msg.t);
}

/** A received tuple as a message; undefined for anything else (an unknown tag, a bad field). */
export function decode(m: unknown): GlobalMsg | undefined {
  if (!Array.isArray(m) || !isStr(m[0]) || !Object.hasOwn(decoders, m[0])) return undefined;
  if (REMOTE_TAGS.has(m[0]) && !isStr(m[1])) return undefined;
  return decoders[m[0] as GlobalTag](m);
}

/**
 * A message with the tag of another node's message (a `RemoteMsg` or a `g_lock`) that
 * `decode` refuses: `from` is the node it names as its sender, `raw` the tuple as it came.
 */
export interface Malformed {
  t: '$malformed';
  tag: RemoteMsg['t'] | 'g_lock';
  from: string;
  raw: unknown[];
}

/**
 * `m` as a `Malformed`, if it is a malformed message from another node: `from` is `'?'` when
 * it names no node. Undefined for a well-formed message and for anything that is not one of
 * the protocol's messages from another node (a local message, an unknown tag).
 */
export function malformedOf(m: unknown): Malformed | undefined {
  if (!Array.isArray(m) || !isStr(m[0]) || !(REMOTE_TAGS.has(m[0]) || m[0] === 'g_lock') || decode(m) !== undefined) return undefined;
  return { t: '$malformed', tag: m[0] as Malformed['tag'], from: isStr(m[1]) ? m[1] : '?', raw: m };
}

/** A message as its tuple (a `DOWN` is made by the runtime, never sent by the server). */
export function encode(msg: Exclude<GlobalMsg, { t: 'DOWN' }>): unknown[] {
  switch (msg.t) {
    case '$new_call':
    case '$new_barrier':
      return [msg.t, msg.ref];
    case '$nodeup':
    case '$nodedown':
      return [msg.t, msg.node, msg.hidden];
    case 'g_lock':
      return [msg.t, msg.from, msg.ref, msg.replyTo, msg.op, msg.resource, msg.requester];
    case 'g_snapshot_req':
      return [msg.t, msg.from, msg.token];
    case 'g_snapshot':
      return [msg.t, msg.from, (msg.entries ?? []).map(entryTuple), msg.token];
    case 'g_ops':
      return [msg.t, msg.from, msg.ops.map(opTuple), replyTuple(msg.reply), msg.done];
    case 'g_reserve':
      return [msg.t, msg.from, msg.ref, msg.kind, msg.name, msg.pid, msg.res && resolverTuple(msg.res), msg.retry];
    case 'g_chain':
      return [msg.t, msg.from, msg.ref, msg.requester, msg.leader, msg.steps.map(stepTuple), msg.result];
    case 'g_reply':
      return [msg.t, msg.from, msg.ref, msg.result, msg.info];
    case 'g_done':
      return [msg.t, msg.from, msg.ref, replyTuple(msg.relay)];
    case 'g_not_leader':
    case 'g_sync_ack':
    case 'g_probe':
    case 'g_probe_ack':
      return [msg.t, msg.from, msg.ref];
    case 'g_leader_up':
    case 'g_restarted':
    case 'g_untrusted':
      return [msg.t, msg.from];
    case 'g_confirm':
      return [msg.t, msg.from, msg.rref, msg.name, msg.pid];
    case 'g_confirmed':
      return [msg.t, msg.from, msg.rref, msg.still];
    case 'g_resolve_req':
      return [msg.t, msg.from, msg.rref, msg.name, msg.pid1, msg.pid2, msg.fnId];
    case 'g_resolve_rep':
      return [msg.t, msg.from, msg.rref, msg.keep];
    case 'g_sync_req':
      // `via` is a later addition: an older node reads the tuple without it (a full round 2).
      return msg.via === null ? [msg.t, msg.from, msg.ref, msg.round] : [msg.t, msg.from, msg.ref, msg.round, msg.via];
  }
}

/** A server-to-server message from `from`, as its tuple. */
export function encodeFrom(from: string, msg: Outgoing): unknown[] {
  return encode({ ...msg, from } as RemoteMsg);
}

export function encodeLockReply(r: Omit<LockReply, 't'>): unknown[] {
  return ['g_lock_reply', r.ref, r.node, r.granted, r.fresh];
}

export function decodeLockReply(m: unknown): LockReply | undefined {
  if (!Array.isArray(m) || m[0] !== 'g_lock_reply' || !isStr(m[2])) return undefined;
  return { t: 'g_lock_reply', ref: m[1], node: m[2], granted: m[3] === true, fresh: m[4] === true };
}

/** A node event (`monitorNodes` with `nodeType: 'all'`), as the message that brings it to the server. */
export function nodeEventMsg(ev: NodeEvent): unknown[] {
  const [kind, node, info] = ev;
  return encode({ t: kind === 'nodeup' ? '$nodeup' : '$nodedown', node, hidden: info?.nodeType === 'hidden' });
}

/** What a conflict resolution tells a process: it lost `name` (to `other`, with `notify_all`). */
export function conflictNotice(name: string, other?: Pid): unknown[] {
  return other === undefined ? ['global_name_conflict', name] : ['global_name_conflict', name, other];
}
