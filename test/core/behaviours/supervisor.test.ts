/**
 * supervisor (Erlang's supervisor): the four strategies, restart types, intensity/period on
 * simulated time, the child management calls, genServer children (parent shutdown runs
 * terminate), start failures, and children on other nodes restarted after their node is killed.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { behaviourNodes, eventually, flushUntil, probe, track } from '../../support/behaviours.js';
import { type ChildInfo, type ChildSpec, defineGenServer, defineModule, genServer, type Node, Pid, supervisor, type SupervisorSpec } from '../../../src/core/index.js';

/**
 * A plain-process child: tells the probe on `probeNode` it started, then obeys
 * 'crash' (exit boom), 'quit' (return: normal), ['exit', r].
 */
const worker = defineModule('worker', {
  run: async (self, tag: string, probeNode: string, ...extra: unknown[]) => {
    self.send(['probe', probeNode], ['started', tag, self.pid, extra]);
    for (;;) {
      const m = await self.receive();
      if (m === 'crash') self.exit('boom');
      if (m === 'quit') return;
      if (Array.isArray(m) && m[0] === 'exit') self.exit(m[1]);
    }
  },
});

/** A genServer child that traps exits and reports terminate to the probe. */
const tidy = defineGenServer('tidy', {
  init: (self, [probeNode, tag]: [string, string]) => {
    self.trapExit(true);
    self.send(['probe', probeNode], ['started', tag, self.pid]);
    return ['ok', { probeNode, tag }];
  },
  handleCall: (self, req, _from, s) => (req === 'whoami' ? ['reply', [s.tag, self.node.name], s] : ['reply', 'ok', s]),
  handleInfo: (_self, _msg, s) => ['noreply', s],
  terminate: (self, reason, s) => {
    self.send(['probe', s.probeNode], ['terminated', s.tag, reason]);
  },
});

/** A genServer whose init fails on demand. */
const picky = defineGenServer('picky', {
  init: (_self, ok: boolean) => (ok ? ['ok', 0] : ['stop', 'not_today']),
});

/** A trapping plain child that ignores 'shutdown' (must be killed after the shutdown time). */
const stubborn = defineModule('stubborn', {
  run: async (self, probeNode: string) => {
    self.trapExit(true);
    self.send(['probe', probeNode], ['started', 'stubborn', self.pid, []]);
    for (;;) await self.receive();
  },
});

const MODS = [worker, tidy, picky, stubborn];

function w(id: string, probeNode: string, extra: Partial<ChildSpec> = {}): ChildSpec {
  return { id, start: { module: 'worker', fun: 'run', args: [id, probeNode] }, restart: 'permanent', ...extra };
}

const pidsOf = (rows: ChildInfo[]): Array<Pid | string | undefined> => rows.map((r) => r.pid);
const started = (got: unknown[], tag?: string): unknown[][] =>
  got.filter((m) => Array.isArray(m) && m[0] === 'started' && (tag === undefined || m[1] === tag)) as unknown[][];

describe('supervisor', () => {
  async function nodes<N extends string[]>(c: TestCluster, names: [...N]): Promise<{ [K in keyof N]: Node }> {
    return behaviourNodes(c, names, MODS);
  }

  async function startSup(n: Node, spec: SupervisorSpec, name?: string): Promise<Pid> {
    const r = await supervisor.start(n, spec, name ? { name } : {});
    expect(r[0]).toBe('ok');
    return (r as ['ok', Pid])[1];
  }

  /** Wait until whichChildren shows a new pid for `id` (different from `old`), and return the rows. */
  async function restarted(n: Node, sup: Pid, id: string, old: Pid): Promise<ChildInfo[]> {
    let rows: ChildInfo[] = [];
    await eventually(async () => {
      rows = await supervisor.whichChildren(n, sup);
      const p = rows.find((r) => r.id === id)?.pid;
      return p instanceof Pid && !p.equals(old);
    });
    return rows;
  }

  describe('strategies', () => {
    it('one_for_one: only the crashed child is restarted', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { strategy: 'one_for_one', intensity: 5, children: [w('w1', a.name), w('w2', a.name), w('w3', a.name)] });
      const before = await supervisor.whichChildren(a, sup);
      expect(before.map((r) => r.id)).toEqual(['w1', 'w2', 'w3']);
      expect(before.every((r) => r.pid instanceof Pid && r.type === 'worker')).toBe(true);
      a.send(before[1]!.pid as Pid, 'crash');
      const after = await restarted(a, sup, 'w2', before[1]!.pid as Pid);
      expect((after[0]!.pid as Pid).equals(before[0]!.pid as Pid)).toBe(true);
      expect((after[2]!.pid as Pid).equals(before[2]!.pid as Pid)).toBe(true);
      expect(started(p.got).map((m) => m[1])).toEqual(['w1', 'w2', 'w3', 'w2']);
    });

    it('one_for_all: all children are stopped (last first) and restarted in order', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { strategy: 'one_for_all', intensity: 5, children: [w('w1', a.name), w('w2', a.name), w('w3', a.name)] });
      const before = pidsOf(await supervisor.whichChildren(a, sup)) as Pid[];
      const exits = before.map((pid) => a.exitReason(pid));
      a.send(before[1]!, 'crash');
      await eventually(() => started(p.got).length === 6);
      expect(started(p.got).map((m) => m[1])).toEqual(['w1', 'w2', 'w3', 'w1', 'w2', 'w3']);
      expect(await Promise.all(exits)).toEqual(['shutdown', 'boom', 'shutdown']);
      const after = pidsOf(await supervisor.whichChildren(a, sup)) as Pid[];
      after.forEach((pid, i) => expect(pid.equals(before[i]!)).toBe(false));
    });

    it('rest_for_one: the crashed child and those started after it are restarted', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { strategy: 'rest_for_one', intensity: 5, children: [w('w1', a.name), w('w2', a.name), w('w3', a.name)] });
      const before = pidsOf(await supervisor.whichChildren(a, sup)) as Pid[];
      a.send(before[1]!, 'crash');
      await eventually(() => started(p.got).length === 5);
      expect(started(p.got).map((m) => m[1])).toEqual(['w1', 'w2', 'w3', 'w2', 'w3']);
      const after = pidsOf(await supervisor.whichChildren(a, sup)) as Pid[];
      expect(after[0]!.equals(before[0]!)).toBe(true);
      expect(after[1]!.equals(before[1]!)).toBe(false);
      expect(after[2]!.equals(before[2]!)).toBe(false);
      expect(a.isProcessAlive(before[2]!)).toBe(false);
    });

    it('simple_one_for_one: startChild with extra args; a crashed child restarts with its own args', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { strategy: 'simple_one_for_one', intensity: 5, children: [w('tpl', a.name)] });
      expect(await supervisor.whichChildren(a, sup)).toEqual([]);
      const r1 = (await supervisor.startChild(a, sup, ['job1'])) as ['ok', Pid];
      const r2 = (await supervisor.startChild(a, sup, ['job2', 7])) as ['ok', Pid];
      expect(r1[0]).toBe('ok');
      expect(r2[0]).toBe('ok');
      const rows = await supervisor.whichChildren(a, sup);
      expect(rows.map((r) => r.id)).toEqual([undefined, undefined]);
      expect(await supervisor.countChildren(a, sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });
      a.send(r2[1], 'crash');
      await eventually(() => started(p.got).length === 3);
      expect(started(p.got).map((m) => m[3])).toEqual([['job1'], ['job2', 7], ['job2', 7]]);
      // terminateChild takes a pid here, and removes the child.
      expect(await supervisor.terminateChild(a, sup, r1[1])).toBe('ok');
      expect(a.isProcessAlive(r1[1])).toBe(false);
      expect((await supervisor.whichChildren(a, sup)).length).toBe(1);
      expect(await supervisor.terminateChild(a, sup, 'tpl')).toEqual(['error', 'simple_one_for_one']);
      expect(await supervisor.restartChild(a, sup, 'tpl')).toEqual(['error', 'simple_one_for_one']);
      expect(await supervisor.deleteChild(a, sup, 'tpl')).toEqual(['error', 'simple_one_for_one']);
    });

    it('simple_one_for_one with a genServer template: extra args extend the init argument', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, {
        strategy: 'simple_one_for_one',
        children: [{ id: 'tpl', start: genServer.childStart('tidy', [a.name]), restart: 'temporary' }],
      });
      const [, pid] = (await supervisor.startChild(a, sup, ['t1'])) as ['ok', Pid];
      expect(await genServer.call(a, pid, 'whoami')).toEqual(['t1', a.name]);
      expect(started(p.got).map((m) => m[1])).toEqual(['t1']);
    });
  });

  describe('restart types', () => {
    async function exitWith(a: Node, sup: Pid, id: string, reason: unknown): Promise<void> {
      const pid = (await supervisor.whichChildren(a, sup)).find((r) => r.id === id)!.pid as Pid;
      const gone = a.exitReason(pid);
      a.send(pid, reason === 'normal' ? 'quit' : ['exit', reason]);
      await gone;
    }

    it('permanent: restarted after normal and abnormal exits', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { intensity: 10, children: [w('perm', a.name)] });
      await exitWith(a, sup, 'perm', 'normal');
      await eventually(() => started(p.got).length === 2);
      await exitWith(a, sup, 'perm', 'boom');
      await eventually(() => started(p.got).length === 3);
      await exitWith(a, sup, 'perm', 'shutdown');
      await eventually(() => started(p.got).length === 4);
      expect((await supervisor.whichChildren(a, sup))[0]!.pid).toBeInstanceOf(Pid);
    });

    it('transient: restarted after an abnormal exit only; normal/shutdown leave the spec without a pid', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { intensity: 10, children: [w('tr', a.name, { restart: 'transient' })] });
      await exitWith(a, sup, 'tr', 'boom');
      await eventually(() => started(p.got).length === 2);
      await exitWith(a, sup, 'tr', 'normal');
      await eventually(async () => (await supervisor.whichChildren(a, sup))[0]!.pid === undefined);
      expect(await supervisor.restartChild(a, sup, 'tr')).toEqual(['ok', expect.any(Pid)]);
      await exitWith(a, sup, 'tr', ['shutdown', 'done']);
      await eventually(async () => (await supervisor.whichChildren(a, sup))[0]!.pid === undefined);
      expect(started(p.got).length).toBe(3);
      expect(await supervisor.countChildren(a, sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    });

    it('temporary: never restarted, and its spec is dropped', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, { intensity: 10, children: [w('t1', a.name, { restart: 'temporary' }), w('t2', a.name, { restart: 'temporary' })] });
      await exitWith(a, sup, 't1', 'boom');
      await exitWith(a, sup, 't2', 'normal');
      await eventually(async () => (await supervisor.whichChildren(a, sup)).length === 0);
      expect(started(p.got).length).toBe(2);
    });
  });

  describe('intensity and period (simulated clock)', () => {
    it('more than intensity restarts within period: children are stopped and the supervisor exits shutdown', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const st = track(supervisor.start(a, { intensity: 2, period: 1_000, children: [w('w1', a.name), w('w2', a.name)] }));
      await flushUntil(clock, () => st.settled);
      const sup = (st.value as ['ok', Pid])[1];
      const supExit = a.exitReason(sup);
      for (let i = 0; i < 2; i++) {
        const w1 = started(p.got, 'w1').at(-1)![2] as Pid;
        a.send(w1, 'crash');
        await flushUntil(clock, () => started(p.got, 'w1').length === i + 2);
        await clock.advance(100);
      }
      expect(a.isProcessAlive(sup)).toBe(true);
      const lastW1 = started(p.got, 'w1').at(-1)![2] as Pid;
      const w2 = started(p.got, 'w2')[0]![2] as Pid;
      a.send(lastW1, 'crash');
      const down = track(supExit);
      await flushUntil(clock, () => down.settled);
      expect(down.value).toBe('shutdown');
      expect(a.isProcessAlive(w2)).toBe(false);
      expect(a.isProcessAlive(lastW1)).toBe(false);
      expect(started(p.got, 'w1').length).toBe(3); // no restart after the third crash
      expect(c.output(a)).toContain('reached_max_restart_intensity');
    });

    it('restarts spread wider than period do not add up', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const st = track(supervisor.start(a, { intensity: 1, period: 1_000, children: [w('w1', a.name)] }));
      await flushUntil(clock, () => st.settled);
      const sup = (st.value as ['ok', Pid])[1];
      for (let i = 0; i < 4; i++) {
        a.send(started(p.got, 'w1').at(-1)![2] as Pid, 'crash');
        await flushUntil(clock, () => started(p.got, 'w1').length === i + 2);
        await clock.advance(1_001);
      }
      expect(a.isProcessAlive(sup)).toBe(true);
    });

    it('intensity 0: the first crash stops the supervisor', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const st = track(supervisor.start(a, { intensity: 0, children: [w('w1', a.name)] }));
      await flushUntil(clock, () => st.settled);
      const sup = (st.value as ['ok', Pid])[1];
      const supExit = track(a.exitReason(sup));
      a.send(started(p.got, 'w1')[0]![2] as Pid, 'crash');
      await flushUntil(clock, () => supExit.settled);
      expect(supExit.value).toBe('shutdown');
    });

    it('a child that ignores shutdown is killed after its shutdown time', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const spec: ChildSpec = { id: 's', start: { module: 'stubborn', fun: 'run', args: [a.name] }, shutdown: 2_000 };
      const st = track(supervisor.start(a, { children: [spec] }));
      await flushUntil(clock, () => st.settled);
      const sup = (st.value as ['ok', Pid])[1];
      const child = started(p.got)[0]![2] as Pid;
      const childExit = track(a.exitReason(child));
      const term = track(supervisor.terminateChild(a, sup, 's'));
      await clock.advance(1_999);
      expect(childExit.settled).toBe(false);
      expect(term.settled).toBe(false);
      await clock.advance(1);
      await flushUntil(clock, () => term.settled);
      expect(term.value).toBe('ok');
      expect(childExit.value).toBe('killed');
    });
  });

  describe('child management', () => {
    it('startChild, terminateChild, restartChild, deleteChild, countChildren and their errors', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      probe(a);
      const sup = await startSup(a, { children: [w('w1', a.name)] }, 'top');
      const r = (await supervisor.startChild(a, 'top', w('w2', a.name))) as ['ok', Pid];
      expect(r[0]).toBe('ok');
      expect(await supervisor.startChild(a, 'top', w('w2', a.name))).toEqual(['error', ['already_started', r[1]]]);
      expect(await supervisor.startChild(a, 'top', { id: 'bad', start: { module: 'worker' } } as never)).toEqual([
        'error',
        ['invalid_mfa', { module: 'worker' }],
      ]);
      expect(await supervisor.countChildren(a, sup)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });
      expect(await supervisor.deleteChild(a, sup, 'w2')).toEqual(['error', 'running']);
      expect(await supervisor.terminateChild(a, sup, 'w2')).toBe('ok');
      expect(a.isProcessAlive(r[1])).toBe(false);
      expect(await supervisor.startChild(a, 'top', w('w2', a.name))).toEqual(['error', 'already_present']);
      const again = (await supervisor.restartChild(a, sup, 'w2')) as ['ok', Pid];
      expect(again[0]).toBe('ok');
      expect(await supervisor.restartChild(a, sup, 'w2')).toEqual(['error', 'running']);
      expect(await supervisor.terminateChild(a, sup, 'w2')).toBe('ok');
      expect(await supervisor.deleteChild(a, sup, 'w2')).toBe('ok');
      expect(await supervisor.terminateChild(a, sup, 'w2')).toEqual(['error', 'not_found']);
      expect(await supervisor.restartChild(a, sup, 'nope')).toEqual(['error', 'not_found']);
      expect(await supervisor.deleteChild(a, sup, 'nope')).toEqual(['error', 'not_found']);
      expect((await supervisor.whichChildren(a, sup)).map((x) => x.id)).toEqual(['w1']);
    });

    it('genServer children: reachable by name after a restart; supervisor stop runs their terminate (last first)', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, {
        intensity: 3,
        children: [
          { id: 'g1', start: genServer.childStart('tidy', [a.name, 'g1'], { name: 'g1' }) },
          { id: 'g2', start: genServer.childStart(tidy, [a.name, 'g2'], { name: 'g2' }) },
        ],
      });
      expect(await genServer.call(a, 'g1', 'whoami')).toEqual(['g1', a.name]);
      const old = a.whereis('g1')!;
      a.exit(old, 'kill');
      await restarted(a, sup, 'g1', old);
      expect(await genServer.call(a, 'g1', 'whoami')).toEqual(['g1', a.name]);
      expect(await genServer.stop(a, sup, 'shutdown')).toBe('ok');
      const terms = p.got.filter((m) => (m as unknown[])[0] === 'terminated');
      expect(terms).toEqual([
        ['terminated', 'g2', 'shutdown'],
        ['terminated', 'g1', 'shutdown'],
      ]);
      expect(a.whereis('g1')).toBeUndefined();
      expect(a.whereis('g2')).toBeUndefined();
    });

    it('a child failing to start fails the supervisor start and stops the children already started', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const r = await supervisor.start(a, {
        children: [w('w1', a.name), { id: 'px', start: genServer.childStart('picky', false) }, w('w3', a.name)],
      });
      expect(r).toEqual(['error', ['shutdown', ['failed_to_start_child', 'px', 'not_today']]]);
      const w1 = started(p.got, 'w1')[0]![2] as Pid;
      await eventually(() => !a.isProcessAlive(w1));
      expect(started(p.got, 'w3')).toEqual([]);
    });

    it('bad supervisor specs are refused', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      expect(await supervisor.start(a, { strategy: 'one_for_many' as never })).toEqual(['error', ['supervisor_data', ['invalid_strategy', 'one_for_many']]]);
      expect(await supervisor.start(a, { intensity: -1 })).toEqual(['error', ['supervisor_data', ['invalid_intensity', -1]]]);
      expect(await supervisor.start(a, { children: [w('x', a.name), w('x', a.name)] })).toEqual([
        'error',
        ['start_spec', ['duplicate_child_name', 'x']],
      ]);
      expect(await supervisor.start(a, { children: [w('x', a.name, { restart: 'sometimes' as never })] })).toEqual([
        'error',
        ['start_spec', ['invalid_restart_type', 'sometimes']],
      ]);
    });

    it('nested supervisors: a supervisor child of type supervisor', async ({ cluster: c }) => {
      const [a] = await nodes(c, ['a']);
      const p = probe(a);
      const sup = await startSup(a, {
        strategy: 'one_for_all',
        children: [{ id: 'inner', start: supervisor.childStart({ children: [w('leaf', a.name)] }) }, w('w2', a.name)],
      });
      const rows = await supervisor.whichChildren(a, sup);
      expect(rows.map((r) => [r.id, r.type])).toEqual([
        ['inner', 'supervisor'],
        ['w2', 'worker'],
      ]);
      const inner = rows[0]!.pid as Pid;
      expect((await supervisor.whichChildren(a, inner)).map((r) => r.id)).toEqual(['leaf']);
      const leaf = started(p.got, 'leaf')[0]![2] as Pid;
      const sExit = a.exitReason(sup);
      expect(await genServer.stop(a, sup)).toBe('ok');
      expect(await sExit).toBe('normal');
      expect(a.isProcessAlive(inner)).toBe(false);
      expect(a.isProcessAlive(leaf)).toBe(false);
    });
  });

  describe('children on other nodes', () => {
    it('a supervisor restarts a child on a remote node after that node is killed (once another node is named for it), and gives up after its intensity is exceeded', async ({ clock, simCluster: c }) => {
      const [a, b, cc, d] = await nodes(c, ['a', 'b', 'c', 'd']);
      const p = probe(a);
      let target = b.name;
      const spec: SupervisorSpec = {
        strategy: 'one_for_one',
        intensity: 2,
        period: 60_000,
        children: [
          { id: 'remote', start: { module: 'worker', fun: 'run', args: ['remote', a.name], node: () => target }, restart: 'permanent' },
          w('local', a.name),
        ],
      };
      const st = track(supervisor.start(a, spec, { name: 'top' }));
      await flushUntil(clock, () => st.settled && started(p.got, 'remote').length === 1);
      const sup = (st.value as ['ok', Pid])[1];
      const supExit = track(a.exitReason(sup));
      const onB = started(p.got, 'remote')[0]![2] as Pid;
      expect(onB.node).toBe(b.name);
      const local = started(p.got, 'local')[0]![2] as Pid;

      // b dies; the spec now names c: the child comes back there.
      target = cc.name;
      c.net.kill(b.name);
      await flushUntil(clock, () => started(p.got, 'remote').length === 2);
      const onC = started(p.got, 'remote')[1]![2] as Pid;
      expect(onC.node).toBe(cc.name);
      const rows = track(supervisor.whichChildren(a, 'top'));
      await flushUntil(clock, () => rows.settled);
      expect((rows.value![0]!.pid as Pid).equals(onC)).toBe(true);
      expect((rows.value![1]!.pid as Pid).equals(local)).toBe(true);

      // c dies; now d: the second restart is still within intensity.
      await clock.advance(1_000);
      target = d.name;
      c.net.kill(cc.name);
      await flushUntil(clock, () => started(p.got, 'remote').length === 3);
      expect((started(p.got, 'remote')[2]![2] as Pid).node).toBe(d.name);
      expect(supExit.settled).toBe(false);

      // d dies too: a third restart within the period exceeds intensity 2 → the supervisor gives
      // up, although the spec now names a live node.
      await clock.advance(1_000);
      target = a.name;
      c.net.kill(d.name);
      await flushUntil(clock, () => supExit.settled);
      expect(supExit.value).toBe('shutdown');
      expect(started(p.got, 'remote').length).toBe(3);
      expect(a.isProcessAlive(local)).toBe(false);
      expect(a.whereis('top')).toBeUndefined();
    });

    it('a genServer child on another node: started there, linked, restarted when it crashes', async ({ cluster: c }) => {
      const [a, b] = await nodes(c, ['a', 'b']);
      const p = probe(a);
      const sup = await startSup(a, {
        intensity: 3,
        children: [{ id: 'g', start: { ...genServer.childStart('tidy', [a.name, 'g'], { name: 'g' }), node: b.name } }],
      });
      expect(await genServer.call(a, ['g', b.name], 'whoami')).toEqual(['g', b.name]);
      const old = b.whereis('g')!;
      b.exit(old, 'kill');
      await restarted(a, sup, 'g', old);
      expect(await genServer.call(a, ['g', b.name], 'whoami')).toEqual(['g', b.name]);
      // Shutting the supervisor down runs the remote child's terminate.
      expect(await genServer.stop(a, sup, 'shutdown')).toBe('ok');
      await eventually(() => p.got.some((m) => (m as unknown[])[0] === 'terminated'));
      expect(p.got.filter((m) => (m as unknown[])[0] === 'terminated')).toEqual([['terminated', 'g', 'shutdown']]);
      expect(b.whereis('g')).toBeUndefined();
    });

    it('a globally named genServer child on another node gets its global name back after each restart', async ({ cluster: c }) => {
      const [a, b, cc] = await nodes(c, ['a', 'b', 'c']);
      probe(a);
      await a.ping(b.name);
      await a.ping(cc.name);
      const where = (n: Node): Pid | undefined => (n.global as unknown as { whereisName(x: string): Pid | undefined }).whereisName('gtidy');
      const sup = await startSup(a, {
        intensity: 5,
        children: [{ id: 'g', start: { ...genServer.childStart('tidy', [a.name, 'g'], { name: ['global', 'gtidy'] }), node: b.name } }],
      });
      for (let round = 0; round < 3; round++) {
        await eventually(() => [a, b, cc].every((n) => where(n)?.node === b.name));
        expect(await genServer.call(cc, ['global', 'gtidy'], 'whoami')).toEqual(['g', b.name]);
        const old = where(a)!;
        b.exit(old, 'kill');
        await restarted(a, sup, 'g', old);
        await eventually(() => [a, b, cc].every((n) => where(n) !== undefined && !where(n)!.equals(old)));
      }
      expect(await genServer.call(a, ['global', 'gtidy'], 'whoami')).toEqual(['g', b.name]);
    });

    it('startChild with a node function picks the node at each start; a remote supervisor cannot take one', async ({ cluster: c }) => {
      const [a, b, cc] = await nodes(c, ['a', 'b', 'c']);
      const p = probe(a);
      const sup = await startSup(a, { intensity: 3, children: [] });
      let target = b.name;
      const spec: ChildSpec = { id: 'x', start: { module: 'worker', fun: 'run', args: ['x', a.name], node: () => target } };
      const [, first] = (await supervisor.startChild(a, sup, spec)) as ['ok', Pid];
      expect(first.node).toBe(b.name);
      target = cc.name;
      b.exit(first, 'kill');
      await eventually(() => started(p.got, 'x').length === 2);
      expect((started(p.got, 'x')[1]![2] as Pid).node).toBe(cc.name);
      const [, remoteSup] = (await supervisor.start(b, { children: [] })) as ['ok', Pid];
      await expect(supervisor.startChild(a, remoteSup, spec)).rejects.toMatchObject({ code: 'badarg' });
      await expect(supervisor.start(a, { children: [spec] }, { node: b.name })).rejects.toMatchObject({ code: 'badarg' });
    });
  });
});
