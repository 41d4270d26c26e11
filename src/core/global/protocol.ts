/**
 * Every message the global name server sends or receives, by name. On the wire each is a tuple
 * `[tag, fromNode, …]` (between servers, sent to `[global_name_server, node]`); `decode` and
 * `encode` are the only code that reads or writes their positions, and the tuples are those of
 * every earlier version, so old and new nodes interoperate.
 *
 * `decode` is also the validator: a message whose fields have the wrong shape is `undefined`
 * and is ignored. Lists are filtered rather than refused where the server always did so (the
 * entries of a snapshot, the ops of a `g_ops`).
 */
import { isPid, isRef, isStr } from '../terms/guards.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { ResolverDesc, WireEntry } from './name-table.js';

/** The local name of the server process on every node. */
export const SERVER_NAME = 'global_name_server';

export type CallKind = 'register' | 'reregister' | 'unregister';

/** An owner's change to its entries, as broadcast in `g_ops`. */
export type Op = ['add', string, Pid, ResolverDesc] | ['del', string, Pid];
/** One step of a chain, run by the node that owns what it touches. */
export type Step = [node: string, action: 'own', name: string, pid: Pid, res: ResolverDesc] | [node: string, action: 'drop', name: string, pid: Pid];
/** The answer to a call: `info` is `['several', names]` when a pid already had a name. */
export type ReplyInfo = [ref: string, result: string, info: unknown];

/** Messages between the name servers of two nodes (`from`: the sender's node). */
export type RemoteMsg =
  | { t: 'g_snapshot_req'; from: string; token: unknown }
  | { t: 'g_snapshot'; from: string; entries: WireEntry[] | null; token: unknown }
  | { t: 'g_ops'; from: string; ops: Op[]; reply: ReplyInfo | null; done: string | null }
  | { t: 'g_reserve'; from: string; ref: string; kind: CallKind; name: string; pid: Pid | null; res: ResolverDesc | null; retry: boolean }
  | { t: 'g_chain'; from: string; ref: string; requester: string; leader: string | null; steps: Step[]; result: string }
  | { t: 'g_reply'; from: string; ref: string; result: string; info: unknown }
  | { t: 'g_done'; from: string; ref: string; relay: ReplyInfo | null }
  | { t: 'g_not_leader'; from: string; ref: string }
  | { t: 'g_leader_up'; from: string }
  | { t: 'g_restarted'; from: string }
  | { t: 'g_confirm'; from: string; rref: string; name: string; pid: Pid }
  | { t: 'g_confirmed'; from: string; rref: string; still: boolean }
  | { t: 'g_resolve_req'; from: string; rref: string; name: string; pid1: Pid; pid2: Pid; fnId: string }
  | { t: 'g_resolve_rep'; from: string; rref: string; keep: Pid | null }
  | { t: 'g_sync_req'; from: string; ref: string; round: 1 | 2 }
  | { t: 'g_sync_ack'; from: string; ref: string }
  | { t: 'g_probe'; from: string; ref: unknown }
  | { t: 'g_probe_ack'; from: string; ref: string }
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

// ----- shapes ----------------------------------------------------------------------------------

function isResolverDesc(x: unknown): x is ResolverDesc {
  if (x === 'random_exit' || x === 'random_notify' || x === 'notify_all') return true;
  return Array.isArray(x) && x.length === 3 && x[0] === 'fun' && isStr(x[1]) && isStr(x[2]);
}

function isWireEntry(x: unknown): x is WireEntry {
  return Array.isArray(x) && x.length === 3 && isStr(x[0]) && isPid(x[1]) && isResolverDesc(x[2]);
}

function isStep(x: unknown): x is Step {
  if (!Array.isArray(x) || !isStr(x[0]) || !isStr(x[2]) || !isPid(x[3])) return false;
  return (x[1] === 'own' && x.length === 5 && isResolverDesc(x[4])) || (x[1] === 'drop' && x.length === 4);
}

function isOp(x: unknown): x is Op {
  if (!Array.isArray(x) || !isStr(x[1]) || !isPid(x[2])) return false;
  return (x[0] === 'add' && isResolverDesc(x[3])) || x[0] === 'del';
}

const replyInfo = (x: unknown): ReplyInfo | null => (Array.isArray(x) ? (x as ReplyInfo) : null);

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
    entries: Array.isArray(entries) ? entries.filter(isWireEntry) : null,
    token,
  }),
  g_ops: ([, from, ops, reply, done]) => ({
    t: 'g_ops',
    from: from as string,
    ops: Array.isArray(ops) ? ops.filter(isOp) : [],
    reply: replyInfo(reply),
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
          res: isResolverDesc(res) ? res : null,
          retry: retry === true,
        }
      : undefined,
  g_chain: ([, from, ref, requester, leader, steps, result]) =>
    isStr(ref) && isStr(requester) && Array.isArray(steps) && steps.every(isStep) && isStr(result)
      ? { t: 'g_chain', from: from as string, ref, requester, leader: isStr(leader) ? leader : null, steps, result }
      : undefined,
  g_reply: ([, from, ref, result, info]) => (isStr(ref) && isStr(result) ? { t: 'g_reply', from: from as string, ref, result, info } : undefined),
  g_done: ([, from, ref, relay]) => (isStr(ref) ? { t: 'g_done', from: from as string, ref, relay: replyInfo(relay) } : undefined),
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
  g_sync_req: ([, from, ref, round]) => (isStr(ref) ? { t: 'g_sync_req', from: from as string, ref, round: round === 2 ? 2 : 1 } : undefined),
  g_sync_ack: ([, from, ref]) => (isStr(ref) ? { t: 'g_sync_ack', from: from as string, ref } : undefined),
  g_probe: ([, from, ref]) => ({ t: 'g_probe', from: from as string, ref }),
  g_probe_ack: ([, from, ref]) => (isStr(ref) ? { t: 'g_probe_ack', from: from as string, ref } : undefined),
  g_untrusted: ([, from]) => ({ t: 'g_untrusted', from: from as string }),
};

/** The tags of `RemoteMsg`: each such message names its sender's node in position 1. */
const REMOTE_TAGS: ReadonlySet<string> = new Set<RemoteMsg['t']>([
  'g_snapshot_req', 'g_snapshot', 'g_ops', 'g_reserve', 'g_chain', 'g_reply', 'g_done', 'g_not_leader', 'g_leader_up',
  'g_restarted', 'g_confirm', 'g_confirmed', 'g_resolve_req', 'g_resolve_rep', 'g_sync_req', 'g_sync_ack', 'g_probe',
  'g_probe_ack', 'g_untrusted',
]);

export function isRemote(msg: GlobalMsg): msg is RemoteMsg {
  return REMOTE_TAGS.has(msg.t);
}

/** A received tuple as a message; undefined for anything else (an unknown tag, a bad field). */
export function decode(m: unknown): GlobalMsg | undefined {
  if (!Array.isArray(m) || !isStr(m[0]) || !Object.hasOwn(decoders, m[0])) return undefined;
  if (REMOTE_TAGS.has(m[0]) && !isStr(m[1])) return undefined;
  return decoders[m[0] as GlobalTag](m);
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
      return [msg.t, msg.from, msg.entries ?? [], msg.token];
    case 'g_ops':
      return [msg.t, msg.from, msg.ops, msg.reply, msg.done];
    case 'g_reserve':
      return [msg.t, msg.from, msg.ref, msg.kind, msg.name, msg.pid, msg.res, msg.retry];
    case 'g_chain':
      return [msg.t, msg.from, msg.ref, msg.requester, msg.leader, msg.steps, msg.result];
    case 'g_reply':
      return [msg.t, msg.from, msg.ref, msg.result, msg.info];
    case 'g_done':
      return [msg.t, msg.from, msg.ref, msg.relay];
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
      return [msg.t, msg.from, msg.ref, msg.round];
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

/** What a conflict resolution tells a process: it lost `name` (to `other`, with `notify_all`). */
export function conflictNotice(name: string, other?: Pid): unknown[] {
  return other === undefined ? ['global_name_conflict', name] : ['global_name_conflict', name, other];
}
