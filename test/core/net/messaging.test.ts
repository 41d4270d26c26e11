/**
 * Message passing between nodes: per-pair order, sends that never fail, loss across a
 * disconnect, pids of an earlier incarnation, registered-name sends, and every term kind on
 * the wire (docs/semantics.md §4, scenarios S11–S14).
 */
import { describe, expect } from 'vitest';
import { it, type ClusterFactory } from '../../fixtures.js';
import { ErlmeshError, type Node, Pid, type ProcessContext, Ref } from '../../../src/core/index.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { eventually, TestCluster } from '../../support/cluster.js';
import { recorder, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

// ----- helpers ---------------------------------------------------------------------------

/** Index of the first position where `got` differs from 1..n, or -1. */
function firstMismatch(got: unknown[], n: number): number {
  for (let i = 0; i < Math.max(n, got.length); i++) if (got[i] !== i + 1) return i;
  return -1;
}

/** The maximal runs of consecutive integers in a sorted list, e.g. [[1, 69], [71, 310]]. */
function runs(xs: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && x === last[1] + 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

/**
 * Advance simulated time in small steps until `cond` holds (at most `maxMs` of simulated
 * time). Steps, rather than one jump, because the handshake's WebCrypto work completes on
 * real time: a chain waiting on it must get real turns between timers.
 */
async function advanceUntil(clock: SimulatedClock, cond: () => boolean, maxMs: number, stepMs = 5): Promise<void> {
  for (let t = 0; t < maxMs && !cond(); t += stepMs) await clock.advance(stepMs);
  if (!cond()) throw new Error(`condition not met within ${maxMs} simulated ms: ${cond.toString()}`);
}

// ----- S11 ---------------------------------------------------------------------------------

describe('S11: order between one pair of processes', () => {
  it('S11: 20 000 sequenced messages from one pid on a to one pid on b arrive in order with no gaps', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const N = 20_000;
    const got: number[] = [];
    const senders: Pid[] = [];
    const recv = b.spawn(async (self) => {
      for (let i = 0; i < N; i++) {
        const m = (await self.receive()) as ['seq', Pid, number];
        senders.push(m[1]);
        got.push(m[2]);
      }
    });
    const sender = a.spawn(async (self) => {
      for (let i = 1; i <= N; i++) self.send(recv, ['seq', self.pid, i]);
    });
    expect(await within(a.exitReason(sender), 10_000, 'the sender')).toBe('normal');
    expect(await within(b.exitReason(recv), 10_000, 'the receiver')).toBe('normal');
    expect(got.length).toBe(N);
    expect(firstMismatch(got, N)).toBe(-1);
    expect(senders.every((p) => p.equals(sender))).toBe(true);
  });

  it('S11: 2 000 messages with latency > 0 (changed mid-stream) on the real clock arrive in order', async ({ clusters }) => {
    const c = clusters({ latencyMs: 2 });
    const [a, b] = await c.startNodes('a', 'b');
    const net = c.net;
    const N = 2_000;
    const got: number[] = [];
    const recv = b.spawn(async (self) => {
      for (let i = 0; i < N; i++) got.push((await self.receive()) as number);
    });
    const latencies = [0, 3, 1, 4, 2];
    a.spawn(async (self) => {
      for (let i = 1; i <= N; i++) {
        self.send(recv, i);
        if (i % 200 === 0) {
          // Let frames already sent be in flight while the latency changes: later frames with a
          // shorter latency must still not overtake earlier ones.
          net.setLatency(latencies[(i / 200) % latencies.length]!);
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    });
    expect(await within(b.exitReason(recv), 4000, 'the receiver')).toBe('normal');
    expect(firstMismatch(got, N)).toBe(-1);
  });

  it('S11: per-pair order holds when senders on a and c interleave to one receiver on b', async ({ cluster: c }) => {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    const N = 500;
    const arrivals: Array<[string, number]> = [];
    const recv = b.spawn(async (self) => {
      for (let i = 0; i < 3 * N; i++) arrivals.push((await self.receive()) as [string, number]);
    });
    const sendSeq = (tag: string) => async (self: ProcessContext) => {
      for (let i = 1; i <= N; i++) {
        self.send(recv, [tag, i]);
        await null; // yield, so the two senders on a interleave
      }
    };
    a.spawn(sendSeq('a1'));
    a.spawn(sendSeq('a2'));
    cc.spawn(sendSeq('c1'));
    expect(await within(b.exitReason(recv), 4000, 'the receiver')).toBe('normal');
    for (const tag of ['a1', 'a2', 'c1']) {
      const seq = arrivals.filter(([t]) => t === tag).map(([, i]) => i);
      expect(firstMismatch(seq, N), `order of ${tag}`).toBe(-1);
    }
    // The precondition of the scenario: the streams really did interleave at the receiver.
    const tags = arrivals.map(([t]) => t);
    expect(tags.indexOf('a2')).toBeLessThan(tags.lastIndexOf('a1'));
  });
});

// ----- S12 ---------------------------------------------------------------------------------

describe('S12: sends that never fail, and the one that raises', () => {
  it('S12: send to a dead remote pid returns the message silently and drops it', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const dead = b.spawn(() => undefined);
    expect(await within(b.exitReason(dead), 3000)).toBe('normal');
    const live = recorder(b);
    const m1 = { n: 1 };
    const m2 = ['two', 2];
    const results = await runIn(a, (self) => {
      const r1 = self.send(dead, m1);
      const r2 = a.send(dead, m2);
      self.send(live.pid, 'after');
      return [r1, r2];
    }, 3000);
    expect(results[0]).toBe(m1);
    expect(results[1]).toBe(m2);
    await eventually(() => live.got.length > 0, 2000);
    // The messages to the dead pid went nowhere (the live process on b only got its own).
    expect(live.got).toEqual(['after']);
    expect(a.nodes()).toContain(b.name);
  });

  it("S12: send to ['unreg', b], ['unreg', a] and ['x', 'zz@vm'] returns the message; a bare unregistered name throws badarg", async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const m1 = ['m', 1];
    const m2 = ['m', 2];
    const m3 = ['m', 3];
    const out = await runIn(a, (self) => {
      const r = [
        self.send(['unreg', b.name], m1),
        self.send(['unreg', a.name], m2),
        self.send(['x', 'zz@vm'], m3),
        self.send(['x', 'zz'], m3), // not even a node name: still silent
      ];
      let err: unknown;
      try {
        self.send('unreg', 'hi');
      } catch (e) {
        err = e;
      }
      return { r, err, alive: self.isAlive() };
    }, 3000);
    expect(out.r[0]).toBe(m1);
    expect(out.r[1]).toBe(m2);
    expect(out.r[2]).toBe(m3);
    expect(out.r[3]).toBe(m3);
    expect(out.alive).toBe(true);
    expect(out.err).toBeInstanceOf(ErlmeshError);
    expect((out.err as ErlmeshError).code).toBe('badarg');
    // The same from outside any process.
    const m4 = { k: 4 };
    expect(a.send(['unreg', b.name], m4)).toBe(m4);
    expect(a.send(['x', 'zz@vm'], m4)).toBe(m4);
    let outer: unknown;
    try {
      a.send('unreg', 'hi');
    } catch (e) {
      outer = e;
    }
    expect(outer).toBeInstanceOf(ErlmeshError);
    expect((outer as ErlmeshError).code).toBe('badarg');
    // The failed connection attempt to zz is quiet: no log line about it, nodes() unchanged.
    await eventually(() => a.lastConnectError('zz@vm') !== undefined && a.nodes().includes(b.name), 2000);
    expect(c.logs(a)).not.toContain('zz@vm');
    expect(a.nodes()).toEqual([b.name]);
  });
});

// ----- S13 ---------------------------------------------------------------------------------

describe('S13: a disconnect in the middle of a stream', () => {
  type Cut = (ctx: { a: Node; b: Node; cluster: TestCluster; clock: SimulatedClock }) => Promise<void> | void;

  /**
   * a's sender sends 1..N to b's receiver, one per simulated ms, over a link with latency,
   * while monitoring the receiver; `cut` runs mid-stream.
   */
  async function streamWithCut(clusters: ClusterFactory, cut: Cut) {
    const clock = new SimulatedClock();
    const cluster = clusters({ clock, latencyMs: 10 });
    const [a, b] = await cluster.startNodes('a', 'b');
    let pong: string | undefined;
    void a.ping(b.name).then((r) => (pong = r));
    await advanceUntil(clock, () => pong !== undefined, 2000);
    expect(pong).toBe('pong');
    const N = 120;
    const got: number[] = [];
    const recv = b.spawn(async (self) => {
      for (;;) got.push((await self.receive()) as number);
    });
    const sendErrors: unknown[] = [];
    const downs: unknown[] = [];
    const sender = a.spawn(async (self) => {
      self.monitor(recv);
      for (let i = 1; i <= N; i++) {
        try {
          self.send(recv, i);
        } catch (e) {
          sendErrors.push(e);
        }
        if (i === 15) cluster.net.setLatency(25); // more frames in flight from here on
        await self.receive(() => false, 1);
      }
      downs.push(...self.flush().filter((m) => Array.isArray(m) && m[0] === 'DOWN'));
    });
    let senderExit: unknown;
    void a.exitReason(sender).then((r) => (senderExit = r));
    await clock.advance(40);
    // Mid-stream: some delivered, some in flight, the rest not sent yet.
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(40);
    await cut({ a, b, cluster, clock });
    await advanceUntil(clock, () => senderExit !== undefined && got.includes(N), 3000);
    expect(senderExit).toBe('normal');
    return { a, b, recv, got, N, sendErrors, downs };
  }

  function checkStream(r: Awaited<ReturnType<typeof streamWithCut>>) {
    // Never a duplicate, never reordered: strictly increasing.
    for (let i = 1; i < r.got.length; i++) expect(r.got[i]!).toBeGreaterThan(r.got[i - 1]!);
    // A prefix, at most one gap, then the later ones in order up to the last.
    const rs = runs(r.got);
    expect(rs.length).toBeGreaterThanOrEqual(1);
    expect(rs.length).toBeLessThanOrEqual(2);
    expect(rs[0]![0]).toBe(1);
    expect(rs[rs.length - 1]![1]).toBe(r.N);
    // The sender saw no error; only its monitor reports the trouble.
    expect(r.sendErrors).toEqual([]);
    expect(r.downs.length).toBe(1);
    const down = r.downs[0] as unknown[];
    expect((down[3] as Pid).equals(r.recv)).toBe(true);
    expect(down[4]).toBe('noconnection');
  }

  it('S13: the sender side disconnects (a.disconnect(b)) mid-stream; the stream resumes in order', async ({ clusters }) => {
    const r = await streamWithCut(clusters, ({ a, b }) => {
      expect(a.disconnect(b.name)).toBe(true);
    });
    checkStream(r);
    expect(r.a.nodes()).toEqual([r.b.name]); // auto-reconnected by the later sends
  });

  it('S13: the receiver side disconnects (b.disconnect(a)) with frames in flight; a prefix, a gap, then the rest in order', async ({ clusters }) => {
    const r = await streamWithCut(clusters, ({ a, b }) => {
      expect(b.disconnect(a.name)).toBe(true);
    });
    checkStream(r);
    expect(r.a.nodes()).toEqual([r.b.name]);
  });

  it('S13: a network cut (partition, later healed) mid-stream; later messages arrive in order', async ({ clusters }) => {
    const r = await streamWithCut(clusters, async ({ a, b, cluster, clock }) => {
      cluster.net.partition([a.name], [b.name]);
      await clock.advance(20);
      cluster.net.heal();
    });
    checkStream(r);
  });
});

// ----- S14 ---------------------------------------------------------------------------------

describe('S14: restarts, registered-name sends and terms on the wire', () => {
  it('S14: after b restarts, an old pid is unequal to the new pid with the same id and serial; sends to it are dropped; monitor gives noproc', async ({ cluster: c }) => {
    const [a, oldB] = await c.startNodes('a', 'b');
    await c.node('c');
    const oldGot: unknown[] = [];
    const oldPid = oldB.spawn(async (self) => {
      for (;;) oldGot.push(await self.receive());
    });
    a.send(oldPid, 'hello old');
    await eventually(() => oldGot.length === 1, 2000);

    await oldB.stop();
    await eventually(() => !a.nodes().includes(oldB.name), 2000);
    const newB = await c.node('b');
    expect(newB.name).toBe(oldB.name);
    const newGot: unknown[] = [];
    const newPid = newB.spawn(async (self) => {
      for (;;) newGot.push(await self.receive());
    });
    // Same node name, id and serial (the same spawn order on both incarnations)…
    expect(newPid.node).toBe(oldPid.node);
    expect(newPid.id).toBe(oldPid.id);
    expect(newPid.serial).toBe(oldPid.serial);
    // …yet different processes.
    expect(newPid.equals(oldPid)).toBe(false);
    expect(oldPid.equals(newPid)).toBe(false);
    // Only the creation tells them apart.
    expect(new Pid(oldPid.node, oldPid.id, oldPid.serial, newB.creation).equals(newPid)).toBe(true);

    // A send to the old pid is dropped, although a process with the same id/serial lives.
    const stale = ['stale'];
    expect(a.send(oldPid, stale)).toBe(stale);
    a.send(newPid, 'fresh'); // same connection, so it would arrive after 'stale'
    await eventually(() => newGot.length >= 1, 2000);
    expect(newGot).toEqual(['fresh']);

    // monitor / link on the old pid: noproc.
    const [down, exit] = await runIn(a, async (self) => {
      self.trapExit(true);
      const ref = self.monitor(oldPid);
      const d = (await self.receive((m) => m[0] === 'DOWN')) as unknown[];
      self.link(oldPid);
      const x = (await self.receive((m) => m[0] === 'EXIT')) as unknown[];
      return [[ref, ...d], x] as const;
    }, 3000);
    expect((down[2] as Ref).equals(down[0])).toBe(true);
    expect(down[3]).toBe('process');
    expect((down[4] as Pid).equals(oldPid)).toBe(true);
    expect(down[5]).toBe('noproc');
    expect((exit[1] as Pid).equals(oldPid)).toBe(true);
    expect(exit[2]).toBe('noproc');
    expect(newGot).toEqual(['fresh']);
    expect(newB.isProcessAlive(newPid)).toBe(true);
  });

  it("S14: [name, node] sends (reg_send) from a and from c are delivered to b's registered process", async ({ cluster: c }) => {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    const srv = recorder(b);
    b.register('srv', srv.pid);
    const r1 = a.send(['srv', b.name], ['from', 'a-node']);
    expect(r1).toEqual(['from', 'a-node']);
    const fromA = await runIn(a, (self) => {
      self.send(['srv', b.name], ['from', self.pid]);
      return self.pid;
    }, 3000);
    const fromC = await runIn(cc, (self) => {
      self.send(['srv', b.name], ['from', self.pid]);
      return self.pid;
    }, 3000);
    // Also the [name, node] form addressed to the local node.
    b.send(['srv', b.name], ['from', 'b-local']);
    await eventually(() => srv.got.length === 4, 2000);
    const m = srv.got as Array<[string, unknown]>;
    expect(m.filter((x) => x[1] === 'a-node').length).toBe(1);
    expect(m.filter((x) => x[1] === 'b-local').length).toBe(1);
    expect(m.some((x) => x[1] instanceof Pid && x[1].equals(fromA))).toBe(true);
    expect(m.some((x) => x[1] instanceof Pid && x[1].equals(fromC))).toBe(true);
  });

  it('S14: a message holding a function cannot be sent to a remote pid: badarg, and nothing arrives', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const atB = recorder(b);
    let err: unknown;
    try {
      a.send(atB.pid, ['call', { cb: () => 1 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ErlmeshError);
    expect((err as ErlmeshError).code).toBe('badarg');
    a.send(atB.pid, 'marker');
    await eventually(() => atB.got.length > 0, 2000);
    expect(atB.got).toEqual(['marker']);
  });

  it('S14: every term kind arrives intact across nodes (a → b → c)', async ({ cluster: c }) => {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    const atC = recorder(cc);
    const atB: unknown[] = [];
    const relay = b.spawn(async (self) => {
      const m = await self.receive();
      atB.push(m);
      self.send(atC.pid, m);
    });
    const custom = new Error('custom message');
    custom.name = 'MyError';
    const { pid: senderPid, ref } = await runIn(a, (self) => {
      const [, r] = self.spawnMonitor(() => undefined);
      const term = {
        map: new Map<unknown, unknown>([
          ['k', 1],
          [2, ['nested', self.pid]],
        ]),
        set: new Set<unknown>(['x', 3]),
        date: new Date(1_700_000_000_123),
        big: 12_345_678_901_234_567_890n,
        bytes: new Uint8Array([0, 1, 127, 128, 254, 255]),
        errors: [new TypeError('bad type'), custom],
        ids: [self.pid, { inner: r, deeper: [[r]] }],
        holes: [1, undefined, 'three'],
        tuple: ['ok', undefined],
        nothing: undefined,
      };
      self.send(relay, term);
      return { pid: self.pid, ref: r };
    }, 3000);
    await eventually(() => atC.got.length === 1, 2000);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const got of [atB[0], atC.got[0]] as Array<Record<string, any>>) {
      expect(got.map).toBeInstanceOf(Map);
      expect(got.map.get('k')).toBe(1);
      expect(got.map.get(2)[0]).toBe('nested');
      expect(got.map.get(2)[1]).toBeInstanceOf(Pid);
      expect(got.map.get(2)[1].equals(senderPid)).toBe(true);
      expect(got.set).toBeInstanceOf(Set);
      expect([...got.set]).toEqual(['x', 3]);
      expect(got.date).toBeInstanceOf(Date);
      expect(got.date.getTime()).toBe(1_700_000_000_123);
      expect(typeof got.big).toBe('bigint');
      expect(got.big).toBe(12_345_678_901_234_567_890n);
      expect(got.bytes).toBeInstanceOf(Uint8Array);
      expect([...got.bytes]).toEqual([0, 1, 127, 128, 254, 255]);
      expect(got.errors[0]).toBeInstanceOf(Error);
      expect(got.errors[0].name).toBe('TypeError');
      expect(got.errors[0].message).toBe('bad type');
      expect(got.errors[1]).toBeInstanceOf(Error);
      expect(got.errors[1].name).toBe('MyError');
      expect(got.errors[1].message).toBe('custom message');
      expect(got.ids[0].equals(senderPid)).toBe(true);
      expect(got.ids[1].inner).toBeInstanceOf(Ref);
      expect(got.ids[1].inner.equals(ref)).toBe(true);
      expect(got.ids[1].deeper[0][0].equals(ref)).toBe(true);
      expect(got.holes.length).toBe(3);
      expect(1 in got.holes).toBe(true);
      expect(got.holes[1]).toBeUndefined();
      expect(got.holes[2]).toBe('three');
      expect(got.tuple).toEqual(['ok', undefined]);
      expect(got.tuple.length).toBe(2);
      expect('nothing' in got).toBe(true);
    }
  });
});
