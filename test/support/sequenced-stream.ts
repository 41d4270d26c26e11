/**
 * A sequenced stream from node `a` to a process registered as `sink` on node `b`, for fault
 * tests of the relays: `a` sends 1, 2, 3, … in bursts of 20; the sink keeps, in the order its
 * mailbox got them, the messages and `a`'s nodeup/nodedown. `verify()` checks Erlang's guarantee across faults: no
 * message reordered or duplicated, and every gap preceded by a nodedown of `a` since the
 * last message before it.
 *
 * ```ts
 * const s = sequencedStream(a, b);
 * await s.resumed();
 * // … a fault …
 * await s.resumed();
 * const { sent, received, gaps, nodedowns } = s.stop();
 * ```
 */
import { expect } from 'vitest';
import type { Node } from '../../src/core/index.js';
import { eventually } from './cluster.js';

type Event = ['msg', number] | ['nodedown' | 'nodeup', string];
const NODE_EVENT = '$node_event';

export interface SequencedStream {
  /** The stream flows: 200 messages sent after now have arrived (within 15 s). */
  resumed(): Promise<void>;
  /** Stop sending, check the trace (vitest `expect`), and say what was seen. */
  stop(): { sent: number; received: number; gaps: number[]; nodedowns: number };
}

export function sequencedStream(a: Node, b: Node, burstPauseMs = 5): SequencedStream {
  const trace: Event[] = [];
  // The node events go into the sink's mailbox too (as net_kernel:monitor_nodes delivers them),
  // so that the trace has them in delivery order: a listener writing to the trace itself runs
  // at once, before the sink has taken the messages delivered just ahead of the nodedown.
  const sink = b.spawn(async (self) => {
    for (;;) {
      const m = await self.receive(() => true);
      trace.push(Array.isArray(m) && m[0] === NODE_EVENT ? [m[1] as 'nodedown' | 'nodeup', m[2] as string] : ['msg', m as number]);
    }
  });
  b.monitorNodes((e) => b.send(sink, [NODE_EVENT, e[0], e[1]]));
  b.register('sink', sink);
  let sending = true;
  let sent = 0;
  a.spawn(async (self) => {
    while (sending) {
      self.send(['sink', b.name], ++sent);
      if (sent % 20 === 0) await new Promise((r) => setTimeout(r, burstPauseMs));
    }
  });
  const received = (): number[] => trace.filter((t) => t[0] === 'msg').map((t) => t[1] as number);
  return {
    resumed: async () => {
      const mark = sent;
      await eventually(() => received().filter((n) => n > mark).length >= 200, 15_000);
    },
    stop: () => {
      sending = false;
      const got = received();
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThan(got[i - 1]!);
      let last = 0;
      let downSince = false;
      const gaps: number[] = [];
      for (const t of trace) {
        if (t[0] === 'nodedown' && t[1] === a.name) downSince = true;
        if (t[0] !== 'msg') continue;
        if (t[1] !== last + 1) {
          gaps.push(t[1]);
          expect(downSince, `a gap from ${last} to ${t[1]} without a nodedown of ${a.name} before it`).toBe(true);
        }
        last = t[1];
        downSince = false;
      }
      return { sent, received: got.length, gaps, nodedowns: trace.filter((t) => t[0] === 'nodedown').length };
    },
  };
}
