/**
 * Group leaders and output routing (§5 crash logging, §6 "Group leader and output"): S21.
 * Output of a process started from another node goes to that node's output.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster, eventually } from '../../support/cluster.js';
import { defineModule, type Node, Pid } from '../../../src/core/index.js';

const crashmod = defineModule('crashmod', {
  boom: () => {
    throw new RangeError('kaboom');
  },
});

/** Prints through io.format from whatever process calls it (used by rpc and remote spawn). */
const talker = defineModule('talker', {
  say: (self, tag: string) => {
    self.node.apply(self, 'io', 'format', ['~s from ~s~n', [tag, self.node.name]]);
    return 'said';
  },
});

describe('group leader and output routing (S21)', () => {
  async function cluster(c: TestCluster): Promise<[Node, Node, Node]> {
    const [a, b, cc] = await c.startNodes('a', 'b', 'c');
    for (const n of [a, b, cc]) {
      n.load(crashmod);
      n.load(talker);
    }
    return [a, b, cc];
  }

  it('S21: io.format in a process started by rpc.call prints on the caller, not on the target', async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    expect(await a.rpc.call(b.name, 'io', 'format', ['rpc-hello ~p~n', [42]])).toBe('ok');
    await eventually(() => c.output(a).includes('rpc-hello 42'), 2_000);
    expect(c.output(b)).not.toContain('rpc-hello');
    expect(c.output(cc)).not.toContain('rpc-hello');
    // The text is formatted on b: the node name in it is b's.
    expect(await a.rpc.call(b.name, 'talker', 'say', ['via-rpc'])).toBe('said');
    await eventually(() => c.output(a).includes(`via-rpc from ${b.name}`), 2_000);
    expect(c.output(b)).not.toContain('via-rpc');
  });

  it('S21: the rpc caller decides: c calling b prints on c, not on a or b', async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    await cc.rpc.call(b.name, 'io', 'format', ['from-c-caller~n', []]);
    await eventually(() => c.output(cc).includes('from-c-caller'), 2_000);
    expect(c.output(a)).not.toContain('from-c-caller');
    expect(c.output(b)).not.toContain('from-c-caller');
  });

  it('S21: io.format in a process spawned with spawn(b, m, f, args) prints on the caller', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const pid = await a.spawn(b.name, 'talker', 'say', ['via-spawn-mfa']);
    expect(pid.node).toBe(b.name);
    await eventually(() => c.output(a).includes(`via-spawn-mfa from ${b.name}`), 2_000);
    expect(c.output(b)).not.toContain('via-spawn-mfa');
  });

  it('S21: io.format and self.print in a process spawned with spawn(b, fn) print on the caller', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const pid = await a.spawn(b.name, async (self) => {
      self.node.apply(self, 'io', 'format', ['fn-format on ~s~n', [self.node.name]]);
      self.print('fn-print on', self.node.name);
    });
    expect(pid.node).toBe(b.name);
    await eventually(() => c.output(a).includes('fn-print on'), 2_000);
    expect(c.output(a)).toContain(`fn-format on ${b.name}`);
    expect(c.output(a)).toContain(`fn-print on ${b.name}`);
    expect(c.output(b)).not.toContain('fn-format');
    expect(c.output(b)).not.toContain('fn-print');
  });

  it('S21: a remote-spawned process started from inside a process also prints on the caller', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const done = a.spawn(async (self) => {
      const p = await self.spawn(b.name, async (s) => s.print('inner-print'));
      self.exit(['spawned', p]);
    });
    const r = (await a.exitReason(done)) as [string, Pid];
    expect(r[1].node).toBe(b.name);
    await eventually(() => c.output(a).includes('inner-print'), 2_000);
    expect(c.output(b)).not.toContain('inner-print');
  });

  it("S21: io.format in dist_demo's loop prints on the caller", async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const loop = (await a.rpc.call(a.name, 'dist_demo', 'start', [b.name])) as Pid;
    expect(loop).toBeInstanceOf(Pid);
    expect(loop.node).toBe(b.name);
    const reply = await a.rpc.call(a.name, 'dist_demo', 'rpc', [loop, 'io', 'format', ['loop-says ~s~n', ['hi']]]);
    expect(reply).toBe('ok');
    await eventually(() => c.output(a).includes('loop-says hi'), 2_000);
    expect(c.output(b)).not.toContain('loop-says');
  });

  it("S21: erlang.group_leader called by rpc returns a pid on the caller's node", async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    const gl = (await a.rpc.call(b.name, 'erlang', 'group_leader', [])) as Pid;
    expect(gl).toBeInstanceOf(Pid);
    expect(gl.node).toBe(a.name);
    const gl2 = (await cc.rpc.call(b.name, 'erlang', 'group_leader', [])) as Pid;
    expect(gl2.node).toBe(cc.name);
    expect(gl.equals(gl2)).toBe(false);
  });

  it('S21: the crash report of a remote-spawned process is printed on the caller with b\'s name', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const pid = await a.spawn(b.name, 'crashmod', 'boom', []);
    expect(pid.node).toBe(b.name);
    await eventually(() => c.output(a).includes('Error in process'), 2_000);
    const out = c.output(a);
    expect(out).toContain(`on node ${b.name}`);
    expect(out).toContain('kaboom');
    expect(c.output(b)).not.toContain('Error in process');
  });

  it('S21: a remote spawn of an undefined function prints its undef crash on the caller', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    await a.spawn(b.name, 'nosuchmod', 'f', []);
    await eventually(() => c.output(a).includes('Error in process'), 2_000);
    expect(c.output(a)).toContain(`on node ${b.name}`);
    expect(c.output(a)).toContain('undef');
    expect(c.output(b)).not.toContain('Error in process');
  });

  it('S21: a process spawned locally prints on its own node', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    const pid = b.spawn(async (self) => {
      self.print('local-print');
      self.node.apply(self, 'io', 'format', ['local-format~n', []]);
    });
    await b.exitReason(pid);
    await eventually(() => c.output(b).includes('local-format'), 2_000);
    expect(c.output(b)).toContain('local-print');
    expect(c.output(a)).not.toContain('local-print');
    expect(c.output(a)).not.toContain('local-format');
    // A local crash is also reported locally.
    b.spawn(() => {
      throw new Error('local crash');
    });
    await eventually(() => c.output(b).includes('Error in process'), 2_000);
    expect(c.output(a)).not.toContain('Error in process');
  });

  it("S21: children of a remote-spawned process inherit the caller's group leader (grandchild output lands on the caller)", async ({ cluster: c }) => {
    const [a, b, cc] = await cluster(c);
    const child = await a.spawn(b.name, async (self) => {
      // A grandchild on b itself, and one on a third node.
      self.spawn(async (g) => g.print('grandchild-local on', g.node.name));
      await self.spawn('c@vm', async (g) => g.print('grandchild-remote on', g.node.name));
    });
    expect(child.node).toBe(b.name);
    await eventually(() => c.output(a).includes('grandchild-local') && c.output(a).includes('grandchild-remote'), 2_000);
    expect(c.output(a)).toContain(`grandchild-local on ${b.name}`);
    expect(c.output(a)).toContain(`grandchild-remote on ${cc.name}`);
    expect(c.output(b)).not.toContain('grandchild');
    expect(c.output(cc)).not.toContain('grandchild');
  });

  it('S21: the crash report of a grandchild is printed on the original caller', async ({ cluster: c }) => {
    const [a, b] = await cluster(c);
    await a.spawn(b.name, async (self) => {
      self.spawn(() => {
        throw new Error('grandchild crash');
      });
    });
    await eventually(() => c.output(a).includes('grandchild crash'), 2_000);
    expect(c.output(a)).toContain('Error in process');
    expect(c.output(a)).toContain(`on node ${b.name}`);
    expect(c.output(b)).not.toContain('Error in process');
  });
});
