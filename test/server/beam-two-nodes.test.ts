/**
 * Issue 14: two erlmesh `beam` server-nodes on one host that share no relay (each on a network
 * of its own) reach each other over Erlang distribution: the first send looks the other name
 * up at epmd (PORT_PLEASE2) and dials it; each side plays both handshake roles (A dials B,
 * then, after a disconnect, B dials A). rpc, messages with BEAM terms, links and monitors work
 * between them as between erlmesh and erl. Private epmd; every node stopped at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { Float, float } from '../../src/core/terms/beam-float.js';
import { charlist, List } from '../../src/core/terms/beam-list.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-two-cookie';
const A = `a@${SHORT_HOST}`;
const B = `b@${SHORT_HOST}`;

describe.skipIf(!!missing)('two erlmesh beam nodes without a common relay talk Erlang distribution', () => {
  let epmdPort: number;
  const nodes: Node[] = [];
  beforeAll(async () => {
    epmdPort = await startEpmd();
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await stopAll();
  });

  it('A dials B via epmd, B dials A after a disconnect; rpc, sends, links and monitors both ways', async () => {
    const beam = { epmdPort, host: '127.0.0.1' };
    // A network each: the erlmesh distribution cannot join them, only Erlang's can.
    const a = await startNode({ sname: 'a', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam, logger: false });
    nodes.push(a);
    const b = await startNode({ sname: 'b', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam, logger: false });
    nodes.push(b);
    await b.rpc.call(B, 'kvs', 'start', []);
    await a.rpc.call(A, 'kvs', 'start', []);

    // A → B: the initiator is A.
    expect(await a.rpc.call(B, 'kvs', 'store', ['k', [float(3), charlist('abc')]])).toBe(true);
    // Both publish: a visible connection (each answers the other's global through its stand-in).
    expect(a.nodes()).toEqual([B]);
    expect(b.nodes()).toEqual([A]);
    expect(a.nodes('hidden')).toEqual([]);
    const got = (await a.rpc.call(B, 'kvs', 'lookup', ['k'])) as [string, [Float, List]];
    expect(got[1][0]).toBeInstanceOf(Float);
    expect(got[1][1]).toBeInstanceOf(List);
    expect(await a.rpc.call(B, 'erlang', 'node', [])).toBe(B);

    // A link and a monitor from A on a process of B: the kill arrives as EXIT and DOWN.
    const victim = b.spawn((self) => self.receive());
    const seen = await a.run(async (self) => {
      self.trapExit(true);
      self.link(victim);
      const ref = self.monitor(victim);
      await a.rpc.call(B, 'erlang', 'node', []); // behind the link and monitor on the one connection
      await b.run(async (s) => s.exit(victim, 'kill'));
      const exit = await self.receive((m) => Array.isArray(m) && m[0] === 'EXIT', 5_000);
      const down = await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN' && ref.equals(m[1]), 5_000);
      return [exit, (down as unknown[])[4]];
    });
    expect(seen).toEqual([['EXIT', victim, 'killed'], 'killed']);

    // B → A after a disconnect: the initiator is B this time; a message by name with a BEAM term.
    expect(a.disconnect(B)).toBe(true);
    for (let i = 0; a.nodes().length > 0 || b.nodes().length > 0; i++) {
      if (i > 200) throw new Error('the disconnect was not seen');
      await new Promise((r) => setTimeout(r, 10));
    }
    let got2!: (m: unknown) => void;
    const arrived = new Promise<unknown>((r) => (got2 = r));
    a.register(
      'inbox',
      a.spawn(async (self) => got2(await self.receive())),
    );
    const from: Pid = await b.run(async (self) => {
      self.send(['inbox', A], ['hello', float(1), self.pid]);
      return self.pid;
    });
    const m = (await arrived) as [string, Float, Pid];
    expect(m[0]).toBe('hello');
    expect(m[1]).toBeInstanceOf(Float);
    expect(m[2].equals(from)).toBe(true);
    expect(b.nodes()).toEqual([A]);
    expect(await b.rpc.call(A, 'kvs', 'store', ['back', 'fine'])).toBe(true);
    expect(await a.rpc.call(A, 'kvs', 'lookup', ['back'])).toEqual(['ok', 'fine']);
  }, 60_000);
});
