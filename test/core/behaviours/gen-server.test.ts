/**
 * genServer (Erlang's gen_server): callbacks, deferred replies, names (local, global,
 * [name, node]), call errors (timeout on simulated time, noproc at once, server exits,
 * nodedown), servers on other nodes, init results, timeouts and continue actions, parent EXIT.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { behaviourNodes, eventually, flushUntil, probe, rejection, track } from '../../support/behaviours.js';
import { CallError, defineGenServer, ErlmeshError, type From, genServer, type Node, Pid } from '../../../src/core/index.js';

/** A counter that reports info messages and termination to the 'probe' on `probeNode`. */
const counter = defineGenServer<{ n: number; probe: string; waiting?: From }, { n?: number; probe: string }>('counter', {
  init: (_self, a) => ['ok', { n: a.n ?? 0, probe: a.probe }],
  handleCall: (self, req, from, s) => {
    if (req === 'get') return ['reply', s.n, s];
    if (req === 'node') return ['reply', self.node.name, s];
    if (req === 'wait') return ['noreply', { ...s, waiting: from }];
    if (req === 'hand_off') {
      // Let another process answer: it gets `from` in a message.
      const helper = self.spawn(async (h) => {
        const m = (await h.receive()) as ['answer', From];
        genServer.reply(h, m[1], 'answered by helper');
      });
      self.send(helper, ['answer', from]);
      return ['noreply', s];
    }
    if (req === 'silent') return ['noreply', s];
    if (req === 'die') return ['stop', 'died', s];
    if (req === 'die_replying') return ['stop', 'normal', 'bye', s];
    if (req === 'crash') throw new TypeError('crash in handleCall');
    if (req === 'exit') self.exit('exited');
    if (req === 'throw') self.throw(['reply', 'thrown', s]);
    if (req === 'bad') return ['what'] as never;
    if (req === 'self_call') return genServer.call(self, self.pid, 'get').then(() => ['reply', 'unreachable', s]);
    return ['reply', ['unknown', req], s];
  },
  handleCast: (_self, msg, s) => {
    if (Array.isArray(msg) && msg[0] === 'add') return ['noreply', { ...s, n: s.n + msg[1] }];
    if (msg === 'release') {
      if (s.waiting) genServer.reply(s.waiting, ['released', s.n]);
      return ['noreply', { ...s, waiting: undefined }];
    }
    if (msg === 'stop') return ['stop', 'normal', s];
    if (msg === 'crash') throw new RangeError('crash in handleCast');
    return ['noreply', s];
  },
  handleInfo: (self, msg, s) => {
    self.send(['probe', s.probe], ['info', msg, s.n]);
    return ['noreply', s];
  },
  terminate: (self, reason, s) => {
    self.send(['probe', s.probe], ['terminate', reason, s.n]);
  },
});

/** init variants, timeouts and continue actions. */
const initer = defineGenServer('initer', {
  init: async (self, how: string) => {
    if (how === 'stop') return ['stop', 'no_way'];
    if (how === 'error') return ['error', 'soft_no'];
    if (how === 'ignore') return 'ignore';
    if (how === 'crash') throw new Error('init crashed');
    if (how === 'bad') return ['nope'] as never;
    if (how === 'slow') {
      await self.receive(() => false, 10_000);
      return ['ok', 'late'];
    }
    if (how === 'timeout') return ['ok', { probe: self.node.name }, 100];
    if (how === 'continue') return ['ok', { probe: self.node.name, steps: ['init'] }, ['continue', 'c1']];
    if (how === 'trap') {
      self.trapExit(true);
      return ['ok', { probe: self.node.name }];
    }
    return ['ok', { probe: self.node.name }];
  },
  handleCall: (_self, req, _from, s) => ['reply', req === 'state' ? s : 'ok', s],
  handleInfo: (self, msg, s) => {
    self.send('probe', ['info', msg]);
    return ['noreply', s];
  },
  handleContinue: (_self, c, s) => {
    const steps = [...s.steps, c];
    return c === 'c1' ? ['noreply', { ...s, steps }, ['continue', 'c2']] : ['noreply', { ...s, steps }];
  },
  terminate: (self, reason) => {
    self.send('probe', ['terminate', reason]);
  },
});

/** node.global as the behaviours use it (typed here while the service is being written). */
const globalOf = (n: Node): { whereisName(name: string): Pid | undefined } => n.global as never;

const isCallError = (e: unknown, code: string): CallError => {
  expect(e).toBeInstanceOf(CallError);
  expect(e).toBeInstanceOf(ErlmeshError);
  expect((e as CallError).code).toBe(code);
  return e as CallError;
};

describe('genServer', () => {
  /** Nodes a, b, c (the first `n` of them) with the test modules loaded. */
  async function nodes(c: TestCluster, n = 3): Promise<[Node, Node, Node]> {
    return (await behaviourNodes(c, ['a', 'b', 'c'].slice(0, n), [counter, initer])) as [Node, Node, Node];
  }

  describe('callbacks', () => {
    it('call, cast and info reach their callbacks; stop runs terminate and resolves ok', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      const r = await genServer.start(a, counter, { n: 1, probe: a.name });
      expect(r[0]).toBe('ok');
      const pid = (r as ['ok', Pid])[1];
      expect(pid).toBeInstanceOf(Pid);
      const exited = a.exitReason(pid);
      expect(await genServer.call(a, pid, 'get')).toBe(1);
      expect(genServer.cast(a, pid, ['add', 41])).toBe('ok');
      expect(await genServer.call(a, pid, 'get')).toBe(42);
      a.send(pid, 'plain message');
      await eventually(() => p.got.length === 1);
      expect(p.got).toEqual([['info', 'plain message', 42]]);
      expect(await genServer.stop(a, pid)).toBe('ok');
      expect(p.got).toContainEqual(['terminate', 'normal', 42]);
      expect(a.isProcessAlive(pid)).toBe(false);
      expect(await exited).toBe('normal');
    });

    it('stop with a reason exits with that reason; a cast returning stop runs terminate', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      const [, pid] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      const exited = a.exitReason(pid);
      expect(await genServer.stop(a, pid, ['shutdown', 'tidy'])).toBe('ok');
      expect(await exited).toEqual(['shutdown', 'tidy']);
      const [, pid2] = (await genServer.start(a, counter, { n: 5, probe: a.name })) as ['ok', Pid];
      const exited2 = a.exitReason(pid2);
      genServer.cast(a, pid2, 'stop');
      expect(await exited2).toBe('normal');
      expect(p.got).toEqual([
        ['terminate', ['shutdown', 'tidy'], 0],
        ['terminate', 'normal', 5],
      ]);
    });

    it('a crashing callback runs terminate with the crash reason, prints a report, and callers see server_exit', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      const [, pid] = (await genServer.start(a, counter, { n: 3, probe: a.name })) as ['ok', Pid];
      const e = isCallError(await rejection(genServer.call(a, pid, 'crash')), 'server_exit');
      const reason = e.reason as [string, Error];
      expect(reason[0]).toBe('exception');
      expect(reason[1]).toBeInstanceOf(TypeError);
      expect(e.details).toEqual([e.reason, ['gen_server', 'call', [pid, 'crash']]]);
      expect((p.got[0] as unknown[])[0]).toBe('terminate');
      await eventually(() => c.output(a).includes('Generic server'));
      expect(c.output(a)).toContain('crash in handleCall');
    });

    it('self.exit in a callback, a bad return value and a stop result give those exit reasons', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const [, p1] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      expect(isCallError(await rejection(genServer.call(a, p1, 'exit')), 'server_exit').reason).toBe('exited');
      const [, p2] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      expect(isCallError(await rejection(genServer.call(a, p2, 'bad')), 'server_exit').reason).toEqual(['bad_return_value', ['what']]);
      const [, p3] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      expect(isCallError(await rejection(genServer.call(a, p3, 'die')), 'server_exit').reason).toBe('died');
      const [, p4] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      const exited = a.exitReason(p4);
      expect(await genServer.call(a, p4, 'die_replying')).toBe('bye');
      expect(await exited).toBe('normal');
    });

    it("a callback's self.throw(v) counts as returning v", async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const [, pid] = (await genServer.start(a, counter, { n: 9, probe: a.name })) as ['ok', Pid];
      expect(await genServer.call(a, pid, 'throw')).toBe('thrown');
      expect(await genServer.call(a, pid, 'get')).toBe(9);
    });

    it('a call from the server to itself rejects calling_self', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const [, pid] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      const e = isCallError(await rejection(genServer.call(a, pid, 'self_call')), 'server_exit');
      const inner = (e.reason as [string, CallError])[1];
      expect(inner).toBeInstanceOf(CallError);
      expect(inner.code).toBe('calling_self');
    });

    it('cast to a missing server, name or node returns ok', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      expect(genServer.cast(a, 'nobody', 'x')).toBe('ok');
      expect(genServer.cast(a, ['nobody', 'zz@vm'], 'x')).toBe('ok');
      expect(genServer.cast(a, a.spawn(() => undefined), 'x')).toBe('ok');
    });

    it('bad arguments throw badarg', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const e1 = await rejection(genServer.call(a, 42 as never, 'x'));
      expect((e1 as ErlmeshError).code).toBe('badarg');
      const e2 = await rejection(genServer.call(a, 'x', () => 1));
      expect((e2 as ErlmeshError).code).toBe('badarg');
      const e3 = await rejection(genServer.start(a, counter, {}, { name: '' }));
      expect((e3 as ErlmeshError).code).toBe('badarg');
      const e4 = await rejection(genServer.start(a, counter, {}, { link: true }));
      expect((e4 as ErlmeshError).code).toBe('badarg');
      const e5 = await rejection(genServer.call(a, 'x', 'y', -1));
      expect((e5 as ErlmeshError).code).toBe('badarg');
    });
  });

  describe('deferred replies', () => {
    it('noreply now, reply(from, v) later; the caller waits until then', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const [, pid] = (await genServer.start(a, counter, { n: 7, probe: a.name })) as ['ok', Pid];
      const waiting = track(genServer.call(a, pid, 'wait'));
      expect(await genServer.call(a, pid, 'get')).toBe(7);
      expect(waiting.settled).toBe(false);
      genServer.cast(a, pid, 'release');
      await eventually(() => waiting.settled);
      expect(waiting.value).toEqual(['released', 7]);
    });

    it('another process can reply with reply(ctx, from, v)', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const [, pid] = (await genServer.start(a, counter, { probe: a.name })) as ['ok', Pid];
      expect(await genServer.call(a, pid, 'hand_off')).toBe('answered by helper');
    });

    it('reply with something that is not a from throws badarg', async ({ cluster: c }) => {
      await nodes(c, 1);
      expect(() => genServer.reply('nope' as never, 1)).toThrow(ErlmeshError);
    });
  });

  describe('names', () => {
    it('a local name: start, call by name, already_started on a second start', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const r = (await genServer.start(a, 'counter', { n: 2, probe: a.name }, { name: 'ctr' })) as ['ok', Pid];
      expect(r[0]).toBe('ok');
      expect(a.whereis('ctr')?.equals(r[1])).toBe(true);
      expect(await genServer.call(a, 'ctr', 'get')).toBe(2);
      const again = await genServer.start(a, 'counter', { probe: a.name }, { name: 'ctr' });
      expect(again[0]).toBe('error');
      const [, [tag, holder]] = again as ['error', [string, Pid]];
      expect(tag).toBe('already_started');
      expect(holder.equals(r[1])).toBe(true);
      // The failed second server is gone, the first untouched.
      expect(a.registered().filter((n) => n === 'ctr')).toEqual(['ctr']);
      expect(await genServer.call(a, 'ctr', 'get')).toBe(2);
    });

    it("§7: call(['global', 'nope'], x) rejects noproc with Erlang's details {noproc, {gen_server, call, [{global, nope}, x]}}", async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const e = isCallError(await rejection(genServer.call(a, ['global', 'nope'], 'x')), 'noproc');
      expect(e.reason).toBe('noproc');
      expect(e.details).toEqual(['noproc', ['gen_server', 'call', [['global', 'nope'], 'x']]]);
      expect(genServer.cast(a, ['global', 'nope'], 'x')).toBe('ok');
    });

    it('[name, node]: call, cast and stop from another node', async ({ cluster: c }) => {
      const [a, b] = await nodes(c, 2);
      probe(b);
      expect((await genServer.start(b, counter, { n: 10, probe: b.name }, { name: 'ctr' }))[0]).toBe('ok');
      expect(await genServer.call(a, ['ctr', b.name], 'get')).toBe(10);
      genServer.cast(a, ['ctr', b.name], ['add', 5]);
      expect(await genServer.call(a, ['ctr', b.name], 'get')).toBe(15);
      expect(await genServer.stop(a, ['ctr', b.name])).toBe('ok');
      expect(b.whereis('ctr')).toBeUndefined();
    });

    it('a global name: start, call as ["global", name] from every node, already_started', async ({ cluster: c }) => {
      const [a, b, cc] = await nodes(c, 3);
      probe(a);
      await a.ping(b.name);
      await a.ping(cc.name);
      const r = (await genServer.start(a, counter, { n: 4, probe: a.name }, { name: ['global', 'gctr'] })) as ['ok', Pid];
      expect(r[0]).toBe('ok');
      await eventually(() => [a, b, cc].every((n) => globalOf(n).whereisName('gctr')?.equals(r[1]) === true));
      for (const n of [a, b, cc]) expect(await genServer.call(n, ['global', 'gctr'], 'get')).toBe(4);
      const again = (await genServer.start(b, counter, { probe: a.name }, { name: ['global', 'gctr'] })) as ['error', [string, Pid]];
      expect(again[0]).toBe('error');
      expect(again[1][0]).toBe('already_started');
      expect(again[1][1].equals(r[1])).toBe(true);
      expect(await genServer.stop(cc, ['global', 'gctr'])).toBe('ok');
      await eventually(() => [a, b, cc].every((n) => globalOf(n).whereisName('gctr') === undefined));
      const gone = isCallError(await rejection(genServer.call(b, ['global', 'gctr'], 'get')), 'noproc');
      expect(gone.details).toEqual(['noproc', ['gen_server', 'call', [['global', 'gctr'], 'get']]]);
    });
  });

  describe('call errors', () => {
    it('a call that gets no reply rejects timeout after timeoutMs on the simulated clock, and not before', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const started = track(genServer.start(a, counter, { probe: a.name }, { name: 'ctr' }));
      await flushUntil(clock, () => started.settled);
      const call = track(genServer.call(a, 'ctr', 'silent', 1_000));
      await clock.advance(999);
      expect(call.settled).toBe(false);
      await clock.advance(1);
      await flushUntil(clock, () => call.settled);
      const e = isCallError(call.error, 'timeout');
      expect(e.reason).toBe('timeout');
      expect(e.details).toEqual(['timeout', ['gen_server', 'call', ['ctr', 'silent']]]);
      // The server is still there.
      const get = track(genServer.call(a, 'ctr', 'get'));
      await flushUntil(clock, () => get.settled);
      expect(get.value).toBe(0);
    });

    it('the default call timeout is 5000 ms', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const started = track(genServer.start(a, counter, { probe: a.name }));
      await flushUntil(clock, () => started.settled);
      const pid = (started.value as ['ok', Pid])[1];
      const call = track(genServer.call(a, pid, 'silent'));
      await clock.advance(4_999);
      expect(call.settled).toBe(false);
      await clock.advance(1);
      await flushUntil(clock, () => call.settled);
      isCallError(call.error, 'timeout');
    });

    it('a call to a dead server, an unregistered name or a missing [name, node] rejects noproc at once', async ({ clock, simCluster: c }) => {
      const [a, b] = await nodes(c, 2);
      probe(a);
      const started = track(genServer.start(a, counter, { probe: a.name }));
      await flushUntil(clock, () => started.settled);
      const pid = (started.value as ['ok', Pid])[1];
      const stopped = track(genServer.stop(a, pid));
      await flushUntil(clock, () => stopped.settled);
      for (const ref of [pid, 'nobody', ['nobody', b.name] as const]) {
        const call = track(genServer.call(a, ref, 'get', 60_000));
        await flushUntil(clock, () => call.settled); // no simulated time passes
        const e = isCallError(call.error, 'noproc');
        expect(e.details).toEqual(['noproc', ['gen_server', 'call', [ref, 'get']]]);
      }
      expect(clock.now()).toBe(0);
    });

    it('a call to a server whose node is unreachable or gets killed rejects nodedown at once', async ({ clock, simCluster: c }) => {
      const [a, b] = await nodes(c, 2);
      probe(b);
      const started = track(genServer.start(a, counter, { probe: b.name }, { node: b.name, name: 'ctr' }));
      await flushUntil(clock, () => started.settled);
      expect((started.value as unknown[])[0]).toBe('ok');
      const call = track(genServer.call(a, ['ctr', b.name], 'silent', 60_000));
      await clock.flush();
      expect(call.settled).toBe(false);
      c.net.kill(b.name);
      await flushUntil(clock, () => call.settled);
      expect(isCallError(call.error, 'nodedown').reason).toEqual(['nodedown', b.name]);
      const zz = track(genServer.call(a, ['ctr', 'zz@vm'], 'get', 60_000));
      await flushUntil(clock, () => zz.settled);
      expect(isCallError(zz.error, 'nodedown').reason).toEqual(['nodedown', 'zz@vm']);
      expect(clock.now()).toBe(0);
    });

    it('a call from inside a process uses that process (from = its pid)', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      await genServer.start(a, counter, { n: 1, probe: a.name }, { name: 'ctr' });
      const caller = a.spawn(async (self) => {
        const v = await genServer.call(self, 'ctr', 'get');
        const e = await self.catch(() => genServer.call(self, 'nobody', 'get'));
        self.exit(['done', v, (e as ['EXIT', ['exception', CallError]])[1][1].code]);
      });
      expect(await a.exitReason(caller)).toEqual(['done', 1, 'noproc']);
    });
  });

  describe('on other nodes', () => {
    it('start with node: runs there; call, cast, info and stop from a third node', async ({ cluster: c }) => {
      const [a, b, cc] = await nodes(c, 3);
      const p = probe(cc);
      const r = (await genServer.start(a, 'counter', { n: 1, probe: cc.name }, { node: b.name })) as ['ok', Pid];
      expect(r[0]).toBe('ok');
      expect(r[1].node).toBe(b.name);
      expect(await genServer.call(cc, r[1], 'node')).toBe(b.name);
      genServer.cast(cc, r[1], ['add', 1]);
      expect(await genServer.call(cc, r[1], 'get')).toBe(2);
      cc.send(r[1], 'hello');
      await eventually(() => p.got.length === 1);
      expect(p.got[0]).toEqual(['info', 'hello', 2]);
      expect(await genServer.stop(cc, r[1], 'shutdown')).toBe('ok');
      expect(p.got).toContainEqual(['terminate', 'shutdown', 2]);
    });

    it('a remote start with a name and link: the server is linked to the caller', async ({ cluster: c }) => {
      const [a, b] = await nodes(c, 2);
      probe(b);
      const owner = a.spawn(async (self) => {
        self.trapExit(true);
        const r = (await genServer.start(self, 'counter', { probe: b.name }, { node: b.name, name: 'ctr', link: true })) as ['ok', Pid];
        const e = (await self.catch(() => genServer.call(self, ['ctr', b.name], 'die'))) as ['EXIT', ['exception', CallError]];
        const exit = await self.receive((m) => m[0] === 'EXIT', 1_000);
        self.exit(['done', r[1].node, e[1][1].code, e[1][1].reason, exit]);
      });
      const [, node, code, reason, exit] = (await a.exitReason(owner)) as [string, string, string, unknown, [string, Pid, unknown]];
      expect([node, code, reason]).toEqual([b.name, 'server_exit', 'died']);
      expect(exit[0]).toBe('EXIT');
      expect(exit[1].node).toBe(b.name);
      expect(exit[2]).toBe('died');
      expect(b.whereis('ctr')).toBeUndefined();
    });

    it('a start on a node without the callback module fails with undef', async ({ cluster: c }) => {
      const [a, b] = await nodes(c, 2);
      const r = (await genServer.start(a, 'no_such_module', 1, { node: b.name })) as ['error', unknown];
      expect(r).toEqual(['error', ['undef', ['no_such_module', 'init', [1]]]]);
    });

    it('a start on an unreachable node returns an error', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const r = await genServer.start(a, 'counter', {}, { node: 'zz@vm' });
      expect(r).toEqual(['error', 'noconnection']);
    });
  });

  describe('init and actions', () => {
    it('init results: stop → error with the reason, error → error (exits normal), ignore, crash, bad value', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      expect(await genServer.start(a, initer, 'stop')).toEqual(['error', 'no_way']);
      expect(await genServer.start(a, initer, 'error')).toEqual(['error', 'soft_no']);
      expect(await genServer.start(a, initer, 'ignore')).toBe('ignore');
      const crash = (await genServer.start(a, initer, 'crash')) as ['error', [string, Error]];
      expect(crash[0]).toBe('error');
      expect(crash[1][0]).toBe('exception');
      expect(crash[1][1].message).toBe('init crashed');
      expect(await genServer.start(a, initer, 'bad')).toEqual(['error', ['bad_return_value', ['nope']]]);
    });

    it('a linked start whose init returns error leaves a non-trapping caller alive and no EXIT behind', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      probe(a);
      const caller = a.spawn(async (self) => {
        const r = await genServer.start(self, initer, 'error', { link: true });
        await self.receive(() => false, 20);
        self.exit(['done', r, self.flush()]);
      });
      expect(await a.exitReason(caller)).toEqual(['done', ['error', 'soft_no'], []]);
    });

    it('a linked start whose init returns stop gives a trapping caller the error and consumes the EXIT', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const caller = a.spawn(async (self) => {
        self.trapExit(true);
        const r = await genServer.start(self, initer, 'stop', { link: true });
        self.exit(['done', r, self.flush()]);
      });
      expect(await a.exitReason(caller)).toEqual(['done', ['error', 'no_way'], []]);
    });

    it('a start whose init takes longer than timeoutMs returns timeout and the server is killed', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, 1);
      const before = a.registered().length;
      const r = track(genServer.start(a, initer, 'slow', { timeoutMs: 500, name: 'slowpoke' }));
      await clock.advance(499);
      expect(r.settled).toBe(false);
      await clock.advance(1);
      await flushUntil(clock, () => r.settled);
      expect(r.value).toEqual(['error', 'timeout']);
      expect(a.whereis('slowpoke')).toBeUndefined();
      expect(a.registered().length).toBe(before);
    });

    it('a timeout action gives handleInfo("timeout") after that long without messages', async ({ clock, simCluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      const r = track(genServer.start(a, initer, 'timeout'));
      await flushUntil(clock, () => r.settled);
      await clock.advance(99);
      expect(p.got).toEqual([]);
      await clock.advance(1);
      await flushUntil(clock, () => p.got.length === 1);
      expect(p.got).toEqual([['info', 'timeout']]);
      await clock.advance(1_000);
      expect(p.got).toEqual([['info', 'timeout']]); // once: the next wait has no timeout
    });

    it('a continue action runs handleContinue before the next message', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const [, pid] = (await genServer.start(a, initer, 'continue')) as ['ok', Pid];
      expect(await genServer.call(a, pid, 'state')).toEqual({ probe: a.name, steps: ['init', 'c1', 'c2'] });
    });

    it("a trapping server linked to its parent terminates on the parent's EXIT with that reason", async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      let server: Pid | undefined;
      const parent = a.spawn(async (self) => {
        const r = (await genServer.start(self, initer, 'trap', { link: true })) as ['ok', Pid];
        server = r[1];
        await self.receive();
        self.exit('parent_quit');
      });
      await eventually(() => server !== undefined);
      const exited = a.exitReason(server!);
      a.send(parent, 'go');
      expect(await exited).toBe('parent_quit');
      expect(p.got).toEqual([['terminate', 'parent_quit']]);
    });

    it('a non-trapping server has no terminate on an exit signal (it is killed at once)', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const p = probe(a);
      const [, pid] = (await genServer.start(a, initer, 'plain')) as ['ok', Pid];
      const exited = a.exitReason(pid);
      a.exit(pid, 'go_away');
      expect(await exited).toBe('go_away');
      await new Promise((res) => setTimeout(res, 20));
      expect(p.got).toEqual([]);
    });

    it('unhandled info without handleInfo is logged and dropped', async ({ cluster: c }) => {
      const [a] = await nodes(c, 1);
      const quiet = defineGenServer('quiet', {
        init: () => ['ok', 0],
        handleCall: (_s, _r, _f, n: number) => ['reply', n, n],
      });
      a.load(quiet);
      const [, pid] = (await genServer.start(a, quiet, undefined)) as ['ok', Pid];
      a.send(pid, 'stray');
      expect(await genServer.call(a, pid, 'get')).toBe(0);
      expect(c.logs(a)).toContain('undefined handleInfo in quiet');
    });
  });
});
