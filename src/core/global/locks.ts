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
import type { Self } from '../interfaces/self.js';
import { checkTerm } from '../terms/check.js';
import { encodeTerm } from '../codec/superjson.js';
import { Pid } from '../terms/pid.js';
import type { Ref } from '../terms/ref.js';
import type { GlobalHost } from './host.js';
import { decode, decodeLockReply, encode, encodeLockReply, SERVER_NAME, type LockRequest } from './protocol.js';
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

  /** @param server the name server process now (monitors pid requesters) */
  constructor(private readonly server: () => Self) {}

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
    const mon = requester instanceof Pid ? this.server().monitor(requester) : undefined;
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
      l.mon = this.server().monitor(l.requester);
      this.byMon.set(l.mon.key, key);
    }
  }

  private remove(key: string, l: Lock, demonitor: boolean): void {
    this.locks.delete(key);
    if (l.mon) {
      this.byMon.delete(l.mon.key);
      if (demonitor) this.server().demonitor(l.mon, { flush: true });
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
export function lockNodes(host: Pick<GlobalHost, 'name' | 'nodes'>, nodes: unknown, fn: string): string[] {
  if (nodes === undefined) return [host.name, ...host.nodes()];
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

type LockClientHost = Pick<GlobalHost, 'name' | 'creation' | 'run'>;

/**
 * Send `kind` for `id` to the name server of every node of `nodes` and wait for each answer
 * (or for the server's monitor to fire: an unreachable node holds no lock). `granted` lists
 * the nodes where this request newly set the lock.
 */
async function askAll(host: LockClientHost, self: Self, kind: 'set' | 'del', id: LockId, nodes: string[]): Promise<{ granted: string[]; refused: boolean }> {
  const ref = `${host.name}/${host.creation}#lock${++nextRef}`;
  const [resource, requester] = id;
  const pending = new Map<string, Ref>();
  for (const n of nodes) {
    pending.set(n, self.monitor([SERVER_NAME, n]));
    self.send([SERVER_NAME, n], encode({ t: 'g_lock', from: host.name, ref, replyTo: self.pid, op: kind, resource, requester }));
  }
  const granted: string[] = [];
  let refused = false;
  while (pending.size > 0) {
    const keys = new Set([...pending.values()].map((r) => r.key));
    const m: unknown = await self.receive((x: unknown) => {
      const down = decode(x);
      return decodeLockReply(x)?.ref === ref || (down?.t === 'DOWN' && keys.has(down.ref.key));
    });
    const reply = decodeLockReply(m);
    if (reply) {
      const mon = pending.get(reply.node);
      if (!mon) continue;
      pending.delete(reply.node);
      self.demonitor(mon, { flush: true });
      if (!reply.granted) refused = true;
      else if (reply.fresh) granted.push(reply.node);
    } else {
      const down = decode(m);
      if (down?.t === 'DOWN') for (const [n, mon] of pending) if (mon.equals(down.ref)) pending.delete(n);
    }
  }
  return { granted, refused };
}

/**
 * Run one lock operation on `nodes` from a throwaway process: `set` (with retries) or `del`.
 * @internal used by Global
 */
export function lockClient(host: LockClientHost, op: 'set' | 'del', id: LockId, nodes: string[], retries: number): Promise<boolean> {
  return host.run(async (self) => {
    if (op === 'del') {
      await askAll(host, self, 'del', id, nodes);
      return true;
    }
    for (let attempt = 0; ; attempt++) {
      const { granted, refused } = await askAll(host, self, 'set', id, nodes);
      if (!refused) return true;
      // All or nothing: give back what this attempt got before waiting.
      if (granted.length > 0) await askAll(host, self, 'del', id, granted);
      if (attempt >= retries) return false;
      await self.receive(() => false, backoffMs(attempt + 1));
    }
  });
}

/**
 * Serve a lock request on the name server: `server` is its process, which answers, only over
 * an existing connection (a lost connection is seen by the client's monitor instead).
 */
export function serveLock(host: Pick<GlobalHost, 'name' | 'policyOf' | 'refused'>, server: Self, table: LockTable, m: LockRequest): void {
  const { from, ref, replyTo, op, resource, requester } = m;
  const reply = (granted: boolean, fresh: boolean): void => void server.send(replyTo, encodeLockReply({ ref, node: host.name, granted, fresh }), { noconnect: true });
  const policy = host.policyOf(from);
  if (policy && policy.global !== true && op === 'set') {
    host.refused(from, 'a global lock');
    return reply(false, false);
  }
  if (op === 'set') {
    const r = table.set(from, resource, requester);
    reply(r !== false, r === 'new');
  } else {
    table.del(resource, requester);
    reply(true, false);
  }
}
