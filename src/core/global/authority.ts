/**
 * The leader's side of a name operation: queue each request until the table is complete and
 * the name has no chain in flight, check it against the whole table, and answer it by starting
 * a chain, holding a reservation on the name until the chain ends.
 */
import type { Pid } from '../terms/pid.js';
import type { ResolverDesc } from './name-table.js';
import type { Reply, Step } from './protocol.js';
import type { Request, Reservation, Server } from './state.js';

/** Tell the caller of `q` that this node is not the leader (a local call is parked). */
export function notLeader(g: Server, q: Request): void {
  if (q.from === g.state.thisNode) {
    const c = g.state.calls.get(q.ref);
    if (c) c.sentTo = undefined;
  } else g.send(q.from, { t: 'g_not_leader', ref: q.ref });
}

export function onReserve(g: Server, q: Request): void {
  const s = g.state;
  if (s.leader !== s.thisNode) return notLeader(g, q);
  if ((q.kind !== 'unregister' && (!q.pid || !q.res)) || !['register', 'reregister', 'unregister'].includes(q.kind)) return;
  s.queuedRequests.push(q);
}

/** Run the queued requests that can run: the table is complete and their name is free of chains. */
export function runQueued(g: Server): boolean {
  const s = g.state;
  if (s.leader !== s.thisNode || s.awaitingSnapshot.size > 0 || s.queuedRequests.length === 0) return false;
  let progress = false;
  const queue = s.queuedRequests;
  s.queuedRequests = [];
  for (const q of queue) {
    if (s.reservations.has(q.name) || (q.from !== s.thisNode && !s.peers.has(q.from))) {
      if (s.reservations.has(q.name)) s.queuedRequests.push(q);
      continue;
    }
    execute(g, q);
    progress = true;
  }
  return progress;
}

/** A pid the leader can vouch for: a live local one, or one on a connected node. */
function reachable(g: Server, pid: Pid): boolean {
  return pid.node === g.state.thisNode ? g.host.isLocalAlive(pid) : g.state.peers.has(pid.node);
}

function execute(g: Server, q: Request): void {
  const { table, ticketPeers } = g.state;
  const owners = table.owners(q.name);
  const reply = (result: string, info: unknown = null): void => g.answer(q.from, { ref: q.ref, result, info });
  if (q.kind !== 'unregister' && ticketPeers.get((q.pid as Pid).node) === false) {
    // Its entry would be owned by a node whose entries are not accepted.
    g.host.refused((q.pid as Pid).node, `global ${q.kind} of '${q.name}' for its pid ${(q.pid as Pid).toString()} (asked by ${q.from})`);
    return reply('not_allowed');
  }
  if (q.kind === 'register') {
    const pid = q.pid as Pid;
    if (owners.length > 0) return reply(q.retry && owners.every((e) => e.pid.equals(pid)) ? 'yes' : 'no');
    if (!reachable(g, pid)) return reply('yes');
    const other = table.namesOf(pid);
    if (other.length > 0) return reply('no', ['several', [q.name, ...other]]);
    return startChain(g, q, [{ node: pid.node, action: 'own', name: q.name, pid, res: q.res as ResolverDesc }], 'yes');
  }
  if (q.kind === 'reregister') {
    const pid = q.pid as Pid;
    // Drop the other entries first (the owner of the new pid too, if it held another), then own.
    const steps: Step[] = owners.filter((e) => !e.pid.equals(pid)).map((e) => ({ node: e.pid.node, action: 'drop', name: q.name, pid: e.pid }));
    if (reachable(g, pid)) steps.push({ node: pid.node, action: 'own', name: q.name, pid, res: q.res as ResolverDesc });
    if (steps.length === 0) return reply('yes');
    return startChain(g, q, steps, 'yes');
  }
  const steps: Step[] = owners.map((e) => ({ node: e.pid.node, action: 'drop', name: q.name, pid: e.pid }));
  if (steps.length === 0) return reply('ok');
  startChain(g, q, steps, 'ok');
}

function startChain(g: Server, q: Request, steps: Step[], result: string): void {
  const r: Reservation = { ref: q.ref, name: q.name, requester: q.from, result, nodes: new Set(steps.map((s) => s.node)) };
  g.state.reservations.set(q.name, r);
  g.state.reservationsByRef.set(q.ref, r);
  g.runChain(q.ref, q.from, g.state.thisNode, steps, result);
}

/** Chain `ref` ended; `relay`: its answer, for a caller its last node could not reach. */
export function onDone(g: Server, ref: string, relay?: Reply): void {
  const r = g.state.reservationsByRef.get(ref);
  clearReservation(g, ref);
  if (r && relay) g.answer(r.requester, relay);
}

export function clearReservation(g: Server, ref: string): void {
  const { reservations, reservationsByRef } = g.state;
  const r = reservationsByRef.get(ref);
  if (!r) return;
  reservationsByRef.delete(ref);
  if (reservations.get(r.name) === r) reservations.delete(r.name);
}
