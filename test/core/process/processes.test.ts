/**
 * Processes on one node: spawn, exit reasons, crash reports, links, exit signals, monitors,
 * and robustness against misbehaving user code (docs/semantics.md §5; exit-signal rules of
 * src/core/process/signals.ts).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { type Node, Pid, type ProcessContext, Ref, TIMEOUT } from '../../../src/core/index.js';
import { thrownCode } from '../../support/errors.js';
import { idle, isDown, isExit, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

/**
 * The exit reason of a local process. Ask while it is alive: node.exitReason of a process
 * that has already exited resolves 'noproc' (the process table no longer knows it).
 */
function reasonOf(node: Node, pid: Pid): Promise<unknown> {
  return within(node.exitReason(pid));
}

/** Spawn on `node` and start watching the exit reason at once. */
function spawnW(node: Node, fn: (self: ProcessContext) => unknown): { pid: Pid; done: Promise<unknown> } {
  const pid = node.spawn(fn);
  return { pid, done: reasonOf(node, pid) };
}

describe('processes on one node', () => {
  async function oneNode(c: TestCluster): Promise<Node> {
    return c.node('a');
  }

  /** Print a marker through a process on `node` and wait until it shows: earlier output is in. */
  async function outputSettled(c: TestCluster, node: Node): Promise<string> {
    const marker = `--marker-${Math.random()}--`;
    node.spawn((self) => self.print(marker));
    await eventually(() => c!.output(node).includes(marker), 2000);
    return c!.output(node);
  }

  // ----- spawn and exit reasons ----------------------------------------------------------

  it('spawn returns a Pid at once; the body runs afterwards with self.pid equal to it', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const log: string[] = [];
    let seen: Pid | undefined;
    const pid = a.spawn(async (self) => {
      seen = self.pid;
      log.push('body');
    });
    log.push('returned');
    expect(pid).toBeInstanceOf(Pid);
    expect(pid.node).toBe(a.name);
    expect(log).toEqual(['returned']);
    expect(a.isProcessAlive(pid)).toBe(true);
    expect(await reasonOf(a, pid)).toBe('normal');
    expect(log).toEqual(['returned', 'body']);
    expect(pid.equals(seen)).toBe(true);
    expect(a.isProcessAlive(pid)).toBe(false);
  });

  it('distinct spawns get distinct pids', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p1 = a.spawn(idle);
    const p2 = a.spawn(idle);
    expect(p1.equals(p2)).toBe(false);
    expect(p1.equals(p1)).toBe(true);
  });

  it('a body that returns (sync or async) exits normal, with no crash report', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p1 = spawnW(a, () => 42);
    const p2 = spawnW(a, async (self) => {
      await self.receive(undefined, 0);
      return 'value';
    });
    expect(await p1.done).toBe('normal');
    expect(await p2.done).toBe('normal');
    expect(await outputSettled(c, a)).not.toContain('Error in process');
  });

  it('a throwing body exits with [exception, err] and a crash report is printed on the node', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const err = new Error('boom-xyz');
    const p1 = spawnW(a, () => {
      throw err;
    });
    const p2 = spawnW(a, async (self) => {
      await self.receive(undefined, 0);
      throw err;
    });
    const r1 = (await p1.done) as unknown[];
    expect(r1).toEqual(['exception', err]);
    expect(r1[1]).toBe(err);
    expect(await p2.done).toEqual(['exception', err]);
    await eventually(() => c!.output(a).split('Error in process').length - 1 >= 2, 2000);
    expect(c!.output(a)).toContain('boom-xyz');
  });

  it('self.exit(reason) ends the process; code after it does not run; no crash report', async ({ cluster: c }) => {
    const a = await oneNode(c);
    let after = false;
    const p1 = spawnW(a, (self) => {
      self.exit('bye');
      after = true;
    });
    const p2 = spawnW(a, async (self) => {
      await self.receive(undefined, 0);
      self.exit(['custom', 1]);
      after = true;
    });
    expect(await p1.done).toBe('bye');
    expect(await p2.done).toEqual(['custom', 1]);
    expect(after).toBe(false);
    expect(await outputSettled(c, a)).not.toContain('Error in process');
  });

  it("self.throw(v) uncaught exits with ['nocatch', v]", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const pid = a.spawn(async (self) => {
      await self.receive(undefined, 0);
      self.throw(['ball', 7]);
    });
    expect(await reasonOf(a, pid)).toEqual(['nocatch', ['ball', 7]]);
  });

  it('a body that throws a non-Error value (a string, undefined) exits with [exception, value]; the node keeps working', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p1 = spawnW(a, () => {
      throw 'just a string';
    });
    const p2 = spawnW(a, async () => {
      throw undefined;
    });
    const p3 = spawnW(a, () => Promise.reject(42));
    expect(await p1.done).toEqual(['exception', 'just a string']);
    expect(await p2.done).toEqual(['exception', undefined]);
    expect(await p3.done).toEqual(['exception', 42]);
    await eventually(() => c!.output(a).includes('just a string'), 2000);
    // other processes still work
    const echo = a.spawn(async (self) => {
      for (;;) {
        const m = (await self.receive()) as [Pid, unknown];
        self.send(m[0], ['echo', m[1]]);
      }
    });
    const got = await runIn(a, async (self) => {
      self.send(echo, [self.pid, 'hi']);
      return self.receive();
    });
    expect(got).toEqual(['echo', 'hi']);
    expect(a.isProcessAlive(echo)).toBe(true);
    expect(await a.rpc.call(a.name, 'math', 'sqrt', [9])).toBe(3);
  });

  it('user code throwing inside a receive matcher is a non-match and crashes nothing', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.send(self.pid, null);
      self.send(self.pid, 'str');
      self.send(self.pid, { deep: { v: 1 } });
      const m = await self.receive((x: unknown) => {
        if (x === 'str') throw new Error('matcher fails');
        return (x as { deep: { v: number } }).deep.v === 1; // TypeError on null
      });
      const rest = self.flush();
      return [m, rest];
    });
    expect(got).toEqual([{ deep: { v: 1 } }, [null, 'str']]);
    // a waiting receive whose matcher throws on arriving messages
    const waiter = a.spawn(async (self) => {
      const m = await self.receive((x: unknown) => (x as { ok: unknown }).ok === true); // TypeError on null
      self.exit(['got', m]);
    });
    const done = reasonOf(a, waiter);
    a.send(waiter, null);
    a.send(waiter, 7);
    expect(a.isProcessAlive(waiter)).toBe(true);
    a.send(waiter, { ok: true });
    expect(await done).toEqual(['got', { ok: true }]);
  });

  // ----- sending functions ---------------------------------------------------------------

  it('sending a function throws badarg (node.send and self.send, also nested) and delivers nothing', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const fn = (): number => 1;
    const target = a.spawn(async (self) => {
      const first = await self.receive();
      const next = await self.receive(undefined, 0);
      self.exit(['first', first, next === TIMEOUT ? 'empty' : next]);
    });
    const done = reasonOf(a, target);
    a.register('target', target);
    const codes: string[] = [];
    codes.push(thrownCode(() => a.send(target, fn)));
    codes.push(thrownCode(() => a.send(target, ['call', fn])));
    codes.push(thrownCode(() => a.send(target, { cb: fn })));
    codes.push(thrownCode(() => a.send('target', [{ deep: [fn] }])));
    const inner = await runIn(a, (self) => [
      thrownCode(() => self.send(target, fn)),
      thrownCode(() => self.send(target, ['call', fn])),
      thrownCode(() => self.send(target, { cb: fn })),
      thrownCode(() => self.send(['target', a.name], { nested: { f: fn } })),
    ]);
    expect([...codes, ...inner]).toEqual(Array(8).fill('badarg'));
    a.send(target, 'marker');
    expect(await done).toEqual(['first', 'marker', 'empty']);
  });

  // ----- links ---------------------------------------------------------------------------

  it('a linked non-trapping process dies with the same non-normal reason', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const parent = a.spawn(async (self) => {
      self.spawnLink((child) => child.exit('boom'));
      await self.receive(() => false);
    });
    expect(await reasonOf(a, parent)).toBe('boom');

    // explicit link, the other direction, reason a crash
    const b = a.spawn(idle);
    const bDone = reasonOf(a, b);
    const err = new Error('crash');
    a.spawn((self) => {
      self.link(b);
      throw err;
    });
    expect(await bDone).toEqual(['exception', err]);
  });

  it('a normal exit does not kill a non-trapping linked process', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = spawnW(a, async (self) => {
      const child = self.spawnLink(() => 'done');
      const ref = self.monitor(child);
      // the link's exit signal ('normal') is sent before the DOWN, so it has been handled by now
      const down = (await self.receive(isDown)) as unknown[];
      await self.receive((m) => m === 'stop');
      self.exit(['survived', ref.equals(down[1]), down[4]]);
    });
    await runIn(a, () => undefined);
    await runIn(a, () => undefined);
    expect(a.isProcessAlive(p.pid)).toBe(true);
    a.send(p.pid, 'stop');
    expect(await p.done).toEqual(['survived', true, 'normal']);
  });

  it("a trapping process gets ['EXIT', pid, reason] for linked exits, 'normal' included, and survives", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      const c1 = self.spawnLink(() => undefined);
      const c2 = self.spawnLink((s) => s.exit('boom'));
      const m1 = (await self.receive((m) => isExit(m) && c1.equals(m[1]))) as unknown[];
      const m2 = (await self.receive((m) => isExit(m) && c2.equals(m[1]))) as unknown[];
      return [m1[2], m2[2], self.isAlive(), m1.length, m2.length];
    });
    expect(got).toEqual(['normal', 'boom', true, 3, 3]);
  });

  it("exit(pid, 'kill') gives 'killed' even when the target traps; linked processes see 'killed'", async ({ cluster: c }) => {
    const a = await oneNode(c);
    for (const how of ['node', 'process'] as const) {
      const target = a.spawn(async (self) => {
        self.trapExit(true);
        await self.receive(() => false);
      });
      const targetDone = reasonOf(a, target);
      const seen = await runIn(a, async (self) => {
        self.trapExit(true);
        self.link(target);
        if (how === 'node') a.exit(target, 'kill');
        else self.exit(target, 'kill');
        return self.receive(isExit);
      });
      expect(await targetDone).toBe('killed');
      expect((seen as unknown[])[2]).toBe('killed');
      expect(target.equals((seen as unknown[])[1])).toBe(true);
    }
    // a non-trapping linked process dies with 'killed' too
    const t2 = a.spawn(idle);
    const watcher = a.spawn(async (self) => {
      self.link(t2);
      await self.receive(() => false);
    });
    const wDone = reasonOf(a, watcher);
    await runIn(a, () => undefined); // the watcher's body (and its link) has run by now
    a.exit(t2, 'kill');
    expect(await wDone).toBe('killed');
  });

  it("exit(pid, 'normal') is ignored by a non-trapping target", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const target = a.spawn(async (self) => {
      for (;;) {
        const m = (await self.receive()) as [string, Pid];
        self.send(m[1], ['alive', self.pid]);
      }
    });
    a.exit(target, 'normal');
    const got = await runIn(a, async (self) => {
      self.exit(target, 'normal');
      self.send(target, ['ping', self.pid]);
      return self.receive();
    });
    expect((got as unknown[])[0]).toBe('alive');
    expect(a.isProcessAlive(target)).toBe(true);
  });

  it("exit(self, 'normal') kills the calling process itself (and traps as a message when trapping)", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const pid = a.spawn(async (self) => {
      self.exit(self.pid, 'normal');
      await self.receive();
      self.exit('not-killed');
    });
    const done = reasonOf(a, pid);
    a.send(pid, 'wake');
    expect(await done).toBe('normal');

    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      self.exit(self.pid, 'normal');
      return self.receive(undefined, 0);
    });
    expect((got as unknown[])[0]).toBe('EXIT');
    expect((got as unknown[])[2]).toBe('normal');
  });

  it("a trapping target receives ['EXIT', from, custom] from exit(pid, custom)", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const target = a.spawn(async (self) => {
      self.trapExit(true);
      const m1 = await self.receive();
      const m2 = await self.receive();
      self.exit(['got', m1, m2]);
    });
    const done = reasonOf(a, target);
    const sender = await runIn(a, (self) => {
      self.exit(target, ['custom', 1]);
      return self.pid;
    });
    a.exit(target, 'other');
    const r = (await done) as [string, unknown[], unknown[]];
    expect(r[0]).toBe('got');
    expect(r[1][0]).toBe('EXIT');
    expect(sender.equals(r[1][1])).toBe(true);
    expect(r[1][2]).toEqual(['custom', 1]);
    expect(r[2][0]).toBe('EXIT');
    expect(a.whereis('user')!.equals(r[2][1])).toBe(true);
    expect(r[2][2]).toBe('other');
  });

  it("a link exit signal with reason 'kill' is trappable; a non-trapping linked process dies with 'kill'", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      const child = self.spawnLink((s) => s.exit('kill'));
      const m = (await self.receive(isExit)) as unknown[];
      return [child.equals(m[1]), m[2], self.isAlive()];
    });
    expect(got).toEqual([true, 'kill', true]);

    const parent = a.spawn(async (self) => {
      self.spawnLink((s) => s.exit('kill'));
      await self.receive(() => false);
    });
    expect(await reasonOf(a, parent)).toBe('kill');
  });

  it('spawnLink is linked from the start, even when the child dies before the parent acts', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      const child = self.spawnLink(() => {
        throw 'early';
      });
      const m = (await self.receive(isExit)) as unknown[];
      return [child.equals(m[1]), m[2]];
    });
    expect(got).toEqual([true, ['exception', 'early']]);

    // the local (node, module, fun, args) form of an undefined function: undef through the link
    const undef = await runIn(a, async (self) => {
      self.trapExit(true);
      const child = await self.spawnLink(a.name, 'nosuchmod', 'f', [1]);
      const m = (await self.receive(isExit)) as unknown[];
      return [child.equals(m[1]), m[2]];
    });
    expect(undef).toEqual([true, ['undef', ['nosuchmod', 'f', [1]]]]);
  });

  it('unlink stops propagation', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const parent = a.spawn(async (self) => {
      const child = self.spawnLink(async (s) => {
        await s.receive((m) => m === 'die');
        s.exit('boom');
      });
      self.unlink(child);
      const ref = self.monitor(child);
      self.send(child, 'die');
      const down = (await self.receive(isDown)) as unknown[];
      self.exit(['survived', ref.equals(down[1]), down[4]]);
    });
    expect(await reasonOf(a, parent)).toEqual(['survived', true, 'boom']);
  });

  it("unlink does not remove an ['EXIT', pid, r] message that came from exit(pid, r), not from a link (as Erlang)", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      const parent = self.pid;
      const sender = self.spawn((s) => {
        s.exit(parent, 'custom'); // an exit/2 signal: no link involved
        s.send(parent, 'sent');
      });
      await self.receive((m) => m === 'sent'); // the EXIT message is queued before 'sent'
      self.unlink(sender); // there is no link; Erlang leaves the queue alone
      const m = await self.receive(isExit, 0);
      return m === TIMEOUT ? 'dropped' : (m as unknown[])[2];
    });
    expect(got).toBe('custom');
  });

  it('a killed process does no more work: a send after its pending await is not delivered', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const col = spawnW(a, async (self) => {
      const m = await self.receive();
      self.exit(['first', m]);
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const z = spawnW(a, async (self) => {
      await gate; // e.g. awaiting some I/O when the kill arrives
      self.send(col.pid, 'zombie');
    });
    await runIn(a, () => undefined); // z is now waiting on the gate
    a.exit(z.pid, 'kill');
    expect(await z.done).toBe('killed');
    release();
    await runIn(a, () => undefined); // z's continuation has run by now
    a.send(col.pid, 'marker');
    expect(await col.done).toEqual(['first', 'marker']);
  });

  it("link to a dead local pid: ['EXIT', pid, 'noproc'] when trapping, death by noproc when not", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const dead = a.spawn(() => undefined);
    expect(await reasonOf(a, dead)).toBe('normal');
    const got = await runIn(a, async (self) => {
      self.trapExit(true);
      const r = self.link(dead);
      const m = (await self.receive(isExit)) as unknown[];
      return [r, dead.equals(m[1]), m[2]];
    });
    expect(got).toEqual([true, true, 'noproc']);

    const p = a.spawn(async (self) => {
      self.link(dead);
      await self.receive(() => false);
    });
    expect(await reasonOf(a, p)).toBe('noproc');
  });

  it('a 10,000-process link chain: the last one dies and the reason propagates to the first without a stack overflow', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const N = 10_000;
    const pids: Pid[] = [];
    let linked = 0;
    for (let i = 0; i < N; i++) {
      const prev = pids[i - 1];
      pids.push(
        a.spawn(async (self) => {
          if (prev) self.link(prev);
          linked++;
          await self.receive(() => false);
        }),
      );
    }
    await eventually(() => linked === N, 3000);
    const firstDone = reasonOf(a, pids[0]!);
    const midDone = reasonOf(a, pids[N >> 1]!);
    a.exit(pids[N - 1]!, 'chain');
    expect(await firstDone).toBe('chain');
    expect(await midDone).toBe('chain');
    expect(pids.filter((p) => a.isProcessAlive(p))).toEqual([]);
  });

  // ----- monitors ------------------------------------------------------------------------

  it('spawnMonitor gives DOWN with the exit reason', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      const [pid, ref] = self.spawnMonitor((s) => s.exit(['why', 1]));
      const m = (await self.receive(isDown)) as unknown[];
      return { pid, ref, m };
    });
    expect(got.pid).toBeInstanceOf(Pid);
    expect(got.ref).toBeInstanceOf(Ref);
    expect(got.m.length).toBe(5);
    expect(got.ref.equals(got.m[1])).toBe(true);
    expect(got.m[2]).toBe('process');
    expect(got.pid.equals(got.m[3])).toBe(true);
    expect(got.m[4]).toEqual(['why', 1]);
  });

  it('a monitor is not a link: the monitoring process survives a crash', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      self.spawnMonitor(() => {
        throw 'x';
      });
      const m = (await self.receive(isDown)) as unknown[];
      return [m[4], self.isAlive()];
    });
    expect(got).toEqual([['exception', 'x'], true]);
  });

  it('monitor on a dead local pid gives DOWN noproc', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const dead = a.spawn(() => undefined);
    await reasonOf(a, dead);
    const got = await runIn(a, async (self) => {
      const ref = self.monitor(dead);
      const m = (await self.receive(isDown)) as unknown[];
      return [ref.equals(m[1]), m[2], dead.equals(m[3]), m[4]];
    });
    expect(got).toEqual([true, 'process', true, 'noproc']);
  });

  it('monitor by registered name shows [name, node] in the DOWN (also for a name not registered)', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const srv = a.spawn(idle);
    a.register('srv', srv);
    const got = await runIn(a, async (self) => {
      const r1 = self.monitor('srv');
      const r2 = self.monitor(['srv', a.name]);
      const r3 = self.monitor('nobody');
      self.exit(srv, 'bye');
      const d1 = (await self.receive((m) => isDown(m) && r1.equals(m[1]))) as unknown[];
      const d2 = (await self.receive((m) => isDown(m) && r2.equals(m[1]))) as unknown[];
      const d3 = (await self.receive((m) => isDown(m) && r3.equals(m[1]))) as unknown[];
      return [d1.slice(2), d2.slice(2), d3.slice(2)];
    });
    expect(got).toEqual([
      ['process', ['srv', a.name], 'bye'],
      ['process', ['srv', a.name], 'bye'],
      ['process', ['nobody', a.name], 'noproc'],
    ]);
  });

  it('demonitor with flush removes an already queued DOWN; without flush it stays', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      const out: unknown[] = [];
      for (const flush of [true, false]) {
        const target = self.spawn(async (s) => {
          await s.receive((m) => m === 'die');
        });
        const r1 = self.monitor(target);
        const r2 = self.monitor(target);
        self.send(target, 'die');
        // r2's DOWN comes after r1's, so once it is received r1's DOWN is queued
        await self.receive((m) => isDown(m) && r2.equals(m[1]));
        self.demonitor(r1, { flush });
        const left = await self.receive((m) => isDown(m) && r1.equals(m[1]), 0);
        out.push(left === TIMEOUT ? 'flushed' : (left as unknown[])[4]);
      }
      return out;
    });
    expect(got).toEqual(['flushed', 'normal']);
  });

  it('demonitor before the target dies: no DOWN arrives', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const got = await runIn(a, async (self) => {
      const target = self.spawn(async (s) => {
        await s.receive((m) => m === 'die');
      });
      const r1 = self.monitor(target);
      const r2 = self.monitor(target);
      self.demonitor(r1);
      self.send(target, 'die');
      await self.receive((m) => isDown(m) && r2.equals(m[1]));
      return self.receive((m) => isDown(m) && r1.equals(m[1]), 0);
    });
    expect(got).toBe(TIMEOUT);
  });

  // ----- scale and timers ----------------------------------------------------------------

  it('10,000 idle processes waiting in receive create no clock timers, and all can be messaged', async ({ clock, simCluster: c }) => {
    const a = await oneNode(c);
    await clock.flush();
    expect(clock.pending).toBe(0);
    const N = 10_000;
    const pids: Pid[] = [];
    const dones: Array<Promise<unknown>> = [];
    for (let i = 0; i < N; i++) {
      const pid = a.spawn(async (self) => {
        const m = (await self.receive((x) => Array.isArray(x) && x[0] === 'go')) as [string, number];
        self.exit(['done', m[1]]);
      });
      pids.push(pid);
      dones.push(a.exitReason(pid));
    }
    await clock.flush();
    expect(clock.pending).toBe(0);
    await clock.advance(3_600_000);
    expect(pids.every((p) => a.isProcessAlive(p))).toBe(true);
    pids.forEach((p, i) => a.send(p, ['go', i]));
    const reasons = await within(Promise.all(dones), 4000);
    expect(reasons).toEqual(pids.map((_, i) => ['done', i]));
    expect(clock.pending).toBe(0);
  });

  it('a receive with a timeout in a process runs on the node clock: TIMEOUT after advance, not before', async ({ clock, simCluster: c }) => {
    const a = await oneNode(c);
    const pid = a.spawn(async (self) => {
      const m = await self.receive(undefined, 1000);
      self.exit(m === TIMEOUT ? 'timed_out' : ['got', m]);
    });
    const done = a.exitReason(pid);
    await clock.advance(999);
    expect(a.isProcessAlive(pid)).toBe(true);
    await clock.advance(1);
    expect(await within(done)).toBe('timed_out');
    expect(clock.pending).toBe(0);
  });
});
