/**
 * Issue 17, acceptance: the full bad-input list as one table. Every kind of JS value
 * (bad-inputs/kinds.ts) is sent five ways between two nodes on simulated time: a local send, a
 * remote send, an rpc argument, an rpc result, and a remote process's exit reason seen by a
 * monitor. Each gives what docs/semantics.md §4 says: delivered equal (the mapping is one to one
 * for terms), `badarg` at the sender, `BadRpcError` at once, or the `['unencodable', …]`
 * placeholder. Never a hang (the clock never moves), never a raw TypeError/RangeError, and after
 * each case no process, link or monitor is left on either node (bad-inputs/harness.ts).
 *
 */
import { describe, expect } from 'vitest';
import { it } from '../fixtures.js';
import { depthOf } from '../support/deep-terms.js';
import { attempt, pair, WAYS, type Outcome, type Way } from './bad-inputs/harness.js';
import { DEEP, KINDS, type Expected, type Kind } from './bad-inputs/kinds.js';

function check(k: Kind, way: Way, got: Outcome): void {
  const want: Expected = k.expect?.[way] ?? 'equal';
  expect(got, 'never a hang').not.toBe('hang');
  if (typeof got === 'string') expect(got, 'never a raw error').not.toMatch(/^raw:|^sync raw:/);
  if (want === 'badarg') return expect(got).toBe('code:badarg');
  if (want === 'erlang-shaped') {
    if (way === 'rpc result') expect(got).toMatch(/^badrpc:/);
    else expect(got).toHaveProperty('delivered');
    return;
  }
  if (typeof want === 'object' && 'badrpc' in want) return expect(got).toBe(`badrpc:${JSON.stringify(want.badrpc)}`);
  expect(got).toHaveProperty('delivered');
  const value = (got as { delivered: unknown }).delivered;
  if (typeof want === 'object') return expect(value).toEqual(want.as);
  if (k.kind === '5,000-deep array') return expect(depthOf('array', value)).toBe(DEEP); // toEqual would recurse
  const sent = k.make();
  expect(value).toEqual(sent);
  if (typeof sent === 'number') expect(Object.is(value, sent), 'same number, -0 and NaN included').toBe(true);
  if (sent instanceof Error) expect([value instanceof Error, (value as Error).message, (value as Error).cause]).toEqual([true, 'outer', ['inner', 1]]);
}

describe('every JS value kind, sent five ways, gives a term, a named error or a placeholder, and leaves nothing behind', () => {
  for (const k of KINDS) {
    describe(k.kind, () => {
      for (const way of WAYS) {
        it(way, async ({ clock, simCluster: c }) => {
          const p = await pair(clock, c);
          check(k, way, await attempt(p, way, k.make));
        });
      }
    });
  }
});
