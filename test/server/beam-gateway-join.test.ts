/**
 * Issue 14, M3: a tab asks a server-node to be its BEAM gateway (`joinBeamGateway`) and a
 * server-node serves them (`startNode({ beam: { gateway: true } })`, `erlmesh node
 * --beam-gateway`), against real erl: the tab's ping is pong and rpc:call runs in it; asking
 * twice answers the same creation; a node that serves none, a ticket holder and bad
 * arguments get named errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErlmeshError } from '../../src/core/base/errors.js';
import { joinBeamGateway } from '../../src/core/node/beam-gateway-join.js';
import type { Node } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { checkBeamOptions } from '../../src/server/beam/attach.js';
import { mintTicket, startNode } from '../../src/server/index.js';
import { beamMissing, ErlNode, SHORT_HOST, startEpmd, stopAll, stopErlNodes } from '../support/beam.js';
import { ErlmeshProcess, freePort, killAll, sandboxHome } from '../support/os-processes.js';

const missing = beamMissing();
const COOKIE = 'beam-gateway-join-cookie';

const codeOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof ErlmeshError ? e.code : e),
  );

/** erl: ping TAB, then rpc:call its kvs. */
const script = (tab: string): string =>
  [`W = fun(Tag, V) -> io:format("~s ~w~n", [Tag, V]) end`, `W(ping, net_adm:ping('${tab}'))`, `W(rpc, rpc:call('${tab}', kvs, lookup, [k]))`, `halt()`].join(', ');

describe.skipIf(!!missing)('joinBeamGateway and a server-node serving gateways', () => {
  let epmdPort: number;
  const nodes: Node[] = [];
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await stopErlNodes();
    await killAll();
    await stopAll();
  });

  it('beam.gateway other than a boolean is badarg', () => {
    expect(() => checkBeamOptions({ gateway: 'yes' })).toThrow(expect.objectContaining({ code: 'badarg' }));
    expect(checkBeamOptions({ gateway: true })).toEqual({ gateway: true });
  });

  it("startNode({ beam: { gateway: true } }): a tab that joins is pong and rpc:call's answer for erl; twice is the same; a node without gateway: not_allowed, and the way back stays", async () => {
    const net = new MemoryNetwork();
    const srv = await startNode({ sname: 'gws', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1', gateway: true }, logger: false });
    nodes.push(srv);
    const plain = await startNode({ sname: 'plain', cookie: COOKIE, transport: net.transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: false });
    nodes.push(plain);
    const tab = await startNode({ sname: 'tabj', cookie: COOKIE, transport: net.transport(), logger: false });
    nodes.push(tab);
    await tab.rpc.call(tab.name, 'kvs', 'start', []);
    await tab.rpc.call(tab.name, 'kvs', 'store', ['k', 7]);
    expect(await codeOf(joinBeamGateway(tab, 'no-at-sign'))).toBe('badarg');
    expect(await codeOf(joinBeamGateway(tab, srv.name, { timeoutMs: -1 }))).toBe('badarg');
    expect(await codeOf(joinBeamGateway(tab, plain.name))).toBe('not_allowed');
    const joined = await joinBeamGateway(tab, srv.name);
    expect(joined).toEqual({ name: tab.name, gateway: srv.name, creation: tab.creation });
    expect(await joinBeamGateway(tab, srv.name)).toEqual(joined);
    // Refused elsewhere after joining: the way back stays with srv (erl's rpc below needs it).
    expect(await codeOf(joinBeamGateway(tab, plain.name))).toBe('not_allowed');
    const erl = new ErlNode('e', { cookie: COOKIE, epmdPort, script: script(tab.name) });
    const ping = await erl.waitFor(/^ping (.*)$/m);
    const rpc = await erl.waitFor(/^rpc (.*)$/m);
    expect([ping[1], rpc[1]], erl.stdout + erl.stderr).toEqual(['pong', '{ok,7}']);
    console.log(`erl:\n${ping[0]}\n${rpc[0]}`);
  }, 60_000);

  it('erlmesh node --beam-gateway: a cookie-holder tab over the relay joins and erl reaches it; a ticket holder is not_allowed', async () => {
    const home = sandboxHome();
    const relayPort = await freePort();
    const env = { HOME: home, ERL_EPMD_PORT: String(epmdPort) };
    const relay = new ErlmeshProcess(['relay', '--port', String(relayPort), '--cookie', COOKIE], env);
    const url = (await relay.waitFor(/listening on (ws:\/\/\S+)/))[1]!;
    // A role that may send to '$beam_gateway' (never do this: docs/beam-interop.md), so the refusal below is the gateway's own.
    const caps = join(home, 'caps.json');
    writeFileSync(caps, JSON.stringify({ guest: { send: ['$beam_gateway'] } }));
    const srv = new ErlmeshProcess(['node', '--sname', 'gwc', '--cookie', COOKIE, '--relay', url, '--beam-gateway', '--capabilities', caps], env);
    await srv.prompt();
    const tab = await startNode({ sname: 'tabc', cookie: COOKIE, relay: url, startRelay: false, logger: false });
    nodes.push(tab);
    await tab.rpc.call(tab.name, 'kvs', 'start', []);
    await tab.rpc.call(tab.name, 'kvs', 'store', ['k', 8]);
    expect((await joinBeamGateway(tab, `gwc@${SHORT_HOST}`)).creation).toBe(tab.creation);
    const erl = new ErlNode('f', { cookie: COOKIE, epmdPort, script: script(tab.name) });
    const ping = await erl.waitFor(/^ping (.*)$/m);
    const rpc = await erl.waitFor(/^rpc (.*)$/m);
    expect([ping[1], rpc[1]], erl.stdout + erl.stderr).toEqual(['pong', '{ok,8}']);
    const guest = await startNode({ sname: 'tab-g', ticket: mintTicket({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000 }), relay: url, startRelay: false, logger: false });
    nodes.push(guest);
    expect(await codeOf(joinBeamGateway(guest, `gwc@${SHORT_HOST}`))).toBe('not_allowed');
    // Past the tab's own check: the gateway refuses a ticket holder's 'open' itself.
    const answer = await guest.run(async (self) => {
      const ref = self.monitor(['$beam_gateway', `gwc@${SHORT_HOST}`]);
      self.send(['$beam_gateway', `gwc@${SHORT_HOST}`], ['open', self.pid, ref]);
      return self.receive((m: unknown[]) => Array.isArray(m) && m[0] === 'beam_gateway');
    });
    expect((answer as unknown[]).slice(2, 4)).toEqual(['error', 'not_allowed']);
    console.log(`erl (through erlmesh node --beam-gateway):\n${ping[0]}\n${rpc[0]}`);
  }, 60_000);
});
