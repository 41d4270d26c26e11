/**
 * Vitest fixtures of the erlmesh tests: `import { it } from '../../fixtures.js'` and ask the
 * test for what it needs; each is made for that test only and cleaned up after it.
 *
 *  - `cluster`: nodes on one MemoryNetwork, on real time, with their output and logs captured
 *    (`cluster.node('a')`, `cluster.startNodes('a', 'b')`, `cluster.output(a)`); every node is
 *    stopped after the test.
 *  - `clock`: a SimulatedClock at 0 (time moves only in `advance`/`runAll`/`flush`).
 *  - `simCluster`: the same as `cluster`, but on `clock`.
 *  - `clusters`: starts more clusters, or one with options (`clusters({ clock, latencyMs,
 *    seed })`); all of them are stopped after the test.
 *
 * ```ts
 * it('pings', async ({ cluster }) => {
 *   const [a, b] = await cluster.startNodes('a', 'b');
 *   expect(await a.ping(b.name)).toBe('pong');
 * });
 * ```
 */
import { test as base } from 'vitest';
import { SimulatedClock } from '../src/core/testing/simulated-clock.js';
import { TestCluster, type ClusterOptions } from './support/cluster.js';

export type { ClusterOptions };
export { TestCluster };

/** Makes a TestCluster that is stopped after the test. */
export type ClusterFactory = (opts?: ClusterOptions) => TestCluster;

export interface ClusterFixtures {
  /** Nodes on one MemoryNetwork on real time, output captured; stopped after the test. */
  cluster: TestCluster;
  /** A SimulatedClock at 0. */
  clock: SimulatedClock;
  /** Nodes on one MemoryNetwork on `clock`, output captured; stopped after the test. */
  simCluster: TestCluster;
  /** More clusters, or clusters with options; all stopped after the test. */
  clusters: ClusterFactory;
}

export const test = base.extend<ClusterFixtures>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern
  clusters: async ({}, use) => {
    const made: TestCluster[] = [];
    await use((opts) => {
      const c = new TestCluster(opts);
      made.push(c);
      return c;
    });
    await Promise.all(made.map((c) => c.stop()));
  },
  cluster: async ({ clusters }, use) => {
    await use(clusters());
  },
  // eslint-disable-next-line no-empty-pattern -- as above
  clock: async ({}, use) => {
    await use(new SimulatedClock());
  },
  simCluster: async ({ clusters, clock }, use) => {
    await use(clusters({ clock }));
  },
});

export const it = test;

/** What {@link simClusterEach} hands a describe: this test's `simCluster` and `clock`. */
export interface SimEach {
  readonly cluster: TestCluster;
  readonly clock: SimulatedClock;
}

/**
 * For a describe whose helpers share the test's `simCluster` and `clock`: call it in the
 * describe; before each test it holds that test's two (use them only inside tests and hooks).
 *
 * ```ts
 * describe('on simulated time', () => {
 *   const sim = simClusterEach();
 *   const start = () => sim.cluster.node('a');
 *   it('…', async () => { const a = await start(); await sim.clock.advance(10); });
 * });
 * ```
 */
export function simClusterEach(): SimEach {
  const sim: { cluster?: TestCluster; clock?: SimulatedClock } = {};
  it.beforeEach(({ clock, simCluster }) => {
    sim.clock = clock;
    sim.cluster = simCluster;
  });
  return sim as SimEach;
}
