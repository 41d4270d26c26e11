/**
 * The state of one node's global name server (OTP's `-record(state, …)` of global.erl), and
 * `Server`: what the files of each role (membership, replica, authority, conflicts, sync,
 * locks) call on each other, through the name server, so that none imports another.
 */
import type { Self } from '../interfaces/self.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { GlobalHost } from './host.js';
import { LockTable } from './locks.js';
import { NameTable, type ResolverDesc } from './name-table.js';
import type { CallKind, Op, Outgoing, RemoteMsg, Reply, Step } from './protocol.js';

/** A user resolve function. */
export type ResolveFn = (name: string, pid1: Pid, pid2: Pid) => Pid | undefined | Promise<Pid | undefined>;

/** A name operation, as the leader queues it (`from`: the calling node). */
export interface Request {
  from: string;
  ref: string;
  kind: CallKind;
  name: string;
  pid: Pid | null;
  res: ResolverDesc | null;
  retry: boolean;
}

/** A request of this node's API, waiting for its answer (`from` is this node). */
export interface Call extends Request {
  /** The leader it was sent to; undefined while parked (waiting for a new leader). */
  sentTo: string | undefined;
  resolve(result: string): void;
  reject(e: unknown): void;
}

/** The leader's hold on a name while the chain `ref` runs. */
export interface Reservation {
  ref: string;
  name: string;
  requester: string;
  result: string;
  /** The nodes the chain's steps run on. */
  nodes: Set<string>;
}

/** A conflict this node resolves, as the lowest owner of `name`, against `other`. */
export interface Resolution {
  name: string;
  mine: Pid;
  other: Pid;
  ref: string;
  stage: 'confirm' | 'fn' | 'drop';
  /** Where the user resolve function runs (stage `fn`). */
  fnNode?: string;
}

/** A `sync()` of this node's API. */
export interface Barrier {
  /** The ref of the current round's `g_sync_req`. */
  ref: string;
  round: 1 | 2;
  /** Peers whose `g_sync_ack` is still missing. */
  waiting: Set<string>;
  /** Round 2 probes only these nodes (a name call's visibility barrier); null: every peer. */
  via: string[] | null;
  resolve(v: 'ok'): void;
}

/** A `g_sync_ack` this node owes a peer, sent once settled (round 2: after a probe of every peer). */
export interface OwedAck {
  to: string;
  ref: string;
  round: 1 | 2;
  /** Round 2: the peers to probe (null: all of them). */
  via: string[] | null;
  probe: { ref: string; waiting: Set<string> } | undefined;
}

export class GlobalState {
  /** Every entry known here: this node's own plus one replica per visible peer. */
  readonly table = new NameTable();
  /** User resolve functions registered from this node, by id. */
  readonly resolveFns = new Map<string, ResolveFn>();
  /** This node's API calls sent to a leader (or parked), by ref. */
  readonly calls = new Map<string, Call>();
  /** API calls the server process has not picked up yet (`$new_call`). */
  readonly newCalls = new Map<string, Call>();
  /** API `sync()` barriers, by key. */
  readonly barriers = new Map<string, Barrier>();
  /** This node's lock table. */
  readonly locks: LockTable;
  /** Set when the server could not be restarted: calls are rejected, `sync()` answers at once. */
  stopped = false;

  // ----- membership (membership.ts) -----
  /** Visible peers, between their nodeup and nodedown. */
  readonly peers = new Set<string>();
  /** Hidden peers: their name server messages are ignored. */
  readonly hiddenPeers = new Set<string>();
  /** Messages from a node that came before its nodeup, held until it. */
  readonly heldUntilNodeup = new Map<string, RemoteMsg[]>();
  /** The authority: the lowest-named trusted node among this one and its visible peers. */
  leader: string;
  /** Visible peers that act in a role (ticket holders): whether the role has `global`. Never leaders. */
  readonly ticketPeers = new Map<string, boolean>();
  /** Peers that admitted this node with a role (`g_untrusted`): it does not lead while they are there. */
  readonly roleGivenBy = new Set<string>();

  // ----- replicas and owned entries (replica.ts) -----
  /** Peers whose snapshot was asked for and has not come: node → token of the last request. */
  readonly awaitingSnapshot = new Map<string, string>();
  /** The monitor of each owned pid (pid key → ref), and back (ref key → pid). */
  readonly monitorOf = new Map<string, Ref>();
  readonly pidOfMonitor = new Map<string, Pid>();

  // ----- authority (authority.ts) -----
  /** Names with a chain in flight, and the same reservations by chain ref. */
  readonly reservations = new Map<string, Reservation>();
  readonly reservationsByRef = new Map<string, Reservation>();
  /** Requests waiting until the table is complete and their name has no chain in flight. */
  queuedRequests: Request[] = [];

  // ----- conflicts (conflicts.ts) -----
  /** Conflicts this node is resolving, by name and by ref. */
  readonly resolutions = new Map<string, Resolution>();
  readonly resolutionsByRef = new Map<string, Resolution>();

  // ----- sync (sync.ts) -----
  owedAcks: OwedAck[] = [];

  constructor(
    readonly thisNode: string,
    selfNow: () => Self,
  ) {
    this.leader = thisNode;
    this.locks = new LockTable(selfNow);
  }
}

/** The end of a chain: its answer goes to `requester`, its end to `leader`. */
export interface ChainEnd {
  ref: string;
  requester: string;
  leader: string | null;
  reply: Reply;
}

/** The name server as its role files see it. */
export interface Server {
  readonly state: GlobalState;
  readonly host: GlobalHost;
  /** The current server process. */
  readonly self: Self;
  /** A fresh unguessable ref (name-server.ts). */
  newRef(): string;
  /** Send to the server on `node`, only over an existing connection. */
  send(node: string, msg: Outgoing): void;
  /** Handle a message from a peer (one held until its nodeup). */
  deliver(msg: RemoteMsg): void;
  // replica.ts
  own(name: string, pid: Pid, res: ResolverDesc): Op[];
  drop(name: string, pid: Pid): Op[];
  broadcast(ops: Op[], end?: ChainEnd): void;
  runChain(ref: string, requester: string, leader: string | null, steps: Step[], result: string): void;
  // conflicts.ts
  checkConflict(name: string): void;
  endResolution(r: Resolution): void;
  resolved(r: Resolution, keep: Pid | undefined): void;
  // authority.ts
  onReserve(q: Request): void;
  notLeader(q: Request): void;
  onDone(ref: string, relay?: Reply): void;
  clearReservation(ref: string): void;
  answer(requester: string, reply: Reply): void;
  // sync.ts
  /** Call `done` once every visible peer holds what `via` (some of them) had sent it before now. */
  afterSeen(via: string[] | null, done: () => void): void;
  // calls.ts
  route(c: Call): void;
  onReply(ref: string, result: string, info: unknown): void;
  // membership.ts
  recomputeLeader(): void;
}
