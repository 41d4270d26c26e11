/**
 * Protocol violations after the handshake: a connection that delivers a malformed signal
 * frame, a frame with an unknown tag, or a signal addressed to another node's process is
 * closed (nodedown with a reason, "Bad frame" in the log), and the node keeps serving its
 * other peers. The misbehaving peer is a raw dialer that performs the handshake itself.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { type Channel, type Node, type NodeEvent, Pid, realClock, Ref } from '../../../src/core/index.js';
import { webCrypto } from '../../../src/core/net/proofs.js';
import { handshakeWeStarted, type HandshakeEnv, type PeerInfo } from '../../../src/core/net/handshake.js';
import { FramedChannel } from '../../../src/core/net/framed-channel.js';
import type { AnyFrame, DistFrame } from '../../../src/core/net/frames.js';
import { BatchWriter } from '../../../src/core/net/encodings.js';
import { eventually, TestCluster } from '../../support/cluster.js';
import { recorder } from '../../support/in-process.js';

const ROGUE = 'rogue@vm';

interface Rogue {
  channel: Channel;
  framed: FramedChannel;
  info: PeerInfo;
  received: AnyFrame[];
  closedWith(): string | undefined;
  /** Send anything, well-formed or not, as a frame. */
  send(frame: unknown): void;
}

/**
 * Dial `target` from a raw transport and complete the handshake by hand, as node `name`,
 * offering `encodings` (default none: superjson-1, as a node from before fast-1).
 */
async function dialRaw(cluster: TestCluster, target: Node, name = ROGUE, encodings?: string[]): Promise<Rogue> {
  const channel = await cluster.net.transport().connect(target.name);
  const framed = new FramedChannel(channel);
  const env: HandshakeEnv = {
    name,
    creation: 1,
    flags: { hidden: false, connectAll: false, mode: 'short', ...(encodings ? { encodings } : {}) },
    clock: realClock,
    setupTimeoutMs: 3000,
    crypto: webCrypto,
    cookieFor: () => 'abc',
    isAllowed: () => true,
    arbitrate: () => 'ok',
    log: () => undefined,
  };
  const info = await handshakeWeStarted(framed, env, target.name);
  const received: AnyFrame[] = [];
  let closed: string | undefined;
  framed.consume(
    (f) => received.push(f),
    (r) => (closed = r),
  );
  return { channel, framed, info, received, closedWith: () => closed, send: (f) => framed.send(f as AnyFrame) };
}

let cl: TestCluster;
let a: Node;
let b: Node;
let c: Node;
let bEvents: NodeEvent[];
it.beforeEach(async ({ cluster }) => {
  cl = cluster;
  a = await cl.node('a');
  b = await cl.node('b');
  c = await cl.node('c');
  expect(await a.ping(b.name)).toBe('pong');
  expect(await c.ping(b.name)).toBe('pong');
  bEvents = [];
  b.monitorNodes((ev) => bEvents.push(ev), { nodedownReason: true });
});

/** The rogue connects, is accepted, sends `frame`; b must drop it and keep serving a and c. */
async function expectRefused(rogue: Rogue) {
  await eventually(() => rogue.closedWith() !== undefined, 2000);
  await eventually(() => !b.nodes().includes(ROGUE), 2000);
  expect(cl.logs(b)).toContain('Bad frame');
  expect(cl.logs(b)).toContain(ROGUE);
  const down = bEvents.find((e) => e[0] === 'nodedown' && e[1] === ROGUE);
  expect(down).toBeDefined();
  expect(down![2]).toEqual({ nodedownReason: 'bad_frame' });
  await expectStillServing();
}

/** b still talks to a and c: connections kept, messages and rpc flow. */
async function expectStillServing() {
  expect(b.nodes()).toContain(a.name);
  expect(b.nodes()).toContain(c.name);
  expect(bEvents.filter((e) => e[0] === 'nodedown' && e[1] !== ROGUE)).toEqual([]);
  expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
  const atB = recorder(b);
  c.send(atB.pid, 'from c');
  a.send(atB.pid, 'from a');
  await eventually(() => atB.got.length === 2, 2000);
  expect([...atB.got].sort()).toEqual(['from a', 'from c']);
}

describe('malformed frames close the connection that sent them', () => {
  it('the raw dialer is accepted as a node before it misbehaves (precondition)', async () => {
    const rogue = await dialRaw(cl, b);
    expect(rogue.info.name).toBe(b.name);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    expect(bEvents).toContainEqual(['nodeup', ROGUE, {}]);
    // A well-formed signal from it is delivered.
    const atB = recorder(b);
    rogue.send({ t: 'send', to: atB.pid, msg: ['hello', 'from rogue'] });
    await eventually(() => atB.got.length === 1, 2000);
    expect(atB.got[0]).toEqual(['hello', 'from rogue']);
    expect(rogue.closedWith()).toBeUndefined();
    expect(cl.logs(b)).not.toContain('Bad frame');
  });

  it("a 'send' frame whose `to` is a string: closed with bad_frame, 'Bad frame' logged, b keeps serving", async () => {
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'send', to: 'not-a-pid', msg: 'x' });
    await expectRefused(rogue);
  });

  it('a frame with an unknown tag: closed with bad_frame, b keeps serving', async () => {
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'bogus', x: 1 });
    await expectRefused(rogue);
  });

  it('a handshake frame after the handshake: closed with bad_frame', async () => {
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'hello', v: 1, name: ROGUE, creation: 1, flags: { hidden: false, connectAll: false, mode: 'short' } });
    await expectRefused(rogue);
  });

  it("signal frames with missing or mistyped fields ('exit' from a string, 'monitor' without a ref, 'spawn_request' without a source): closed", async () => {
    const target = recorder(b);
    const frames: unknown[] = [
      { t: 'exit', from: 'someone', to: target.pid, reason: 'kill' },
      { t: 'monitor', from: new Pid(ROGUE, 1, 0, 1), to: target.pid, node: b.name },
      {
        t: 'spawn_request',
        ref: new Ref(ROGUE, 1, 1),
        from: new Pid(ROGUE, 1, 0, 1),
        groupLeader: new Pid(ROGUE, 1, 0, 1),
        node: b.name,
        spec: { kind: 'fn' },
        link: false,
        monitor: false,
      },
    ];
    for (const f of frames) {
      bEvents.length = 0;
      const rogue = await dialRaw(cl, b);
      await eventually(() => b.nodes().includes(ROGUE), 2000);
      rogue.send(f);
      await expectRefused(rogue);
    }
    // None of them reached the target process.
    expect(b.isProcessAlive(target.pid)).toBe(true);
    expect(target.got).toEqual([]);
  });

  it("a frame addressed to another node's pid is refused, not forwarded", async () => {
    const atC = recorder(c);
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'send', to: atC.pid, msg: 'smuggled via b' });
    await expectRefused(rogue);
    // Had b forwarded it, it would be ahead of this marker on the b → c connection.
    b.send(atC.pid, 'marker from b');
    await eventually(() => atC.got.length >= 1, 2000);
    expect(atC.got[0]).toBe('marker from b');
    expect(atC.got).not.toContain('smuggled via b');
  });

  it("a reg_send addressed to another node is refused, not forwarded", async () => {
    const atC = recorder(c);
    c.register('srv', atC.pid);
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'reg_send', from: undefined, to: 'srv', node: c.name, msg: 'smuggled via b' });
    await expectRefused(rogue);
    b.send(atC.pid, 'marker from b');
    await eventually(() => atC.got.length >= 1, 2000);
    expect(atC.got[0]).toBe('marker from b');
  });

  /** Let b process everything the rogue sent so far (a probe frame behind it), unless it closed first. */
  async function settle(rogue: Rogue) {
    const probe = recorder(b);
    rogue.send({ t: 'send', to: probe.pid, msg: 'probe' });
    await eventually(() => probe.got.length > 0 || rogue.closedWith() !== undefined, 2000);
  }

  it("a link exit forged with another node's pid as sender is refused; the linked process on b survives", async () => {
    // T on b is linked to P on c (and does not trap exits).
    const t = b.spawn(async (self) => {
      await self.receive(() => false);
    });
    const p = c.spawn(async (self) => {
      self.link(t);
      await self.receive(() => false);
    });
    expect(await c.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name); // the link frame is processed
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    // The rogue claims P died: Erlang refuses a signal whose sender is not on the sending node.
    rogue.send({ t: 'exit', from: p, to: t, reason: 'forged' });
    await settle(rogue);
    expect(b.isProcessAlive(t), 'the process on b was killed by the forged exit signal').toBe(true);
    expect(c.isProcessAlive(p)).toBe(true);
    await expectRefused(rogue);
  });

  it("a DOWN forged with another node's pid as sender is refused; the watcher gets no DOWN", async () => {
    const q = c.spawn(async (self) => {
      await self.receive(() => false);
    });
    let ref: Ref | undefined;
    const watcherMsgs: unknown[] = [];
    const w = b.spawn(async (self) => {
      ref = self.monitor(q);
      for (;;) watcherMsgs.push(await self.receive());
    });
    await eventually(() => ref !== undefined, 2000);
    expect(await b.rpc.call(c.name, 'erlang', 'node', [])).toBe(c.name); // the monitor frame is processed
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.send({ t: 'down', from: q, to: w, ref, reason: 'forged' });
    await settle(rogue);
    expect(watcherMsgs, 'the watcher on b got the forged DOWN').toEqual([]);
    await expectRefused(rogue);
  });

  it('an undecodable frame closes the connection with bad_frame and b keeps serving', async () => {
    const rogue = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.channel.send('}{ this is not a term');
    await expectRefused(rogue);
  });

  it('after a refused frame, the same peer can connect again and talk properly', async () => {
    const first = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    first.send({ t: 'bogus' });
    await expectRefused(first);
    const second = await dialRaw(cl, b);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    const atB = recorder(b);
    second.send({ t: 'send', to: atB.pid, msg: 'behaving now' });
    await eventually(() => atB.got.length === 1, 2000);
    expect(atB.got).toEqual(['behaving now']);
  });
});

describe('malformed binary frames (fast-1) close the connection with bad_frame', () => {
  const FAST = ['fast-1', 'superjson-1'];

  /** A fast-1 batch of `frames`, as the rogue's framed would send it. */
  function batch(...frames: unknown[]): Uint8Array {
    const w = new BatchWriter();
    for (const f of frames) w.add(f as DistFrame);
    return w.take()!;
  }

  it('the fast-1 rogue is accepted and its well-formed batches are delivered (precondition)', async () => {
    const rogue = await dialRaw(cl, b, ROGUE, FAST);
    expect(rogue.info.encoding).toBe('fast-1');
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    const atB = recorder(b);
    rogue.channel.send(batch({ t: 'send', to: atB.pid, msg: 'one' }, { t: 'tick' }, { t: 'send', to: atB.pid, msg: 'two' }));
    await eventually(() => atB.got.length === 2, 2000);
    expect(atB.got).toEqual(['one', 'two']);
    // b answers in fast-1 too
    await eventually(() => rogue.received.length > 0 || rogue.closedWith() !== undefined, 2000);
    expect(rogue.closedWith()).toBeUndefined();
  });

  it.each<[string, number[]]>([
    ['garbage', [1, 2, 3]],
    ['a batch without its magic byte', [0x03]],
    ['a truncated send', [0xe1, 0x01, 0x11, 0x07, 0x0c, 0x67]],
    ['an unknown frame code', [0xe1, 0x09]],
    ['an empty binary frame', []],
  ])('%s: closed with bad_frame, b keeps serving', async (_name, bytes) => {
    const rogue = await dialRaw(cl, b, ROGUE, FAST);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.channel.send(new Uint8Array(bytes));
    await expectRefused(rogue);
  });

  it('a batch whose last frame is malformed delivers none of its frames', async () => {
    const rogue = await dialRaw(cl, b, ROGUE, FAST);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    const atB = recorder(b);
    const good = batch({ t: 'send', to: atB.pid, msg: 'must not arrive' });
    rogue.channel.send(new Uint8Array([...good, 0x01, 0xff]));
    await expectRefused(rogue);
    expect(atB.got).toEqual([]);
  });

  it('a well-encoded but invalid signal in a batch (send to a string) is refused as before', async () => {
    const rogue = await dialRaw(cl, b, ROGUE, FAST);
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    rogue.channel.send(batch({ t: 'send', to: 'not-a-pid', msg: 'x' }));
    await expectRefused(rogue);
  });

  it('a binary frame on a connection that negotiated superjson-1 is a bad_frame', async () => {
    const rogue = await dialRaw(cl, b); // offers no encodings: superjson-1
    expect(rogue.info.encoding).toBe('superjson-1');
    await eventually(() => b.nodes().includes(ROGUE), 2000);
    const atB = recorder(b);
    rogue.channel.send(batch({ t: 'send', to: atB.pid, msg: 'x' }));
    await expectRefused(rogue);
    expect(atB.got).toEqual([]);
  });
});
