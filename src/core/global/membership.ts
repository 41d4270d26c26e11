/**
 * Peers and the leader: a visible peer is one between its nodeup and its nodedown; the leader
 * is the lowest-named trusted node among this one and its visible peers.
 *
 * Snapshots: on nodeup each side asks the other for its owned set. A peer introduced by the
 * relay (`host.isVouched`: up on its word, no channel open yet) is not asked, except by the
 * leader, which must hold every peer's set before it serialises a name call (authority.ts);
 * instead each side sends its own set unasked, and only when it owns names. Messages between
 * two nodes keep their order, so a peer's later `g_ops` and its sync acks come after that
 * set, as they come after the answer to a request; idle nodes without names exchange nothing
 * (a request per pair of nodes would open a channel per pair: N² for a mesh that holds none).
 * A node that becomes the leader asks every vouched peer.
 */
import { compareNames } from '../terms/node-names.js';
import type { Server } from './state.js';

export function nodeUp(g: Server, n: string, hidden: boolean): void {
  const s = g.state;
  if (n === s.thisNode) return;
  if (hidden) {
    s.hiddenPeers.add(n);
    s.heldUntilNodeup.delete(n);
    return;
  }
  if (!g.host.isConnected(n)) {
    // The connection is gone again (its nodedown may even have come first): what it
    // carried is stale. (Not nodes().includes(n): a list of all peers at every nodeup is N²
    // per node when hundreds of peers come up at once.)
    s.heldUntilNodeup.delete(n);
    return;
  }
  s.peers.add(n);
  const policy = g.host.policyOf(n);
  if (policy) {
    // A ticket holder: never our leader; tell it so before our snapshot can reach it. Only a
    // cookie holder does: a ticket holder's word is refused by design (it may not make a node
    // step down), and another ticket holder never leads anyway (host.role keeps it out).
    s.ticketPeers.set(n, policy.global === true);
    if (g.host.role === undefined) g.send(n, { t: 'g_untrusted' });
  } else s.ticketPeers.delete(n);
  // Ask for its snapshot (again, if this is a second nodeup: the answer to an earlier request
  // may have been lost with an earlier connection); to a vouched peer, tell ours (see the header).
  const vouched = g.host.isVouched(n);
  if (!vouched) askSnapshot(g, n);
  else if (s.table.ownedBy(s.thisNode).length > 0) g.send(n, { t: 'g_snapshot', entries: s.table.ownedBy(s.thisNode), token: null });
  // Only a peer below the leader can take its place (or any, when this node leads: it may not be eligible).
  if (s.leader === s.thisNode || compareNames(n, s.leader) < 0) recomputeLeader(g);
  if (vouched && s.leader === s.thisNode && !s.awaitingSnapshot.has(n)) askSnapshot(g, n);
  const held = s.heldUntilNodeup.get(n);
  s.heldUntilNodeup.delete(n);
  for (const m of held ?? []) g.deliver(m);
}

export function nodeDown(g: Server, n: string): void {
  const s = g.state;
  s.locks.nodeDown(n);
  s.hiddenPeers.delete(n);
  s.heldUntilNodeup.delete(n);
  s.ticketPeers.delete(n);
  const distrusting = s.roleGivenBy.delete(n);
  if (!s.peers.delete(n)) {
    if (distrusting) recomputeLeader(g);
    return;
  }
  s.awaitingSnapshot.delete(n);
  const dropped = s.table.dropOwner(n);
  // Resolutions that needed n: the other owner's entries are gone (the conflict with it
  // is over); a user function that lived there cannot run (the name goes, as if it had
  // returned neither pid).
  for (const r of [...s.resolutions.values()]) {
    if (r.other.node === n) g.endResolution(r);
    else if (r.stage === 'fn' && r.fnNode === n) {
      g.host.log('warning', `global: the resolve function of '${r.name}' is on ${n}, which went down; the name is removed`);
      g.resolved(r, undefined);
    }
  }
  for (const e of dropped) g.checkConflict(e.name);
  // Chains through n: answer their callers with the nominal result (a pid on a lost node
  // counts as dead); the caller ignores a second answer.
  for (const r of [...s.reservations.values()]) {
    if (!r.nodes.has(n) && r.requester !== n) continue;
    g.clearReservation(r.ref);
    if (r.requester !== n) g.answer(r.requester, { ref: r.ref, result: r.result, info: null });
  }
  s.queuedRequests = s.queuedRequests.filter((q) => q.from !== n);
  for (const b of s.barriers.values()) b.waiting.delete(n);
  s.owedAcks = s.owedAcks.filter((a) => a.to !== n);
  for (const a of s.owedAcks) a.probe?.waiting.delete(n);
  recomputeLeader(g);
  for (const c of s.calls.values()) {
    if (c.sentTo !== n) continue;
    c.retry = true;
    g.route(c);
  }
}

/** The lowest-named trusted node among this one (unless it acts in a role) and its visible peers; this one when there is none. */
export function recomputeLeader(g: Server): void {
  const s = g.state;
  // A node that joined with a ticket (host.role), or that a peer told so, does not count itself.
  const selfEligible = s.roleGivenBy.size === 0 && g.host.role === undefined;
  let best: string | undefined = selfEligible ? s.thisNode : undefined;
  for (const p of s.peers) if (!s.ticketPeers.has(p) && (best === undefined || compareNames(p, best) < 0)) best = p;
  const l = best ?? s.thisNode;
  if (l === s.leader) return;
  s.leader = l;
  if (l === s.thisNode) {
    for (const p of s.peers) g.send(p, { t: 'g_leader_up' });
    // The authority needs every peer's set: the vouched ones did not all send theirs.
    for (const p of s.peers) if (g.host.isVouched(p) && !s.awaitingSnapshot.has(p)) askSnapshot(g, p);
  } else {
    // No longer the authority: chains in flight finish on their own; queued requests go back.
    for (const q of s.queuedRequests) g.notLeader(q);
    s.queuedRequests = [];
    s.reservations.clear();
    s.reservationsByRef.clear();
  }
  for (const c of s.calls.values()) if (c.sentTo === undefined) g.route(c);
}

/** Ask `n` for its owned set; the leader serves no name call until the answer is in. */
function askSnapshot(g: Server, n: string): void {
  const token = g.newRef();
  g.state.awaitingSnapshot.set(n, token);
  g.send(n, { t: 'g_snapshot_req', token });
}
