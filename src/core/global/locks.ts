/**
 * global locks (Erlang's `global:set_lock/3`, `del_lock/2`, `trans/4`).
 *
 * A lock `[resourceId, requesterId]` is set on a list of nodes (default: this node and its
 * visible peers). Each node's global name server keeps a lock table: a resource is free, or
 * held by one requester (any term). The same requester may set it again (and from other
 * nodes); any other requester is refused while it is held.
 *
 * Exchange (one helper process per call, on the calling node; `S` = global_name_server):
 *
 *   helper → S@n   ['g_lock', fromNode, ref, helperPid, 'set' | 'del', resourceId, requesterId]
 *   S@n → helper   ['g_lock_reply', ref, n, granted, fresh]   (fresh: newly set by this request)
 *
 * `setLock` sends `set` to every node at once (monitoring each `S@n`); if all grant, it
 * resolves true. If one refuses, it releases the nodes where this attempt newly set it (`del`;
 * a lock the requester already held stays), sleeps a random,
 * growing time (10 ms doubling to 1 s, on the node's clock) and tries again, up to `retries`
 * more times (Infinity: until it succeeds). A node that cannot be reached (its `S` monitor
 * fires) holds no lock and counts as granted, as in Erlang.
 *
 * Invariants:
 * - All-or-nothing attempts with released partial grants: no requester ever waits while
 *   holding a lock, so two requesters cannot deadlock (random back-off breaks livelock).
 * - A lock disappears when it is deleted by its requester, when every node that set it goes
 *   down (as seen by the node holding the table), or, for a pid requester, when that process
 *   exits.
 */
import { badarg } from '../base/errors.js';
import type { Node } from '../node/node.js';
import type { ProcessContext } from '../process/context.js';
import { checkTerm } from '../terms/check.js';
import { encodeTerm } from '../codec/superjson.js';
import { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';

/** A lock id: `[resourceId, requesterId]`, both terms. */
export type LockId = readonly [resourceId: unknown, requesterId: unknown];

interface Lock {
  requesterKey: string;
  requester: unknown;
  /** Nodes that set it (it goes when all of them are down). */
  holders: Set<string>;
  /** Monitor of a pid requester. */
  mon: Ref | undefined;
}

/** One node's lock table, driven by its global name server. */
export class LockTable {
  private readonly locks = new Map<string, Lock>();
  private readonly byMon = new Map<string, string>();

  /** @param ctx the name server process (monitors pid requesters) */
  constructor(private readonly ctx: () => ProcessContext) {}

  /** Set the lock for `requester` on behalf of node `from`: `'new'`, `'again'` (already its), or false. */
  set(from: string, resource: unknown, requester: unknown): 'new' | 'again' | false {
    const key = encodeTerm(resource);
    const rkey = encodeTerm(requester);
    const l = this.locks.get(key);
    if (l) {
      if (l.requesterKey !== rkey) return false;
      l.holders.add(from);
      return 'again';
    }
    const mon = requester instanceof Pid ? this.ctx().monitor(requester) : undefined;
    this.locks.set(key, { requesterKey: rkey, requester, holders: new Set([from]), mon });
    if (mon) this.byMon.set(mon.key, key);
    return 'new';
  }

  del(resource: unknown, requester: unknown): true {
    const key = encodeTerm(resource);
    const l = this.locks.get(key);
    if (l && l.requesterKey === encodeTerm(requester)) this.remove(key, l, true);
    return true;
  }

  /** A DOWN for a requester pid; true when it was one of ours. */
  down(ref: Ref): boolean {
    const key = this.byMon.get(ref.key);
    if (key === undefined) return false;
    const l = this.locks.get(key);
    if (l) this.remove(key, l, false);
    return true;
  }

  nodeDown(node: string): void {
    for (const [key, l] of [...this.locks]) {
      if (!l.holders.delete(node)) continue;
      if (l.holders.size === 0) this.remove(key, l, true);
    }
  }

  /** After a server restart: monitor the pid requesters again. */
  remonitor(): void {
    this.byMon.clear();
    for (const [key, l] of this.locks) {
      if (!(l.requester instanceof Pid)) continue;
      l.mon = this.ctx().monitor(l.requester);
      this.byMon.set(l.mon.key, key);
    }
  }

  private remove(key: string, l: Lock, demonitor: boolean): void {
    this.locks.delete(key);
    if (l.mon) {
      this.byMon.delete(l.mon.key);
      if (demonitor) this.ctx().demonitor(l.mon, { flush: true });
    }
  }
}

/** Validate a lock id. */
export function checkLockId(id: unknown, fn: string): LockId {
  if (!Array.isArray(id) || id.length !== 2) throw badarg(`${fn}: the lock id must be [resourceId, requesterId]`, { id });
  checkTerm(id, 'id');
  return id as unknown as LockId;
}

/** Validate a node list (default: this node and its visible peers). */
export function lockNodes(node: Node, nodes: unknown, fn: string): string[] {
  if (nodes === undefined) return [node.name, ...node.nodes()];
  if (!Array.isArray(nodes) || nodes.some((n) => typeof n !== 'string')) throw badarg(`${fn}: nodes must be a list of node names`, { nodes });
  return [...new Set(nodes as string[])];
}

export function checkRetries(retries: unknown, fn: string): number {
  if (retries === Infinity) return Infinity;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0) {
    throw badarg(`${fn}: retries must be an integer >= 0 or Infinity`, { retries });
  }
  return retries;
}

/** The back-off before retry number `attempt` (1, 2, …): random, 10 ms doubling, at most 1 s. */
function backoffMs(attempt: number): number {
  const max = Math.min(1000, 10 * 2 ** Math.min(attempt, 10));
  return Math.ceil(max / 2 + (Math.random() * max) / 2);
}

let nextRef = 0;

/**
 * Send `kind` for `id` to the name server of every node of `nodes` and wait for each answer
 * (or for the server's monitor to fire: an unreachable node holds no lock). `granted` lists
 * the nodes where this request newly set the lock.
 */
async function askAll(
  self: ProcessContext,
  server: string,
  kind: 'set' | 'del',
  id: LockId,
  nodes: string[],
): Promise<{ granted: string[]; refused: boolean }> {
  const node = self.node;
  const ref = `${node.name}/${node.creation}#lock${++nextRef}`;
  const pending = new Map<string, Ref>();
  for (const n of nodes) {
    pending.set(n, self.monitor([server, n]));
    self.send([server, n], ['g_lock', node.name, ref, self.pid, kind, id[0], id[1]]);
  }
  const granted: string[] = [];
  let refused = false;
  while (pending.size > 0) {
    const keys = new Set([...pending.values()].map((r) => r.key));
    const m = (await self.receive(
      (x: unknown[]) => (x[0] === 'g_lock_reply' && x[1] === ref) || (x[0] === 'DOWN' && keys.has((x[1] as Ref).key)),
    )) as unknown[];
    if (m[0] === 'g_lock_reply') {
      const n = m[2] as string;
      const mon = pending.get(n);
      if (!mon) continue;
      pending.delete(n);
      self.demonitor(mon, { flush: true });
      if (m[3] !== true) refused = true;
      else if (m[4] === true) granted.push(n);
    } else {
      for (const [n, mon] of pending) if (mon.equals(m[1])) pending.delete(n);
    }
  }
  return { granted, refused };
}

/**
 * Run one lock operation on `nodes` from a helper process: `set` (with retries) or `del`.
 * @internal used by Global
 */
export function runLockClient(
  node: Node,
  server: string,
  op: 'set' | 'del',
  id: LockId,
  nodes: string[],
  retries: number,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const body = async (self: ProcessContext): Promise<void> => {
      if (op === 'del') {
        await askAll(self, server, 'del', id, nodes);
        return resolve(true);
      }
      for (let attempt = 0; ; attempt++) {
        const { granted, refused } = await askAll(self, server, 'set', id, nodes);
        if (!refused) return resolve(true);
        // All or nothing: give back what this attempt got before waiting.
        if (granted.length > 0) await askAll(self, server, 'del', id, granted);
        if (attempt >= retries) return resolve(false);
        await self.receive(() => false, backoffMs(attempt + 1));
      }
    };
    try {
      node.spawn(async (self) => {
        try {
          await body(self);
        } catch (e) {
          reject(e);
        }
      });
    } catch (e) {
      reject(e);
    }
  });
}
