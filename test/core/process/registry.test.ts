/**
 * Local registration: docs/semantics.md §9 and acceptance scenario S27 (register/2 raises
 * badarg in every listed case), plus sends to names (§4).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { type Node, Pid, TIMEOUT } from '../../../src/core/index.js';
import { thrownCode } from '../../support/errors.js';
import { idle, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';

/** A process that collects messages until it gets 'stop', then exits with them. */
function collector(node: Node): { pid: Pid; done: Promise<unknown> } {
  const pid = node.spawn(async (self) => {
    const got: unknown[] = [];
    for (;;) {
      const m = await self.receive();
      if (m === 'stop') self.exit(['got', got]);
      got.push(m);
    }
  });
  return { pid, done: within(node.exitReason(pid)) };
}

/** The names every node registers for itself: the io server and the global and pg services. */
const BUILTIN = ['global_name_server', 'pg', 'user'];

describe('local registration (§9)', () => {
  async function oneNode(c: TestCluster): Promise<Node> {
    return c.node('a');
  }

  it('S27: register returns true and whereis finds the pid; whereis of an unknown name is undefined', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = a.spawn(idle);
    expect(a.register('foo', p)).toBe(true);
    expect(a.whereis('foo')?.equals(p)).toBe(true);
    expect(a.whereis('nope')).toBeUndefined();
    // self.register registers the calling process and returns true
    expect(await runIn(a, (s) => s.register('bar'))).toBe(true);
  });

  it('S27: self.register makes the name visible while the process lives', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const pid = a.spawn(async (self) => {
      self.register('me');
      await self.receive((m) => m === 'stop');
    });
    const done = within(a.exitReason(pid));
    await runIn(a, () => undefined); // the body above has run
    expect(a.whereis('me')?.equals(pid)).toBe(true);
    a.send('me', 'stop');
    expect(await done).toBe('normal');
    expect(a.whereis('me')).toBeUndefined();
  });

  it('S27: register raises badarg when the name is taken', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p1 = a.spawn(idle);
    const p2 = a.spawn(idle);
    a.register('foo', p1);
    expect(thrownCode(() => a.register('foo', p2))).toBe('badarg');
    expect(a.whereis('foo')?.equals(p1)).toBe(true);
    // the same pid under the same name again is also badarg (taken)
    expect(thrownCode(() => a.register('foo', p1))).toBe('badarg');
    // the built-in name 'user' is taken too
    expect(thrownCode(() => a.register('user', p2))).toBe('badarg');
  });

  it('S27: register raises badarg when the pid already has a name', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = a.spawn(idle);
    a.register('foo', p);
    expect(thrownCode(() => a.register('foo2', p))).toBe('badarg');
    expect(a.whereis('foo2')).toBeUndefined();
    expect(a.whereis('foo')?.equals(p)).toBe(true);
    expect(thrownCode(() => a.register('foo3', a.whereis('user')!))).toBe('badarg');
  });

  it("S27: register raises badarg for the name 'undefined' and for non-string names", async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = a.spawn(idle);
    expect(thrownCode(() => a.register('undefined', p))).toBe('badarg');
    for (const bad of [42, undefined, null, ['foo'], { name: 'foo' }, Symbol('foo')]) {
      expect(thrownCode(() => a.register(bad as unknown as string, p))).toBe('badarg');
    }
    expect([...a.registered()].sort()).toEqual(BUILTIN);
    // the pid is still free to take a proper name
    expect(a.register('fine', p)).toBe(true);
  });

  it('S27: register raises badarg for a dead pid', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const dead = a.spawn(() => undefined);
    expect(await within(a.exitReason(dead))).toBe('normal');
    expect(thrownCode(() => a.register('ghost', dead))).toBe('badarg');
    expect(a.whereis('ghost')).toBeUndefined();
  });

  it('S27: register raises badarg for a remote pid', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    const remote = b.spawn(idle);
    expect(remote.node).toBe(b.name);
    expect(thrownCode(() => a.register('far', remote))).toBe('badarg');
    expect(a.whereis('far')).toBeUndefined();
    // it is fine on its own node
    expect(b.register('far', remote)).toBe(true);
  });

  it('S27: register raises badarg for something that is not a pid', async ({ cluster: c }) => {
    const a = await oneNode(c);
    for (const bad of [undefined, 'pid', { key: 'a@vm/0/1.0' }, 7]) {
      expect(thrownCode(() => a.register('x', bad as unknown as Pid))).toBe('badarg');
    }
    expect(a.whereis('x')).toBeUndefined();
  });

  it('S27: unregister returns true, then a second call raises badarg', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const p = a.spawn(idle);
    a.register('foo', p);
    expect(a.unregister('foo')).toBe(true);
    expect(a.whereis('foo')).toBeUndefined();
    expect(thrownCode(() => a.unregister('foo'))).toBe('badarg');
    expect(thrownCode(() => a.unregister('never'))).toBe('badarg');
    // both the name and the pid are free again
    const q = a.spawn(idle);
    expect(a.register('foo', q)).toBe(true);
    expect(a.register('other', p)).toBe(true);
  });

  it('S27: the name is freed when the process dies and can be registered again', async ({ cluster: c }) => {
    const a = await oneNode(c);
    for (const reason of ['normal', 'crash', 'kill'] as const) {
      const p = a.spawn(async (self) => {
        await self.receive((m) => m === 'go');
        if (reason === 'crash') throw new Error('x');
      });
      const done = within(a.exitReason(p));
      a.register('svc', p);
      if (reason === 'kill') a.exit(p, 'kill');
      else a.send(p, 'go');
      await done;
      expect(a.whereis('svc')).toBeUndefined();
      expect(a.registered()).not.toContain('svc');
      const q = a.spawn(idle);
      expect(a.register('svc', q)).toBe(true);
      expect(a.whereis('svc')?.equals(q)).toBe(true);
      a.unregister('svc');
    }
  });

  it('sending to a registered name delivers and returns the message (node.send, self.send, [name, node])', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const col = collector(a);
    a.register('col', col.pid);
    expect(a.send('col', ['m', 1])).toEqual(['m', 1]);
    const r = await runIn(a, (self) => [self.send('col', ['m', 2]), self.send(['col', a.name], ['m', 3])]);
    expect(r).toEqual([
      ['m', 2],
      ['m', 3],
    ]);
    expect(a.send(['col', a.name], ['m', 4])).toEqual(['m', 4]);
    a.send('col', 'stop');
    expect(await col.done).toEqual([
      'got',
      [
        ['m', 1],
        ['m', 2],
        ['m', 3],
        ['m', 4],
      ],
    ]);
  });

  it('S12: sending to an unregistered bare name throws badarg (node.send and self.send)', async ({ cluster: c }) => {
    const a = await oneNode(c);
    expect(thrownCode(() => a.send('nosuchname', 'hi'))).toBe('badarg');
    const code = await runIn(a, (self) => thrownCode(() => self.send('nosuchname', 'hi')));
    expect(code).toBe('badarg');
    // a name that was unregistered is unregistered again
    const p = a.spawn(idle);
    a.register('gone', p);
    a.unregister('gone');
    expect(thrownCode(() => a.send('gone', 'hi'))).toBe('badarg');
  });

  it('S12: [name, node] send to an unregistered name on the local node returns the message silently', async ({ cluster: c }) => {
    const a = await oneNode(c);
    const msg = ['hello', { n: 1 }];
    expect(a.send(['unregistered', a.name], msg)).toBe(msg);
    const got = await runIn(a, (self) => {
      const m = ['from', self.pid];
      return self.send(['unregistered', a.name], m) === m;
    });
    expect(got).toBe(true);
    // and it reached nobody: a process registered under that name later has an empty mailbox
    const late = await runIn(a, async (self) => {
      self.register('unregistered');
      return self.receive(undefined, 0);
    });
    expect(late).toBe(TIMEOUT);
  });

  it("registered() lists the names, including the built-in ones ('user', 'pg', 'global_name_server')", async ({ cluster: c }) => {
    const a = await oneNode(c);
    expect([...a.registered()].sort()).toEqual(BUILTIN);
    const p = a.spawn(idle);
    const q = a.spawn(idle);
    a.register('p', p);
    a.register('q', q);
    expect([...a.registered()].sort()).toEqual([...BUILTIN, 'p', 'q'].sort());
    a.unregister('p');
    expect([...a.registered()].sort()).toEqual([...BUILTIN, 'q'].sort());
    a.exit(q, 'kill');
    await within(a.exitReason(q).then(() => undefined));
    expect([...a.registered()].sort()).toEqual(BUILTIN);
  });
});
