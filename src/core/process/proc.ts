/**
 * The runtime's record of one local process: its mailbox and its signal-related state.
 * Only the process runtime mutates it.
 *
 * Kept small, since an idle process is mostly this record (scripts/microbench-local.ts
 * measures it): the record *is* the mailbox (Proc extends Mailbox, and `mailbox` returns the
 * record itself); the link and monitor maps, and the `exited` promise, are created on first
 * use (`links`, `monitors`, `watchers`, `nodeMonitors` and `exited` create theirs when read;
 * read-only paths use the `…IfAny` forms, which do not); `alive`, `trapExit` and `catchDepth`
 * share one number; a group leader other than the node's default lives in the relations, a
 * receive timer and a mailbox limit in side tables (flag bits say when); the `self` of a process gets its
 * node from its class's prototype; the runtime's table is an array whose slots are reused;
 * and the body's promise is watched with two bound functions rather than closures over the
 * process. 938 bytes per idle process in all (bench, 100k processes). The initial call (for
 * the observer: initial-call.ts) shares the slot of the relations: the slot holds the initial
 * call until the process first links or monitors, then the relations, which hold it; so it
 * costs an idle process nothing.
 */
import type { Clock } from '../base/clock.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import { CLOSED, Mailbox, MAILBOX_FLAG_BITS } from './mailbox.js';
import type { InitialCall } from './initial-call.js';

/** A monitor this process holds on another process. */
export interface OwnedMonitor {
  ref: Ref;
  /** The target as the DOWN message will name it: the pid, or `[name, node]`. */
  shownAs: Pid | [string, string];
  /** The node the target lives on (for noconnection). */
  node: string;
  /** The target as sent on the wire (pid or name on `node`). */
  target: Pid | string;
}

/** A monitor another process holds on this one. */
export interface Watcher {
  ref: Ref;
  watcher: Pid;
  /** The name the watcher used, if it monitored by name. */
  byName: string | undefined;
}

/** What a process needs from its runtime: the clock of its receive timeouts, and what ends it. */
export interface ProcHost extends Clock {
  /** The node's default group leader (its `user` process), which most processes have. */
  defaultGroupLeader: Pid | undefined;
  /** The body has returned (its promise fulfilled). */
  bodyReturned(p: Proc): void;
  /** The body has thrown, or its promise rejected, with `e`. */
  bodyFailed(p: Proc, e: unknown): void;
}

/** The state of a process that has linked, monitored or been asked for `exited` (each part on first use), and its initial call. */
class Relations {
  links: Map<string, Pid> | undefined = undefined;
  monitors: Map<string, OwnedMonitor> | undefined = undefined;
  watchers: Map<string, Watcher> | undefined = undefined;
  nodeMonitors: Map<string, number> | undefined = undefined;
  exited: Promise<unknown> | undefined = undefined;
  resolveExited: ((reason: unknown) => void) | undefined = undefined;
  /** The group leader when it is not the node's default (OWN_GL). */
  groupLeader: Pid | undefined = undefined;

  constructor(public initialCall: InitialCall) {}
}

const TRAP_EXIT = 1 << MAILBOX_FLAG_BITS;
/** The group leader is not the node's default one: it is in the relations. */
const OWN_GL = 1 << (MAILBOX_FLAG_BITS + 1);
/** catchDepth is kept in the bits above OWN_GL. */
const DEPTH_SHIFT = MAILBOX_FLAG_BITS + 2;
/** The bits below DEPTH_SHIFT. */
const LOW_BITS = (1 << DEPTH_SHIFT) - 1;

/**
 * Handlers for the body's promise, bound to the Proc (`watchBody`): ~46 bytes each, against
 * ~160 for a pair of closures over the process and their context. Object-literal methods on
 * purpose: under tsx and vite, esbuild's keepNames gives a named function declaration an own
 * `name`, which takes `bind` off its fast path (~330 bytes per bound function).
 */
const bodyOutcome = {
  returned(this: Proc): void {
    this.host.bodyReturned(this);
  },
  failed(this: Proc, e: unknown): void {
    this.host.bodyFailed(this, e);
  },
};

export class Proc extends Mailbox<ProcHost> {
  /** The relations once the process has any, else its initial call alone (see above). */
  private rel: Relations | InitialCall;

  constructor(
    readonly pid: Pid,
    groupLeader: Pid,
    host: ProcHost,
    /** What it was started with, for the observer (initial-call.ts): set once, read only when asked. */
    initialCall: InitialCall,
  ) {
    super(host);
    this.rel = initialCall;
    if (groupLeader !== host.defaultGroupLeader) this.groupLeader = groupLeader;
  }

  /** Where this process's output goes (an io server process, local or remote). */
  get groupLeader(): Pid {
    return (this.flags & OWN_GL) !== 0 ? (this.rel as Relations).groupLeader! : this.host.defaultGroupLeader!;
  }

  /**
   * A leader other than the default goes into the relations (made for it if need be): the
   * processes that have one are mostly remote spawns and rpc workers, which are monitored
   * and so have relations anyway. (A WeakMap beside the record cost ~5% of a remote spawn.)
   */
  set groupLeader(gl: Pid) {
    if (gl === this.host.defaultGroupLeader) {
      this.flags &= ~OWN_GL;
      const rel = this.relIfAny;
      if (rel !== undefined) rel.groupLeader = undefined;
    } else {
      this.flags |= OWN_GL;
      this.relations().groupLeader = gl;
    }
  }

  /** The runtime side of this process (the object the mailbox got as its clock). */
  get host(): ProcHost {
    return this.clock;
  }

  /** The process's mailbox: the record itself. */
  get mailbox(): Mailbox {
    return this;
  }

  /** True until the runtime ends the process (which closes its mailbox). */
  get alive(): boolean {
    return (this.flags & CLOSED) === 0;
  }

  get trapExit(): boolean {
    return (this.flags & TRAP_EXIT) !== 0;
  }

  set trapExit(on: boolean) {
    this.flags = on ? this.flags | TRAP_EXIT : this.flags & ~TRAP_EXIT;
  }

  /** > 0 while the process runs inside an Erlang-style `catch` (see ProcessContext.catch). */
  get catchDepth(): number {
    return this.flags >>> DEPTH_SHIFT;
  }

  set catchDepth(depth: number) {
    this.flags = (this.flags & LOW_BITS) | (depth << DEPTH_SHIFT);
  }

  /** The message queued when the mailbox overflows its limit (see Mailbox.setLimit). */
  protected override overflowNotice(droppedSoFar: number): unknown {
    return ['mailbox_overflow', this.pid, droppedSoFar];
  }

  /** End the process when `result` (what its body returned) settles, as `await result` would. */
  watchBody(result: unknown): void {
    void Promise.resolve(result).then(bodyOutcome.returned.bind(this), bodyOutcome.failed.bind(this));
  }

  /** Linked processes, by pid key (created on first use). */
  get links(): Map<string, Pid> {
    const rel = this.relations();
    return (rel.links ??= new Map());
  }

  /** Monitors this process holds, by ref key (created on first use). */
  get monitors(): Map<string, OwnedMonitor> {
    const rel = this.relations();
    return (rel.monitors ??= new Map());
  }

  /** Monitors held on this process, by ref key (created on first use). */
  get watchers(): Map<string, Watcher> {
    const rel = this.relations();
    return (rel.watchers ??= new Map());
  }

  /** Nodes this process monitors with monitorNode, with a count per node (Erlang stacks them; created on first use). */
  get nodeMonitors(): Map<string, number> {
    const rel = this.relations();
    return (rel.nodeMonitors ??= new Map());
  }

  /** What the process was started with (initial-call.ts); a behaviour may set it once, as proc_lib does. */
  get initialCall(): InitialCall {
    const rel = this.rel;
    return rel instanceof Relations ? rel.initialCall : rel;
  }

  set initialCall(call: InitialCall) {
    if (this.rel instanceof Relations) this.rel.initialCall = call;
    else this.rel = call;
  }

  /** The relations, or undefined when this process never had any (for read-only use). */
  private get relIfAny(): Relations | undefined {
    const rel = this.rel;
    return rel instanceof Relations ? rel : undefined;
  }

  /** The links, or undefined when this process never had one (for read-only use). */
  get linksIfAny(): Map<string, Pid> | undefined {
    return this.relIfAny?.links;
  }

  get monitorsIfAny(): Map<string, OwnedMonitor> | undefined {
    return this.relIfAny?.monitors;
  }

  get watchersIfAny(): Map<string, Watcher> | undefined {
    return this.relIfAny?.watchers;
  }

  get nodeMonitorsIfAny(): Map<string, number> | undefined {
    return this.relIfAny?.nodeMonitors;
  }

  /**
   * Resolved with the exit reason when the process exits (the promise is made on first
   * request). Ask while it is alive, as Node.exitReason does: the record of an exited process
   * keeps nothing, and answers `'noproc'`.
   */
  get exited(): Promise<unknown> {
    if (!this.alive) return Promise.resolve('noproc');
    const rel = this.relations();
    return (rel.exited ??= new Promise((r) => (rel.resolveExited = r)));
  }

  /** The runtime has ended the process (and closed its mailbox): drop the maps, settle `exited`. */
  finish(reason: unknown): void {
    const rel = this.relIfAny;
    if (rel === undefined) return;
    this.rel = rel.initialCall;
    rel.resolveExited?.(reason);
  }

  private relations(): Relations {
    const rel = this.rel;
    return rel instanceof Relations ? rel : (this.rel = new Relations(rel));
  }
}
