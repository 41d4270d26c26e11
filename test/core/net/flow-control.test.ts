/**
 * Back-pressure from a filling mailbox to the connection that fills it (issue 17 point 5;
 * src/core/net/inbound-flow.ts), on a SimulatedClock: a node flooding a process that does not
 * receive is paused once the mailbox passes the high-water mark, stays connected (its ticks
 * still go) however long the pause lasts, honest nodes keep talking to the victim, and when
 * the process drains, every held message arrives, in order, none lost.
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { sorted, watch } from '../../support/membership.js';
import type { SimulatedClock } from '../../../src/core/testing/simulated-clock.js';
import { FLOW_POLL_MS, MAILBOX_HIGH_WATER, MAILBOX_LOW_WATER } from '../../../src/core/net/inbound-flow.js';
import { HELD_BYTES_LIMIT } from '../../../src/core/net/framed-channel.js';
import type { Node } from '../../../src/core/index.js';

const TICK = 1000;
const BURST = 5_000;
const N = MAILBOX_HIGH_WATER * 2;

async function settleUntil(clock: SimulatedClock, cond: () => boolean, stepMs: number, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    if (stepMs === 0) await clock.flush();
    else await clock.advance(stepMs);
  }
  throw new Error(`condition not met after ${rounds} rounds: ${cond.toString()}`);
}

describe('mailbox back-pressure', () => {
  it('a node flooding a process is paused at the high-water mark, stays connected, and its messages all arrive in order once the process drains', async ({ clock, simCluster: c }) => {
    const flooder = await c.node('flooder', { tickMs: TICK });
    const victim = await c.node('victim', { tickMs: TICK });
    const honest = await c.node('honest', { tickMs: TICK });
    expect(await flooder.ping(victim.name)).toBe('pong');
    expect(await honest.ping(victim.name)).toBe('pong');
    await settleUntil(clock, () => [flooder, victim, honest].every((n: Node) => n.nodes().length === 2), 0);
    const downs = [flooder, victim, honest].map((n) => watch(n, { nodedownReason: true }));

    let go!: () => void;
    const gate = new Promise<void>((resolve) => (go = resolve));
    const got: number[] = [];
    const sink = victim.spawn(async (self) => {
      await gate;
      for (let i = 0; i < N; i++) got.push((await self.receive()) as number);
    });

    // The flood, in bursts (a sender yields now and then, or its own node stalls).
    for (let i = 0; i < N; ) {
      for (let k = 0; k < BURST; k++) flooder.send(sink, i++);
      await clock.flush();
    }
    await clock.flush();
    const queued = victim.processInfo(sink)!.messageQueueLen;
    expect(queued).toBeGreaterThanOrEqual(MAILBOX_HIGH_WATER);
    expect(queued).toBeLessThanOrEqual(MAILBOX_HIGH_WATER + BURST); // the rest waits at the flooder

    // Paused for longer than the tick timeout: nobody drops anybody, honest traffic flows.
    await clock.advance(6 * TICK);
    expect(victim.processInfo(sink)!.messageQueueLen).toBe(queued);
    expect(await honest.ping(victim.name)).toBe('pong');
    expect(await victim.ping(honest.name)).toBe('pong');
    expect(sorted(victim.nodes())).toEqual(sorted([flooder.name, honest.name]));

    // The process drains: the flooder is resumed below the low-water mark, and everything arrives.
    go();
    await settleUntil(clock, () => got.length === N, FLOW_POLL_MS);
    expect(got.length).toBe(N);
    expect(got.every((m, i) => m === i)).toBe(true);
    expect(victim.processInfo(sink)).toBeUndefined();
    expect(downs).toEqual([[], [], []]);
    expect(MAILBOX_LOW_WATER).toBeLessThan(MAILBOX_HIGH_WATER);
  });

  /** A flooder paused by its victim: a sink that does not receive, and N messages sent to it. */
  async function pausedFlooder(clock: SimulatedClock, c: { node(n: string, o?: object): Promise<Node> }, victimOpts: object = {}) {
    const flooder = await c.node('flooder', { tickMs: TICK });
    const victim = await c.node('victim', { tickMs: TICK, ...victimOpts });
    const honest = await c.node('honest', { tickMs: TICK });
    expect(await flooder.ping(victim.name)).toBe('pong');
    expect(await honest.ping(victim.name)).toBe('pong');
    await settleUntil(clock, () => [flooder, victim, honest].every((n: Node) => n.nodes().length === 2), 0);
    const downs = [flooder, victim, honest].map((n) => watch(n, { nodedownReason: true }));
    const sink = victim.spawn(async (self) => {
      await self.receive(() => false, Infinity);
    });
    for (let i = 0; i < MAILBOX_HIGH_WATER + BURST; ) {
      for (let k = 0; k < BURST; k++) flooder.send(sink, i++);
      await clock.flush();
    }
    await clock.flush();
    return { flooder, victim, honest, sink, downs };
  }

  it('a paused sender still gets a message that cannot travel refused at the send, and stays connected', async ({ clock, simCluster: c }) => {
    const { flooder, victim, sink, downs } = await pausedFlooder(clock, c, { maxMessageBytes: 1024 * 1024 });
    const before = victim.processInfo(sink)!.messageQueueLen;
    expect(before).toBeGreaterThanOrEqual(MAILBOX_HIGH_WATER);
    flooder.send(sink, 'held'); // waits at the flooder, encoded
    expect(() => flooder.send(sink, new Uint8Array(2 * 1024 * 1024))).toThrow(expect.objectContaining({ code: 'message_too_large' }));
    expect(() => flooder.send(sink, [Symbol('x')] as never)).toThrow(expect.objectContaining({ code: 'badarg' }));
    await clock.advance(6 * TICK);
    expect(victim.processInfo(sink)!.messageQueueLen).toBe(before);
    expect(downs).toEqual([[], [], []]);
  });

  it('a paused sender that keeps sending past the held-output limit loses its connection to the victim (send_queue_full), and only that one', async ({ clock, simCluster: c }) => {
    const { flooder, victim, honest, sink, downs } = await pausedFlooder(clock, c);
    const big = new Uint8Array(60 * 1024); // under a fragment: goes out with the batch
    for (let sent = 0; sent <= HELD_BYTES_LIMIT; sent += big.length) flooder.send(sink, big);
    await clock.flush();
    expect(downs[0]).toEqual([['nodedown', victim.name, { nodedownReason: 'send_queue_full' }]]);
    expect(downs[1]).toEqual([['nodedown', flooder.name, expect.objectContaining({ nodedownReason: expect.any(String) })]]);
    expect(downs[2]).toEqual([]);
    expect(await honest.ping(victim.name)).toBe('pong');
    // The next connection starts held (`holding`): the victim, still full, does not resume it.
    const queued = victim.processInfo(sink)!.messageQueueLen;
    flooder.send(sink, 'after');
    await clock.advance(6 * TICK);
    expect(flooder.nodes()).toContain(victim.name);
    expect(victim.processInfo(sink)!.messageQueueLen).toBe(queued);
    expect(downs.map((d) => d.map((e) => e[0]))).toEqual([['nodedown', 'nodeup'], ['nodedown', 'nodeup'], []]);
  });
});
