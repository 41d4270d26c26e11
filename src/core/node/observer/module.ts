/**
 * The `observer` module every node loads: what `erlmesh observer` (and any other tool) asks a
 * node by rpc. Nothing runs until asked: no timer, no counter on the message path until
 * `processes` first lists a process (which starts counting its messages, `ProcessRow.received`).
 *
 * | function | answers |
 * |---|---|
 * | `nodeStats()` | {@link NodeStats}: role, platform, uptime, process count, total mailbox length, memory, connections and their frame counters |
 * | `processes(max = 1000)` | {@link ProcessList}: the first `max` processes by pid number |
 * | `processInfo(pid, maxMessages = 10, maxBytes = 4096)` | {@link ProcessDetail}, or undefined for a dead process |
 * | `memory()` | {@link PlatformMemory}, or undefined where the platform cannot tell |
 * | `names()` | {@link NamesView}: registered names, global names, pg groups |
 * | `unobserve()` | stops counting messages on every process (an observer leaving); the number that were counted |
 *
 * It reads other processes' mailboxes, so a ticket role's `rpc: '*'` does not cover it
 * (trust/capabilities.ts `NAMED_ONLY_MODULES`): a role gets it by naming it.
 */
import { badarg } from '../../base/errors.js';
import { defineModule } from '../../modules/module.js';
import type { ProcessContext } from '../../process/context.js';
import { Pid } from '../../terms/pid.js';
import type { Node } from '../node.js';
import { platformKind, platformMemory } from './platform-memory.js';
import { processDetail, processRow } from './rows.js';
import { uptimeOf } from './started.js';
import type { NamesView, NodeStats, PlatformMemory, ProcessDetail, ProcessList } from './types.js';

/** The node behind a module function's `self` (the observer reads its runtime). */
function nodeOf(self: ProcessContext): Node {
  return self.node as unknown as Node;
}

function count(what: string, v: unknown, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw badarg(`observer: ${what} must be an integer from 0 to ${max}, got ${String(v)}`);
  return v;
}

function nodeStats(self: ProcessContext): NodeStats {
  const node = nodeOf(self);
  let mailboxTotal = 0;
  for (const p of node.runtime.processes()) mailboxTotal += p.length;
  const visible = node.nodes('visible');
  const hidden = node.nodes('hidden');
  const peerRoles: Record<string, string> = {};
  for (const n of [...visible, ...hidden]) {
    const r = node.roleOf(n);
    if (typeof r === 'string') peerRoles[n] = r;
  }
  return {
    node: node.name,
    role: node.role,
    platform: platformKind(),
    uptimeMs: Math.round(uptimeOf(node, node.clock)),
    processCount: node.runtime.processCount,
    mailboxTotal,
    memory: platformMemory(),
    visible,
    hidden,
    peerRoles,
    links: node.routes.linkStats(),
  };
}

function processes(self: ProcessContext, max?: number): ProcessList {
  const node = nodeOf(self);
  const limit = count('max', max, 1000, 100_000);
  const all = node.runtime.processes();
  return { total: all.length, processes: all.slice(0, limit).map((p) => processRow(p, node.runtime.registry)) };
}

function processInfo(self: ProcessContext, pid: Pid, maxMessages?: number, maxBytes?: number): ProcessDetail | undefined {
  const node = nodeOf(self);
  if (!(pid instanceof Pid) || pid.node !== node.name) throw badarg(`observer: processInfo needs a pid of ${node.name}, got ${String(pid)}`);
  const p = node.runtime.local(pid);
  if (p === undefined) return undefined;
  return processDetail(p, node.runtime.registry, count('maxMessages', maxMessages, 10, 1000), count('maxBytes', maxBytes, 4096, 1 << 20));
}

function names(self: ProcessContext): NamesView {
  const node = self.node;
  return {
    registered: node.registered().map((name) => ({ name, pid: node.whereis(name) })),
    global: node.global.registeredNames().map((name) => ({ name, pid: node.global.whereisName(name) })),
    pg: node.pg.whichGroups().map((group) => ({ group, members: node.pg.getMembers(group) })),
  };
}

function unobserve(self: ProcessContext): number {
  let n = 0;
  for (const p of nodeOf(self).runtime.processes()) {
    if (p.received !== undefined) n++;
    p.stopCounting();
  }
  return n;
}

/**
 * The observer's side of every node: `nodeStats`, `processes`, `processInfo`, `memory`,
 * `names`, `unobserve`, called by rpc.
 *
 * @example
 * const stats = await node.rpc.call('gandalf@myhost', 'observer', 'nodeStats', []);
 * const { processes } = await node.rpc.call('gandalf@myhost', 'observer', 'processes', []);
 * const kvs = processes.find((p: ProcessRow) => p.name === 'kvs');
 * await node.rpc.call('gandalf@myhost', 'observer', 'processInfo', [kvs.pid, 5, 2048]);
 */
export const observer = defineModule('observer', {
  nodeStats,
  processes,
  processInfo,
  memory: (): PlatformMemory | undefined => platformMemory(),
  names,
  unobserve,
});
