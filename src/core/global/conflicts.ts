/**
 * Names with two owners (the sides of a healed partition both registered one, or two leaders
 * raced): the lowest-named owner confirms that the next one still holds the name, applies the
 * resolver of its own entry, drops the losing entries and sends the notices.
 */
import { Pid } from '../terms/pid.js';
import { comparePids } from './name-table.js';
import { conflictNotice } from './protocol.js';
import type { Resolution, Server } from './state.js';

/**
 * If `name` has several owners and we are the lowest, resolve it against the next one: first
 * confirm with that owner that it still holds the name (our replica of it may be behind a
 * drop it already sent: its answer comes after the drop), then run the resolver.
 */
export function checkConflict(g: Server, name: string): void {
  const { resolutions, resolutionsByRef, table, thisNode } = g.state;
  if (resolutions.has(name)) return;
  const owners = table.owners(name);
  if (owners.length < 2 || owners[0]!.pid.node !== thisNode) return;
  const r: Resolution = { name, mine: owners[0]!.pid, other: owners[1]!.pid, ref: g.newRef(), stage: 'confirm' };
  resolutions.set(name, r);
  resolutionsByRef.set(r.ref, r);
  g.send(r.other.node, { t: 'g_confirm', rref: r.ref, name, pid: r.other });
}

/** Does this node still hold `name` for `pid`? */
export function onConfirm(g: Server, from: string, rref: string, name: string, pid: Pid): void {
  const still = g.state.table.get(g.state.thisNode, name)?.pid.equals(pid) ?? false;
  g.send(from, { t: 'g_confirmed', rref, still });
}

export function onConfirmed(g: Server, rref: string, still: boolean): void {
  const { resolutionsByRef, table, thisNode, peers } = g.state;
  const r = resolutionsByRef.get(rref);
  if (!r || r.stage !== 'confirm') return;
  const mine = table.get(thisNode, r.name);
  const other = table.get(r.other.node, r.name);
  if (!still || !mine?.pid.equals(r.mine) || !other?.pid.equals(r.other)) return endResolution(g, r);
  r.stage = 'fn';
  const name = r.name;
  const [lo, hi] = comparePids(mine.pid, other.pid) <= 0 ? [mine.pid, other.pid] : [other.pid, mine.pid];
  const res = mine.res;
  if (res === 'random_exit') {
    g.host.log('info', `global: Name conflict terminating [${name},${hi.toString()}]`);
    g.self.exit(hi, 'kill');
    resolved(g, r, lo);
  } else if (res === 'random_notify') {
    g.self.send(hi, conflictNotice(name));
    resolved(g, r, lo);
  } else if (res === 'notify_all') {
    g.self.send(mine.pid, conflictNotice(name, other.pid));
    g.self.send(other.pid, conflictNotice(name, mine.pid));
    resolved(g, r, undefined);
  } else {
    const { fnNode, fnId } = res;
    r.fnNode = fnNode;
    if (fnNode === thisNode || peers.has(fnNode)) g.send(fnNode, { t: 'g_resolve_req', rref: r.ref, name, pid1: lo, pid2: hi, fnId });
    else {
      g.host.log('warning', `global: the resolve function of '${name}' is on ${fnNode}, which is not connected; the name is removed`);
      resolved(g, r, undefined);
    }
  }
}

/** Run a user resolve function registered here; answer by message, whenever it returns. */
export function runResolveFn(g: Server, from: string, rref: string, name: string, pid1: Pid, pid2: Pid, id: string): void {
  const fn = g.state.resolveFns.get(id);
  const answer = (v: unknown): void => {
    if (g.state.stopped) return;
    g.send(from, { t: 'g_resolve_rep', rref, keep: v instanceof Pid ? v : null });
  };
  const failed = (e: unknown): void => {
    g.host.log('error', `global: the resolve function of '${name}' failed: ${e instanceof Error ? e.message : String(e)}`);
    answer(null);
  };
  if (!fn) return failed(new Error('it is no longer known on this node'));
  try {
    Promise.resolve(fn(name, pid1, pid2)).then(answer, failed);
  } catch (e) {
    failed(e);
  }
}

export function onResolveRep(g: Server, rref: string, keep: Pid | undefined): void {
  const r = g.state.resolutionsByRef.get(rref);
  if (r && r.stage === 'fn') resolved(g, r, keep);
}

/** Apply a resolution: keep `keep` (one of the two pids) or neither. */
export function resolved(g: Server, r: Resolution, keep: Pid | undefined): void {
  r.stage = 'drop';
  if (!keep?.equals(r.mine)) g.broadcast(g.drop(r.name, r.mine));
  if (keep?.equals(r.other)) return endResolution(g, r);
  g.runChain(r.ref, g.state.thisNode, null, [{ node: r.other.node, action: 'drop', name: r.name, pid: r.other }], 'ok');
}

export function endResolution(g: Server, r: Resolution): void {
  const { resolutions, resolutionsByRef } = g.state;
  resolutionsByRef.delete(r.ref);
  if (resolutions.get(r.name) !== r) return;
  resolutions.delete(r.name);
  checkConflict(g, r.name);
}
