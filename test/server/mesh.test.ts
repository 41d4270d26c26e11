/**
 * Server-nodes over a real relay on 127.0.0.1 (one OS process; sockets are real): the mesh
 * forming from the relay's peer list, direct links, relay loss and restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Node, type NodeEvent, TIMEOUT } from '../../src/core/index.js';
import { type ServerNodeOptions, startNode } from '../../src/server/index.js';
import { eventually } from '../support/cluster.js';
import { RelayNodes } from '../support/relay-nodes.js';

const COOKIE = 'mesh-cookie';
const mesh = new RelayNodes(COOKIE);
const node = (sname: string, extra: Partial<ServerNodeOptions> = {}): Promise<Node> => mesh.node(sname, extra);
afterEach(() => mesh.stop());

describe('server-nodes over a relay', () => {
  it('three nodes form one mesh from the relay peer list, and the book kvs works across them', async () => {
    await mesh.startRelay();
    const gandalf = await node('gandalf');
    const bilbo = await node('bilbo');
    const frodo = await node('frodo');
    await eventually(() => [gandalf, bilbo, frodo].every((n) => n.nodes().length === 2));
    expect(new Set(frodo.nodes())).toEqual(new Set([gandalf.name, bilbo.name]));
    expect(await bilbo.rpc.call(gandalf.name, 'kvs', 'start', [])).toBe(true);
    expect(await bilbo.rpc.call(gandalf.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await frodo.rpc.call(gandalf.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    // the book's file server: a binary result arrives as a Uint8Array
    const [tag, bytes] = (await bilbo.rpc.call(gandalf.name, 'file', 'read_file', ['bin/erlmesh.js'])) as [string, Uint8Array];
    expect(tag).toBe('ok');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes)).toMatch(/^#!\/usr\/bin\/env node/);
    expect(await bilbo.rpc.call(gandalf.name, 'file', 'read_file', ['no/such/file'])).toEqual(['error', 'enoent']);
    expect(await bilbo.rpc.call(gandalf.name, 'file', 'get_cwd', [])).toEqual(['ok', process.cwd()]);
  });

  it('direct links keep carrying traffic when the relay stops after they formed', async () => {
    const relay = await mesh.startRelay();
    const a = await node('a');
    const b = await node('b');
    expect(await a.ping(b.name)).toBe('pong');
    const routedBefore = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    // the rpc went over the direct link: the relay routed nothing for it
    expect(relay.stats().framesRouted).toBe(routedBefore);
    await mesh.stopRelay();
    expect(await a.rpc.call(b.name, 'math', 'sqrt', [16])).toBe(4);
    expect(a.nodes()).toEqual([b.name]);
  });

  it('relayed only (direct: false): traffic goes through the relay; losing it gives nodedown and noconnection; a restarted relay brings the mesh back', async () => {
    const relay = await mesh.startRelay();
    const port = relay.port;
    const a = await node('ra', { direct: false });
    const b = await node('rb', { direct: false });
    await eventually(() => a.nodes().length === 1);
    const events: NodeEvent[] = [];
    a.monitorNodes((e) => events.push(e), { nodedownReason: true });
    const exits: unknown[] = [];
    const remote = await a.spawn(b.name, 'dist_demo', 'loop', []);
    a.spawn(async (self) => {
      self.trapExit(true);
      self.link(remote);
      exits.push(await self.receive((m) => m[0] === 'EXIT'));
    });
    const routed = relay.stats().framesRouted;
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(relay.stats().framesRouted).toBeGreaterThan(routed);

    await mesh.stopRelay();
    await eventually(() => exits.length === 1);
    expect((exits[0] as unknown[])[2]).toBe('noconnection');
    expect(events).toContainEqual(['nodedown', b.name, { nodedownReason: 'connection_closed' }]);
    await expect(a.rpc.call(b.name, 'erlang', 'node', [])).rejects.toMatchObject({ reason: 'nodedown' });

    await mesh.startRelay({ port });
    await eventually(() => a.nodes().includes(b.name) && b.nodes().includes(a.name), 10_000);
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(events).toContainEqual(['nodeup', b.name, {}]);
  });

  it('a wrong cluster cookie is refused by the relay with bad_cookie, and the relay logs the refused name', async () => {
    const lines: string[] = [];
    await mesh.startRelay({ logger: (l) => lines.push(JSON.stringify(l)) });
    await expect(node('intruder', { cookie: 'wrong' })).rejects.toMatchObject({ code: 'bad_cookie' });
    expect(lines.some((l) => l.includes('intruder@127.0.0.1') && l.includes('bad_cookie'))).toBe(true);
  });

  it('a taken name is refused with name_taken; the name is free again once its holder stops', async () => {
    await mesh.startRelay();
    const first = await node('dup');
    await expect(node('dup')).rejects.toMatchObject({ code: 'name_taken' });
    await first.stop();
    const again = await node('dup');
    expect(again.creation).toBeGreaterThan(first.creation);
  });

  it('a per-node cookie mismatch gives pang and bad_cookie between two admitted nodes', async () => {
    await mesh.startRelay();
    const a = await node('pa', { connectAll: false });
    const b = await node('pb', { connectAll: false });
    a.setCookie(b.name, 'not-the-right-one');
    expect(await a.ping(b.name)).toBe('pang');
    expect(a.lastConnectError(b.name)).toBe('bad_cookie');
    a.setCookie(b.name, COOKIE);
    expect(await a.ping(b.name)).toBe('pong');
  });

  it('long-name nodes refuse short-name peers with name_mode_mismatch', async () => {
    const relay = await mesh.startRelay();
    const long = await node('l');
    const short = await startNode({ sname: 's', host: 'vm', cookie: COOKIE, relay: relay.url, startRelay: false, output: false, logger: false });
    mesh.track(short);
    expect(await short.ping(long.name)).toBe('pang');
    expect(short.lastConnectError(long.name)).toBe('name_mode_mismatch');
    expect(await long.ping(short.name)).toBe('pang');
    expect(short.nodes()).toEqual([]);
    const got = await long.run((self) => self.receive(undefined, 50));
    expect(got).toBe(TIMEOUT);
  });
});
