/**
 * Issue 14, the atom bound through a gateway: atoms erl sent a tab go back to erl free (the
 * gateway decodes a peer's frames with the budget it encodes that peer's frames with), as they do
 * on a server-node's own BEAM connections. Checked with more distinct atoms than the default
 * budget (DEFAULT_ATOM_LIMIT): erl stores them in the tab's kvs and looks them up; the reply
 * carries every one back. Before the fix the reply was over the budget and never went out.
 * And a message from the tab with no Erlang form is dropped with a line in the gateway's log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import { DEFAULT_ATOM_LIMIT } from '../../src/core/etf/atom-budget.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { attachBeamProxy } from '../../src/core/node/beam-proxy.js';
import { startBeamGateway } from '../../src/server/beam/gateway.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-gateway-atoms-cookie';

describe.skipIf(!!missing)('atoms through a gateway', () => {
  let epmdPort: number;
  const nodes: Node[] = [];
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterEach(stopErlNodes);
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await stopAll();
  });

  it(`${DEFAULT_ATOM_LIMIT + 500} distinct atoms from erl come back from the tab's kvs`, async () => {
    const net = new MemoryNetwork();
    const logs: string[] = [];
    const gw = await startNode({ sname: 'gwa', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: (e) => logs.push(e.text) });
    nodes.push(gw);
    const tabName = `taba@${SHORT_HOST}`;
    const tab = await startNode({ sname: 'taba', cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(tab);
    attachBeamProxy(tab, gw.name);
    await tab.rpc.call(tabName, 'kvs', 'start', []);
    const gateway = await startBeamGateway(gw, { for: tabName, epmdPort, host: '127.0.0.1' });
    try {
      const n = DEFAULT_ATOM_LIMIT + 500;
      const script = [
        `TAB = '${tabName}'`,
        `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
        `As = [list_to_atom("gw_atom_" ++ integer_to_list(I)) || I <- lists:seq(1, ${n})]`,
        `{kvs, TAB} ! {self(), {store, many, As}}`,
        `W(store, receive {kvs, R1} -> R1 after 15000 -> timeout end)`,
        `{kvs, TAB} ! {self(), {lookup, many}}`,
        `W(same, receive {kvs, {ok, Back}} -> Back =:= As; {kvs, Other} -> Other after 15000 -> timeout end)`,
        `{kvs, TAB} ! {self(), {lookup, no_such_key_from_erl}}`,
        `W(undefined, receive {kvs, R3} -> R3 after 15000 -> timeout end)`,
        `register(erl_atoms, self())`,
        `W(waiting, true)`,
        `W(next, receive M -> M after 15000 -> timeout end)`,
        `halt()`,
      ].join(', ');
      const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script });
      for (const [tag, value] of [
        ['store', 'true'],
        ['same', 'true'],
        ['undefined', 'undefined'],
      ]) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'), 30_000);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      }
      // A message from the tab with no Erlang form (an atom over 255 characters) is dropped and
      // logged by the gateway; the next one arrives.
      await erl.waitFor(/^waiting true$/m);
      await tab.run(async (self) => {
        self.send(['erl_atoms', `e@${SHORT_HOST}`], 'x'.repeat(300));
        self.send(['erl_atoms', `e@${SHORT_HOST}`], 'after_the_dropped_one');
      });
      expect((await erl.waitFor(/^next (.*)$/m))[1]).toBe('after_the_dropped_one');
      expect(logs.some((l) => l.includes(`for e@${SHORT_HOST} has no Erlang form and was dropped`) && l.includes('atom_too_long')), JSON.stringify(logs)).toBe(true);
      await erl.exited();
    } finally {
      await gateway.close();
    }
  }, 90_000);
});
