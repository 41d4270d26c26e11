/**
 * The relay as introducer (issue 13), end to end on a real relay on 127.0.0.1: nodes learn
 * the cluster from the relay (snapshot, then batched changes), cookie holders it vouches for
 * are up without a challenge or ticks, liveness comes from the relay; and the fallbacks: an
 * old relay, a node with the feature off, ticket holders, per-node cookies.
 *
 * Nodes here are the core startNode over a RelayTransport whose channels record the text
 * frames they send, so that a test can tell a relay-vouched hello from a full handshake
 * (`challenge_reply` is sent only by the full one).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Node } from '../../src/core/index.js';
import type { Channel, Transport } from '../../src/core/net/transport.js';
import { startNode } from '../../src/core/node/start-node.js';
import type { NodeOptions } from '../../src/core/node/options.js';
import { RelayTransport } from '../../src/core/relay-client/relay-transport.js';
import type { WebSocketCtor } from '../../src/core/relay-client/websocket-like.js';
import { mintTicket } from '../../src/server/index.js';
import { startRelay, type Relay, type RelayOptions } from '../../src/server/relay/index.js';
import { eventually } from '../support/cluster.js';
import { watch } from '../support/membership.js';
import { RelayClient } from '../support/relay-client.js';

const COOKIE = 'membership-cookie';
const relays: Relay[] = [];
const nodes: Node[] = [];
const raw: RelayClient[] = [];
afterEach(async () => {
  for (const c of raw.splice(0)) c.ws.terminate();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function relay(o: Partial<RelayOptions> = {}): Promise<Relay> {
  const r = await startRelay({ port: 0, cookie: COOKIE, logger: false, ...o });
  relays.push(r);
  return r;
}

/** Text frames sent on channels, by every node of a test. */
let sent: string[] = [];
afterEach(() => {
  sent = [];
});

function spy(ch: Channel): Channel {
  const send = ch.send.bind(ch);
  ch.send = (f) => {
    if (typeof f === 'string') sent.push(f);
    send(f);
  };
  return ch;
}

/** A node `<sname>@127.0.0.1` on relay `r` (cookie COOKIE unless a ticket is given). */
async function member(r: Relay, sname: string, o: Partial<NodeOptions> = {}): Promise<Node> {
  const inner = new RelayTransport({
    url: r.url,
    ...(o.ticket !== undefined ? { ticket: o.ticket } : { cookie: COOKIE }),
    WebSocket: WebSocket as unknown as WebSocketCtor,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  const transport: Transport = {
    listen: (name, onInbound, lo) => inner.listen(name, (ch) => onInbound(spy(ch)), lo),
    connect: async (peer) => spy(await inner.connect(peer)),
    close: () => inner.close(),
  };
  const n = await startNode({ name: `${sname}@127.0.0.1`, ...(o.ticket !== undefined ? {} : { cookie: COOKIE }), transport, output: false, logger: false, ...o });
  nodes.push(n);
  return n;
}

const sorted = (xs: string[]): string[] => [...xs].sort();
const handshakes = (): number => sent.filter((f) => f.includes('challenge_reply')).length;
const vouchedHellos = (): number => sent.filter((f) => f.includes('hello') && f.includes('vouch')).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the relay as introducer', () => {
  it('three cookie holders list each other from the relay, connect without a challenge on first use, and do not tick', async () => {
    const r = await relay();
    const a = await member(r, 'a', { tickMs: 250 });
    const b = await member(r, 'b', { tickMs: 250 });
    await eventually(() => a.nodes().length === 1);
    const evs = watch(a, { nodedownReason: true });
    const c = await member(r, 'c', { tickMs: 250 });
    // c's snapshot lists a and b: it is complete when startNode resolves
    expect(sorted(c.nodes())).toEqual([a.name, b.name]);
    await eventually(() => a.nodes().length === 2 && b.nodes().length === 2);
    expect(evs).toEqual([['nodeup', c.name, {}]]);
    expect(await b.rpc.call(a.name, 'kvs', 'start', [])).toBe(true);
    expect(await b.rpc.call(a.name, 'kvs', 'store', ['weather', 'fine'])).toBe(true);
    expect(await c.rpc.call(a.name, 'kvs', 'lookup', ['weather'])).toEqual(['ok', 'fine']);
    expect(vouchedHellos()).toBeGreaterThan(0);
    expect(handshakes()).toBe(0);
    // idle: no tick crosses the relay (4 tick intervals and more)
    const routed = r.stats().framesRouted;
    await sleep(1_500);
    expect(r.stats().framesRouted).toBe(routed);
    expect(sorted(a.nodes())).toEqual([b.name, c.name]);
  });

  it("a node gone: everyone gets nodedown with the relay's reason, and links and monitors fire noconnection", async () => {
    const r = await relay();
    const a = await member(r, 'a');
    const b = await member(r, 'b');
    const c = await member(r, 'c');
    await eventually(() => a.nodes().length === 2 && b.nodes().length === 2);
    const evA = watch(a, { nodedownReason: true });
    const evB = watch(b, { nodedownReason: true });
    const remote = await a.spawn(c.name, 'dist_demo', 'loop', []);
    const got: unknown[] = [];
    a.spawn(async (self) => {
      self.trapExit(true);
      self.link(remote);
      const ref = self.monitor(remote);
      got.push(await self.receive((m) => Array.isArray(m) && m[0] === 'EXIT'));
      got.push(await self.receive((m) => Array.isArray(m) && m[0] === 'DOWN' && m[1] === ref));
    });
    await sleep(50); // the link and monitor reach c
    expect(r.kick(c.name)).toBe(true);
    await eventually(() => got.length === 2);
    expect(got[0]).toEqual(['EXIT', remote, 'noconnection']);
    expect((got[1] as unknown[])[4]).toBe('noconnection');
    await eventually(() => evB.length >= 1);
    // A kicked node reconnects (after its backoff, with a new creation): a nodeup of c may follow
    // the nodedown, even in the same batch, but nothing else.
    const down = ['nodedown', c.name, { nodedownReason: 'connection_closed' }];
    const back = ['nodeup', c.name, {}];
    for (const ev of [evA, evB]) {
      expect(ev[0]).toEqual(down);
      expect(ev.slice(1).every((e) => JSON.stringify(e) === JSON.stringify(back))).toBe(true);
      expect(ev.length).toBeLessThanOrEqual(2);
    }
    expect(a.nodes().filter((n) => n !== c.name)).toEqual([b.name]);
  });

  it('a member that stops answering the relay is reported down with net_tick_timeout', async () => {
    const r = await relay({ pingIntervalMs: 100 });
    const a = await member(r, 'a');
    const evs = watch(a, { nodedownReason: true });
    const ws = new WebSocket(r.url);
    const mute = new RelayClient(ws, COOKIE);
    raw.push(mute);
    await new Promise((ok) => ws.once('open', ok));
    mute.nonce = (await mute.tag('challenge')).nonce as string;
    expect((await mute.register('mute@127.0.0.1', { members: true })).t).toBe('welcome');
    await eventually(() => a.nodes().includes('mute@127.0.0.1'));
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await eventually(() => evs.length === 2);
    expect(evs).toEqual([
      ['nodeup', 'mute@127.0.0.1', {}],
      ['nodedown', 'mute@127.0.0.1', { nodedownReason: 'net_tick_timeout' }],
    ]);
  });

  it('the snapshot and changes reach a member in order: one welcome, then batched members messages', async () => {
    const r = await relay();
    const a = await member(r, 'a');
    const ws = new WebSocket(r.url);
    const w = new RelayClient(ws, COOKIE);
    raw.push(w);
    await new Promise((ok) => ws.once('open', ok));
    const ch = await w.tag('challenge');
    expect(ch.members).toBe(true);
    w.nonce = ch.nonce as string;
    const welcome = await w.register('w@127.0.0.1', { members: true });
    expect(welcome.peers).toEqual([{ name: a.name, hidden: false, creation: a.creation, vouched: true }]);
    const b = await member(r, 'b');
    const c = await member(r, 'c', { hidden: true, connectAll: false });
    await b.stop();
    const changes = (): unknown[] => w.inbox.filter((m) => m.t === 'members').flatMap((m) => m.changes as unknown[]);
    const wJoined = { joined: { name: 'w@127.0.0.1', hidden: false, vouched: true, creation: welcome.creation } };
    const bJoined = { joined: { name: b.name, hidden: false, vouched: true, creation: b.creation } };
    const cJoined = { joined: { name: c.name, hidden: true, connectAll: false, vouched: true, creation: c.creation } };
    const bLeft = { left: b.name, reason: 'connection_closed' };
    const key = (x: unknown): string => JSON.stringify(x);
    // when b has a channel to w (w is vouched for), w hears of b leaving at once, and again in the batch
    await eventually(() => changes().some((x) => key(x) === key(bLeft)) && changes().some((x) => key(x) === key(cJoined)), 10_000);
    const seen = [...new Set(changes().map(key))];
    // every member session gets the same batches: w's own joined is in them, for w to skip
    expect(new Set(seen)).toEqual(new Set([wJoined, bJoined, cJoined, bLeft].map(key)));
    expect(seen.indexOf(key(wJoined))).toBeLessThan(seen.indexOf(key(bJoined)));
    expect(seen.indexOf(key(bJoined))).toBeLessThan(seen.indexOf(key(cJoined)));
    expect(seen.indexOf(key(bJoined))).toBeLessThan(seen.indexOf(key(bLeft)));
    expect(w.count('joined') + w.count('left')).toBe(0);
  });
});

describe('where the relay cannot vouch: as before', () => {
  it('behind a relay without membership, nodes mesh pairwise with handshakes and ticks', async () => {
    const r = await relay({ members: false });
    const a = await member(r, 'a', { tickMs: 250 });
    const b = await member(r, 'b', { tickMs: 250 });
    const c = await member(r, 'c', { tickMs: 250 });
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2));
    expect(await c.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
    expect(handshakes()).toBe(3);
    expect(vouchedHellos()).toBe(0);
    const routed = r.stats().framesRouted;
    await sleep(1_000);
    expect(r.stats().framesRouted).toBeGreaterThan(routed); // ticks
  });

  it('a node with membership: false meshes with the others pairwise, and they with it', async () => {
    const r = await relay();
    const a = await member(r, 'a', { membership: false });
    const b = await member(r, 'b');
    const c = await member(r, 'c');
    await eventually(() => [a, b, c].every((n) => n.nodes().length === 2));
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(await c.rpc.call(a.name, 'erlang', 'node', [])).toBe(a.name);
    expect(await b.rpc.call(c.name, 'erlang', 'node', [])).toBe(c.name);
    expect(handshakes()).toBe(2); // a with b, a with c; b and c on the relay's word
  });

  it('a ticket holder is listed through the relay but always proven, and its role is enforced', async () => {
    const r = await relay();
    const srv = await member(r, 'srv', { capabilities: { guest: { rpc: { kvs: ['lookup'] } } } });
    const other = await member(r, 'other');
    const ticket = mintTicket({ cookie: COOKIE, role: 'guest', prefix: 'tab-', ttlMs: 60_000 });
    const tab = await member(r, 'tab-1', { ticket });
    await eventually(() => sorted(tab.nodes()).join() === sorted([srv.name, other.name]).join() && srv.nodes().includes(tab.name));
    expect(srv.roleOf(tab.name)).toBe('guest');
    expect(tab.roleOf(srv.name)).toBeUndefined();
    await expect(tab.rpc.call(srv.name, 'kvs', 'start', [])).rejects.toMatchObject({ reason: ['EXIT', 'not_allowed'] });
    // the tab's hellos carry its ticket, never vouch; its pairs ran the full handshake
    expect(sent.filter((f) => f.includes('hello') && f.includes('ticket')).every((f) => !f.includes('vouch'))).toBe(true);
    expect(handshakes()).toBeGreaterThanOrEqual(2);
  });

  it('a per-node cookie set before the peer joins: the relay cannot vouch, and the handshake with that cookie decides', async () => {
    const r = await relay();
    const a = await member(r, 'a');
    a.setCookie('b@127.0.0.1', 'not-the-cluster-cookie');
    const b = await member(r, 'b');
    await eventually(() => a.lastConnectError(b.name) === 'bad_cookie');
    expect(a.nodes()).toEqual([]);
    a.setCookie(b.name, COOKIE);
    expect(await a.ping(b.name)).toBe('pong');
    expect(a.nodes()).toEqual([b.name]);
  });
});
