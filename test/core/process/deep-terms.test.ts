/**
 * Deep terms through processes and the distribution (issue 17 point 3; docs/semantics.md,
 * "Term limits"): a term nested 5,000 or 100,000 levels deep goes through a local send, a
 * remote send and an rpc (as argument and as result) intact over fast-1, the default
 * encoding; over a superjson-1 connection a term deeper than MAX_SUPERJSON_DEPTH is refused at
 * the sender with `term_too_deep`. Never a RangeError, and the connection stays up.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { type TestCluster } from '../../support/cluster.js';
import { rejection } from '../../support/errors.js';
import { recorder, runIn } from '../../support/in-process.js';
import { within } from '../../support/real-time.js';
import { dt } from '../../support/test-modules.js';
import { type DeepKind, deepTerm, depthOf } from '../../support/deep-terms.js';
import { defineModule, ErlmeshError, type Node } from '../../../src/core/index.js';
import { MAX_SUPERJSON_DEPTH } from '../../../src/core/codec/superjson.js';

const DEPTHS = [5_000, 100_000];
const KINDS: DeepKind[] = ['array', 'object', 'tuple'];

/** Builds deep terms on the node it is loaded on, and measures the ones it is given. */
const deep = defineModule('deep', {
  make: (_self, kind: DeepKind, depth: number) => deepTerm(kind, depth),
  measure: (_self, kind: DeepKind, t: unknown) => depthOf(kind, t),
});

async function pair(c: TestCluster, encodings?: ['superjson-1']): Promise<[Node, Node]> {
  const a = await c.node('a', encodings ? { encodings } : {});
  const b = await c.node('b');
  b.load(dt);
  b.load(deep);
  expect(await a.ping(b.name)).toBe('pong');
  return [a, b];
}

/** The connection is still up: a lists b, and a ping is answered. */
async function stillConnected(a: Node, b: Node): Promise<void> {
  expect(a.nodes()).toContain(b.name);
  expect(await a.ping(b.name)).toBe('pong');
  expect(b.nodes()).toContain(a.name);
}

/** The first message `pid`'s recorder gets, within 10 s. */
async function firstMessage(got: unknown[]): Promise<unknown> {
  return within(
    (async () => {
      while (got.length === 0) await new Promise((r) => setTimeout(r, 5));
      return got[0];
    })(),
    10_000,
    'the deep message',
  );
}

describe('deep terms', () => {
  for (const depth of DEPTHS) {
    for (const kind of KINDS) {
      it(`local send of a ${kind} ${depth.toLocaleString('en')} deep arrives intact`, async ({ cluster: c }) => {
        const a = await c.node('a');
        const term = deepTerm(kind, depth);
        const got = await runIn(a, async (self) => {
          self.send(self.pid, term);
          return self.receive();
        });
        expect(got).toBe(term); // a local send passes the term itself
        expect(depthOf(kind, got)).toBe(depth);
      });

      it(`remote send of a ${kind} ${depth.toLocaleString('en')} deep arrives intact over fast-1`, async ({ cluster: c }) => {
        const [a, b] = await pair(c);
        const rx = recorder(b);
        await runIn(a, (self) => self.send(rx.pid, deepTerm(kind, depth)));
        expect(depthOf(kind, await firstMessage(rx.got))).toBe(depth);
        await stillConnected(a, b);
      });
    }

    it(`rpc with an argument and a result ${depth.toLocaleString('en')} deep over fast-1`, async ({ cluster: c }) => {
      const [a, b] = await pair(c);
      // As argument only: b measures it.
      expect(await a.rpc.call(b.name, 'deep', 'measure', ['tuple', deepTerm('tuple', depth)], 10_000)).toBe(depth);
      // As result only: b builds it.
      expect(depthOf('object', await a.rpc.call(b.name, 'deep', 'make', ['object', depth], 10_000))).toBe(depth);
      // Both: echoed back.
      const [node, echoed] = (await a.rpc.call(b.name, 'dt', 'echo', [deepTerm('array', depth)], 10_000)) as [string, unknown];
      expect(node).toBe(b.name);
      expect(depthOf('array', echoed)).toBe(depth);
      await stillConnected(a, b);
    });

    it(`over superjson-1 a send ${depth.toLocaleString('en')} deep is refused at the sender with term_too_deep`, async ({ cluster: c }) => {
      const [a, b] = await pair(c, ['superjson-1']);
      const rx = recorder(b);
      const e = await runIn(a, (self) => {
        try {
          self.send(rx.pid, deepTerm('array', depth));
          return undefined;
        } catch (err) {
          return err;
        }
      });
      expect(e).toBeInstanceOf(ErlmeshError);
      expect((e as ErlmeshError).code).toBe('term_too_deep');
      await stillConnected(a, b);
      // Within the limit, it travels.
      await runIn(a, (self) => self.send(rx.pid, deepTerm('array', MAX_SUPERJSON_DEPTH - 10)));
      expect(depthOf('array', await firstMessage(rx.got))).toBe(MAX_SUPERJSON_DEPTH - 10);
      await stillConnected(a, b);
    });

    it(`over superjson-1 an rpc argument ${depth.toLocaleString('en')} deep fails with term_too_deep`, async ({ cluster: c }) => {
      const [a, b] = await pair(c, ['superjson-1']);
      const e = await rejection(a.rpc.call(b.name, 'deep', 'measure', ['array', deepTerm('array', depth)], 10_000));
      expect(e.code).toBe('term_too_deep');
      await stillConnected(a, b);
    });
  }

  it('over superjson-1 an rpc argument and result within the limit travel', async ({ cluster: c }) => {
    const [a, b] = await pair(c, ['superjson-1']);
    const d = MAX_SUPERJSON_DEPTH - 10;
    expect(await a.rpc.call(b.name, 'deep', 'measure', ['array', deepTerm('array', d)], 10_000)).toBe(d);
    expect(depthOf('object', await a.rpc.call(b.name, 'deep', 'make', ['object', d], 10_000))).toBe(d);
    await stillConnected(a, b);
  });
});
