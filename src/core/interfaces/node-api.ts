/**
 * `NodeApi`: the public API of a node (what `startNode` resolves to, and `self.node`). The
 * node/ folder implements it (`Node`); the rest of the tree is written against this interface.
 * Types only.
 */
import type { Clock } from '../base/clock.js';
import type { ErlmeshErrorCode } from '../base/errors.js';
import type { Pid } from '../terms/pid.js';
import type { GlobalApi } from './global-api.js';
import type { LogEntry, LogLevel } from './log.js';
import type { MonitorNodesOptions, NodeEvent, NodesKind } from './node-events.js';
import type { PgApi } from './pg-api.js';
import type { ProcessInfo } from './process-info.js';
import type { ErpcApi, RpcApi } from './rpc-api.js';
import type { Body, Dest, Self, SendOptions } from './self.js';

/**
 * A module function as a node sees it: the calling process's `self`, then the arguments
 * (modules/module.ts types `self` as `ProcessContext` for module authors).
 *
 * @example
 * const double: ModuleFn = (_self, x: number) => 2 * x;
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleFn = (self: any, ...args: any[]) => unknown;

/**
 * A loadable module (what `defineModule` returns).
 *
 * @example
 * const math: ModuleDef = defineModule('math', { double: (_self, x: number) => 2 * x });
 * node.load(math);
 */
export interface ModuleDef {
  readonly name: string;
  readonly functions: Readonly<Record<string, ModuleFn>>;
}

/**
 * The API of a running node, as `startNode` gives it and `self.node` reaches it.
 *
 * @example
 * const node: NodeApi = await startNode({ sname: 'a', cookie: 'secret', transport: net.transport() });
 * if ((await node.ping('b@localhost')) === 'pong') console.log(node.nodes());
 */
export interface NodeApi {
  readonly name: string;
  readonly creation: number;
  readonly rpc: RpcApi;
  /** rpc that raises Erlang-style exceptions (ErpcError). */
  readonly erpc: ErpcApi;
  /** Cluster-wide names (Erlang's global). */
  readonly global: GlobalApi;
  /** Process groups (Erlang's pg), default scope; `pg.scope(name)` for others. */
  readonly pg: PgApi;
  /** @internal the node's clock (timers of behaviours and services) */
  readonly clock: Clock;
  /** This node's role: its join ticket's, or undefined for a cookie holder. */
  readonly role: string | undefined;

  // membership
  roleOf(node: string): string | undefined | null;
  isAlive(): boolean;
  nodes(kind?: NodesKind | NodesKind[]): string[];
  ping(node: string): Promise<'pong' | 'pang'>;
  lastConnectError(node: string): ErlmeshErrorCode | undefined;
  disconnect(node: string): boolean;
  monitorNodes(listener: (ev: NodeEvent) => void, opts?: MonitorNodesOptions): () => void;
  allow(nodes: string[]): true;
  setCookie(cookie: string): true;
  setCookie(node: string, cookie: string): true;
  getCookie(node?: string): string;

  // output
  onOutput(listener: (text: string) => void): () => void;
  onLog(listener: (entry: LogEntry) => void): () => void;
  /** @internal a line for this node's system log */
  log(level: LogLevel, text: string): void;

  // modules
  load(mod: ModuleDef): true;
  module(name: string): ModuleDef | undefined;
  loadedModules(): string[];
  nl(mod: ModuleDef): Promise<{ nodes: string[]; badNodes: string[] }>;
  apply(self: Self, module: string, fun: string, args?: unknown[]): unknown;

  // processes
  /**
   * Run `fn` in a throwaway local process and settle with what it returns or throws; the
   * process then exits (`normal`, or with the reason `fn` exited with). For code outside any
   * process that needs a `self` to send and receive with.
   *
   * @example
   * const reply = await node.run(async (self) => {
   *   self.send('echo', ['ping', self.pid]);
   *   return self.receive(undefined, 1_000);
   * });
   */
  run<T>(fn: (self: Self) => T | Promise<T>): Promise<T>;
  spawn(fn: Body): Pid;
  spawn(node: string, fn: Body): Promise<Pid>;
  spawn(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  send<T>(dest: Dest, msg: T): T;
  /** Send from outside any process with options, as `self.send(dest, msg, { noconnect })`: `'ok'` or `'noconnect'`. */
  send(dest: Dest, msg: unknown, opts: SendOptions): 'ok' | 'noconnect';
  exit(pid: Pid, reason: unknown): true;
  register(name: string, pid: Pid): true;
  unregister(name: string): true;
  whereis(name: string): Pid | undefined;
  registered(): string[];
  isProcessAlive(pid: Pid): boolean;
  exitReason(pid: Pid): Promise<unknown>;
  processInfo(pid: Pid): ProcessInfo | undefined;
  stop(): Promise<void>;
}
