/**
 * The watches of a scope (`monitorScope`, `monitor`): who gets which membership changes, as
 * `[ref, 'join' | 'leave', group, pids]`. A watching process gets them as messages (and is
 * monitored: its exit ends the watch); a listener function is called, after the change is
 * complete and one at a time.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import type { Self } from '../interfaces/self.js';
import { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { PgEvent, PgHost, PgListener } from './types.js';

/** One watch. */
export interface Sub {
  ref: Ref;
  /** undefined: the whole scope. */
  group: string | undefined;
  /** A process to send events to (monitored, dropped when it exits)… */
  pid?: Pid;
  monRef?: Ref;
  /** …or a listener. */
  listener?: PgListener;
}

export class Subscriptions {
  private readonly subs = new Map<string, Sub>();
  private readonly subsByMon = new Map<string, string>();
  /** Listener calls not made yet, in order. */
  private readonly queue: Array<() => void> = [];
  private delivering = false;

  /** @param server the running scope server: it sends the events and monitors the watchers */
  constructor(
    private readonly host: Pick<PgHost, 'name' | 'makeRef' | 'log' | 'dropQueued'>,
    private readonly server: () => Self,
  ) {}

  /** Start a watch of `group` (undefined: the whole scope) for a process (`self` or a local pid) or a listener. */
  add(subscriber: unknown, group: string | undefined, what: string): Sub {
    const ref = this.host.makeRef();
    let sub: Sub;
    if (typeof subscriber === 'function') {
      sub = { ref, group, listener: subscriber as PgListener };
    } else {
      const pid = isSelf(subscriber) ? subscriber.pid : subscriber;
      if (!(pid instanceof Pid)) {
        throw badarg(`pg.${what}: pass the process to notify (self or a local pid) or a listener function`, { subscriber });
      }
      if (pid.node !== this.host.name) throw new ErlmeshError('nolocal', `pg.${what}: ${pid.toString()} is not a local process`, pid);
      const monRef = this.server().monitor(pid);
      sub = { ref, group, pid, monRef };
      this.subsByMon.set(monRef.key, ref.key);
    }
    this.subs.set(ref.key, sub);
    return sub;
  }

  /** End the watch `ref`, taking back its events still queued in the watcher; false for an unknown ref. */
  remove(ref: Ref): boolean {
    const sub = this.subs.get(ref.key);
    if (!sub) return false;
    this.subs.delete(ref.key);
    if (sub.monRef) {
      this.subsByMon.delete(sub.monRef.key);
      this.server().demonitor(sub.monRef, { flush: true });
    }
    if (sub.pid) {
      this.host.dropQueued(sub.pid, (m) => Array.isArray(m) && m.length === 4 && ref.equals(m[0]) && (m[1] === 'join' || m[1] === 'leave'));
    }
    return true;
  }

  /** The DOWN `ref` of a watching process: its watch ends. False if `ref` is no watcher's monitor. */
  watcherDown(ref: Ref): boolean {
    const key = this.subsByMon.get(ref.key);
    if (key === undefined) return false;
    this.subsByMon.delete(ref.key);
    this.subs.delete(key);
    return true;
  }

  /** A new server process took over: it monitors the watching processes again. */
  remonitor(): void {
    const self = this.server();
    this.subsByMon.clear();
    for (const s of this.subs.values()) {
      if (!s.pid) continue;
      s.monRef = self.monitor(s.pid);
      this.subsByMon.set(s.monRef.key, s.ref.key);
    }
  }

  /** Report a change of `group` to the watches of the scope and of that group. */
  notify(kind: 'join' | 'leave', group: string, pids: Pid[]): void {
    for (const sub of this.subs.values()) {
      if (sub.group !== undefined && sub.group !== group) continue;
      const ev: PgEvent = [sub.ref, kind, group, pids.slice()];
      if (sub.pid) this.server().send(sub.pid, ev);
      else this.later(sub, ev);
    }
  }

  /**
   * Call a listener. Listeners run after the change is complete and one at a time, in order:
   * one that calls join/leave itself queues the events of that change behind the current ones.
   */
  private later(sub: Sub, ev: PgEvent): void {
    this.queue.push(() => {
      if (this.subs.get(sub.ref.key) === sub) sub.listener!(ev);
    });
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let f = this.queue.shift(); f; f = this.queue.shift()) {
        try {
          f();
        } catch (e) {
          this.host.log('error', `pg: a monitor listener failed: ${String(e)}`);
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}

/** A process's `self` (rather than a pid or a listener). */
function isSelf(v: unknown): v is Self {
  if (typeof v !== 'object' || v === null || v instanceof Pid) return false;
  const s = v as Partial<Self>;
  return s.pid instanceof Pid && typeof s.receive === 'function' && typeof s.send === 'function';
}
