/**
 * `node.processInfo(pid)`: a snapshot of what the runtime knows of one live local process
 * (a part of Erlang's process_info/1, with JS names).
 */
import type { Pid } from '../terms/pid.js';
import type { Proc } from './proc.js';
import type { Registry } from './registry.js';

export interface ProcessInfo {
  /** Messages waiting in the mailbox (Erlang's `message_queue_len`). */
  readonly messageQueueLen: number;
  /** Messages dropped because the mailbox was full (see `self.setMaxMailbox`); never reset. */
  readonly messagesDropped: number;
  /** The mailbox limit, or undefined for none. */
  readonly maxMailbox: number | undefined;
  readonly trapExit: boolean;
  /** The locally registered name, if any. */
  readonly registeredName: string | undefined;
  readonly groupLeader: Pid;
  /** Linked processes. */
  readonly links: Pid[];
}

/** @internal the info of a live process */
export function processInfo(p: Proc, registry: Registry): ProcessInfo {
  return {
    messageQueueLen: p.length,
    messagesDropped: p.dropped,
    maxMailbox: p.limit,
    trapExit: p.trapExit,
    registeredName: registry.nameOf(p.pid),
    groupLeader: p.groupLeader,
    links: [...(p.linksIfAny?.values() ?? [])],
  };
}
