/**
 * The runtime's record of one local process: its mailbox and its signal-related state.
 * Only the process runtime mutates it.
 */
import type { Clock } from '../clock.js';
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import { Mailbox } from './mailbox.js';

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

export class Proc {
  readonly mailbox: Mailbox;
  alive = true;
  exitReason: unknown = undefined;
  trapExit = false;
  /** > 0 while the process runs inside an Erlang-style `catch` (see catchExit). */
  catchDepth = 0;
  registeredName: string | undefined;
  /** Linked processes, by pid key. */
  readonly links = new Map<string, Pid>();
  /** Monitors this process holds, by ref key. */
  readonly monitors = new Map<string, OwnedMonitor>();
  /** Monitors held on this process, by ref key. */
  readonly watchers = new Map<string, Watcher>();
  /** Nodes this process monitors with monitorNode, with a count per node (Erlang stacks them). */
  readonly nodeMonitors = new Map<string, number>();
  /** Resolved when the process has exited, with its reason. */
  readonly exited: Promise<unknown>;
  resolveExited!: (reason: unknown) => void;

  constructor(
    readonly pid: Pid,
    public groupLeader: Pid,
    clock: Clock,
  ) {
    this.mailbox = new Mailbox(clock);
    this.exited = new Promise((r) => (this.resolveExited = r));
  }
}
