/** `node.processInfo(pid)`: a part of Erlang's process_info/1, with JS names. */
import type { Pid } from '../terms/pid.js';

/**
 * `[module, function, arity]`, or the name of the JS function a process was started with
 * (`'anonymous'` when it has none).
 *
 * @example
 * const info = await node.rpc.call('a@host', 'observer', 'processInfo', [pid]);
 * const call: InitialCall = info.initialCall;   // ['kvs', 'loop', 0]
 * typeof call === 'string' ? call : `${call[0]}:${call[1]}/${call[2]}`;   // 'kvs:loop/0'
 * node.processInfo(node.whereis('user')!)?.initialCall;   // ['user', 'server', 0]
 */
export type InitialCall = readonly [module: string, fun: string, arity: number] | string;

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
  /** What it was started with (Erlang's `initial_call`; process/initial-call.ts): `['kvs', 'loop', 0]`, or a function's name. */
  readonly initialCall: InitialCall;
}
