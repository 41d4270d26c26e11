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
export interface Watch {
  ref: Ref;
  /** undefined: the whole scope. */
  group: string | undefined;
  /** A process to send events to (monitored, dropped when it exits)… */
  pid?: Pid;
  monitorRef?: Ref;
  /** …or a listener. */
  listener?: PgListener;
}

export class Watches {
  private readonly watches = new Map<string, Watch>();
  private readonly watchesByMonitor = new Map<string, string>();
  /** Listener calls not made yet, in order. */
  private readonly listenerCalls: Array<() => void> = [];
  private callingListeners = false;

  /** @param server the running scope server: it sends the events and monitors the watchers */
  constructor(
    private readonly host: Pick<PgHost, 'name' | 'makeRef' | 'log' | 'dropQueued'>,
    private readonly server: () => Self,
  ) {}

  /** Start a watch of `group` (undefined: the whole scope) for a process (`self` or a local pid) or a listener. */
  add(subscriber: unknown, group: string | undefined, what: string): Watch {
    const ref = this.host.makeRef();
    let watch: Watch;
    if (typeof subscriber === 'function') {
      watch = { ref, group, listener: subscriber as PgListener };
    } else {
      const pid = isSelf(subscriber) ? subscriber.pid : subscriber;
      if (!(pid instanceof Pid)) {
        throw badarg(`pg.${what}: pass the process to notify (self or a local pid) or a listener function`, { subscriber });
      }
      if (pid.node !== this.host.name) throw new ErlmeshError('nolocal', `pg.${what}: ${pid.toString()} is not a local process`, pid);
      const monitorRef = this.server().monitor(pid);
      watch = { ref, group, pid, monitorRef };
      this.watchesByMonitor.set(monitorRef.key, ref.key);
    }
    this.watches.set(ref.key, watch);
    return watch;
  }

  /** End the watch `ref`, taking back its events still queued in the watcher; false for an unknown ref. */
  remove(ref: Ref): boolean {
    const watch = this.watches.get(ref.key);
    if (!watch) return false;
    this.watches.delete(ref.key);
    if (watch.monitorRef) {
      this.watchesByMonitor.delete(watch.monitorRef.key);
      this.server().demonitor(watch.monitorRef, { flush: true });
    }
    if (watch.pid) {
      this.host.dropQueued(watch.pid, (m) => Array.isArray(m) && m.length === 4 && ref.equals(m[0]) && (m[1] === 'join' || m[1] === 'leave'));
    }
    return true;
  }

  /** The DOWN `ref` of a watching process: its watch ends. False if `ref` is no watcher's monitor. */
  watcherDown(ref: Ref): boolean {
    const key = this.watchesByMonitor.get(ref.key);
    if (key === undefined) return false;
    this.watchesByMonitor.delete(ref.key);
    this.watches.delete(key);
    return true;
  }

  /** A new server process took over: it monitors the watching processes again. */
  remonitor(): void {
    const self = this.server();
    this.watchesByMonitor.clear();
    for (const s of this.watches.values()) {
      if (!s.pid) continue;
      s.monitorRef = self.monitor(s.pid);
      this.watchesByMonitor.set(s.monitorRef.key, s.ref.key);
    }
  }

  /** Report a change of `group` to the watches of the scope and of that group. */
  notify(kind: 'join' | 'leave', group: string, pids: Pid[]): void {
    for (const watch of this.watches.values()) {
      if (watch.group !== undefined && watch.group !== group) continue;
      const ev: PgEvent = [watch.ref, kind, group, pids.slice()];
      if (watch.pid) this.server().send(watch.pid, ev);
      else this.callListener(watch, ev);
    }
  }

  /**
   * Call `watch`'s listener with `ev`. Listeners run after the change is complete and one at a
   * time, in order: one that calls join/leave itself queues the events of that change behind
   * the current ones (the outermost call makes the queued calls).
   */
  private callListener(watch: Watch, ev: PgEvent): void {
    this.listenerCalls.push(() => {
      if (this.watches.get(watch.ref.key) === watch) watch.listener!(ev);
    });
    if (this.callingListeners) return;
    this.callingListeners = true;
    try {
      for (let call = this.listenerCalls.shift(); call; call = this.listenerCalls.shift()) {
        try {
          call();
        } catch (e) {
          this.host.log('error', `pg: a monitor listener failed: ${String(e)}`);
        }
      }
    } finally {
      this.callingListeners = false;
    }
  }
}

/** A process's `self` (rather than a pid or a listener). */
function isSelf(v: unknown): v is Self {
  if (typeof v !== 'object' || v === null || v instanceof Pid) return false;
  const s = v as Partial<Self>;
  return s.pid instanceof Pid && typeof s.receive === 'function' && typeof s.send === 'function';
}
