/**
 * The composition root: which services and modules a node starts with (as OTP's kernel lists
 * its children), and `startNode`, which registers the name with the transport and builds the
 * node from them.
 */
import { badarg, ErlmeshError } from '../base/errors.js';
import { checkEncodings } from '../net/encodings.js';
import { checkMaxMessageBytes } from '../net/fragments.js';
import type { MembershipChange, Transport } from '../net/transport.js';
import { NOT_ALIVE_NAME } from '../terms/node-names.js';
import { checkCapabilities } from '../trust/capabilities.js';
import { TicketSource } from '../trust/ticket.js';
import { code, erlang, io, math } from '../modules/builtins.js';
import type { ErlModule } from '../modules/module.js';
import { erpcService } from '../rpc/erpc.js';
import { erpcWorker } from '../rpc/erpc-worker.js';
import { rpcService } from '../rpc/rpc.js';
import { globalService } from '../global/index.js';
import { pgService } from '../pg/index.js';
import { genServerModule, supervisorModule } from '../behaviours/index.js';
import { distDemo } from '../book/dist-demo.js';
import { kvs } from '../book/kvs.js';
import { kvsServer } from '../book/kvs-server.js';
import { Node } from './node.js';
import { observer } from './observer/module.js';
import { markStarted } from './observer/started.js';
import type { NodeComposition } from './composition.js';
import { checkOptionKeys, checkTimings, resolveName, type NodeOptions } from './options.js';

/** The kernel's modules: what every node needs to be called and spawned into. */
export const kernelModules: readonly ErlModule[] = [erlang, math, io, erpcWorker, code];

/** The modules every node loads: the kernel's, the observer's, the book's examples, and the behaviours' modules (in this order). */
export const defaultModules: readonly ErlModule[] = [...kernelModules, observer, kvs, distDemo, genServerModule, supervisorModule, kvsServer];

/** The services every node starts, and its modules. */
export const defaultComposition: NodeComposition = {
  modules: defaultModules,
  rpc: rpcService(),
  erpc: erpcService(),
  global: globalService(),
  pg: pgService(),
};

/**
 * Start a node.
 *
 * @example
 * const net = new MemoryNetwork();
 * const a = await startNode({ sname: 'a', cookie: 'abc', transport: net.transport() });
 * const b = await startNode({ sname: 'b', cookie: 'abc', transport: net.transport() });
 * await a.ping(b.name); // 'pong'
 */
export async function startNode(opts: NodeOptions = {}): Promise<Node> {
  return startNodeWith(opts, []);
}

/**
 * `startNode` for a platform entry point, whose own options (`platformKeys`) ride along in
 * `opts` and are not unknown.
 * @internal
 */
export async function startNodeWith(opts: NodeOptions, platformKeys: readonly string[]): Promise<Node> {
  checkOptionKeys(opts, platformKeys);
  const name = resolveName(opts);
  if (opts.capabilities !== undefined) checkCapabilities(opts.capabilities);
  checkTimings(opts);
  if (name === NOT_ALIVE_NAME) return started(new Node(opts, name, 0, undefined, defaultComposition));
  if (!opts.transport) throw new ErlmeshError('badarg', 'a named node needs a transport (use erlmesh/server or erlmesh/browser, or pass one)');
  if (opts.ticket !== undefined && opts.cookie !== undefined) throw badarg('give either a cookie or a ticket, not both');
  const tickets = opts.ticket !== undefined ? new TicketSource(opts.ticket) : undefined;
  if (tickets) await tickets.get(); // a bad ticket fails here, before registering
  else if (typeof opts.cookie !== 'string' || opts.cookie.length === 0) throw badarg('a named node needs a cookie (a non-empty string) or a ticket');
  if (opts.encodings !== undefined) checkEncodings(opts.encodings);
  if (opts.maxMessageBytes !== undefined) checkMaxMessageBytes(opts.maxMessageBytes);
  if (opts.membership !== undefined && typeof opts.membership !== 'boolean') throw badarg('membership must be a boolean', opts.membership);
  let node: Node | undefined;
  const pending: Array<Parameters<Parameters<Transport['listen']>[1]>[0]> = [];
  let pendingPeers: string[] = [];
  const pendingMembers: Array<[MembershipChange[], boolean]> = [];
  const reg = await opts.transport.listen(name, (ch) => (node ? node._accept(ch) : pending.push(ch)), {
    hidden: !!opts.hidden,
    onPeers: (peers) => (node ? void node._joinMesh(peers) : (pendingPeers = peers)),
    onCreation: (creation) => node && renewCreation(node, creation),
    ...(opts.membership === false
      ? {}
      : {
          onMembers: (changes: MembershipChange[], snapshot: boolean) => (node ? void node._members(changes, snapshot) : void pendingMembers.push([changes, snapshot])),
          tickMs: opts.tickMs ?? 15_000,
          connectAll: opts.connectAll ?? true,
        }),
  });
  node = started(new Node(opts, name, reg.creation, tickets, defaultComposition, reg.membership === true));
  for (const ch of pending) node._accept(ch);
  // The rendezvous listed peers: give the first connections a moment (bounded), so that
  // nodes() is complete when startNode resolves. With membership, the members it vouches
  // for are up already; the others are dialled.
  const waitMs = Math.min(opts.setupTimeoutMs ?? 7_000, 3_000);
  await Promise.all([node._joinMesh(pendingPeers, waitMs), ...pendingMembers.map(([c, snap]) => node._members(c, snap, waitMs))]);
  return node;
}

/**
 * A relay failover (relay-client/relay-urls.ts): the node is back as a new incarnation of its
 * name. New pids and refs carry the new creation (a process keeps the pid it was born with); a
 * connection still up from before (a direct link: relayed ones went with the relay) goes down,
 * as every connection does when an Erlang node restarts its distribution, so that its peer
 * meets the new incarnation (links and monitors across it get `noconnection`).
 */
function renewCreation(node: Node, creation: number): void {
  node.runtime.creation = creation;
  for (const peer of node.net?.peers('connected') ?? []) node.net?.disconnect(peer, 'connection_closed');
}

/** `node`, its start time recorded for the observer's uptime. */
function started(node: Node): Node {
  markStarted(node, node.clock);
  return node;
}
