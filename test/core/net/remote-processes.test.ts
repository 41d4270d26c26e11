/**
 * Remote spawn, links and monitors across nodes (docs/semantics.md §5, scenarios S15–S18).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { defineModule, type Node, Pid, Ref } from '../../../src/core/index.js';
import { eventually, TestCluster } from '../../support/cluster.js';
import { isDown, isExit, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

/** A name that exists nowhere: a shipped function referring to it fails with ReferenceError on b. */
declare const notDefinedOnB: unknown;

// ----- helpers ---------------------------------------------------------------------------

/** Functions the tests spawn on b and c (loaded there; closures are fine for loaded modules). */
const tm = defineModule('tm', {
  exitWith: (self, reason: unknown) => self.exit(reason),
  returnNormally: () => 'done',
  waitForever: async (self) => {
    await self.receive(() => false);
  },
  /** Trap exits, say ready, then report the first message. */
  trapAndReport: async (self, to: Pid) => {
    self.trapExit(true);
    self.send(to, ['ready', self.pid]);
    const m = await self.receive();
    self.send(to, ['got', m]);
  },
});

let cl: TestCluster;
let a: Node;
let b: Node;
let c: Node;
it.beforeEach(async ({ cluster }) => {
  cl = cluster;
  a = await cl.node('a', { modules: [tm] });
  b = await cl.node('b', { modules: [tm] });
  c = await cl.node('c', { modules: [tm] });
});

// ----- S15 ---------------------------------------------------------------------------------

describe('S15: remote spawn and links', () => {
  it('S15: spawn(b, module, fun, args) returns a pid whose node is b, and the process runs there', async () => {
    const p = await within(a.spawn(b.name, 'tm', 'waitForever', []), 3000);
    expect(p).toBeInstanceOf(Pid);
    expect(p.node).toBe(b.name);
    expect(b.isProcessAlive(p)).toBe(true);
  });

  it("S15: spawnLink(b, …) then the remote self.exit('r') → the trapping caller gets ['EXIT', P, 'r']", async () => {
    const [p, m] = await runIn(a, async (self) => {
      self.trapExit(true);
      const pid = await self.spawnLink(b.name, 'tm', 'exitWith', ['r']);
      return [pid, (await self.receive(isExit)) as unknown[]] as const;
    }, 3000);
    expect(p.node).toBe(b.name);
    expect((m[1] as Pid).equals(p)).toBe(true);
    expect(m[2]).toBe('r');
  });

  it("S15: a normal remote exit → ['EXIT', P, 'normal']", async () => {
    const [p, m] = await runIn(a, async (self) => {
      self.trapExit(true);
      const pid = await self.spawnLink(b.name, 'tm', 'returnNormally', []);
      return [pid, (await self.receive(isExit)) as unknown[]] as const;
    }, 3000);
    expect((m[1] as Pid).equals(p)).toBe(true);
    expect(m[2]).toBe('normal');
  });

  it("S15: exit(RemotePid, 'kill') → the linked caller gets ['EXIT', P, 'killed']", async () => {
    const [p, m] = await runIn(a, async (self) => {
      self.trapExit(true);
      const pid = await self.spawnLink(b.name, 'tm', 'waitForever', []);
      self.exit(pid, 'kill');
      return [pid, (await self.receive(isExit)) as unknown[]] as const;
    }, 3000);
    expect((m[1] as Pid).equals(p)).toBe(true);
    expect(m[2]).toBe('killed');
    expect(b.isProcessAlive(p)).toBe(false);
  });

  it("S15: exit(TrappingRemote, 'custom') → the remote process receives ['EXIT', callerPid, 'custom']", async () => {
    const { caller, got, remote } = await runIn(a, async (self) => {
      const pid = await self.spawn(b.name, 'tm', 'trapAndReport', [self.pid]);
      const ready = (await self.receive((m) => m[0] === 'ready')) as [string, Pid];
      self.exit(pid, 'custom');
      const reported = (await self.receive((m) => m[0] === 'got')) as [string, unknown[]];
      return { caller: self.pid, got: reported[1], remote: [pid, ready[1]] };
    }, 3000);
    expect(remote[0]!.equals(remote[1])).toBe(true);
    expect(got[0]).toBe('EXIT');
    expect((got[1] as Pid).equals(caller)).toBe(true);
    expect(got[2]).toBe('custom');
  });

  it("S15: exit(RemotePid, 'normal') is ignored by a non-trapping remote process", async () => {
    const [p, alive] = await runIn(a, async (self) => {
      const pid = await self.spawn(b.name, 'tm', 'waitForever', []);
      self.exit(pid, 'normal');
      // A round trip on the same connection: the exit signal was handled before the reply.
      await self.node.rpc.call(b.name, 'erlang', 'node', []);
      return [pid, b.isProcessAlive(pid)] as const;
    }, 3000);
    expect(p.node).toBe(b.name);
    expect(alive).toBe(true);
  });

  it('S15: a message sent just before the remote process exits arrives before its EXIT and its DOWN', async () => {
    b.load(
      defineModule('lw', {
        go: async (self, to: Pid) => {
          await self.receive((m) => m === 'go');
          self.send(to, ['last', 'words']);
          self.exit('gone');
        },
      }),
    );
    const { pid, ref, msgs } = await runIn(a, async (self) => {
      self.trapExit(true);
      const p = await self.spawnLink(b.name, 'lw', 'go', [self.pid]);
      const r = self.monitor(p);
      self.send(p, 'go');
      const out: unknown[][] = [];
      for (let i = 0; i < 3; i++) out.push((await self.receive()) as unknown[]);
      return { pid: p, ref: r, msgs: out };
    }, 3000);
    expect(msgs[0]).toEqual(['last', 'words']);
    expect(msgs[1]![0]).toBe('EXIT');
    expect((msgs[1]![1] as Pid).equals(pid)).toBe(true);
    expect(msgs[1]![2]).toBe('gone');
    expect(msgs[2]![0]).toBe('DOWN');
    expect((msgs[2]![1] as Ref).equals(ref)).toBe(true);
    expect(msgs[2]![4]).toBe('gone');
  });

  /**
   * Watchers of processes on b, set up on a and on c: a trapping linker, a non-trapping linked
   * process, a pid monitor, a name monitor and a monitorNode. Then `cut` takes b away.
   */
  async function watchB(cut: () => Promise<void> | void) {
    const somename = b.spawn(async (self) => {
      await self.receive(() => false);
    });
    b.register('somename', somename);

    let linkedPid: Pid | undefined;
    const linkerReady = new Promise<void>((ready) => {
      void runIn(a, async (self) => {
        self.trapExit(true);
        linkedPid = await self.spawnLink(b.name, 'tm', 'waitForever', []);
        ready();
        return (await self.receive(isExit)) as unknown[];
      }, 3000).then((m) => (linkerExit = m));
    });
    let linkerExit: unknown[] | undefined;

    let silentChild: Pid | undefined;
    let silentExit: unknown;
    const silentReady = new Promise<void>((ready) => {
      const silent = a.spawn(async (self) => {
        silentChild = await self.spawnLink(b.name, 'tm', 'waitForever', []);
        ready();
        await self.receive(() => false);
      });
      void a.exitReason(silent).then((r) => (silentExit = r));
    });

    let monitored: { pid: Pid; ref: Ref; nameRef: Ref } | undefined;
    let monitorMsgs: unknown[] | undefined;
    const monitorReady = new Promise<void>((ready) => {
      void runIn(c, async (self) => {
        const pid = await self.spawn(b.name, 'tm', 'waitForever', []);
        const ref = self.monitor(pid);
        const nameRef = self.monitor(['somename', b.name]);
        self.monitorNode(b.name);
        monitored = { pid, ref, nameRef };
        ready();
        const out: unknown[] = [];
        for (let i = 0; i < 3; i++) out.push(await self.receive());
        return out;
      }, 3000).then((ms) => (monitorMsgs = ms));
    });

    await within(Promise.all([linkerReady, silentReady, monitorReady]), 3000, 'the watchers');
    // The remote monitors are in place on b before it goes (a round trip on the same connections).
    expect(await c.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    await cut();
    await eventually(() => linkerExit !== undefined && silentExit !== undefined && monitorMsgs !== undefined, 3000);

    expect(linkerExit![0]).toBe('EXIT');
    expect((linkerExit![1] as Pid).equals(linkedPid)).toBe(true);
    expect(linkerExit![2]).toBe('noconnection');

    // A linked process that does not trap exits dies silently with noconnection.
    expect(silentExit).toBe('noconnection');
    expect(silentChild!.node).toBe(b.name);
    expect(cl.output(a)).not.toContain('Error in process');

    const downs = monitorMsgs!.filter(isDown) as unknown[][];
    expect(downs.length).toBe(2);
    const byPid = downs.find((d) => (d[1] as Ref).equals(monitored!.ref))!;
    const byName = downs.find((d) => (d[1] as Ref).equals(monitored!.nameRef))!;
    expect(byPid[2]).toBe('process');
    expect((byPid[3] as Pid).equals(monitored!.pid)).toBe(true);
    expect(byPid[4]).toBe('noconnection');
    expect(byName[2]).toBe('process');
    expect(byName[3]).toEqual(['somename', b.name]);
    expect(byName[4]).toBe('noconnection');
    expect(monitorMsgs).toContainEqual(['nodedown', b.name]);
  }

  it("S15: when b stops, link → ['EXIT', P, 'noconnection'], monitors (pid and ['somename', b]) → DOWN 'noconnection', non-trapping linked process dies silently", async () => {
    await watchB(() => b.stop());
  });

  it('S15: the same when b is killed (net.kill)', async () => {
    await watchB(() => cl.net.kill(b.name));
  });
});

// ----- S16 ---------------------------------------------------------------------------------

describe('S16: spawning on a node that does not exist', () => {
  it("S16: spawnMonitor on 'zz@vm' → DOWN 'noconnection' with a local pid that never lived; logs 'Can not start … ([monitor])'", async () => {
    const { pid, ref, down } = await runIn(a, async (self) => {
      const [p, r] = await self.spawnMonitor('zz@vm', 'tm', 'waitForever', []);
      return { pid: p, ref: r, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect(pid).toBeInstanceOf(Pid);
    expect(pid.node).toBe(a.name);
    expect(a.isProcessAlive(pid)).toBe(false);
    expect(await a.exitReason(pid)).toBe('noproc');
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect(down[2]).toBe('process');
    expect((down[3] as Pid).equals(pid)).toBe(true);
    expect(down[4]).toBe('noconnection');
    const line = cl.logs(a).split('\n').find((l) => l.includes('Can not start'));
    expect(line).toBeDefined();
    expect(line).toContain('zz@vm');
    expect(line!.endsWith(' ([monitor])')).toBe(true);
  });

  it("S16: spawnLink on 'zz@vm' → ['EXIT', P, 'noconnection'] when trapping; logs 'Can not start … ([link])'", async () => {
    const { pid, exit } = await runIn(a, async (self) => {
      self.trapExit(true);
      const p = await self.spawnLink('zz@vm', 'tm', 'waitForever', []);
      return { pid: p, exit: (await self.receive(isExit)) as unknown[] };
    }, 3000);
    expect(pid.node).toBe(a.name);
    expect(a.isProcessAlive(pid)).toBe(false);
    expect((exit[1] as Pid).equals(pid)).toBe(true);
    expect(exit[2]).toBe('noconnection');
    const line = cl.logs(a).split('\n').find((l) => l.includes('Can not start'));
    expect(line).toContain('zz@vm');
    expect(line!.endsWith(' ([link])')).toBe(true);
  });

  it("S16: plain spawn on 'zz@vm' returns a useless local pid and logs 'Can not start' without a suffix", async () => {
    const pid = await within(a.spawn('zz@vm', 'tm', 'waitForever', []), 3000);
    expect(pid.node).toBe(a.name);
    expect(a.isProcessAlive(pid)).toBe(false);
    const line = cl.logs(a).split('\n').find((l) => l.includes('Can not start'));
    expect(line).toContain('tm:waitForever');
    expect(line).toContain('zz@vm');
    expect(line).not.toContain('([');
  });
});

// ----- S17 ---------------------------------------------------------------------------------

describe('S17: monitors and links on what is not there', () => {
  it("S17: monitor a dead remote pid → DOWN 'noproc'; link to it (trapping) → ['EXIT', pid, 'noproc']", async () => {
    const dead = b.spawn(() => undefined);
    const deadExit = b.exitReason(dead);
    expect(await within(deadExit, 3000)).toBe('normal');
    const { ref, down, exit, linked } = await runIn(a, async (self) => {
      self.trapExit(true);
      const r = self.monitor(dead);
      const d = (await self.receive(isDown)) as unknown[];
      const l = self.link(dead);
      const x = (await self.receive(isExit)) as unknown[];
      return { ref: r, down: d, exit: x, linked: l };
    }, 3000);
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect(down[2]).toBe('process');
    expect((down[3] as Pid).equals(dead)).toBe(true);
    expect(down[4]).toBe('noproc');
    expect(linked).toBe(true);
    expect((exit[1] as Pid).equals(dead)).toBe(true);
    expect(exit[2]).toBe('noproc');
  });

  it("S17: monitor(['nosuchname', b]) → DOWN with ['nosuchname', b] in the pid slot and 'noproc'", async () => {
    const { ref, down } = await runIn(a, async (self) => {
      const r = self.monitor(['nosuchname', b.name]);
      return { ref: r, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect(down[2]).toBe('process');
    expect(down[3]).toEqual(['nosuchname', b.name]);
    expect(down[4]).toBe('noproc');
  });

  it("S17: monitor(['somename', 'zz@vm']) → DOWN ['somename', 'zz@vm'] 'noconnection'", async () => {
    const { ref, down } = await runIn(a, async (self) => {
      const r = self.monitor(['somename', 'zz@vm']);
      return { ref: r, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect(down[3]).toEqual(['somename', 'zz@vm']);
    expect(down[4]).toBe('noconnection');
  });
});

// ----- S18 ---------------------------------------------------------------------------------

describe('S18: shipped functions (JS adaptation of remote funs)', () => {
  it("S18: spawn(b, fn) runs a self-contained function on b; it reports b's name back to a pid passed by message", async () => {
    const { pid, reply, me } = await runIn(a, async (self) => {
      const p = await self.spawn(b.name, async (s) => {
        const [from] = (await s.receive()) as [Pid];
        s.send(from, ['hi', s.node.name, s.pid]);
      });
      self.send(p, [self.pid]);
      return { pid: p, reply: (await self.receive((m) => m[0] === 'hi')) as unknown[], me: self.pid };
    }, 3000);
    expect(pid.node).toBe(b.name);
    expect(reply[1]).toBe(b.name);
    expect((reply[2] as Pid).equals(pid)).toBe(true);
    expect(me.node).toBe(a.name);
  });

  it("S18: a shipped function that refers to a variable missing on b exits with ['exception', ReferenceError]; the crash report is on a's output", async () => {
    const { pid, down } = await runIn(a, async (self) => {
      const [p] = await self.spawnMonitor(b.name, (s) => {
        s.send(s.pid, notDefinedOnB);
      });
      return { pid: p, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect(pid.node).toBe(b.name);
    expect((down[3] as Pid).equals(pid)).toBe(true);
    const reason = down[4] as [string, Error];
    expect(reason[0]).toBe('exception');
    expect(reason[1]).toBeInstanceOf(Error);
    expect(reason[1].name).toBe('ReferenceError');
    await eventually(() => cl.output(a).includes('Error in process'), 2000);
    expect(cl.output(a)).toContain(`on node ${b.name}`);
    expect(cl.output(a)).toContain('ReferenceError');
    expect(cl.output(b)).not.toContain('Error in process');
  });

  it("S18: a function source that cannot compile exits with ['badfun', …]", async () => {
    const { ref, down } = await runIn(a, async (self) => {
      const { pid, ref: r } = await (self.node as Node).runtime.requestSpawn(
        self.proc,
        self.groupLeader,
        b.name,
        { kind: 'fn', source: 'this is not js' },
        false,
        true,
      );
      const d = (await self.receive(isDown)) as unknown[];
      return { ref: r, down: [...d, pid] };
    }, 3000);
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect((down[5] as Pid).node).toBe(b.name);
    expect((down[3] as Pid).equals(down[5])).toBe(true);
    const reason = down[4] as unknown[];
    expect(Array.isArray(reason)).toBe(true);
    expect(reason[0]).toBe('badfun');
  });

  it("S18: an MFA spawn of a missing module exits with ['undef', [m, f, args]]; the crash report is on a's output", async () => {
    const { pid, down } = await runIn(a, async (self) => {
      const [p] = await self.spawnMonitor(b.name, 'nosuchmod', 'f', [1, 'x']);
      return { pid: p, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect(pid.node).toBe(b.name);
    expect(down[4]).toEqual(['undef', ['nosuchmod', 'f', [1, 'x']]]);
    await eventually(() => cl.output(a).includes('Error in process'), 2000);
    expect(cl.output(a)).toContain('nosuchmod');
    expect(cl.output(b)).not.toContain('Error in process');
  });

  it('S18: spawn(node, fn) with the local node runs the closure directly (closures allowed)', async () => {
    const secret = { token: 'captured-by-closure' };
    const seen: unknown[] = [];
    const pid = await runIn(a, async (self) => {
      const p = await self.spawn(a.name, (s) => {
        seen.push(secret, s.node.name);
      });
      return p;
    }, 3000);
    expect(pid.node).toBe(a.name);
    await eventually(() => seen.length === 2, 2000);
    expect(seen[0]).toBe(secret);
    expect(seen[1]).toBe(a.name);
  });

  it("S18: remote spawnMonitor, the remote process throws → DOWN ['exception', Error] with name and message intact", async () => {
    const { pid, ref, down } = await runIn(a, async (self) => {
      const [p, r] = await self.spawnMonitor(b.name, () => {
        const e = new Error('kaboom on b');
        e.name = 'KaboomError';
        throw e;
      });
      return { pid: p, ref: r, down: (await self.receive(isDown)) as unknown[] };
    }, 3000);
    expect((down[1] as Ref).equals(ref)).toBe(true);
    expect((down[3] as Pid).equals(pid)).toBe(true);
    const reason = down[4] as [string, Error];
    expect(reason[0]).toBe('exception');
    expect(reason[1]).toBeInstanceOf(Error);
    expect(reason[1].name).toBe('KaboomError');
    expect(reason[1].message).toBe('kaboom on b');
  });

  it('S18: a built-in error class thrown remotely comes back as that class', async () => {
    const down = await runIn(a, async (self) => {
      await self.spawnMonitor(c.name, () => {
        throw new RangeError('out of range on c');
      });
      return (await self.receive(isDown)) as unknown[];
    }, 3000);
    const reason = down[4] as [string, Error];
    expect(reason[0]).toBe('exception');
    expect(reason[1]).toBeInstanceOf(RangeError);
    expect(reason[1].message).toBe('out of range on c');
  });
});
