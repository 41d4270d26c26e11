/**
 * The local process hot path (scripts/microbench-local.ts measures it): the direct local send
 * (no signal frame while the runtime handles no signal), the small process record (link and
 * monitor maps and the `exited` promise made on first use; trapExit and catch depth in one
 * word), and the body watched with one `then`. Behaviour only: every case here held before
 * those changes too.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { type Node, type Pid, type ProcessContext, TIMEOUT } from '../../../src/core/index.js';
import { isDown, isExit, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

describe('local hot path', () => {
  async function oneNode(c: TestCluster): Promise<Node> {
    return c.node('a');
  }

  function spawnW(node: Node, fn: (self: ProcessContext) => unknown): { pid: Pid; done: Promise<unknown> } {
    const pid = node.spawn(fn);
    return { pid, done: within(node.exitReason(pid), 4000) };
  }

  // ----- sends ---------------------------------------------------------------------------

  it('50,000 messages sent without yielding arrive in order (plain and selective receive)', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const N = 50_000;
    const bin = new Uint8Array(64);
    for (const selective of [false, true]) {
      const rx = spawnW(a, async (self) => {
        let inOrder = true;
        for (let i = 0; i < N; i++) {
          const m = (await (selective ? self.receive((x) => x[0] === 'msg') : self.receive())) as [string, number, Uint8Array];
          if (m[1] !== i || m[2] !== bin) inOrder = false;
        }
        self.exit(['done', inOrder, await self.receive(undefined, 0)]);
      });
      await runIn(a, (self) => {
        for (let i = 0; i < N; i++) self.send(rx.pid, ['msg', i, bin]);
      });
      expect(await rx.done).toEqual(['done', true, TIMEOUT]);
    }
  });

  it('messages sent one at a time to a waiting receiver arrive in order', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const N = 2000;
    const rx = spawnW(a, async (self) => {
      const got: number[] = [];
      for (let i = 0; i < N; i++) got.push((await self.receive()) as number);
      self.exit(got.every((v, i) => v === i) ? 'in_order' : ['out_of_order', got]);
    });
    await runIn(a, async (self) => {
      for (let i = 0; i < N; i++) {
        self.send(rx.pid, i);
        await null;
      }
    });
    expect(await rx.done).toBe('in_order');
  });

  it('messages and exit signals from one process to another keep their order', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const rx = spawnW(a, async (self) => {
      self.trapExit(true);
      const got: unknown[] = [];
      for (let i = 0; i < 5; i++) got.push(await self.receive());
      self.exit(got);
    });
    const sender = await runIn(a, (self) => {
      self.send(rx.pid, 1);
      self.exit(rx.pid, 'first');
      self.send(rx.pid, 2);
      self.exit(rx.pid, 'second');
      self.send(rx.pid, 3);
      return self.pid;
    });
    expect(await rx.done).toEqual([1, ['EXIT', sender, 'first'], 2, ['EXIT', sender, 'second'], 3]);
  });

  it('a message sent from inside a receive matcher arrives after the message being matched, before later sends', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const log = spawnW(a, async (self) => {
      const got: unknown[] = [];
      for (let i = 0; i < 3; i++) got.push(await self.receive());
      self.exit(got);
    });
    const matcherSends = spawnW(a, async (self) => {
      // The matcher runs while the message is being delivered (by the sender's send).
      const m = await self.receive((x) => {
        if (x === 'trigger') a.send(log.pid, 'from the matcher');
        return x === 'trigger';
      });
      self.exit(['matched', m]);
    });
    await runIn(a, () => undefined); // the matcher process is waiting now
    await runIn(a, (self) => {
      self.send(log.pid, 'before');
      self.send(matcherSends.pid, 'trigger');
      self.send(log.pid, 'after');
    });
    expect(await matcherSends.done).toEqual(['matched', 'trigger']);
    expect(await log.done).toEqual(['before', 'from the matcher', 'after']);
  });

  it('a send to a registered name, to [name, node] and to an exited local pid behave as before', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const rx = spawnW(a, async (self) => {
      self.register('rx');
      const got: unknown[] = [];
      for (let i = 0; i < 2; i++) got.push(await self.receive());
      self.exit(got);
    });
    const gone = a.spawn(() => undefined);
    await runIn(a, () => undefined);
    expect(a.isProcessAlive(gone)).toBe(false);
    await runIn(a, (self) => {
      expect(self.send(gone, 'lost')).toBe('lost'); // dropped, no error
      self.send('rx', 'by name');
      self.send(['rx', a.name], 'by name and node');
    });
    expect(await rx.done).toEqual(['by name', 'by name and node']);
  });

  // ----- the process record --------------------------------------------------------------

  it('exitReason resolves for each way of ending, also when asked twice; after the exit it answers noproc', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const normal = spawnW(a, async (self) => {
      await self.receive();
    });
    const exited = spawnW(a, (self) => self.exit(['bye', 1]));
    const thrown = spawnW(a, () => {
      throw 'oops';
    });
    const killed = spawnW(a, async (self) => {
      self.trapExit(true);
      await self.receive(() => false);
    });
    const again = a.exitReason(normal.pid);
    a.send(normal.pid, 'go');
    a.exit(killed.pid, 'kill');
    expect(await normal.done).toBe('normal');
    expect(await within(again)).toBe('normal');
    expect(await exited.done).toEqual(['bye', 1]);
    expect(await thrown.done).toEqual(['exception', 'oops']);
    expect(await killed.done).toBe('killed');
    expect(await a.exitReason(normal.pid)).toBe('noproc');
  });

  it('a process that never linked or monitored ends without signalling anyone, and others are unaffected', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const watcher = spawnW(a, async (self) => {
      self.trapExit(true);
      const m = await self.receive(undefined, 0);
      await self.receive((x) => x === 'check');
      self.exit(['queued', m, await self.receive(undefined, 0)]);
    });
    const loner = spawnW(a, async (self) => {
      await self.receive();
    });
    a.exit(loner.pid, 'kill');
    expect(await loner.done).toBe('killed');
    a.send(watcher.pid, 'check');
    expect(await watcher.done).toEqual(['queued', TIMEOUT, TIMEOUT]);
  });

  it('a process that first links, monitors and is monitored long after it started gets every signal', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const target = spawnW(a, async (self) => {
      await self.receive((m) => m === 'die');
      self.exit('target_done');
    });
    const observer = spawnW(a, async (self) => {
      self.trapExit(true);
      // Nothing linked or monitored for a while: messages only.
      for (let i = 0; i < 3; i++) await self.receive((m) => m === 'tick');
      self.link(target.pid);
      const ref = self.monitor(target.pid);
      const [child, childRef] = self.spawnMonitor(async (s) => {
        await s.receive();
      });
      self.exit(child, 'stop');
      const childDown = (await self.receive((m) => isDown(m) && childRef.equals(m[1]))) as unknown[];
      self.send(target.pid, 'die');
      const exit = (await self.receive(isExit)) as unknown[];
      const down = (await self.receive((m) => isDown(m) && ref.equals(m[1]))) as unknown[];
      self.exit([childDown[4], exit[2], down[4]]);
    });
    // And the observer is watched by a process that starts monitoring it late.
    const late = spawnW(a, async (self) => {
      await self.receive((m) => m === 'watch');
      const ref = self.monitor(observer.pid);
      const down = (await self.receive((m) => isDown(m) && ref.equals(m[1]))) as unknown[];
      self.exit(['observer_down', down[4]]);
    });
    a.send(late.pid, 'watch');
    await runIn(a, () => undefined);
    for (let i = 0; i < 3; i++) a.send(observer.pid, 'tick');
    expect(await observer.done).toEqual(['stop', 'target_done', 'target_done']);
    expect(await target.done).toBe('target_done');
    expect(await late.done).toEqual(['observer_down', ['stop', 'target_done', 'target_done']]);
  });

  it('unlink and demonitor on a process that never linked or monitored are no-ops', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const other = a.spawn(async (self) => {
      await self.receive();
    });
    const got = await runIn(a, (self) => {
      self.unlink(other);
      self.demonitor(a.runtime.makeRef(), { flush: true });
      return self.isAlive();
    });
    expect(got).toBe(true);
    expect(a.isProcessAlive(other)).toBe(true);
  });

  it('trapExit and nested catch still work together (they share one word of the record)', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = spawnW(a, async (self) => {
      const before = self.trapExit(true);
      const inner = await self.catch(async () => {
        const nested = await self.catch(() => self.exit('inner'));
        return ['nested', nested, self.trapExit(true)];
      });
      const outer = await self.catch(() => self.exit('outer'));
      const wasTrapping = self.trapExit(false);
      const nowTrapping = self.trapExit(false);
      self.exit(['result', before, inner, outer, wasTrapping, nowTrapping]);
    });
    expect(await p.done).toEqual(['result', false, ['nested', ['EXIT', 'inner'], true], ['EXIT', 'outer'], true, false]);
  });

  it('outside every catch, self.exit still ends the process (catch depth back to 0 after nested catches)', async ({ cluster: c }) => {
    const a = await oneNode(c);
    let ranAfter = false;
    const p = spawnW(a, async (self) => {
      for (let i = 0; i < 3; i++) await self.catch(() => self.catch(() => self.exit('caught')));
      try {
        self.exit('really');
      } catch {
        // the process has ended anyway
      }
      ranAfter = true;
      self.send(self.pid, 'not delivered');
    });
    expect(await p.done).toBe('really');
    expect(ranAfter).toBe(true);
  });

  it('a body that returns a non-promise value, or a promise that rejects later, ends the process as before', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const sync = spawnW(a, () => 42);
    const later = spawnW(a, async (self) => {
      await self.receive();
      throw new Error('late');
    });
    a.send(later.pid, 'go');
    expect(await sync.done).toBe('normal');
    const reason = (await later.done) as [string, Error];
    expect(reason[0]).toBe('exception');
    expect(reason[1].message).toBe('late');
  });
});
