/**
 * What an rpc costs on the wire: as OTP's erpc, one spawn_request with `reply: 'error_only'`
 * out and one DOWN back; a timed-out call demonitors the worker so no late answer travels.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { TestCluster } from '../../support/cluster.js';
import { dt } from '../../support/test-modules.js';
import { track } from '../../support/real-time.js';
import { decodeWireFrame } from '../../../src/core/net/encodings.js';
import { BadRpcError, type Node } from '../../../src/core/index.js';

const RPC_TAGS = new Set(['spawn_request', 'spawn_reply', 'down', 'demonitor']);

type Seen = Array<[string, string, string, Record<string, unknown>]>;

describe('rpc on the wire', () => {
  function tap(c: TestCluster): { frames: Seen; stop(): void } {
    const frames: Seen = [];
    const stop = c.net.tap((from, to, f) => {
      for (const fr of decodeWireFrame(f) as Array<Record<string, unknown>>) {
        // The services (global, pg) also sync after nodeup; keep the spawn/monitor signals.
        if (RPC_TAGS.has(String(fr.t))) frames.push([from, to, String(fr.t), fr]);
      }
    });
    return { frames, stop };
  }

  async function pair(c: TestCluster): Promise<[Node, Node]> {
    const [a, b] = await c.startNodes('a', 'b');
    b!.load(dt);
    return [a!, b!];
  }

  it('a call is one spawn_request (reply error_only) and one DOWN', async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    expect(await a.ping(b.name)).toBe('pong');
    const t = tap(c);
    expect(await a.rpc.call(b.name, 'erlang', 'node', [])).toBe(b.name);
    t.stop();
    expect(t.frames.map(([f, to, tag]) => [f, to, tag])).toEqual([
      [a.name, b.name, 'spawn_request'],
      [b.name, a.name, 'down'],
    ]);
    expect(t.frames[0]![3].reply).toBe('error_only');
    expect(t.frames[0]![3].monitor).toBe(true);
  });

  it('a failing call still answers with the DOWN alone', async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    expect(await a.ping(b.name)).toBe('pong');
    const t = tap(c);
    const e = await a.rpc.call(b.name, 'nomod', 'nofun', [1]).catch((x: unknown) => x);
    t.stop();
    expect(e).toBeInstanceOf(BadRpcError);
    expect((e as BadRpcError).reason).toEqual(['EXIT', ['undef', ['nomod', 'nofun', [1]]]]);
    expect(t.frames.map(([, , tag]) => tag)).toEqual(['spawn_request', 'down']);
  });

  it('a timed-out call demonitors the worker: its late end sends nothing back', async ({ clock, simCluster: c }) => {
    const [a, b] = await pair(c);
    const pong = track(a.ping(b.name));
    for (let i = 0; i < 20 && !pong.settled; i++) await clock.flush();
    const t = tap(c);
    const p = track(a.rpc.call(b.name, 'dt', 'sleeper', [2_000], 100));
    await clock.advance(100);
    for (let i = 0; i < 5 && !p.settled; i++) await clock.flush();
    expect((p.error as BadRpcError).reason).toBe('timeout');
    await clock.advance(3_000);
    await clock.flush();
    t.stop();
    expect(t.frames.map(([f, to, tag]) => [f, to, tag])).toEqual([
      [a.name, b.name, 'spawn_request'],
      [a.name, b.name, 'demonitor'],
    ]);
  });

  it('many concurrent calls each get their own answer', async ({ cluster: c }) => {
    const [a, b] = await pair(c);
    const got = await Promise.all(Array.from({ length: 50 }, (_, i) => a.rpc.call(b.name, 'math', 'floor', [i + 0.5])));
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
