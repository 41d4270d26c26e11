/**
 * The fixtures of test/fixtures.ts: what each gives, and that every cluster is stopped after
 * its test (tests in this file run in order; a later test checks what an earlier one left).
 */
import { describe, expect } from 'vitest';
import { it, TestCluster } from './fixtures.js';
import type { Node } from '../src/core/index.js';
import { SimulatedClock } from '../src/core/testing/simulated-clock.js';

describe('test fixtures', () => {
  const left: Node[] = [];

  it('cluster: nodes on one memory network on real time, with captured output', async ({ cluster }) => {
    expect(cluster).toBeInstanceOf(TestCluster);
    expect(cluster.opts.clock).toBeUndefined();
    const [a, b] = await cluster.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    expect(a.isAlive()).toBe(true);
    a.spawn((self) => self.print('hello'));
    await new Promise((r) => setTimeout(r, 20));
    expect(cluster.output(a)).toContain('hello');
    left.push(a, b);
  });

  it('simCluster: on the test’s SimulatedClock, which starts at 0', async ({ clock, simCluster }) => {
    expect(clock).toBeInstanceOf(SimulatedClock);
    expect(clock.now()).toBe(0);
    expect(simCluster.opts.clock).toBe(clock);
    left.push(await simCluster.node('s'));
  });

  it('clusters: more clusters with options', async ({ clusters, cluster }) => {
    const other = clusters({ latencyMs: 1, host: 'h' });
    expect(other).not.toBe(cluster);
    const n = await other.node('x');
    expect(n.name).toBe('x@h');
    left.push(n);
  });

  it('each cluster was stopped after its test', () => {
    expect(left.map((n) => n.name)).toEqual(['a@vm', 'b@vm', 's@vm', 'x@h']);
    expect(left.filter((n) => n.isAlive())).toEqual([]);
  });
});
