/**
 * receive's arguments are checked (src/core/process/mailbox.ts): a pattern that is not a
 * function, or a bad timeout, is `badarg` at once, even with a message waiting; it never
 * times out or takes a message by accident.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { ErlmeshError } from '../../../src/core/index.js';

describe('receive arguments', () => {
  for (const [label, pattern] of [
    ['a string', 'not a function'],
    ['a number (a timeout in the wrong place)', 5000],
    ['an object', { ok: true }],
    ['null', null],
  ] as const) {
    it(`a pattern that is ${label} is badarg, and the waiting message stays queued`, async ({ cluster: c }) => {
      const a = await c.node('a');
      const outcome = await a.run(async (self) => {
        self.send(self.pid, 'waiting');
        const err = await self.receive(pattern as never, 100).catch((e: unknown) => e);
        return { err, left: self.flush() };
      });
      expect(outcome.err).toBeInstanceOf(ErlmeshError);
      expect((outcome.err as ErlmeshError).code).toBe('badarg');
      expect((outcome.err as ErlmeshError).message).toMatch(/receive: the pattern must be a function/);
      expect(outcome.left).toEqual(['waiting']);
    });
  }

  it('a number as the pattern gets a hint at receive(undefined, ms)', async ({ cluster: c }) => {
    const a = await c.node('a');
    const err = await a.run((self) => self.receive(5000 as never).catch((e: unknown) => e));
    expect((err as Error).message).toContain('receive(undefined, 5000)');
  });

  for (const t of [-1, Number.NaN, '10' as unknown as number]) {
    it(`a timeout of ${String(t)} is badarg`, async ({ cluster: c }) => {
      const a = await c.node('a');
      const err = await a.run((self) => self.receive(undefined, t).catch((e: unknown) => e));
      expect((err as ErlmeshError).code).toBe('badarg');
    });
  }
});
