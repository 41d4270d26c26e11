/**
 * What the `observer` module answers (node/observer/module.ts): plain terms, so any node or
 * tool can ask for them by rpc. Types only.
 */
import type { LinkStats } from '../../net/connection-stats.js';
import type { InitialCall } from '../../process/initial-call.js';

export type { InitialCall };
import type { Pid } from '../../terms/pid.js';

/**
 * Memory of the platform a node runs on, in bytes, where it can tell: a server-node reports
 * `process.memoryUsage()`, a Chromium tab `performance.memory`; other platforms report none.
 *
 * @example
 * const m: PlatformMemory | undefined = await node.rpc.call('b@host', 'observer', 'memory', []);
 * if (m?.heapUsed !== undefined) console.log(`${(m.heapUsed / 1e6).toFixed(1)} MB used`);
 */
export interface PlatformMemory {
  /** JavaScript heap in use. */
  readonly heapUsed?: number;
  /** JavaScript heap allocated. */
  readonly heapTotal?: number;
  /** Resident set size of the OS process (server-nodes). */
  readonly rss?: number;
  /** Where the figures come from: `'process.memoryUsage'` or `'performance.memory'`. */
  readonly source: string;
}

/**
 * One node's figures, as `observer:nodeStats()` answers them.
 *
 * @example
 * const s: NodeStats = await observerNode.rpc.call('gandalf@myhost', 'observer', 'nodeStats', []);
 * console.log(s.node, s.processCount, s.mailboxTotal, s.uptimeMs);
 * for (const l of s.links) console.log(`${l.peer} via ${l.via}: ${l.framesIn} in, ${l.framesOut} out`);
 */
export interface NodeStats {
  readonly node: string;
  /** Its join ticket's role, or undefined for a cookie holder. */
  readonly role: string | undefined;
  /** `'server'` (Node.js), `'browser'` (a tab) or `'other'`. */
  readonly platform: 'server' | 'browser' | 'other';
  /** Milliseconds since the node started (its own clock). */
  readonly uptimeMs: number;
  readonly processCount: number;
  /** Messages waiting in all its processes' mailboxes. */
  readonly mailboxTotal: number;
  readonly memory: PlatformMemory | undefined;
  /** Its visible and hidden connections (what `nodes()` and `nodes('hidden')` say there). */
  readonly visible: string[];
  readonly hidden: string[];
  /** The role of each connected peer that holds a ticket (cookie holders are left out). */
  readonly peerRoles: { readonly [node: string]: string };
  /**
   * Each connection's counters: frames in and out as the connection's channel counts them
   * anyway (bytes for a BEAM connection), and what carries it. Rates are the difference
   * between two looks (`uptimeMs` apart): the observer page shows messages/s on each edge.
   */
  readonly links: LinkStats[];
}

/**
 * One process in `observer:processes()`.
 *
 * `received` counts the messages delivered to the process since an observer first listed it
 * (undefined before that): counting starts only when asked, so an unobserved node pays nothing.
 *
 * @example
 * const { processes }: ProcessList = await node.rpc.call('b@host', 'observer', 'processes', []);
 * const busiest: ProcessRow | undefined = [...processes].sort((x, y) => y.queue - x.queue)[0];
 */
export interface ProcessRow {
  readonly pid: Pid;
  /** The locally registered name, if any. */
  readonly name: string | undefined;
  /** What it was started with: `[module, function, arity]`, or the JS function's name (process/initial-call.ts). */
  readonly initialCall: InitialCall;
  /** Messages in the mailbox. */
  readonly queue: number;
  readonly links: number;
  /** Monitors this process holds. */
  readonly monitors: number;
  /** Monitors others hold on it. */
  readonly monitoredBy: number;
  readonly received: number | undefined;
  /** An estimate, in bytes: the process record plus its links, monitors and queued messages. */
  readonly memory: number;
  readonly trapExit: boolean;
}

/**
 * `observer:processes(max)`: the first `max` processes by pid number, and how many there are.
 *
 * @example
 * const list: ProcessList = await node.rpc.call('b@host', 'observer', 'processes', [500]);
 * if (list.total > list.processes.length) console.log(`${list.total - list.processes.length} more`);
 */
export interface ProcessList {
  readonly total: number;
  readonly processes: ProcessRow[];
}

/**
 * `observer:processInfo(pid, maxMessages, maxBytes)`: one process in detail, with the first
 * queued messages printed (at most `maxMessages`, together at most `maxBytes` characters).
 *
 * @example
 * const info: ProcessDetail | undefined = await node.rpc.call(pid.node, 'observer', 'processInfo', [pid, 5, 2048]);
 * info?.messages.forEach((m) => console.log(m));
 */
export interface ProcessDetail extends ProcessRow {
  readonly linked: Pid[];
  /** What each monitor it holds watches: a pid, or `['name', 'node']` for a monitor by name. */
  readonly monitoring: string[];
  readonly monitoredByPids: Pid[];
  readonly groupLeader: Pid;
  readonly maxMailbox: number | undefined;
  readonly dropped: number;
  /** The first queued messages, printed as the shell prints terms. */
  readonly messages: string[];
  /** Queued messages not printed (past `maxMessages` or `maxBytes`). */
  readonly messagesOmitted: number;
}

/**
 * `observer:names()`: the names a node knows: its registered names, the global names as its
 * global sees them, and the pg groups of the default scope.
 *
 * @example
 * const n: NamesView = await node.rpc.call('b@host', 'observer', 'names', []);
 * n.global.forEach(({ name, pid }) => console.log(name, String(pid)));
 */
export interface NamesView {
  readonly registered: Array<{ readonly name: string; readonly pid: Pid | undefined }>;
  readonly global: Array<{ readonly name: string; readonly pid: Pid | undefined }>;
  readonly pg: Array<{ readonly group: string; readonly members: Pid[] }>;
}
