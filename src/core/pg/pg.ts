/**
 * pg: process groups (Erlang's `pg`, OTP 23+), with eventually consistent membership.
 *
 * One scope server process per node per scope (scope-server.ts) keeps this node's view of the
 * scope: every group with its members on all nodes it knows (`getMembers`), and which of them
 * are local (`getLocalMembers`). The servers of a scope exchange the messages of protocol.ts.
 *
 * Differences from OTP's pg, and why:
 * - The default scope `pg` runs on every node from the start (OTP starts it only with
 *   `-kernel start_pg true` or `pg:start(pg)`); other scopes start on first use of `scope(name)`.
 * - Groups are strings.
 * - There is no implicit calling process in JS: `monitorScope` and `monitor` take the process
 *   to notify (`self` or a local pid), or a listener function.
 * - A non-pid throws `badarg` wherever it is (OTP: `function_clause`, or `{nolocal, X}` inside a
 *   list); a remote pid throws `nolocal` with the pid in `details`.
 * - If the scope server dies it is restarted with the same memberships (OTP's supervisor
 *   restarts it empty).
 * - Changes carried by a `sync` are reported as events (OTP updates a known group silently).
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import type { Self } from '../interfaces/self.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';
import { ScopeServer } from './scope-server.js';
import type { PgGroupSubscription, PgHost, PgListener, PgScopeSubscription } from './types.js';

export type { PgEvent, PgGroupSubscription, PgListener, PgScopeSubscription } from './types.js';

/**
 * Process groups of one scope on one node. `node.pg` is the default scope, `'pg'`; other scopes
 * come from `node.pg.scope(name)`.
 *
 * Unlike OTP, where the default scope runs only if started (`-kernel start_pg true`), the
 * default scope is started on every node when the node starts.
 *
 * @example
 * const pid = node.spawn(async (self) => { await self.receive(); });
 * node.pg.join('workers', pid);          // 'ok'
 * node.pg.getMembers('workers');         // [pid, …members on other nodes]
 * node.pg.leave('workers', pid);         // 'ok'
 */
export class Pg {
  /** The scope's name (`'pg'` for the default scope). */
  readonly scopeName: string;
  private readonly server: ScopeServer;

  /**
   * Start a scope's server. Nodes start the default scope themselves (`pgService`); use
   * `node.pg.scope(name)` for others.
   * @param scope @internal the scope name; default `'pg'`
   * @param scopes @internal the scopes started on this node, shared by all of them
   */
  constructor(
    private readonly host: PgHost,
    scope = 'pg',
    private readonly scopes = new Map<string, Pg>(),
  ) {
    if (typeof scope !== 'string' || scope.length === 0) throw badarg('pg: the scope name must be a non-empty string', { scope });
    if (scopes.has(scope)) throw badarg(`pg: scope '${scope}' is already started on this node`, { scope });
    this.scopeName = scope;
    this.server = new ScopeServer(host, scope, scope === 'pg' ? 'pg' : `pg_${scope}`);
    scopes.set(scope, this);
  }

  /**
   * The Pg of scope `name` on this node, started on first use. Scopes are independent: a join
   * in one is invisible in the others, and a scope only syncs with the same scope on other nodes.
   *
   * @example
   * const s2 = node.pg.scope('s2');
   * s2.join('g', pid);
   * node.pg.getMembers('g');   // [] — another scope
   */
  scope(name: string): Pg {
    if (typeof name !== 'string' || name.length === 0) throw badarg('pg.scope: the name must be a non-empty string', { name });
    return this.scopes.get(name) ?? new Pg(this.host, name, this.scopes);
  }

  /** @internal whether `name` is the registered name of a scope server started on this node (any scope) */
  isScopeServerName(name: string): boolean {
    return name === 'pg' ? this.scopes.has('pg') : name.startsWith('pg_') && this.scopes.has(name.slice(3));
  }

  /**
   * Add local process(es) to `group`; always `'ok'`. A process may join a group many times
   * (`join(g, [p, p])` adds p twice) and must leave it as many times. A remote pid throws
   * `ErlmeshError` code `nolocal` (details: the pid), a non-pid `badarg`; nothing is joined then.
   *
   * @example
   * node.pg.join('g', self.pid);              // 'ok'
   * node.pg.join('g', [self.pid, self.pid]);  // 'ok', two more entries
   */
  join(group: string, pidOrPids: Pid | readonly Pid[]): 'ok' {
    checkGroup(group, 'join');
    const pids = this.localPids(pidOrPids, 'join');
    if (pids.length > 0) this.server.join(group, pids);
    return 'ok';
  }

  /**
   * Remove one entry of each given local process from `group`: `'ok'`, or `'not_joined'` when
   * none of them was a member. Errors as `join`.
   *
   * @example
   * node.pg.join('g', pid);
   * node.pg.leave('g', pid);   // 'ok'
   * node.pg.leave('g', pid);   // 'not_joined'
   */
  leave(group: string, pidOrPids: Pid | readonly Pid[]): 'ok' | 'not_joined' {
    checkGroup(group, 'leave');
    const pids = this.localPids(pidOrPids, 'leave');
    return this.server.leave(group, pids).length === 0 ? 'not_joined' : 'ok';
  }

  /**
   * The members of `group` on all nodes this node knows, with duplicates, in no particular
   * order; `[]` for an empty group. Updates from other nodes arrive asynchronously.
   *
   * @example
   * node.pg.getMembers('g');   // [<a@host.42.0>, <b@host.17.0>, <b@host.17.0>]
   */
  getMembers(group: string): Pid[] {
    checkGroup(group, 'getMembers');
    return this.server.view.all(group);
  }

  /**
   * The members of `group` on this node, with duplicates.
   *
   * @example
   * node.pg.getLocalMembers('g');   // [<a@host.42.0>]
   */
  getLocalMembers(group: string): Pid[] {
    checkGroup(group, 'getLocalMembers');
    return this.server.view.local(group);
  }

  /**
   * The groups with at least one member anywhere, as this node knows.
   *
   * @example
   * node.pg.whichGroups();   // ['g', 'h']
   */
  whichGroups(): string[] {
    return this.server.view.groupNames();
  }

  /**
   * Watch the whole scope. With a process (`self`, or a local pid): returns
   * `[ref, groups]` — every group with its members, as a `Map` — and then sends that process
   * `[ref, 'join', group, pids]` / `[ref, 'leave', group, pids]` on every change. With a
   * listener function: returns `{ ref, groups, off }` and calls the listener with the same
   * arrays. The watch ends with `demonitor(ref)` (or `off()`), or when the process exits.
   *
   * `groups` is a `Map` rather than a plain object: group names are arbitrary strings (a
   * plain object would trip on `__proto__` and friends), a `Map` keeps insertion order, and it
   * is a sendable term, like Erlang's map.
   *
   * @example
   * const [ref, groups] = node.pg.monitorScope(self);
   * const ev = await self.receive((m) => ref.equals(m[0]));   // [ref, 'join', 'g', [pid]]
   *
   * const sub = node.pg.monitorScope((ev) => console.log(ev));
   * sub.off();
   */
  monitorScope(subscriber: Self | Pid): [Ref, Map<string, Pid[]>];
  monitorScope(listener: PgListener): PgScopeSubscription;
  monitorScope(subscriber: Self | Pid | PgListener): [Ref, Map<string, Pid[]>] | PgScopeSubscription {
    const watch = this.server.watches.add(subscriber, undefined, 'monitorScope');
    const groups = this.server.view.snapshot();
    if (watch.listener) return { ref: watch.ref, groups, off: () => void this.demonitor(watch.ref) };
    return [watch.ref, groups];
  }

  /**
   * Watch one group: as `monitorScope`, but returns the group's current members
   * (`[ref, pids]`, or `{ ref, members, off }` for a listener) and reports only that group's
   * changes.
   *
   * @example
   * const [ref, members] = node.pg.monitor(self, 'g');
   * const ev = await self.receive((m) => ref.equals(m[0]));   // [ref, 'leave', 'g', [pid]]
   */
  monitor(subscriber: Self | Pid, group: string): [Ref, Pid[]];
  monitor(listener: PgListener, group: string): PgGroupSubscription;
  monitor(subscriber: Self | Pid | PgListener, group: string): [Ref, Pid[]] | PgGroupSubscription {
    checkGroup(group, 'monitor');
    const watch = this.server.watches.add(subscriber, group, 'monitor');
    const members = this.getMembers(group);
    if (watch.listener) return { ref: watch.ref, members, off: () => void this.demonitor(watch.ref) };
    return [watch.ref, members];
  }

  /**
   * End a `monitorScope` or `monitor` watch: `'ok'`, or `false` for an unknown ref (as OTP).
   * Events of this watch already queued in the watching process's mailbox are removed.
   *
   * @example
   * const [ref] = node.pg.monitor(self, 'g');
   * node.pg.demonitor(ref);   // 'ok'
   * node.pg.demonitor(ref);   // false
   */
  demonitor(ref: Ref): 'ok' | false {
    if (!(ref instanceof Ref)) throw badarg('pg.demonitor: not a ref', { ref });
    return this.server.watches.remove(ref) ? 'ok' : false;
  }

  /** The pids of a join/leave argument, all checked before anything changes. */
  private localPids(pidOrPids: unknown, what: string): Pid[] {
    const pids = Array.isArray(pidOrPids) ? (pidOrPids as unknown[]) : [pidOrPids];
    for (const p of pids) {
      if (!(p instanceof Pid)) throw badarg(`pg.${what}: not a pid`, { pid: p });
      if (p.node !== this.host.name) throw new ErlmeshError('nolocal', `pg.${what}: ${p.toString()} is not a local process`, p);
    }
    return pids as Pid[];
  }
}

function checkGroup(group: unknown, what: string): asserts group is string {
  if (typeof group !== 'string') throw badarg(`pg.${what}: the group must be a string`, { group });
}
