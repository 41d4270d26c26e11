/**
 * global: cluster-wide names and locks (Erlang's `global`), as `node.global`. Names are kept by
 * a `global_name_server` process on every node (name-server.ts: roles and invariants;
 * protocol.ts: the messages); locks by a lock table per node (locks.ts).
 *
 * Behaviour (docs/semantics.md §7):
 * - `registerName` → `'yes'`, or `'no'` when the name is taken or the pid already has a global
 *   name (logged `global: <pid> registered under several names: [new,old]`). A dead pid, or a
 *   pid on a node the leader cannot reach, gets `'yes'` and its name disappears at once.
 * - `registerName`, `reRegisterName` and `unregisterName` answer once every visible peer's
 *   table has the change (as OTP's), so `whereisName` on any connected node agrees right
 *   after; a peer that goes down meanwhile is not waited for (sync.ts `afterSeen`).
 * - A name disappears everywhere when its process exits or its node goes down.
 * - `whereisName` reads this node's table; right after a join or a heal it may lag until
 *   `sync()`.
 * - After a partition heals, a name registered on both sides is resolved once, by the node of
 *   the pid whose node name sorts lowest, with the resolver that pid was registered with (so
 *   if both sides gave a resolver, the lower side's is used; a user function runs on the node
 *   that registered with it).
 *
 * Differences from Erlang:
 * - Names are strings. No cluster-wide lock is taken to register (Erlang's lock-based
 *   registration is a known pain point, erlang/otp#4448).
 * - Hidden connections are ignored by the name service: a hidden node keeps its own names,
 *   and visible nodes do not see them (Erlang's global does not sync over hidden connections
 *   either). Locks may be set on any connected node, hidden or not.
 * - Locks are held by `requesterId` (and the nodes that set them), not by calling processes:
 *   `delLock` releases the lock whatever number of `setLock` calls set it. A pid requester's
 *   locks are released when it exits.
 * - The leader-based protocol assumes the visible nodes form a full mesh (connect_all, the
 *   default); with `connectAll: false`, a node whose leader sees a lower node it cannot reach
 *   waits until it can.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import { Pid } from '../terms/pid.js';
import type { GlobalHost } from './host.js';
import { checkLockId, checkRetries, lockClient, lockNodes, type LockId } from './locks.js';
import { NameServer } from './name-server.js';
import type { ResolverDesc } from './name-table.js';
import type { CallKind } from './protocol.js';
import type { Call, ResolveFn } from './state.js';

/** Options of the global service (none yet). */
export type GlobalInit = Readonly<Record<string, never>>;

/**
 * How a name conflict is resolved after a partition heals:
 * - `'random_exit'` (default): despite the name, deterministic: the pid on the node whose name
 *   sorts lower keeps the name; the other is killed with `exit(pid, 'kill')`.
 * - `'random_notify'`: the lower node's pid keeps the name; the loser gets
 *   `['global_name_conflict', name]` and stays alive.
 * - `'notify_all'`: the name is unregistered; both get `['global_name_conflict', name, otherPid]`.
 * - a function `(name, pid1, pid2) => pid | undefined` (pid1 is the pid on the lower-named
 *   node): returns the pid that keeps the name; anything else deletes it. It runs on the node
 *   that registered with it, and may return a promise.
 * Erlang's names `random_exit_name`, `random_notify_name` and `notify_all_name` are accepted too.
 */
export type Resolve = 'random_exit' | 'random_notify' | 'notify_all' | ResolveFn;

const RESOLVER_ALIASES: Record<string, ResolverDesc> = {
  random_exit: 'random_exit',
  random_exit_name: 'random_exit',
  random_notify: 'random_notify',
  random_notify_name: 'random_notify',
  notify_all: 'notify_all',
  notify_all_name: 'notify_all',
};

/**
 * Cluster-wide names and locks on one node (Erlang's global), as `node.global`; see
 * `GlobalApi` for the calls.
 *
 * @example
 * const global: Global = node.global;
 * await global.registerName('leader', self.pid); // 'yes'
 * global.whereisName('leader');                  // self.pid, on every connected node
 */
export class Global {
  private readonly server: NameServer;
  private fnSeq = 0;

  constructor(
    private readonly host: GlobalHost,
    _init: GlobalInit = {},
  ) {
    this.server = new NameServer(host);
  }

  /**
   * Register `name` for `pid` cluster-wide. `'no'` if the name is taken or the pid already
   * has a global name. `resolve` says what happens if the name turns out to be taken on the
   * other side of a healed partition (see `GlobalResolve`).
   *
   * Rejects `ErlmeshError` code `not_allowed` (details `{ kind: 'register', name }`) when the
   * leader refuses: this node joined with a ticket whose role lacks `global`, or `pid` lives on
   * such a node (see docs/security.md, "global and ticket holders"). `reRegisterName` and
   * `unregisterName` reject the same way (kind `'reregister'` / `'unregister'`).
   *
   * @example
   * await node.global.registerName('kvs', pid);        // 'yes'
   * await node.global.registerName('kvs', other);      // 'no'
   * await node.global.registerName('db', pid, 'notify_all');
   */
  registerName(name: string, pid: Pid, resolve: Resolve = 'random_exit'): Promise<'yes' | 'no'> {
    checkName(name, 'registerName');
    checkPid(pid, 'registerName');
    const res = this.resolverDesc(resolve, 'registerName');
    return this.call('register', name, pid, res) as Promise<'yes' | 'no'>;
  }

  /**
   * Register `name` for `pid`, replacing whatever it stood for; always `'yes'`.
   *
   * @example
   * await node.global.reRegisterName('kvs', newPid);   // 'yes'
   */
  reRegisterName(name: string, pid: Pid, resolve: Resolve = 'random_exit'): Promise<'yes'> {
    checkName(name, 'reRegisterName');
    checkPid(pid, 'reRegisterName');
    const res = this.resolverDesc(resolve, 'reRegisterName');
    return this.call('reregister', name, pid, res) as Promise<'yes'>;
  }

  /**
   * Remove `name` cluster-wide; always `'ok'`.
   *
   * @example
   * await node.global.unregisterName('kvs');           // 'ok'
   */
  unregisterName(name: string): Promise<'ok'> {
    checkName(name, 'unregisterName');
    return this.call('unregister', name, null, null) as Promise<'ok'>;
  }

  /**
   * The pid registered as `name`, from this node's table (no messages).
   *
   * @example
   * node.global.whereisName('kvs');    // Pid
   * node.global.whereisName('nope');   // undefined
   */
  whereisName(name: string): Pid | undefined {
    checkName(name, 'whereisName');
    return this.server.state.table.whereis(name);
  }

  /**
   * Send `msg` to the process registered as `name`; returns its pid. An unknown name throws
   * `ErlmeshError` code `badarg` with details `{ name, msg }` (Erlang: `{badarg, {Name, Msg}}`).
   *
   * @example
   * node.global.send('kvs', ['store', 'k', 'v']);      // Pid
   */
  send(name: string, msg: unknown): Pid {
    checkName(name, 'send');
    const pid = this.server.state.table.whereis(name);
    if (!pid) throw new ErlmeshError('badarg', `global.send: no process is registered as '${name}'`, { name, msg });
    this.host.send(pid, msg);
    return pid;
  }

  /**
   * Every globally registered name, sorted, from this node's table.
   *
   * @example
   * node.global.registeredNames();     // ['db', 'kvs']
   */
  registeredNames(): string[] {
    return this.server.state.table.names();
  }

  /**
   * Wait until this node's table agrees with every connected node's for the names registered
   * before the call (the exchanges and conflict resolutions after nodeups included); `'ok'`.
   *
   * @example
   * await b.ping(c.name);
   * await b.global.sync();              // 'ok'
   * b.global.whereisName('kvs');        // as on c
   */
  sync(): Promise<'ok'> {
    if (this.server.state.stopped) return Promise.resolve('ok');
    return new Promise((resolve) => this.server.newSync(resolve));
  }

  /**
   * Set the lock `[resourceId, requesterId]` on `nodes` (default: this node and its visible
   * peers). True when set (also when this requester already holds it); with another requester
   * holding it, retry after a random back-off up to `retries` times (default Infinity), then
   * false.
   *
   * @example
   * await node.global.setLock(['db', self.pid]);                 // true
   * await node.global.setLock(['db', 'other'], undefined, 0);    // false
   */
  setLock(id: LockId, nodes?: string[], retries: number = Infinity): Promise<boolean> {
    const lockId = checkLockId(id, 'setLock');
    const ns = lockNodes(this.host, nodes, 'setLock');
    const r = checkRetries(retries, 'setLock');
    return lockClient(this.host, 'set', lockId, ns, r);
  }

  /**
   * Release the lock `[resourceId, requesterId]` on `nodes` (if that requester holds it); true.
   *
   * @example
   * await node.global.delLock(['db', self.pid]);                 // true
   */
  async delLock(id: LockId, nodes?: string[]): Promise<true> {
    const lockId = checkLockId(id, 'delLock');
    const ns = lockNodes(this.host, nodes, 'delLock');
    await lockClient(this.host, 'del', lockId, ns, 0);
    return true;
  }

  /**
   * Run `fn` holding the lock `id` on `nodes`: its value (awaited), or `'aborted'` when the
   * lock cannot be set within `retries`. The lock is released afterwards, also if `fn` throws.
   *
   * @example
   * await node.global.trans(['db', 'me'], () => 42);             // 42
   * await node.global.trans(['db', 'you'], () => 42, undefined, 0); // 'aborted' while 'me' holds it
   */
  async trans<T>(id: LockId, fn: () => T | Promise<T>, nodes?: string[], retries: number = Infinity): Promise<T | 'aborted'> {
    if (typeof fn !== 'function') throw badarg('trans: fn must be a function');
    if (!(await this.setLock(id, nodes, retries))) return 'aborted';
    try {
      return await fn();
    } finally {
      await this.delLock(id, nodes);
    }
  }

  /** @internal the name server's state, for diagnostics */
  _debugState(): Record<string, unknown> {
    return this.server.debugState();
  }

  // ----- internals ---------------------------------------------------------------------------

  private resolverDesc(resolve: unknown, fn: string): ResolverDesc {
    if (typeof resolve === 'function') {
      const id = `f${++this.fnSeq}`;
      this.server.state.resolveFns.set(id, resolve as ResolveFn);
      return { fnNode: this.host.name, fnId: id };
    }
    const d = typeof resolve === 'string' ? RESOLVER_ALIASES[resolve] : undefined;
    if (!d) throw badarg(`${fn}: resolve must be 'random_exit', 'random_notify', 'notify_all' or a function`, { resolve });
    return d;
  }

  private call(kind: CallKind, name: string, pid: Pid | null, res: ResolverDesc | null): Promise<string> {
    if (this.server.state.stopped) return Promise.reject(new ErlmeshError('notalive', 'global: the node has stopped'));
    return new Promise((resolve, reject) => {
      const c: Call = { from: this.host.name, ref: this.server.newRef(), kind, name, pid, res, retry: false, sentTo: undefined, resolve, reject };
      this.server.newCall(c);
    });
  }
}

function checkName(name: unknown, fn: string): asserts name is string {
  if (typeof name !== 'string') throw badarg(`${fn}: the name must be a string`, { name });
}

function checkPid(pid: unknown, fn: string): asserts pid is Pid {
  if (!(pid instanceof Pid)) throw badarg(`${fn}: not a pid`, { pid });
}
