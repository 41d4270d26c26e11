/**
 * The pure parts: decide() on each signal kind, the allowlists, validation of the
 * `capabilities` option (codes badarg / unknown_options, also through startNode), and the two
 * limiters on simulated time.
 */
import { describe, it, expect } from 'vitest';
import { allows, checkCapabilities, decide, type DecideContext } from '../../../src/core/trust/capabilities.js';
import { LogLimiter, TokenBucket } from '../../../src/core/trust/limits.js';
import type { SignalFrame, SpawnSpec } from '../../../src/core/net/frames.js';
import { ErlmeshError, Pid, Ref, startNode } from '../../../src/core/index.js';
import { MemoryNetwork } from '../../../src/core/testing/memory-network.js';
import { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { thrownCode, rejectionCode } from '../../support/errors.js';

const me = 'srv@vm';
const peer = 'tab@vm';
const here = new Pid(me, 7, 0, 1);
const there = new Pid(peer, 3, 0, 1);
const ref = new Ref(peer, 1, 1);

const spawnReq = (spec: SpawnSpec, link = false): SignalFrame => ({
  t: 'spawn_request',
  ref,
  from: there,
  groupLeader: there,
  node: me,
  spec,
  link,
  monitor: !link,
});
const mfa = (module: string, fun: string, args: unknown[] = []): SpawnSpec => ({ kind: 'mfa', module, fun, args });
const rpc = (m: string, f: string): SpawnSpec => mfa('erpc', 'execute', [m, f, []]);

describe('decide', () => {
  it('a role with no policy (or {}): send to pids, monitor and their plumbing only', () => {
    const always: SignalFrame[] = [
      { t: 'send', to: here, msg: 'x' },
      { t: 'monitor', from: there, to: here, node: me, ref },
      { t: 'monitor', from: there, to: 'kvs', node: me, ref },
      { t: 'demonitor', from: there, to: here, node: me, ref },
      { t: 'down', from: there, to: here, ref, reason: 'normal' },
      { t: 'unlink', from: there, to: here },
      { t: 'exit', from: there, to: here, reason: 'boom' },
      { t: 'spawn_reply', ref, to: here, result: { ok: there } },
    ];
    for (const s of always) {
      expect(decide(undefined, s)).toEqual({ ok: true });
      expect(decide({}, s)).toEqual({ ok: true });
    }
    const refused: Array<[SignalFrame, string]> = [
      [{ t: 'reg_send', from: there, to: 'kvs', node: me, msg: 1 }, "send to 'kvs'"],
      [{ t: 'link', from: there, to: here }, `link to ${here.toString()}`],
      [{ t: 'exit2', from: there, to: here, reason: 'kill' }, `exit signal to ${here.toString()}`],
      [spawnReq(rpc('kvs', 'lookup')), 'rpc of kvs:lookup'],
      [spawnReq(mfa('erpc', 'executeCast', ['kvs', 'store', []])), 'rpc of kvs:store'],
      [spawnReq(mfa('erpc', 'executeFun', ['() => 1'])), 'erpc of a shipped function'],
      [spawnReq({ kind: 'fn', source: '() => 1' }), 'spawn of a shipped function'],
      [spawnReq(mfa('kvs', 'start')), 'spawn of kvs:start'],
    ];
    for (const [s, what] of refused) expect(decide(undefined, s)).toEqual({ ok: false, what });
  });

  it('each field opens exactly its own door', () => {
    expect(decide({ rpc: { kvs: ['lookup'] } }, spawnReq(rpc('kvs', 'lookup')))).toEqual({ ok: true });
    expect(decide({ rpc: { kvs: ['lookup'] } }, spawnReq(rpc('kvs', 'store'))).ok).toBe(false);
    expect(decide({ rpc: { kvs: ['lookup'] } }, spawnReq(mfa('kvs', 'lookup'))).ok).toBe(false); // rpc is not spawn
    expect(decide({ spawn: { kvs: '*' } }, spawnReq(mfa('kvs', 'start')))).toEqual({ ok: true });
    expect(decide({ spawn: '*' }, spawnReq(rpc('kvs', 'lookup'))).ok).toBe(false); // spawn is not rpc
    expect(decide({ shipFunctions: true }, spawnReq({ kind: 'fn', source: 'f' }))).toEqual({ ok: true });
    expect(decide({ shipFunctions: true }, spawnReq(mfa('erpc', 'executeFun', ['f'])))).toEqual({ ok: true });
    expect(decide({ send: ['kvs'] }, { t: 'reg_send', from: there, to: 'kvs', node: me, msg: 1 })).toEqual({ ok: true });
    expect(decide({ send: '*' }, { t: 'reg_send', from: undefined, to: 'any', node: me, msg: 1 })).toEqual({ ok: true });
    expect(decide({ link: true }, { t: 'link', from: there, to: here })).toEqual({ ok: true });
    expect(decide({ exit: true }, { t: 'exit2', from: there, to: here, reason: 'kill' })).toEqual({ ok: true });
  });

  it('a spawn with link needs link too; malformed rpc arguments are refused', () => {
    expect(decide({ spawn: '*' }, spawnReq(mfa('kvs', 'start'), true))).toEqual({
      ok: false,
      what: 'spawn of kvs:start with link (link not allowed)',
    });
    expect(decide({ spawn: '*', link: true }, spawnReq(mfa('kvs', 'start'), true))).toEqual({ ok: true });
    expect(decide({ rpc: '*' }, spawnReq(mfa('erpc', 'execute', [1, 2, []])))).toEqual({ ok: false, what: 'rpc of 1:2' });
  });

  it('name services are reachable by every role, but only with the peer named as the sender', () => {
    const ctx: DecideContext = { peer, isService: (n) => n === 'global_name_server' || n === 'pg', nameOf: (p) => (p.equals(here) ? 'pg' : undefined) };
    expect(decide(undefined, { t: 'reg_send', from: there, to: 'global_name_server', node: me, msg: ['g_snapshot_req', peer, 't'] }, ctx)).toEqual({ ok: true });
    expect(decide(undefined, { t: 'reg_send', from: there, to: 'global_name_server', node: me, msg: ['g_reserve', 'b@vm'] }, ctx)).toEqual({
      ok: false,
      what: "a forged message to 'global_name_server'",
    });
    expect(decide(undefined, { t: 'send', to: here, msg: ['join', there, 'g', []] }, ctx)).toEqual({ ok: true });
    expect(decide(undefined, { t: 'send', to: here, msg: ['join', new Pid('b@vm', 1, 0, 1), 'g', []] }, ctx)).toEqual({
      ok: false,
      what: "a forged message to 'pg'",
    });
    expect(decide(undefined, { t: 'send', to: new Pid(me, 8, 0, 1), msg: 'anything' }, ctx)).toEqual({ ok: true });
  });

  it('allows(): "*" everywhere, per module "*" or a list; inherited keys do not count', () => {
    expect(allows('*', 'os', 'cmd')).toBe(true);
    // The CLI's shell:eval runs any code: a wildcard never covers it, naming it does.
    expect(allows('*', 'shell', 'eval')).toBe(false);
    expect(allows({ shell: ['eval'] }, 'shell', 'eval')).toBe(true);
    expect(allows({ kvs: '*' }, 'kvs', 'anything')).toBe(true);
    expect(allows({ kvs: ['lookup'] }, 'kvs', 'store')).toBe(false);
    expect(allows({}, 'constructor', 'name')).toBe(false);
    expect(allows(undefined, 'kvs', 'lookup')).toBe(false);
  });
});

describe('checkCapabilities and the node option', () => {
  it('accepts every documented field', () => {
    const caps = {
      guest: {
        rpc: { kvs: ['lookup'], erlang: '*' },
        spawn: '*',
        shipFunctions: false,
        global: true,
        pg: true,
        send: ['kvs'],
        link: true,
        exit: false,
        maxMessagesPerSecond: 50,
      },
      viewer: {},
      all: { rpc: '*', send: '*' },
    };
    expect(checkCapabilities(caps)).toBe(caps);
  });

  it('bad shapes throw badarg, unknown fields unknown_options', () => {
    const bad: unknown[] = [
      null,
      [],
      'guest',
      { guest: null },
      { guest: [] },
      { guest: { rpc: 'kvs' } },
      { guest: { rpc: { kvs: 'lookup' } } },
      { guest: { rpc: { kvs: [1] } } },
      { guest: { spawn: ['kvs'] } },
      { guest: { shipFunctions: 'yes' } },
      { guest: { global: 1 } },
      { guest: { send: 'kvs' } },
      { guest: { send: [1] } },
      { guest: { maxMessagesPerSecond: 0 } },
      { guest: { maxMessagesPerSecond: Infinity } },
      { guest: { maxMessagesPerSecond: '10' } },
    ];
    for (const b of bad) expect(thrownCode(() => checkCapabilities(b))).toBe('badarg');
    let e: unknown;
    try {
      checkCapabilities({ guest: { rcp: '*', sned: [] } });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ErlmeshError);
    expect((e as ErlmeshError).code).toBe('unknown_options');
    expect((e as ErlmeshError).details).toEqual(['rcp', 'sned']);
  });

  it('startNode rejects a bad capabilities option with the same codes (named or not)', async () => {
    const net = new MemoryNetwork();
    const base = { sname: 'x', cookie: 'abc', transport: net.transport(), output: false as const, logger: false as const };
    expect(await rejectionCode(startNode({ ...base, capabilities: { guest: { link: 'yes' } } as never }))).toBe('badarg');
    expect(await rejectionCode(startNode({ ...base, capabilities: { guest: { bogus: true } } as never }))).toBe('unknown_options');
    expect(await rejectionCode(startNode({ capabilities: 42 as never }))).toBe('badarg');
    const n = await startNode({ ...base, capabilities: { guest: { rpc: '*' } } });
    await n.stop();
  });
});

describe('limiters', () => {
  it('TokenBucket: a full burst, then refills at the rate on the clock', async () => {
    const clock = new SimulatedClock();
    const b = new TokenBucket(clock, 10, 20);
    for (let i = 0; i < 20; i++) expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    await clock.advance(99);
    expect(b.take()).toBe(false);
    await clock.advance(1);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    await clock.advance(60_000);
    for (let i = 0; i < 20; i++) expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
  });

  it('LogLimiter: N lines per key per second, one summary at the end of the second, keys apart', async () => {
    const clock = new SimulatedClock();
    const out: string[] = [];
    const lim = new LogLimiter(clock, 2, (t) => out.push(t));
    for (let i = 0; i < 5; i++) lim.line('a', `a${i}`);
    lim.line('b', 'b0');
    expect(out).toEqual(['a0', 'a1', 'b0']);
    await clock.advance(999);
    expect(out).toEqual(['a0', 'a1', 'b0']);
    await clock.advance(1);
    expect(out).toEqual(['a0', 'a1', 'b0', '3 more lines about a in the last second were not logged']);
    lim.line('a', 'a5');
    expect(out.at(-1)).toBe('a5');
  });
});
