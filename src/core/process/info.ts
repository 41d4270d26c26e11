/**
 * `node.processInfo(pid)`: a snapshot of what the runtime knows of one live local process
 * (a part of Erlang's process_info/1, with JS names).
 */
import type { ProcessInfo } from '../interfaces/process-info.js';
import type { Proc } from './proc.js';
import type { Registry } from './registry.js';

export type { ProcessInfo } from '../interfaces/process-info.js';

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
    initialCall: p.initialCall,
  };
}
