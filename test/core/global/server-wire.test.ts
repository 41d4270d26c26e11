/**
 * The global name servers on the wire: every message between them is a `reg_send` that names
 * the sending name server as its sender (as Erlang's REG_SEND, and as before the servers were
 * built over the ServiceHost), the restarted server's included; a lock request names its lock
 * client. A malformed message from another node is logged (one flood-limited line naming the
 * node and the tag; a refusal as before for a ticket holder's call or change), never acted on,
 * and the server goes on.
 */
import { describe, expect } from 'vitest';
import { it, type TestCluster } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import { idle, mesh, syncAll } from '../../support/global-mesh.js';
import { forceRole } from '../../support/forced-role.js';
import { connect, flushUntil, settled } from '../../support/simulated-time.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { type Capabilities, type Node, Pid } from '../../../src/core/index.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';

const SERVER = 'global_name_server';

/** The reg_sends to name servers from now on: [fromNode, toNode, sender pid, tag]. */
function tapServers(c: TestCluster): { seen: Array<[string, string, unknown, string]>; stop(): void } {
  const seen: Array<[string, string, unknown, string]> = [];
  const stop = c.net.tap((from, to, f) => {
    for (const fr of decodeWireFrame(f) as Array<{ t: string; from?: unknown; to?: unknown; msg?: unknown }>) {
      if (fr.t === 'reg_send' && fr.to === SERVER && Array.isArray(fr.msg)) seen.push([from, to, fr.from, String(fr.msg[0])]);
    }
  });
  return { seen, stop };
}

describe('global: the sender of a message between name servers', () => {
  it('is the sending node\'s name server, in every exchange (nodeup, calls, chains, sync, a restart)', async ({ cluster: c }) => {
    const t = tapServers(c);
    const [a, b, cc] = (await mesh(c, 'a', 'b', 'c')) as [Node, Node, Node];
    await syncAll([a, b, cc]);
    expect(await cc.global.registerName('x', idle(cc))).toBe('yes');
    expect(await b.global.registerName('y', idle(a))).toBe('yes');
    expect(await cc.global.unregisterName('x')).toBe('ok');
    // A restarted server tells its peers (g_restarted), as itself.
    const old = a.whereis(SERVER)!;
    a.exit(old, 'kill');
    await eventually(() => a.whereis(SERVER) !== undefined && !a.whereis(SERVER)!.equals(old));
    await syncAll([a, b, cc]);
    expect(await a.global.setLock(['res', 'me'])).toBe(true);
    t.stop();
    const nodes = new Map([a, b, cc].map((n) => [n.name, n]));
    const servers = t.seen.filter(([, , , tag]) => tag !== 'g_lock');
    const tags = new Set(servers.map(([, , , tag]) => tag));
    for (const tag of ['g_snapshot_req', 'g_snapshot', 'g_reserve', 'g_chain', 'g_ops', 'g_sync_req', 'g_sync_ack', 'g_restarted']) {
      expect(tags, tag).toContain(tag);
    }
    for (const [from, to, sender, tag] of servers) {
      expect(sender, `${tag} ${from} → ${to}`).toBeInstanceOf(Pid);
      const server = nodes.get(from)!.whereis(SERVER)!;
      // The frames sent before the restart of a's server name the old one.
      const expected = from === a.name && !(sender as Pid).equals(server) ? old : server;
      expect((sender as Pid).equals(expected), `${tag} ${from} → ${to}: ${String(sender)}`).toBe(true);
    }
    expect(servers.some(([from, , sender]) => from === a.name && (sender as Pid).equals(a.whereis(SERVER)!))).toBe(true);
    // A lock request is sent by its lock client, a process of the requesting node.
    const locks = t.seen.filter(([, , , tag]) => tag === 'g_lock');
    expect(locks.length).toBeGreaterThan(0);
    for (const [from, , sender] of locks) expect(sender instanceof Pid && sender.node === from).toBe(true);
  });
});

describe('global: a malformed message from another node', () => {
  let c: TestCluster;
  let clock: SimulatedClock;
  it.beforeEach(({ clock: k, simCluster }) => {
    clock = k;
    c = simCluster;
  });

  const refusals = (n: Node): string[] => (c.captured.get(n.name)?.logs ?? []).map((l) => l.text).filter((t) => t.startsWith('capabilities: '));

  it('is logged with the node and the tag (flood-limited), not acted on; the server goes on', async () => {
    const [a, b] = await c.startNodes('a', 'b');
    await connect(clock, a, b);
    await settled(clock, Promise.all([a.global.sync(), b.global.sync()]));
    const server = a.whereis(SERVER)!;
    const to: [string, string] = [SERVER, a.name];
    b.send(to, ['g_reserve', b.name, 'ref1', 42, 'x', null, null, false]);
    b.send(to, ['g_chain', b.name, 'ref2', b.name, null, 'not a list', 'yes']);
    b.send(to, ['g_confirm', b.name, 'rref']);
    b.send(to, ['g_lock', b.name, 'ref3', 'not a pid', 'set', 'res', 'me']);
    b.send(to, ['g_sync_ack', 7]); // names no node
    b.send(to, ['g_done', 'x@vm', 42]); // names a node that is no peer: logged at once, not held back
    await flushUntil(clock, () => refusals(a).length >= 6);
    expect(refusals(a)).toEqual([
      `capabilities: refused a malformed global message g_reserve from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed global message g_chain from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed global message g_confirm from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed global message g_lock from node ${b.name} (role 'undefined')`,
      `capabilities: refused a malformed global message g_sync_ack from node ? (role 'null')`,
      `capabilities: refused a malformed global message g_done from node x@vm (role 'null')`,
    ]);
    // A flood: ten lines a second, then one summary.
    for (let i = 0; i < 30; i++) b.send(to, ['g_reply', b.name, i]);
    await clock.flush();
    expect(refusals(a).filter((l) => l.includes('g_reply'))).toHaveLength(6);
    await clock.advance(1_000);
    expect(refusals(a).at(-1)).toBe(`capabilities: 24 more refusals from node ${b.name} in the last second were not logged`);
    expect(a.whereis(SERVER)!.equals(server)).toBe(true);
    expect(c.logs(a)).not.toContain('failed');
    const p = idle(b);
    expect((await settled(clock, b.global.registerName('ok', p))).value).toBe('yes');
    expect(a.global.whereisName('ok')).toEqual(p);
  });

  it("from a ticket holder whose role lacks global: a call, a chain or a resolve request is refused, as before", async () => {
    const caps: Capabilities = { guest: {} };
    const b = await c.node('b', { capabilities: caps });
    const a = await c.node('a');
    forceRole(b, a.name, 'guest');
    await connect(clock, a, b);
    await settled(clock, Promise.all([a.global.sync(), b.global.sync()]));
    const to: [string, string] = [SERVER, b.name];
    const replies: unknown[] = [];
    // a's own server gets the not_allowed answer: watch what a sends and gets on the wire.
    const stop = c.net.tap((from, _to, f) => {
      for (const fr of decodeWireFrame(f) as Array<{ t: string; to?: unknown; msg?: unknown }>) {
        if (from === b.name && fr.t === 'reg_send' && fr.to === SERVER && Array.isArray(fr.msg) && fr.msg[0] === 'g_reply') replies.push(fr.msg);
      }
    });
    a.send(to, ['g_reserve', a.name, 'ref1', 42, 'x']);
    a.send(to, ['g_chain', a.name, 'ref2']);
    a.send(to, ['g_resolve_req', a.name, 'rref', 'x']);
    a.send(to, ['g_confirm', a.name, 5]);
    await flushUntil(clock, () => refusals(b).length >= 4);
    stop();
    expect(refusals(b)).toEqual([
      `capabilities: refused global 42 of 'x' from node ${a.name} (role 'guest')`,
      `capabilities: refused a global name change (g_chain) from node ${a.name} (role 'guest')`,
      `capabilities: refused a global conflict resolution (g_resolve_req) from node ${a.name} (role 'guest')`,
      `capabilities: refused a malformed global message g_confirm from node ${a.name} (role 'guest')`,
    ]);
    expect(replies).toEqual([['g_reply', b.name, 'ref1', 'not_allowed', null]]);
  });
});
