/**
 * Property (issue 17): whatever a remote process exits with, terms or not (support/unencodable.ts:
 * functions, symbols, instances, typed arrays, holes and cycles at any depth), a remote monitor
 * gets exactly one DOWN and a trapping link exactly one EXIT, whose reason is the exit reason
 * with each part that cannot travel replaced by `['unencodable', description]`, over fast-1
 * (a–b) and superjson-1 (a–c). On simulated time.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { it } from '../../fixtures.js';
import { isDown, isExit } from '../../support/in-process.js';
import { connect, settled } from '../../support/simulated-time.js';
import { termEquals } from '../../support/terms.js';
import { withBad } from '../../support/unencodable.js';
import { defineModule, type Node, type Pid, type Ref } from '../../../src/core/index.js';
import { sanitizeTerm } from '../../../src/core/terms/unencodable.js';

/** The reason the next process exits with (the nodes share this JS realm). */
let next: unknown;

const ex = defineModule('ex', {
  exitWithNext: (self) => self.exit(next),
  done: () => 'done',
});

it('a remote monitor gets exactly one DOWN, a link exactly one EXIT, for any exit reason', async ({ clock, simCluster: c }) => {
  const a = await c.node('a', { modules: [ex] });
  const b = await c.node('b', { modules: [ex] });
  const sj = await c.node('c', { modules: [ex], encodings: ['superjson-1'] });
  await connect(clock, a, b);
  await connect(clock, a, sj);

  const watch = async (peer: Node, reason: unknown): Promise<unknown[]> => {
    next = reason;
    const r = await settled(
      clock,
      a.run(async (self) => {
        self.trapExit(true);
        const [p] = await self.spawnMonitor(peer.name, 'ex', 'exitWithNext', []);
        const q = await self.spawnLink(peer.name, 'ex', 'exitWithNext', []);
        // Anything b sent before comes before this DOWN: the connection is ordered.
        const [, last] = await self.spawnMonitor(peer.name, 'ex', 'done', []);
        await self.receive((m) => isDown(m) && last.equals((m as unknown[])[1] as Ref));
        const got = self.flush();
        const about = (pid: Pid) => got.filter((m) => (isDown(m) || isExit(m)) && pid.equals((m as unknown[])[isDown(m) ? 3 : 1] as Pid));
        const downs = about(p);
        const exits = about(q);
        return [downs.length, exits.length, (downs[0] as unknown[])[4], (exits[0] as unknown[])[2]];
      }),
    );
    expect(r.error).toBeUndefined();
    return r.value!;
  };

  await fc.assert(
    fc.asyncProperty(withBad, async (reason) => {
      const expected = sanitizeTerm(reason).term;
      for (const peer of [b, sj]) {
        const [downs, exits, down, exit] = await watch(peer, reason);
        expect([downs, exits]).toEqual([1, 1]);
        expect(termEquals(down, expected)).toBe(true);
        expect(termEquals(exit, expected)).toBe(true);
      }
    }),
    { numRuns: 60 },
  );
  for (const n of [a, b, sj]) expect(c.logs(n)).not.toMatch(/cannot encode|uncaught/i);
});
