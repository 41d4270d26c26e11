/**
 * `Self`: what a process body (and every module function) gets to act as that process. The
 * process layer implements it (`ProcessContext`); services and behaviours are written against
 * this interface, never against the class or the node behind it.
 */
import type { Timeout } from '../base/timeout.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';

/**
 * Where a message can be sent: a pid, a locally registered name, or `[name, node]`.
 *
 * @example
 * const dest: Dest = ['kvs', 'bilbo@myhost'];
 * node.send(dest, ['store', 'weather', 'fine']);
 */
export type Dest = Pid | string | readonly [string, string];

/**
 * A monitor target: a pid, a locally registered name, or `[name, node]`.
 *
 * @example
 * const target: MonitorTarget = ['kvs', 'bilbo@myhost'];
 * const ref = self.monitor(target); // later: ['DOWN', ref, 'process', target, reason]
 */
export type MonitorTarget = Pid | string | readonly [string, string];

/**
 * Options of `send` (Erlang's `erlang:send/3` options).
 *
 * @example
 * const opts: SendOptions = { noconnect: true };
 * node.send(['global_name_server', 'b@host'], 'hello', opts); // 'noconnect' when b is not connected
 */
export interface SendOptions {
  /**
   * Send only over an existing connection: a message to a node this node is not connected to
   * is dropped, and no connection is set up (Erlang's `noconnect`). A local destination is
   * not affected.
   */
  readonly noconnect?: boolean;
}

/**
 * A receive pattern. A matcher that throws counts as no match, as a failing guard does.
 *
 * @example
 * const isReply: Matcher = (m) => Array.isArray(m) && m[0] === 'reply';
 * const reply = await self.receive(isReply, 5_000); // TIMEOUT after 5 s without one
 */
// `any` on purpose: a pattern is written against the shape it expects (`(m) => m[0] === 'ok'`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Matcher = (msg: any) => boolean;

/**
 * A process body, as services and behaviours see it.
 *
 * @example
 * const echo: Body = async (self) => {
 *   const [from, msg] = await self.receive((m) => Array.isArray(m) && m[0] instanceof Pid);
 *   self.send(from, msg);
 * };
 * const pid = node.spawn(echo);
 */
export type Body = (self: Self) => unknown;

/**
 * The BIFs of one process (Erlang's `erlang:send/2`, `spawn_link/4`, `monitor/2`, …).
 *
 * @example
 * node.spawn(async (self: Self) => {
 *   self.register('greeter');
 *   const m = await self.receive((m) => Array.isArray(m) && m[0] === 'hello', Infinity);
 *   self.send(m[1], ['hi', self.pid]);
 * });
 */
export interface Self {
  readonly pid: Pid;
  /** Where `print` output goes (the caller's node for remote-spawned processes). */
  readonly groupLeader: Pid;
  /** The first queued message `match` accepts (selective receive), waiting up to `timeoutMs`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  receive<T = any>(match?: Matcher, timeoutMs?: number): Promise<T | Timeout>;
  /** Remove and return every queued message. */
  flush(): unknown[];
  /**
   * Send `msg` to `dest` (Erlang's `!`); returns `msg`. A message to another node sets up the
   * connection if there is none.
   */
  send<T>(dest: Dest, msg: T): T;
  /**
   * Erlang's `erlang:send(Dest, Msg, Options)`: with `{ noconnect: true }` a message to a node
   * that is not connected is dropped, nothing is set up, and the answer is `'noconnect'`;
   * otherwise the message goes as with `send(dest, msg)` and the answer is `'ok'`. For a
   * server that must not undo a `disconnect` (global, pg). Badargs as `send(dest, msg)`; a
   * `reg_send` names this process as its sender either way.
   *
   * @example
   * self.send(['global_name_server', 'b@host'], msg, { noconnect: true }); // 'noconnect' if b is not connected
   */
  send(dest: Dest, msg: unknown, opts: SendOptions): 'ok' | 'noconnect';
  spawn(fn: Body): Pid;
  spawn(node: string, fn: Body): Promise<Pid>;
  spawn(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  spawnLink(fn: Body): Pid;
  spawnLink(node: string, fn: Body): Promise<Pid>;
  spawnLink(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  spawnMonitor(fn: Body): [Pid, Ref];
  spawnMonitor(node: string, fn: Body): Promise<[Pid, Ref]>;
  spawnMonitor(node: string, module: string, fun: string, args?: unknown[]): Promise<[Pid, Ref]>;
  link(pid: Pid): true;
  unlink(pid: Pid): true;
  monitor(target: MonitorTarget): Ref;
  demonitor(ref: Ref, opts?: { flush?: boolean }): true;
  trapExit(flag: boolean): boolean;
  exit(reason: unknown): never;
  exit(pid: Pid, reason: unknown): true;
  catch(fn: () => unknown): Promise<unknown>;
  throw(value: unknown): never;
  register(name: string): true;
  print(...args: unknown[]): void;
  monitorNode(node: string, flag?: boolean): true;
  setMaxMailbox(max: number | undefined): number | undefined;
  isAlive(): boolean;
}
