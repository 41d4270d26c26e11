/**
 * What a service (rpc, global, pg, the code server) needs from the node it runs on, and
 * nothing more: the libp2p habit of a factory over a narrow components interface
 * (`ping(init) => (components) => Ping`). A service never imports `Node`, another service, or
 * the process runtime; the composition root (node/start-node.ts) builds one host per node and
 * passes it to each service factory. A service declares the part it uses as
 * `Pick<ServiceHost, …>` so that its tests can hand it a small fake.
 *
 * @example
 * export function pgService(init: PgInit = {}): (host: PgHost) => Pg {
 *   return (host) => new Pg(host, init);
 * }
 */
import type { Clock } from '../base/clock.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { LogLevel } from './log.js';
import type { MonitorNodesOptions, NodeEvent, NodesKind } from './node-events.js';
import type { Body, Dest, Matcher, Self, SendOptions } from './self.js';
import type { RolePolicy } from './trust.js';

/**
 * A service's server process, as `startService` runs it: a gen_server (as OTP's global and pg
 * are), so `genServer.call`/`cast`/`stop` reach it; an unexpected call is logged and not
 * answered, a cast is dropped, and an abnormal exit prints the gen_server report.
 */
export interface ServiceSpec {
  /** The locally registered name of the server process (`global_name_server`, a pg scope). */
  readonly name: string;
  /**
   * How the host's failure lines name the server (a message it failed on, a restart that
   * failed), e.g. `'global: the name server'`. Default `'<name>: the server'`.
   */
  readonly label?: string;
  /**
   * Called with each message the server receives (but gen_server calls, casts and system
   * messages), in order; a throw is logged, not fatal (a `self.exit(r)` ends the server).
   */
  readonly handle: (msg: unknown, self: Self) => void;
  /**
   * Called once the process is registered, before its first message: on the first start
   * (`restart` false) and after each restart (`restart` true), with the new process's `self`.
   */
  readonly started: (self: Self, restart: boolean) => void;
  /**
   * Called when the server cannot be restarted (the node stopped, or the name is taken); the
   * host has logged it already unless the node stopped.
   */
  readonly gaveUp?: (reason: unknown, error: unknown) => void;
}

/** A running service process; `stop()` ends the restart loop (the node stopping does it too). */
export interface ServiceHandle {
  readonly pid: () => Pid;
  stop(): void;
}

export interface ServiceHost {
  /** This node's name. */
  readonly name: string;
  readonly creation: number;
  readonly clock: Clock;
  /** This node's role: its join ticket's, or undefined for a cookie holder. */
  readonly role: string | undefined;
  log(level: LogLevel, text: string): void;
  /** As `node.nodes(kind)`. */
  nodes(kind?: NodesKind | NodesKind[]): string[];
  isConnected(node: string): boolean;
  /**
   * The connection to `node` is up on the relay's word (its membership introduced both ends;
   * no channel is open until something is sent): global and pg announce what they hold to such
   * a peer instead of asking it, so that idle empty nodes exchange nothing.
   */
  isVouched(node: string): boolean;
  monitorNodes(listener: (ev: NodeEvent) => void, opts?: MonitorNodesOptions): () => void;
  makeRef(): Ref;
  /**
   * Spawn, register and supervise a service's server process: when it exits it is started
   * again (`spec.started(self, true)`), as OTP's kernel supervisor restarts global and pg.
   * Throws `notalive` when the node has stopped.
   */
  startService(spec: ServiceSpec): ServiceHandle;
  /**
   * Run `fn` in a throwaway local process and settle with what it returns or throws (the
   * process exits `normal` either way). For an API call made from outside any process.
   */
  run<T>(fn: (self: Self) => T | Promise<T>): Promise<T>;
  /** Spawn a local process (no link). */
  spawn(fn: Body): Pid;
  /**
   * Spawn `module.fun(...args)` on `node` from outside any process (no link, no monitor; the
   * group leader is this node's `user`), as `node.spawn(node, module, fun, args)`.
   */
  spawnOn(node: string, module: string, fun: string, args: unknown[]): Promise<Pid>;
  /**
   * Send from outside any process (a `reg_send` then names no sender). With `noconnect`, a
   * message to a node that is not connected is dropped instead of setting up a connection
   * (Erlang's `erlang:send(D, M, [noconnect])`, the same BIF as `self.send`). A server sends
   * to its peers with its own `self.send` instead, so that they see its pid as the sender.
   */
  send(dest: Dest, msg: unknown, opts?: SendOptions): void;
  exit(pid: Pid, reason: unknown): true;
  whereis(name: string): Pid | undefined;
  /** True for a live process of this node. */
  isLocalAlive(pid: Pid): boolean;
  /**
   * Drop the messages `match` accepts from the mailbox of the local process `pid` (nothing if it
   * is not alive), at once: pg's demonitor removes a watch's queued events from a watcher that
   * may be blocked in a receive, where a receive of its own cannot run.
   */
  dropQueued(pid: Pid, match: Matcher): void;
  /** For a live local process: its exit reason once it exits; `'noproc'` at once otherwise. */
  exitReason(pid: Pid): Promise<unknown>;
  /**
   * What peers in `node`'s role may do here: undefined for a cookie holder (everything) and
   * for this node, null when `node` is not connected.
   */
  policyOf(node: string): RolePolicy | undefined | null;
  /** Log (flood-limited) that `node` was refused `what` by a capability check. */
  refused(node: string, what: string): void;
}
