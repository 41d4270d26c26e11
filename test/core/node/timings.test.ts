/**
 * Tick and setup timings are checked when a node starts (src/core/node/options.ts
 * checkTimings): a tick interval of 0 would take every peer for dead at once and flap
 * nodeup/nodedown for ever, so anything below net_ticktime 1 s (tickMs 250) is `badarg`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { ErlmeshError, MemoryNetwork, startNode } from '../../../src/core/index.js';

const BIN = fileURLToPath(new URL('../../../bin/erlmesh.js', import.meta.url));

describe('tick timing', () => {
  for (const tickMs of [0, -1, 1e-9, 249, Number.NaN, Number.POSITIVE_INFINITY, '1000' as unknown as number]) {
    it(`refuses tickMs ${String(tickMs)} with badarg`, async () => {
      const net = new MemoryNetwork();
      const err = await startNode({ sname: 'a', cookie: 'c', transport: net.transport(), tickMs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErlmeshError);
      expect((err as ErlmeshError).code).toBe('badarg');
      expect((err as ErlmeshError).message).toMatch(/tickMs must be .* at least 250/);
    });
  }

  it('refuses a setupTimeoutMs of 0', async () => {
    const net = new MemoryNetwork();
    const err = await startNode({ sname: 'a', cookie: 'c', transport: net.transport(), setupTimeoutMs: 0 }).catch((e: unknown) => e);
    expect((err as ErlmeshError).code).toBe('badarg');
  });

  it('accepts the smallest tick, and two nodes with it stay connected', async ({ simCluster: c, clock }) => {
    const a = await c.node('a', { tickMs: 250 });
    const b = await c.node('b', { tickMs: 250 });
    const pong = a.ping(b.name);
    await clock.flush();
    expect(await pong).toBe('pong');
    for (let i = 0; i < 20; i++) await clock.advance(250);
    expect(a.nodes()).toEqual([b.name]);
  });

  it('the CLI refuses --ticktime below 1 second before starting anything', () => {
    for (const t of ['0', '1e-9', '0.5']) {
      const r = spawnSync(process.execPath, [BIN, 'node', '--sname', 'x', '--relay', 'ws://127.0.0.1:1/erlmesh', '--ticktime', t, '--noshell'], {
        env: { ...process.env, ERLMESH_FROM_SOURCE: '1' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/net_ticktime must be a number of seconds, at least 1/);
    }
  });
});
