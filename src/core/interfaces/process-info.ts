/** `node.processInfo(pid)`: a part of Erlang's process_info/1, with JS names. */
import type { Pid } from '../terms/pid.js';

/**
 * What `node.processInfo(pid)` tells about a live local process.
 *
 * @example
 * const info: ProcessInfo | undefined = node.processInfo(pid);
 * if (info && info.messageQueueLen > 1_000) console.warn('mailbox backing up', info.registeredName);
 */
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
