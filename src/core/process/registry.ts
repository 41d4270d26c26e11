/**
 * Local name registration (erlang:register/2 and friends), with every `badarg` case of
 * docs/semantics.md §9: a taken name, a pid that already has a name, the name `undefined`
 * or a non-string, a dead or remote pid; unregistering a name that is not registered.
 */
import { badarg } from '../base/errors.js';
import type { Pid } from '../terms/pid.js';

export class Registry {
  private readonly byName = new Map<string, Pid>();
  /**
   * Names by pid number: only live local processes have names, and no two of them share a
   * number (process-table.ts); {@link nameOf} checks the whole pid. A number key costs no
   * string to build and hash, which every process that ends without a name would pay.
   */
  private readonly byPid = new Map<number, string>();

  /**
   * @param isLocalAlive tells whether a pid is a live process of this node
   */
  constructor(private readonly isLocalAlive: (pid: Pid) => boolean) {}

  register(name: unknown, pid: unknown): true {
    if (typeof name !== 'string' || name.length === 0) throw badarg('register: name must be a non-empty string', { name });
    if (name === 'undefined') throw badarg("register: the name 'undefined' is reserved", { name });
    if (!(pid && typeof pid === 'object' && 'key' in pid)) throw badarg('register: not a pid', { pid });
    const p = pid as Pid;
    if (!this.isLocalAlive(p)) throw badarg('register: the pid is not a live local process', { name, pid });
    if (this.byName.has(name)) throw badarg(`register: the name '${name}' is taken`, { name });
    if (this.nameOf(p) !== undefined) throw badarg('register: the process already has a name', { name, pid });
    this.byName.set(name, p);
    this.byPid.set(p.id, name);
    return true;
  }

  unregister(name: unknown): true {
    if (typeof name !== 'string') throw badarg('unregister: name must be a string', { name });
    const pid = this.byName.get(name);
    if (!pid) throw badarg(`unregister: '${name}' is not registered`, { name });
    this.byName.delete(name);
    this.byPid.delete(pid.id);
    return true;
  }

  /** The process's name is freed when it dies. */
  removePid(pid: Pid): void {
    const name = this.nameOf(pid);
    if (name === undefined) return;
    this.byPid.delete(pid.id);
    this.byName.delete(name);
  }

  whereis(name: string): Pid | undefined {
    return this.byName.get(name);
  }

  nameOf(pid: Pid): string | undefined {
    const name = this.byPid.get(pid.id);
    return name !== undefined && this.byName.get(name)!.equals(pid) ? name : undefined;
  }

  registered(): string[] {
    return [...this.byName.keys()];
  }
}
