/**
 * Issue 17, acceptance, second table: invalid node names and options for `startNode`, and
 * negative or non-number timeouts for rpc, receive and genServer.call. Each is refused with its
 * ErlmeshError code, at once (simulated time, the clock never moves), and leaves no process
 * behind.
 */
import { describe, expect } from 'vitest';
import { it } from '../fixtures.js';
import { idler } from '../support/in-process.js';
import { connect, settled } from '../support/simulated-time.js';
import { ErlmeshError, genServer, type Node } from '../../src/core/index.js';
import type { NodeOptions } from '../../src/core/node/node.js';

/** The ErlmeshError code `p` rejects with, or a description of what else it did. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof ErlmeshError ? e.code : `raw ${String(e)}`;
  }
}

const NAMES: Array<{ what: string; opts: Partial<NodeOptions>; code: string }> = [
  { what: 'an empty sname', opts: { sname: '' }, code: 'badarg' },
  { what: 'an empty name', opts: { sname: undefined, name: '' }, code: 'badarg' },
  { what: 'a name with two @', opts: { sname: 'a@b@vm' }, code: 'badarg' },
  { what: 'a name with a space', opts: { sname: 'a b@vm' }, code: 'badarg' },
  { what: 'an sname whose host has dots', opts: { sname: 'a@host.example.com' }, code: 'name_mode_mismatch' },
  { what: 'a long name without a dot', opts: { sname: undefined, name: 'a@host' }, code: 'name_mode_mismatch' },
  { what: 'both sname and name', opts: { sname: 'a@vm', name: 'a@host.example.com' }, code: 'badarg' },
  { what: 'a name that is not a string', opts: { sname: 42 as unknown as string }, code: 'badarg' },
  {
    what: 'an unknown option key',
    opts: { tickms: 1000 } as Partial<NodeOptions>,
    code: 'unknown_options',
  },
  { what: 'a cookie that is a number', opts: { cookie: 123 as unknown as string }, code: 'badarg' },
  { what: 'an empty cookie', opts: { cookie: '' }, code: 'badarg' },
  { what: 'a cookie and a ticket', opts: { ticket: 'x' }, code: 'badarg' },
  { what: 'tickMs 0', opts: { tickMs: 0 }, code: 'badarg' },
  { what: 'tickMs -1', opts: { tickMs: -1 }, code: 'badarg' },
  { what: 'tickMs NaN', opts: { tickMs: Number.NaN }, code: 'badarg' },
  { what: 'setupTimeoutMs 0', opts: { setupTimeoutMs: 0 }, code: 'badarg' },
  { what: 'maxMessageBytes -1', opts: { maxMessageBytes: -1 }, code: 'badarg' },
  { what: 'an unknown encoding', opts: { encodings: ['json-9' as never] }, code: 'badarg' },
];

describe('startNode refuses invalid names and options with a named code, starting nothing', () => {
  for (const c of NAMES) {
    it(`${c.what}: ${c.code}`, async ({ clock, simCluster }) => {
      const r = await settled(clock, outcome(simCluster.node('x', c.opts)));
      expect(r.value).toBe(c.code);
      expect(clock.now()).toBe(0);
    });
  }
});

/** Each call with timeout `t`, as something that settles. */
const CALLS: Array<{ what: string; call: (a: Node, b: Node, t: number) => Promise<unknown> }> = [
  { what: 'rpc.call', call: (a, b, t) => a.rpc.call(b.name, 'erlang', 'node', [], t) },
  { what: 'erpc.call', call: (a, b, t) => a.erpc.call(b.name, 'erlang', 'node', [], t) },
  { what: 'receive', call: (a, _b, t) => a.run((self) => self.receive(undefined, t)) },
  { what: 'genServer.call', call: (a, b, t) => genServer.call(a, idler(b), 'req', t) },
];

describe('negative and non-number timeouts are badarg at once', () => {
  for (const { what, call } of CALLS) {
    for (const t of [-1, -Number.MAX_VALUE, Number.NEGATIVE_INFINITY, Number.NaN, '10' as unknown as number]) {
      it(`${what} with a timeout of ${String(t)}: badarg, nothing left running`, async ({ clock, simCluster: c }) => {
        const [a, b] = await c.startNodes('a', 'b');
        await connect(clock, a, b);
        const counts = (): [number, number] => [a.runtime.processCount, b.runtime.processCount];
        const before = counts();
        const r = await settled(clock, outcome(call(a, b, t)));
        expect(r.value).toBe('badarg');
        expect(clock.now()).toBe(0);
        // genServer.call's target is an idler made for the case: it is the one process allowed to stay.
        expect(counts()).toEqual(what === 'genServer.call' ? [before[0], before[1] + 1] : before);
      });
    }
  }
});
