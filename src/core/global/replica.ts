/**
 * Entries: the ones this node owns (of its live local pids, monitored), the replicas of its
 * peers' (replaced by each snapshot, patched by each `g_ops`), the broadcast of every change,
 * and the chains that change owned entries step by step.
 */
import type { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { Entry, ResolverDesc } from './name-table.js';
import type { Op, Reply, Step } from './protocol.js';
import type { ChainEnd, Server } from './state.js';

/** This node's owned set, as sent in `g_snapshot`. */
export function snapshot(g: Server): Entry[] {
  return g.state.table.ownedBy(g.state.thisNode);
}

/** `from`'s complete owned set: it replaces the replica; `token` may end the wait for it. */
export function onSnapshot(g: Server, from: string, entries: Entry[], token: unknown): void {
  const { table, awaitingSnapshot } = g.state;
  if (awaitingSnapshot.get(from) === token) awaitingSnapshot.delete(from);
  const changed = new Set(table.dropOwner(from).map((e) => e.name));
  for (const { name, pid, res } of entries) {
    if (pid.node !== from) continue;
    table.set({ name, pid, res });
    changed.add(name);
  }
  for (const name of changed) g.checkConflict(name);
}

/** `from`'s changes to its own entries (an op about another owner's pid is ignored). */
export function onOps(g: Server, from: string, ops: Op[]): void {
  const { table } = g.state;
  for (const op of ops) {
    const { name, pid } = op;
    if (pid.node !== from) continue;
    if (op.op === 'add') table.set({ name, pid, res: op.res });
    else if (table.get(from, name)?.pid.equals(pid)) table.delete(from, name);
    else continue;
    g.checkConflict(name);
  }
}

/** Send `ops` to every peer; the answer rides on the copy to `end.requester`, the end on the one to `end.leader`. */
export function broadcast(g: Server, ops: Op[], end?: ChainEnd): void {
  const { thisNode: me, peers } = g.state;
  const relay = end !== undefined && end.requester !== me && !g.host.isConnected(end.requester);
  const toPeer = (p: string): [Reply | null, string | null] => [
    end && end.requester === p ? end.reply : null,
    end && !relay && end.leader === p && end.requester !== p ? end.ref : null,
  ];
  if (ops.length > 0) {
    for (const p of peers) {
      const [reply, done] = toPeer(p);
      g.send(p, { t: 'g_ops', ops, reply, done });
    }
  }
  if (!end) return;
  const { requester, leader, ref } = end;
  const reached = (n: string): boolean => ops.length > 0 && peers.has(n) && g.host.isConnected(n);
  // Not connected to the caller (a partial mesh): the leader, which got the call, relays the answer.
  if (requester === me) g.onReply(ref, end.reply.result, end.reply.info);
  else if (!relay && !reached(requester)) g.send(requester, { t: 'g_reply', ...end.reply });
  if (leader !== null && leader !== requester) {
    if (leader === me) g.onDone(ref);
    else if (relay || !reached(leader)) g.send(leader, { t: 'g_done', ref, relay: relay ? end.reply : null });
  }
}

/** Run our leading steps, then pass the rest on (skipping owners we cannot reach), or end. */
export function runChain(g: Server, ref: string, requester: string, leader: string | null, steps: Step[], result: string): void {
  const { thisNode: me, peers } = g.state;
  const ops: Op[] = [];
  let i = 0;
  for (; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.node === me) ops.push(...(s.action === 'own' ? own(g, s.name, s.pid, s.res) : drop(g, s.name, s.pid)));
    else if (peers.has(s.node)) break;
  }
  if (i < steps.length) {
    broadcast(g, ops);
    g.send(steps[i]!.node, { t: 'g_chain', ref, requester, leader, steps: steps.slice(i), result });
    return;
  }
  broadcast(g, ops, { ref, requester, leader, reply: { ref, result, info: null } });
}

// ----- owned entries ---------------------------------------------------------------------------

export function isLocalAlive(g: Server, pid: Pid): boolean {
  return pid.node === g.state.thisNode && g.host.isLocalAlive(pid);
}

export function ensureMonitor(g: Server, pid: Pid): void {
  const { monitorOf, pidOfMonitor } = g.state;
  if (monitorOf.has(pid.key)) return;
  const ref = g.self.monitor(pid);
  monitorOf.set(pid.key, ref);
  pidOfMonitor.set(ref.key, pid);
}

function releaseMonitor(g: Server, pid: Pid): void {
  const { table, thisNode, monitorOf, pidOfMonitor } = g.state;
  if (table.namesOf(pid).some((n) => table.get(thisNode, n))) return;
  const ref = monitorOf.get(pid.key);
  if (!ref) return;
  monitorOf.delete(pid.key);
  pidOfMonitor.delete(ref.key);
  g.self.demonitor(ref, { flush: true });
}

/** Forget a user function once its entry is gone by an explicit change. */
function forgetFn(g: Server, e: Entry | undefined): void {
  if (e && typeof e.res !== 'string' && e.res.fnNode === g.state.thisNode) g.state.resolveFns.delete(e.res.fnId);
}

/** Own `name → pid` (a live local pid); returns the ops to broadcast. */
export function own(g: Server, name: string, pid: Pid, res: ResolverDesc): Op[] {
  const { table, thisNode } = g.state;
  if (!isLocalAlive(g, pid)) return [];
  const old = table.get(thisNode, name);
  if (old && old.pid.equals(pid) && JSON.stringify(old.res) === JSON.stringify(res)) return [];
  table.set({ name, pid, res });
  ensureMonitor(g, pid);
  if (old && !old.pid.equals(pid)) {
    releaseMonitor(g, old.pid);
    forgetFn(g, old);
  }
  g.checkConflict(name);
  return [{ op: 'add', name, pid, res }];
}

/** Stop owning `name` if it stands for `pid`; returns the ops to broadcast. */
export function drop(g: Server, name: string, pid: Pid): Op[] {
  const { table, thisNode } = g.state;
  const old = table.get(thisNode, name);
  if (!old || !old.pid.equals(pid)) return [];
  table.delete(thisNode, name);
  releaseMonitor(g, pid);
  forgetFn(g, old);
  g.checkConflict(name);
  return [{ op: 'del', name, pid }];
}

/** A monitored pid (a lock requester's, or an owned entry's) exited. */
export function onDown(g: Server, ref: Ref): void {
  const { table, thisNode, locks, monitorOf, pidOfMonitor } = g.state;
  if (locks.down(ref)) return;
  const pid = pidOfMonitor.get(ref.key);
  if (!pid) return;
  pidOfMonitor.delete(ref.key);
  monitorOf.delete(pid.key);
  const ops: Op[] = [];
  for (const name of table.namesOf(pid)) {
    const e = table.get(thisNode, name);
    if (!e || !e.pid.equals(pid)) continue;
    table.delete(thisNode, name);
    forgetFn(g, e);
    ops.push({ op: 'del', name, pid });
    g.checkConflict(name);
  }
  broadcast(g, ops);
}
