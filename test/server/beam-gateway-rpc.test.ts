/**
 * Issue 14, M3: rpc and erpc from real erl into a node without Erlang distribution (a tab's
 * stand-in: an erlmesh node without `beam` that ran `attachBeamProxy`) through its gateway.
 * OTP's rpc:call is erpc: SPAWN_REQUEST of erpc:execute_call/4 into the tab, SPAWN_REPLY and
 * the worker's DOWN back through the gateway. A missing function is `{badrpc, {'EXIT', {undef,
 * _}}}`; the tab going while a call runs there is `{badrpc, nodedown}`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineModule } from '../../src/core/modules/module.js';
import type { Node } from '../../src/core/node/node.js';
import { attachBeamProxy } from '../../src/core/node/beam-proxy.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { startBeamGateway } from '../../src/server/beam/gateway.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-gateway-rpc-cookie';
const TAB = `tabr@${SHORT_HOST}`;

describe.skipIf(!!missing)('rpc and erpc from erl into a tab through its gateway', () => {
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

  it("rpc:call and erpc:call answer, undef is {badrpc, {'EXIT', {undef, _}}}, the tab going is {badrpc, nodedown}", async () => {
    let entered!: () => void;
    const waiting = new Promise<void>((r) => (entered = r));
    // A call that runs until the tab goes: the test stops the tab once it has begun.
    const slow = defineModule('slow', {
      wait: async (self) => {
        entered();
        await self.receive();
      },
    });
    const net = new MemoryNetwork();
    const gw = await startNode({ sname: 'gwr', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    nodes.push(gw);
    const tab = await startNode({ sname: 'tabr', cookie: COOKIE, transport: net.transport(), modules: [slow], logger: false });
    nodes.push(tab);
    attachBeamProxy(tab, gw.name);
    await tab.rpc.call(TAB, 'kvs', 'start', []);
    await tab.rpc.call(TAB, 'kvs', 'store', ['k', 42]);
    const gateway = await startBeamGateway(gw, { for: TAB, epmdPort, host: '127.0.0.1' });
    const script = [
      `TAB = '${TAB}'`,
      `W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`,
      `W(rpc, rpc:call(TAB, kvs, lookup, [k]))`,
      `W(erpc, erpc:call(TAB, kvs, lookup, [k]))`,
      `W(undef, rpc:call(TAB, kvs, nope, [1]))`,
      `W(erpc_undef, try erpc:call(TAB, kvs, nope, [1]) catch C:R -> {C, element(1, R), element(2, R)} end)`,
      `W(down, rpc:call(TAB, slow, wait, []))`,
      `halt()`,
    ].join(', ');
    const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script });
    try {
      const lines: string[] = [];
      for (const [tag, value] of [
        ['rpc', '{ok,42}'],
        ['erpc', '{ok,42}'],
      ]) {
        const m = await erl.waitFor(new RegExp(`^${tag} (.*)$`, 'm'));
        lines.push(m[0]);
        expect(m[1], erl.stdout + erl.stderr).toBe(value);
      }
      const undef = await erl.waitFor(/^undef (.*)$/m);
      lines.push(undef[0]);
      expect(undef[1]).toMatch(/^\{badrpc,\{'EXIT',\{undef,\[\{kvs,nope,\[1\]/);
      const erpcUndef = await erl.waitFor(/^erpc_undef (.*)$/m);
      lines.push(erpcUndef[0]);
      expect(erpcUndef[1]).toBe('{error,exception,undef}');
      await waiting;
      await tab.stop();
      const down = await erl.waitFor(/^down (.*)$/m);
      lines.push(down[0]);
      expect(down[1]).toBe('{badrpc,nodedown}');
      console.log(`erl:\n${lines.join('\n')}`);
    } finally {
      await gateway.close();
    }
  }, 60_000);
});
