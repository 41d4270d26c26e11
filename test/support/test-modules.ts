/**
 * Test modules loaded on nodes by several test files.
 */
import { defineModule } from '../../src/core/modules/module.js';
import { TIMEOUT } from '../../src/core/process/mailbox.js';

/** The test module `dt` of docs/semantics.md §6 (rpc and erpc). */
export const dt = defineModule('dt', {
  /** Sleeps on the node's clock (receive ... after), then returns ['slept', ms]. */
  sleeper: async (self, ms: number) => {
    const r = await self.receive(() => false, ms);
    if (r !== TIMEOUT) throw new Error('sleeper: unexpected message');
    return ['slept', ms];
  },
  errorer: () => {
    throw new TypeError('bad arith');
  },
  exiter: (self, r: unknown) => self.exit(r),
  thrower: (self, v: unknown) => self.throw(v),
  returnsBadrpc: () => ['badrpc', 'x'],
  promised: async (_self, v: unknown) => {
    await Promise.resolve();
    return ['promised', v];
  },
  echo: (self, v: unknown) => [self.node.name, v],
});
