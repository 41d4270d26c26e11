/**
 * A `beam` server-node that serves BEAM gateways to the tabs that ask
 * (`startNode({ beam: { gateway: true } })`, `erlmesh node --beam-gateway`): a tab calls
 * `joinBeamGateway(node, 'srv@host')` (core/node/beam-gateway-join.ts), and this node runs
 * `startBeamGateway` for it (gateway.ts) and answers.
 *
 *   tab → '$beam_gateway' here:  ['open', From, Ref]            (the tab is From's node)
 *   here → From:                 ['beam_gateway', Ref, 'ok', Creation]
 *                              | ['beam_gateway', Ref, 'error', Code, Text]
 *
 * Invariants: only a cookie holder is served — a ticket holder (any role) is answered
 * `not_allowed`, since the gateway acts for the tab with the cookie toward BEAM, and the tab
 * takes what comes from BEAM as from a cookie holder; one gateway per tab, so asking twice
 * answers the same creation; a tab's gateway ends with the tab (its nodedown), all of them
 * with `close()` (which `startNode` calls when the node stops).
 */
import { ErlmeshError } from '../../core/base/errors.js';
import type { Node } from '../../core/node/node.js';
import type { Pid } from '../../core/terms/pid.js';
import { gatewayHost, startBeamGateway, type BeamGateway } from './gateway.js';

/**
 * Options of {@link serveBeamGateways}: where the tabs' listeners go, and who may connect to them.
 *
 * @example
 * serveBeamGateways(srv, { host: '127.0.0.1', allow: ['e@myhost'] });
 */
export interface BeamGatewayServiceOptions {
  /** epmd's port (default `$ERL_EPMD_PORT` or 4369). */
  epmdPort?: number;
  /** Interface the tabs' listeners listen on (default all, as `erl`). */
  host?: string;
  /** The only BEAM nodes that may connect to a tab's name (default any cookie holder). */
  allow?: string[];
}

/**
 * The running service: the tabs gatewayed now.
 *
 * @example
 * const service: BeamGatewayService = serveBeamGateways(srv);
 * service.tabs();        // ['tab-x@myhost'] once that tab joined
 * await service.close(); // unregisters every tab's name at epmd
 */
export interface BeamGatewayService {
  /** The names of the tabs gatewayed now. */
  tabs(): string[];
  /** Close every tab's gateway (listener and epmd registration). Idempotent. */
  close(): Promise<void>;
}

/**
 * Makes `node` (a `beam` server-node with the cookie) the BEAM gateway of every cookie-holder
 * tab that asks with `joinBeamGateway`.
 *
 * @example
 * const srv = await startNode({ sname: 'srv', beam: true });
 * const service = serveBeamGateways(srv);      // what beam: { gateway: true } does
 * // in the tab: await joinBeamGateway(node, 'srv@myhost'); in erl: net_adm:ping('tab-x@myhost') → pong
 */
export function serveBeamGateways(node: Node, o: BeamGatewayServiceOptions = {}): BeamGatewayService {
  if (!node.isAlive() || node.role !== undefined) throw new ErlmeshError('badarg', 'BEAM gateways are served by a named server-node with the cookie');
  const running = new Map<string, Promise<BeamGateway>>();
  const host = gatewayHost(node);
  const answer = (to: Pid, ref: unknown, ...rest: unknown[]) => node.send(to, ['beam_gateway', ref, ...rest]);
  host.open = (from, ref) => {
    const tab = from.node;
    const role = node.roleOf(tab);
    if (role !== undefined) {
      answer(from, ref, 'error', 'not_allowed', role === null ? `${tab} is not connected to ${node.name}` : `a ticket holder (role '${role}') is not gatewayed to BEAM`);
      return;
    }
    let gw = running.get(tab);
    if (!gw) {
      gw = startBeamGateway(node, { for: tab, ...o });
      running.set(tab, gw);
      gw.catch(() => running.get(tab) === gw && running.delete(tab));
    }
    gw.then(
      (g) => answer(from, ref, 'ok', g.creation),
      (e: unknown) => answer(from, ref, 'error', e instanceof ErlmeshError ? e.code : 'badarg', e instanceof Error ? e.message : String(e)),
    );
  };
  const off = node.monitorNodes((ev) => {
    if (ev[0] === 'nodedown') running.delete(ev[1]);
  });
  return {
    tabs: () => [...running.keys()],
    close: async () => {
      host.open = undefined;
      off();
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((p) => p.then((g) => g.close(), () => undefined)));
    },
  };
}
