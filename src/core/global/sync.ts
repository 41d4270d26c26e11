/**
 * `sync()`: two barrier rounds over the visible peers. Round 1: each peer answers once it is
 * settled (every peer's snapshot in, no conflict resolution of its own pending). Round 2: each
 * peer, settled again, makes a round trip to each of its own peers (`g_probe`) and then
 * answers; as messages between two nodes keep their order, every node then holds every
 * owner's state as of after round 1.
 */
import type { Barrier, Server } from './state.js';

/** Start a `sync()` barrier (its rounds start when the server picks it up); its key. */
export function newBarrier(g: Server, resolve: (v: 'ok') => void): string {
  const key = g.newRef();
  g.state.barriers.set(key, { ref: key, round: 1, waiting: new Set(), via: null, resolve });
  return key;
}

/**
 * The barrier a name call (register, re-register, unregister) passes before it answers, so
 * that it returns only when every visible peer has the change, as OTP's global does: one
 * round 2 whose peers probe only `via`, the nodes whose `g_ops` carried the change (null:
 * all their peers). A peer's probe to such a node comes back after that node's `g_ops`, as
 * messages between two nodes keep their order; the change made here went out to each peer
 * before its `g_sync_req`. A peer that goes down is not waited for; no peer, no wait.
 */
export function afterSeen(g: Server, via: string[] | null, done: () => void): void {
  if (g.state.peers.size === 0) return done();
  const key = g.newRef();
  const b: Barrier = { ref: key, round: 2, waiting: new Set(), via, resolve: () => done() };
  g.state.barriers.set(key, b);
  startRound(g, b, 2);
}

export function startRound(g: Server, b: Barrier, round: 1 | 2): void {
  const { peers } = g.state;
  b.round = round;
  b.ref = g.newRef();
  b.waiting = new Set(peers);
  const via = round === 2 ? b.via : null;
  for (const p of peers) g.send(p, { t: 'g_sync_req', ref: b.ref, round, via: via && via.filter((n) => n !== p) });
}

export function onSyncAck(g: Server, from: string, ref: string): void {
  for (const b of g.state.barriers.values()) if (b.ref === ref) b.waiting.delete(from);
}

export function onProbeAck(g: Server, from: string, ref: string): void {
  for (const a of g.state.owedAcks) if (a.probe && a.probe.ref === ref) a.probe.waiting.delete(from);
}

function settled(g: Server): boolean {
  return g.state.awaitingSnapshot.size === 0 && g.state.resolutions.size === 0;
}

/** Once settled: send the acks that are due and move the barriers on; true if anything moved. */
export function advanceSync(g: Server): boolean {
  const s = g.state;
  if (!settled(g)) return false;
  let progress = false;
  for (const a of [...s.owedAcks]) {
    if (a.round === 2 && !a.probe) {
      const ref = g.newRef();
      const waiting = new Set([...s.peers].filter((p) => p !== a.to && (a.via === null || a.via.includes(p))));
      a.probe = { ref, waiting };
      for (const p of waiting) g.send(p, { t: 'g_probe', ref });
    }
    if (a.round === 1 || a.probe?.waiting.size === 0) {
      s.owedAcks.splice(s.owedAcks.indexOf(a), 1);
      g.send(a.to, { t: 'g_sync_ack', ref: a.ref });
      progress = true;
    }
  }
  for (const [key, b] of [...s.barriers]) {
    if (b.waiting.size > 0) continue;
    if (b.round === 1) startRound(g, b, 2);
    else {
      s.barriers.delete(key);
      b.resolve('ok');
    }
    progress = true;
  }
  return progress;
}
