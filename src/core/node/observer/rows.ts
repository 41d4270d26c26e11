/**
 * The observer's rows for one process, read from the runtime's record of it without changing
 * it (the `…IfAny` maps; the queue by `peek`), except that listing a process starts counting
 * its messages (`Mailbox.startCounting`).
 */
import { formatTerm } from '../../terms/format.js';
import type { Pid } from '../../terms/pid.js';
import type { Proc } from '../../process/proc.js';
import type { Registry } from '../../process/registry.js';
import { termSize } from './term-size.js';
import type { ProcessDetail, ProcessRow } from './types.js';

/** An idle process's record (process/proc.ts: 938 bytes in the bench, with its context). */
export const PROCESS_BYTES = 940;
/** A link or monitor entry in a process's maps, roughly. */
const RELATION_BYTES = 120;
/** Queued messages sized one by one for the estimate; the rest are assumed alike. */
const SIZED_MESSAGES = 32;

/** Bytes of the queued messages, estimated from the first SIZED_MESSAGES. */
function queueBytes(p: Proc): number {
  const n = p.length;
  if (n === 0) return 0;
  const q = p.peek();
  const k = Math.min(n, SIZED_MESSAGES);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += termSize(q[i]);
  return Math.round((sum / k) * n) + 8 * n;
}

/** One process's row (and counting of its messages starts, if it had not). */
export function processRow(p: Proc, registry: Registry): ProcessRow {
  p.startCounting();
  const links = p.linksIfAny?.size ?? 0;
  const monitors = p.monitorsIfAny?.size ?? 0;
  const monitoredBy = p.watchersIfAny?.size ?? 0;
  return {
    pid: p.pid,
    name: registry.nameOf(p.pid),
    initialCall: p.initialCall,
    queue: p.length,
    links,
    monitors,
    monitoredBy,
    received: p.received,
    memory: PROCESS_BYTES + RELATION_BYTES * (links + monitors + monitoredBy) + queueBytes(p),
    trapExit: p.trapExit,
  };
}

/** What a monitor held by a process watches, printed: a pid, or `['name', 'node']` for one by name. */
function watched(shownAs: Pid | [string, string]): string {
  return Array.isArray(shownAs) ? formatTerm(shownAs) : String(shownAs);
}

/** One process in detail: its row, whom it links and monitors, and its first queued messages. */
export function processDetail(p: Proc, registry: Registry, maxMessages: number, maxBytes: number): ProcessDetail {
  const row = processRow(p, registry);
  const queued = p.peek();
  const messages: string[] = [];
  let bytes = 0;
  for (const m of queued) {
    if (messages.length >= maxMessages) break;
    let text = formatTerm(m, { maxDepth: 6, maxLength: 20 });
    if (bytes + text.length > maxBytes) {
      const room = maxBytes - bytes;
      if (room < 16) break;
      text = `${text.slice(0, room - 1)}…`;
    }
    messages.push(text);
    bytes += text.length;
  }
  return {
    ...row,
    linked: [...(p.linksIfAny?.values() ?? [])],
    monitoring: [...(p.monitorsIfAny?.values() ?? [])].map((m) => watched(m.shownAs)),
    monitoredByPids: [...(p.watchersIfAny?.values() ?? [])].map((w) => w.watcher),
    groupLeader: p.groupLeader,
    maxMailbox: p.limit,
    dropped: p.dropped,
    messages,
    messagesOmitted: queued.length - messages.length,
  };
}
