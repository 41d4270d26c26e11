/**
 * The relay's back-pressure (src/server/relay/flow-control.ts) on simulated time: a sender is
 * paused while its receiver is above the high-water mark and resumed when it drains; a
 * receiver that stays above the mark for slowConsumerMs, or passes maxBufferedBytes, is cut.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/core/testing/simulated-clock.js';
import { FlowControl } from '../../src/server/relay/flow-control.js';
import type { Conn, Session } from '../../src/server/relay/session.js';

type FakeConn = Conn & { buffered: number; paused: number; resumed: number; drain(): void };

function session(remote: string): Session & { conn: FakeConn } {
  let onDrain: (() => void) | undefined;
  const conn: FakeConn = {
    remote,
    buffered: 0,
    paused: 0,
    resumed: 0,
    get bufferedAmount() {
      return this.buffered;
    },
    send: () => {},
    sendBinary: () => {},
    pauseReading() {
      this.paused++;
    },
    resumeReading() {
      this.resumed++;
    },
    onDrain: (fn) => {
      onDrain = fn;
    },
    drain: () => onDrain?.(),
    close: () => {},
    terminate: () => {},
    admitted: () => {},
  };
  return { conn, nonce: 'n', state: 'registered', entry: undefined, bin: false, channels: new Map(), recentClosed: new Set(), evictedMax: 0 };
}

const limits = { highWaterBytes: 100, slowConsumerMs: 500, maxBufferedBytes: 1_000 };

describe('relay flow control', () => {
  it('pauses a sender while its receiver is above the high-water mark, resumes it on drain', async () => {
    const clock = new SimulatedClock();
    const cuts: string[] = [];
    const flow = new FlowControl(limits, clock, (s) => cuts.push(s.conn.remote));
    const from = session('from');
    const to = session('to');
    to.conn.buffered = 50;
    flow.pressure(from, to);
    expect(from.conn.paused).toBe(0);
    to.conn.buffered = 150;
    flow.pressure(from, to);
    expect(from.conn.paused).toBe(1);
    expect(from.pausedBy).toBe(1);
    to.conn.buffered = 0;
    to.conn.drain();
    expect(from.conn.resumed).toBe(1);
    expect(from.pausedBy).toBe(0);
    await clock.advance(limits.slowConsumerMs);
    expect(cuts).toEqual([]);
  });

  it('cuts a receiver that stays above the mark for slowConsumerMs, on the injected clock', async () => {
    const clock = new SimulatedClock();
    const cuts: Array<[string, string]> = [];
    const flow = new FlowControl(limits, clock, (s, detail) => cuts.push([s.conn.remote, detail]));
    const from = session('from');
    const to = session('to');
    to.conn.buffered = 150;
    flow.pressure(from, to);
    await clock.advance(limits.slowConsumerMs - 1);
    expect(cuts).toEqual([]);
    await clock.advance(1);
    expect(cuts).toEqual([['to', 'above 100 bytes buffered for 500 ms']]);
  });

  it('canSend cuts a receiver whose backlog passes maxBufferedBytes', () => {
    const cuts: Array<[string, string]> = [];
    const flow = new FlowControl(limits, new SimulatedClock(), (s, detail) => cuts.push([s.conn.remote, detail]));
    const to = session('to');
    to.conn.buffered = 1_000;
    expect(flow.canSend(to)).toBe(true);
    to.conn.buffered = 1_001;
    expect(flow.canSend(to)).toBe(false);
    expect(cuts).toEqual([['to', '1001 bytes buffered > 1000']]);
  });

  it('starts the slow-consumer time afresh each time a receiver goes above the mark', async () => {
    const clock = new SimulatedClock();
    const cuts: Array<[string, string]> = [];
    const flow = new FlowControl(limits, clock, (s, detail) => cuts.push([s.conn.remote, detail]));
    const from = session('from');
    const to = session('to');
    // Above the mark at t=0, drained at t=10.
    to.conn.buffered = 150;
    flow.pressure(from, to);
    await clock.advance(10);
    to.conn.buffered = 0;
    to.conn.drain();
    // Above again at t=490: the first episode's timer (due at t=500) must not cut it 10 ms later.
    await clock.advance(480);
    to.conn.buffered = 150;
    flow.pressure(from, to);
    await clock.advance(limits.slowConsumerMs - 1);
    expect(cuts).toEqual([]);
    await clock.advance(1);
    expect(cuts).toEqual([['to', 'above 100 bytes buffered for 500 ms']]);
  });

  it('a receiver that drains and refills within every period is never cut', async () => {
    const clock = new SimulatedClock();
    const cuts: string[] = [];
    const flow = new FlowControl(limits, clock, (s) => cuts.push(s.conn.remote));
    const from = session('from');
    const to = session('to');
    for (let i = 0; i < 20; i++) {
      to.conn.buffered = 150;
      flow.pressure(from, to);
      await clock.advance(limits.slowConsumerMs - 100);
      to.conn.buffered = 0;
      to.conn.drain();
      await clock.advance(50);
    }
    expect(cuts).toEqual([]);
    expect(from.pausedBy).toBe(0);
  });
});
