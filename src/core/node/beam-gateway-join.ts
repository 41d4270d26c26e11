/**
 * A tab asking a server-node to be its BEAM gateway (docs/beam-interop.md, "BEAM reaching a
 * tab"): the tab attaches the way back (`attachBeamProxy`) and asks; the server-node, when it
 * serves gateways (`startNode({ beam: { gateway: true } })`, `erlmesh node --beam-gateway`;
 * src/server/beam/gateway-service.ts), registers the tab's name at epmd and answers.
 *
 *   tab → '$beam_gateway' on gw:  ['open', From, Ref]      (the tab is From's node; Ref monitors '$beam_gateway')
 *   gw → From:                    ['beam_gateway', Ref, 'ok', Creation]
 *                               | ['beam_gateway', Ref, 'error', Code, Text]
 *
 * Invariants: one answer per request; no `$beam_gateway` on gw (it serves no gateways) is
 * `not_allowed`, gw unreachable is `nodedown`, no answer in time is `timeout`; asking again
 * for a tab already gatewayed is answered `ok` with the same creation.
 */
import { ErlmeshError, type ErlmeshErrorCode } from '../base/errors.js';
import { TIMEOUT } from '../base/timeout.js';
import { attachBeamProxy, BEAM_GATEWAY } from './beam-proxy.js';
import type { Node } from './node.js';

/**
 * What {@link joinBeamGateway} resolves to: the name BEAM reaches the tab by, the gateway that
 * carries it, and the creation the gateway registered at epmd.
 *
 * @example
 * const { name, gateway }: BeamGatewayJoined = await joinBeamGateway(node, 'srv@myhost');
 * // name === node.name, gateway === 'srv@myhost'
 */
export interface BeamGatewayJoined {
  /** The tab's node name, as `erl` reaches it. */
  readonly name: string;
  /** The server-node that registered it at epmd and speaks Erlang distribution for it. */
  readonly gateway: string;
  /** The creation registered at epmd for the tab (the tab's own). */
  readonly creation: number;
}

/**
 * Makes `node` (a tab) reachable from `erl` through `gateway`, a `beam` server-node that
 * serves gateways: points the way back at it (`attachBeamProxy`), then asks; when refused,
 * the way back returns to the gateway it had. Throws an
 * `ErlmeshError`: `badarg` (not a node name, or `node` has no name), `not_allowed` (`node`
 * is a ticket holder, or the gateway serves none), `nodedown`, `timeout`, or the gateway's own
 * error (`epmd_name_taken`, …).
 *
 * @example
 * const node = await startNode({ name: 'tab-x', relay: 'ws://myhost:4367', cookie });
 * await joinBeamGateway(node, 'srv@myhost');
 * // in erl: rpc:call('tab-x@myhost', kvs, lookup, [weather])
 */
export async function joinBeamGateway(node: Node, gateway: string, o: { timeoutMs?: number } = {}): Promise<BeamGatewayJoined> {
  if (typeof gateway !== 'string' || !/^[^@]+@[^@]+$/.test(gateway)) throw new ErlmeshError('badarg', 'joinBeamGateway: the gateway is a full node name (srv@host)', gateway);
  if (!node.isAlive()) throw new ErlmeshError('badarg', 'joinBeamGateway: the node needs a name for BEAM to reach it by');
  // The gateway refuses ticket holders (and their role may not send to '$beam_gateway'): say so here.
  if (node.role !== undefined) throw new ErlmeshError('not_allowed', `joinBeamGateway: a ticket holder (role '${node.role}') is not gatewayed to BEAM`);
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ErlmeshError('badarg', 'joinBeamGateway: timeoutMs is a positive integer', timeoutMs);
  const before = attachBeamProxy(node, gateway);
  try {
    return await ask(node, gateway, timeoutMs);
  } catch (e) {
    // Refused: the way back stays with the gateway it had.
    if (before !== undefined) attachBeamProxy(node, before);
    throw e;
  }
}

async function ask(node: Node, gateway: string, timeoutMs: number): Promise<BeamGatewayJoined> {
  const answer = await node.run(async (self) => {
    const ref = self.monitor([BEAM_GATEWAY, gateway]);
    self.send([BEAM_GATEWAY, gateway], ['open', self.pid, ref]);
    return self.receive((m: unknown[]) => Array.isArray(m) && (m[0] === 'beam_gateway' || m[0] === 'DOWN') && ref.equals(m[1]), timeoutMs);
  });
  if (answer === TIMEOUT) throw new ErlmeshError('timeout', `joinBeamGateway: no answer from ${gateway} in ${timeoutMs} ms`, { gateway });
  const m = answer as unknown[];
  if (m[0] === 'DOWN') {
    const noproc = m[4] === 'noproc';
    throw new ErlmeshError(noproc ? 'not_allowed' : 'nodedown', noproc ? `${gateway} serves no BEAM gateways (startNode({ beam: { gateway: true } }), erlmesh node --beam-gateway)` : `${gateway} is not reachable`, { gateway, reason: m[4] });
  }
  if (m[2] === 'ok' && typeof m[3] === 'number') return { name: node.name, gateway, creation: m[3] };
  throw new ErlmeshError(typeof m[3] === 'string' ? (m[3] as ErlmeshErrorCode) : 'not_allowed', `${gateway} refused to be the BEAM gateway of ${node.name}: ${String(m[4])}`, { gateway });
}
