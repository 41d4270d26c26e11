/**
 * The messages between the scope servers `S` of one scope (pids may repeat in every list).
 * The servers of one scope on different nodes talk to each other and to nothing else, so
 * scopes are independent.
 *
 * | message                         | meaning / reaction                                       |
 * |---------------------------------|----------------------------------------------------------|
 * | `['discover', S]`               | S wants our local members. Reply `sync`; if S is unknown, monitor it, record it with no members and send `discover` back. Sent by a server when it starts (to every visible node, as OTP) and on a visible `nodeup` (to that node). |
 * | `['sync', S, [[g, pids], …]]`   | S's complete local membership: replaces all we knew of S (an unknown S is monitored and recorded first). |
 * | `['join', S, g, pids]`          | pids (local to S) joined g. Ignored from an unrecorded S: the `sync` that follows covers it. |
 * |                                 | In `sync` and `join`, a pid not on S's node is dropped (logged; a refusal from a ticket holder). |
 * | `['leave', S, g, pids]`         | one entry of each pid left g. Ignored from an unrecorded S. |
 * | `['pg_not_allowed', S, groups]` | S refused our members of `groups` (capabilities, below): logged. |
 *
 * A server also gets the `['DOWN', ref, …]` of the monitors it holds (its local members, the
 * servers it has recorded, the processes watching the scope). Messages to other nodes go only
 * over an existing connection (Erlang's `noconnect`): pg never connects nodes (a `disconnect`
 * stays one), and what it drops while a node is unreachable the `sync` after the next nodeup
 * carries.
 *
 * Capabilities (trust/): a peer admitted with a join ticket whose role lacks `pg` may read
 * groups (its `discover` is answered) but its members are not accepted: the members of its
 * `sync` and `join` are ignored (it is recorded with none), this node logs one warning per
 * refusal (`capabilities: refused pg join of [g] in scope 'pg' from node … (role '…')`,
 * flood-limited), and its server is sent `['pg_not_allowed', S, groups]`, on which the
 * joining node's scope server logs a warning (`pg: node … does not accept this node's members
 * of [g] in scope 'pg' (not allowed for this node's role)`). Its local view is unchanged: its
 * own members stay local members there.
 *
 * This module is the only place that reads the messages' positional fields: `decode` turns a
 * message into a named one (undefined for anything malformed) and `encode` turns a named one
 * back into the tuple on the wire. A malformed peer message (one of the tags above, a field of
 * the wrong shape) is, by `malformedOf`, its tag and the node of the server it names (`?` if
 * none): the server logs one flood-limited line for it (through the capability guard's
 * refusal log) and does not act on it. Anything else (an unknown tag) is ignored, as OTP's pg.
 */
import { isPids, isStrings } from '../terms/guards.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';

/** A server's local membership, as a `sync` carries it: `[group, pids]` pairs. */
export type SyncGroups = Array<[group: string, pids: Pid[]]>;

/** A message between the servers of one scope; `server` is the sender's scope server. */
export type PeerMsg =
  | { t: 'discover'; server: Pid }
  | { t: 'sync'; server: Pid; groups: SyncGroups }
  | { t: 'join'; server: Pid; group: string; pids: Pid[] }
  | { t: 'leave'; server: Pid; group: string; pids: Pid[] }
  | { t: 'pg_not_allowed'; server: Pid; groups: string[] };

/** A monitor of the server fired (`['DOWN', ref, 'process', pid, reason]`). */
export interface DownMsg {
  t: 'DOWN';
  ref: Ref;
}

/** Everything a scope server acts on. */
export type ServerMsg = PeerMsg | DownMsg;

export type ServerTag = ServerMsg['t'];

/** The message of tag `T`. */
export type MsgOf<T extends ServerTag> = Extract<ServerMsg, { t: T }>;

function isSyncGroups(v: unknown): v is SyncGroups {
  return Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isPids(e[1]));
}

/** For each tag: the named message of a tuple with that tag, or undefined when a field is malformed. */
const decoders: { [T in ServerTag]: (m: readonly unknown[]) => MsgOf<T> | undefined } = {
  DOWN: (m) => (m[1] instanceof Ref ? { t: 'DOWN', ref: m[1] } : undefined),
  discover: (m) => (m[1] instanceof Pid ? { t: 'discover', server: m[1] } : undefined),
  sync: (m) => (m[1] instanceof Pid && isSyncGroups(m[2]) ? { t: 'sync', server: m[1], groups: m[2] } : undefined),
  join: (m) =>
    m[1] instanceof Pid && typeof m[2] === 'string' && isPids(m[3]) ? { t: 'join', server: m[1], group: m[2], pids: m[3] } : undefined,
  leave: (m) =>
    m[1] instanceof Pid && typeof m[2] === 'string' && isPids(m[3]) ? { t: 'leave', server: m[1], group: m[2], pids: m[3] } : undefined,
  pg_not_allowed: (m) => (m[1] instanceof Pid && isStrings(m[2]) ? { t: 'pg_not_allowed', server: m[1], groups: m[2] } : undefined),
};

/** For each peer message: its tuple on the wire. */
const encoders: { [T in PeerMsg['t']]: (m: MsgOf<T>) => unknown[] } = {
  discover: (m) => ['discover', m.server],
  sync: (m) => ['sync', m.server, m.groups],
  join: (m) => ['join', m.server, m.group, m.pids],
  leave: (m) => ['leave', m.server, m.group, m.pids],
  pg_not_allowed: (m) => ['pg_not_allowed', m.server, m.groups],
};

/** What a message a scope server received says; undefined for anything it does not act on. */
export function decode(m: unknown): ServerMsg | undefined {
  if (!Array.isArray(m)) return undefined;
  const tag: unknown = m[0];
  if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(decoders, tag)) return undefined;
  return decoders[tag as ServerTag](m);
}

/** A peer message `decode` refuses: its tag, and the node of the server it names (`?` if none). */
export interface Malformed {
  tag: PeerMsg['t'];
  node: string;
}

/** `m` as a `Malformed`, if it is a malformed peer message; undefined otherwise (well-formed, a `DOWN`, an unknown tag). */
export function malformedOf(m: unknown): Malformed | undefined {
  if (!Array.isArray(m) || typeof m[0] !== 'string' || m[0] === 'DOWN' || !Object.prototype.hasOwnProperty.call(encoders, m[0])) return undefined;
  if (decode(m) !== undefined) return undefined;
  return { tag: m[0] as PeerMsg['t'], node: m[1] instanceof Pid ? m[1].node : '?' };
}

/** The wire tuple of a peer message. */
export function encode(msg: PeerMsg): unknown[] {
  return (encoders[msg.t] as (m: PeerMsg) => unknown[])(msg);
}
