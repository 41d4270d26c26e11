/**
 * `self`: what a process body (and every module function) gets to act as that process.
 *
 * @example
 * const pid = node.spawn(async (self) => {
 *   self.trapExit(true);
 *   const child = await self.spawnLink('b@host', 'kvs', 'start', []);
 *   const msg = await self.receive((m) => m[0] === 'EXIT', 5_000);
 *   if (msg === TIMEOUT) self.exit('timeout');
 * });
 */
import type { SpawnSpec } from './signals.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { NodeApi } from '../interfaces/node-api.js';
import type { Dest, MonitorTarget, SendOptions, Self } from '../interfaces/self.js';
import { ExitSignal, ThrowSignal, UndefinedFunction } from './unwind.js';
import type { Bifs } from './bifs.js';
import type { Matcher, Timeout } from './mailbox.js';
import type { Proc } from './proc.js';

export type { Dest, MonitorTarget } from '../interfaces/self.js';

/**
 * A process body, with the full `ProcessContext` as its `self`.
 *
 * @example
 * const loop: ProcessFn = async (self) => {
 *   for (;;) self.print(await self.receive(undefined, Infinity));
 * };
 * node.spawn(loop);
 */
export type ProcessFn = (self: ProcessContext) => unknown;

/**
 * `self`: what a process body gets, the process's own BIFs (send, receive, link, monitor,
 * spawn, exit, trapExit, …) as Erlang's are called from inside a process.
 *
 * @example
 * node.spawn(async (self: ProcessContext) => {
 *   self.send(self.pid, 'ping');
 *   const msg = await self.receive((m) => m === 'ping', 1_000);   // 'ping' or TIMEOUT
 * });
 */
export class ProcessContext implements Self {
  /**
   * The node this process runs on. Kept on the prototype of each node's own subclass
   * (`contextClassFor`) rather than in every context: one field less per process.
   */
  declare readonly node: NodeApi;
  /** @internal the BIFs of this node (on the prototype, as `node`) */
  declare readonly bifs: Bifs<ProcessContext>;

  /** @internal use `contextClassFor(node, bifs)` */
  constructor(/** @internal */ readonly proc: Proc) {}

  get pid(): Pid {
    return this.proc.pid;
  }

  /** This process's group leader: where `print` output goes (the caller's node for remote processes). */
  get groupLeader(): Pid {
    return this.proc.groupLeader;
  }

  /**
   * The first queued message `match` accepts (selective receive), waiting up to `timeoutMs`.
   * Resolves `TIMEOUT` if the time passes first; `timeoutMs` 0 only looks at the queue.
   */
  // `any` by default, as a received message is whatever was sent (name `T` to narrow it).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  receive<T = any>(match?: Matcher, timeoutMs?: number): Promise<T | Timeout>;
  receive(match?: Matcher, timeoutMs?: number): Promise<unknown> {
    return this.proc.mailbox.receive(match, timeoutMs);
  }

  /** Remove and return every queued message (the shell's `flush()`). */
  flush(): unknown[] {
    return this.proc.mailbox.drain();
  }

  /**
   * Send `msg` to `dest` (Erlang's `!`); returns `msg`. An unregistered bare name throws
   * `badarg`. With options, Erlang's `erlang:send/3`, answering `'ok'` or `'noconnect'`:
   * `{ noconnect: true }` drops a message to a node that is not connected and sets up no
   * connection. A `reg_send` names this process as its sender either way.
   *
   * @example
   * self.send(['pg', 'b@host'], ['discover', self.pid], { noconnect: true }); // 'noconnect' if b is not connected
   */
  send<T>(dest: Dest, msg: T): T;
  send(dest: Dest, msg: unknown, opts: SendOptions): 'ok' | 'noconnect';
  send(dest: Dest, msg: unknown, opts?: SendOptions): unknown {
    return opts === undefined ? this.bifs.send(this.proc, dest, msg) : this.bifs.sendWith(this.proc, dest, msg, opts);
  }

  /** Spawn a process: `spawn(fn)` here → Pid; `spawn(node, fn)` / `spawn(node, m, f, args)` → Promise<Pid>. */
  spawn(fn: ProcessFn): Pid;
  spawn(node: string, fn: ProcessFn): Promise<Pid>;
  spawn(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  spawn(...args: unknown[]): Pid | Promise<Pid> {
    return this.bifs.spawn(this.proc, args) as Pid | Promise<Pid>;
  }

  /** As `spawn`, linked to this process (atomically). */
  spawnLink(fn: ProcessFn): Pid;
  spawnLink(node: string, fn: ProcessFn): Promise<Pid>;
  spawnLink(node: string, module: string, fun: string, args?: unknown[]): Promise<Pid>;
  spawnLink(...args: unknown[]): Pid | Promise<Pid> {
    return this.bifs.spawn(this.proc, args, { link: true }) as Pid | Promise<Pid>;
  }

  /** As `spawn`, monitored by this process: `[pid, ref]`. */
  spawnMonitor(fn: ProcessFn): [Pid, Ref];
  spawnMonitor(node: string, fn: ProcessFn): Promise<[Pid, Ref]>;
  spawnMonitor(node: string, module: string, fun: string, args?: unknown[]): Promise<[Pid, Ref]>;
  spawnMonitor(...args: unknown[]): [Pid, Ref] | Promise<[Pid, Ref]> {
    return this.bifs.spawn(this.proc, args, { monitor: true }) as [Pid, Ref] | Promise<[Pid, Ref]>;
  }

  /** Link to `pid`. A dead or unreachable one sends this process an exit signal (`noproc` / `noconnection`). */
  link(pid: Pid): true {
    return this.bifs.link(this.proc, pid);
  }

  unlink(pid: Pid): true {
    return this.bifs.unlink(this.proc, pid);
  }

  /** Monitor a process; DOWN arrives as `['DOWN', ref, 'process', pidOrName, reason]`. */
  monitor(target: MonitorTarget): Ref {
    return this.bifs.monitor(this.proc, target);
  }

  /** Remove a monitor; with `{ flush: true }` also drop its DOWN message if already queued. */
  demonitor(ref: Ref, opts?: { flush?: boolean }): true {
    return this.bifs.demonitor(this.proc, ref, opts?.flush ?? false);
  }

  /** Trap exits (exit signals become `['EXIT', from, reason]` messages). Returns the old value. */
  trapExit(flag: boolean): boolean {
    const old = this.proc.trapExit;
    this.proc.trapExit = !!flag;
    return old;
  }

  /** `exit(reason)` ends this process; `exit(pid, reason)` sends `pid` an exit signal. */
  exit(reason: unknown): never;
  exit(pid: Pid, reason: unknown): true;
  exit(a: unknown, b?: unknown): true {
    if (arguments.length >= 2) return this.bifs.exitSignal(this.proc, a as Pid, b);
    // Inside an Erlang-style catch (catchExit) the exit is an exception the catch turns into
    // ['EXIT', reason]; elsewhere the process ends here, even if user code catches the throw.
    if (this.proc.catchDepth === 0) this.bifs.terminate(this.proc, a);
    throw new ExitSignal(a);
  }

  /**
   * Erlang's `catch Expr`: run `fn`; an exit (`self.exit(r)`) inside becomes `['EXIT', r]`, a
   * `self.throw(v)` becomes `v`, any other thrown value `['EXIT', ['exception', e]]`, and an
   * undefined function `['EXIT', ['undef', [m, f, args]]]`; the process goes on.
   */
  async catch(fn: () => unknown): Promise<unknown> {
    this.proc.catchDepth++;
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ThrowSignal) return e.value;
      if (e instanceof ExitSignal) return ['EXIT', e.reason];
      if (e instanceof UndefinedFunction) return ['EXIT', e.reason];
      return ['EXIT', ['exception', e]];
    } finally {
      this.proc.catchDepth--;
    }
  }

  /** Erlang's `throw`: a non-local return. Uncaught, it ends the process with `['nocatch', value]`; rpc returns it as the result. */
  throw(value: unknown): never {
    throw new ThrowSignal(value);
  }

  /** Register this process under `name` (badarg cases as erlang:register/2). */
  register(name: string): true {
    return this.bifs.register(name, this.proc.pid);
  }

  /** Print to this process's group leader: the caller's node for remote-spawned processes. */
  print(...args: unknown[]): void {
    this.bifs.print(this.proc, args);
  }

  /** Erlang's monitor_node/2: one `['nodedown', node]` message when `node` goes (or is unreachable). */
  monitorNode(node: string, flag = true): true {
    return this.bifs.monitorNode(this.proc, node, flag);
  }

  /**
   * Limit this process's mailbox to `max` queued messages (a positive integer), or remove the
   * limit (`undefined`); returns the previous limit. A message that would queue behind `max`
   * others is dropped and counted (`node.processInfo(pid).messagesDropped`); the first drop
   * queues one notice past the limit, `['mailbox_overflow', self.pid, droppedSoFar]`, and the
   * next notice comes only after the queue has gone below the limit and overflowed again. A
   * message that finds a receive waiting for it is never dropped. Any other value: `badarg`.
   *
   * @example
   * self.setMaxMailbox(1000);     // undefined
   * const m = await self.receive((m) => m[0] === 'mailbox_overflow');
   * // ['mailbox_overflow', self.pid, 17]: 17 messages dropped so far
   */
  setMaxMailbox(max: number | undefined): number | undefined {
    return this.proc.mailbox.setLimit(max);
  }

  /** Is this process still alive? */
  isAlive(): boolean {
    return this.proc.alive;
  }

  /** @internal io:put_chars: send `text` as it is to the group leader */
  putChars(text: string): void {
    this.bifs.putChars(this.proc, text);
  }

  /**
   * @internal end this process at once with `reason`, reported as a crash (a failed
   * `rpc.cast`), even inside a catch
   */
  crash(reason: unknown): never {
    this.bifs.terminate(this.proc, reason, true);
    throw new ExitSignal(reason);
  }

  /**
   * @internal spawn `spec` on `node` monitored by this process with `reply: 'error_only'`
   * (erlang:spawn_request/5): no spawn reply, the DOWN is the only answer; returns its ref.
   */
  spawnMonitorErrorOnly(node: string, spec: SpawnSpec): Ref {
    return this.bifs.spawnMonitorErrorOnly(this.proc, node, spec);
  }
}

/**
 * The ProcessContext class of one node: a subclass whose prototype holds the node and its BIFs.
 * @internal one per node (the node keeps it)
 */
export function contextClassFor(node: NodeApi, bifs: Bifs<ProcessContext>): new (proc: Proc) => ProcessContext {
  const NodeContext = class extends ProcessContext {};
  Object.defineProperty(NodeContext.prototype, 'node', { value: node, enumerable: false, writable: false });
  Object.defineProperty(NodeContext.prototype, 'bifs', { value: bifs, enumerable: false, writable: false });
  return NodeContext;
}
