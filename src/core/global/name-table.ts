/**
 * The name table of one node's global name server: every entry it knows, indexed by name,
 * by owner and by pid.
 *
 * An entry `name → pid` is *owned* by the pid's node (`pid.node`): only that node adds or
 * removes it, and every other node holds a replica. The table is the union of this node's own
 * entries and the replicas of its connected peers, so one name can transiently have several
 * owners (after a partition heals, or when two authorities raced); `whereis` then answers
 * with the entry of the lowest-named owner, the one a conflict resolution keeps by default.
 */
import type { Pid } from '../terms/pid.js';
import { compareNames } from '../terms/node-names.js';

/**
 * How a name conflict is resolved, as carried in an entry: a built-in resolver, or the user
 * function `fnId` that lives on the node `fnNode`, which registered with it.
 */
export type ResolverDesc = 'random_exit' | 'random_notify' | 'notify_all' | { readonly fnNode: string; readonly fnId: string };

export interface Entry {
  readonly name: string;
  readonly pid: Pid;
  readonly res: ResolverDesc;
}

export class NameTable {
  /** name → owner node → entry */
  private readonly byName = new Map<string, Map<string, Entry>>();
  /** owner node → name → entry */
  private readonly byOwner = new Map<string, Map<string, Entry>>();
  /** pid key → names */
  private readonly byPid = new Map<string, Set<string>>();

  /** The entry `owner` holds for `name`. */
  get(owner: string, name: string): Entry | undefined {
    return this.byOwner.get(owner)?.get(name);
  }

  /** Add or replace the entry of `e.pid.node` for `e.name`. */
  set(e: Entry): void {
    const owner = e.pid.node;
    this.delete(owner, e.name);
    let names = this.byName.get(e.name);
    if (!names) this.byName.set(e.name, (names = new Map()));
    names.set(owner, e);
    let owned = this.byOwner.get(owner);
    if (!owned) this.byOwner.set(owner, (owned = new Map()));
    owned.set(e.name, e);
    let pidNames = this.byPid.get(e.pid.key);
    if (!pidNames) this.byPid.set(e.pid.key, (pidNames = new Set()));
    pidNames.add(e.name);
  }

  /** Remove `owner`'s entry for `name`; returns it. */
  delete(owner: string, name: string): Entry | undefined {
    const owned = this.byOwner.get(owner);
    const e = owned?.get(name);
    if (!owned || !e) return undefined;
    owned.delete(name);
    if (owned.size === 0) this.byOwner.delete(owner);
    const names = this.byName.get(name);
    names?.delete(owner);
    if (names && names.size === 0) this.byName.delete(name);
    const pidNames = this.byPid.get(e.pid.key);
    pidNames?.delete(name);
    if (pidNames && pidNames.size === 0) this.byPid.delete(e.pid.key);
    return e;
  }

  /** Remove every entry of `owner`; returns the removed entries. */
  dropOwner(owner: string): Entry[] {
    const owned = this.byOwner.get(owner);
    if (!owned) return [];
    const out = [...owned.values()];
    for (const e of out) this.delete(owner, e.name);
    return out;
  }

  /** The entries of `owner`. */
  ownedBy(owner: string): Entry[] {
    return [...(this.byOwner.get(owner)?.values() ?? [])];
  }

  /** Every entry for `name`, lowest-named owner first. */
  owners(name: string): Entry[] {
    const names = this.byName.get(name);
    if (!names) return [];
    return [...names.values()].sort((x, y) => compareNames(x.pid.node, y.pid.node));
  }

  /** The pid `name` stands for here: that of its lowest-named owner. */
  whereis(name: string): Pid | undefined {
    return this.owners(name)[0]?.pid;
  }

  /** The names known for `pid`. */
  namesOf(pid: Pid): string[] {
    return [...(this.byPid.get(pid.key) ?? [])];
  }

  /** Every registered name, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/** Erlang's term order on pids, near enough: by node name, then number, serial and creation. */
export function comparePids(a: Pid, b: Pid): number {
  return compareNames(a.node, b.node) || a.id - b.id || a.serial - b.serial || a.creation - b.creation;
}
