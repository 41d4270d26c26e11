/**
 * The slow-consumer timer on a real relay (issue 18 point 1; the unit tests on simulated time
 * are in relay-flow-control.test.ts): a receiver that went above the high-water mark once and
 * drained, then goes above again, gets the whole slowConsumerMs of its second episode.
 *
 * Real sockets on 127.0.0.1 against a relay on port 0, in this process. The receiver stops
 * reading by pausing its socket; `stats().backlogged` tells when the relay sees it above the
 * mark. No assertion on elapsed time: the check runs on a timer due before the second
 * episode's own deadline and after the moment a timer left from the first would have fired —
 * and Node runs due timers in the order of their due times, so the verdict does not depend on
 * how fast the machine is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRelay, type Relay, type RelayLogLine } from '../../src/server/relay/index.js';
import { RelayClient, until } from '../support/relay-client.js';

const COOKIE = 'relay-slow-consumer-cookie';
const relays: Relay[] = [];
const clients: RelayClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function node(r: Relay, name: string): Promise<RelayClient> {
  const c = new RelayClient(new WebSocket(r.url), COOKIE);
  clients.push(c);
  await new Promise<void>((resolve, reject) => {
    c.ws.once('open', () => resolve());
    c.ws.once('error', reject);
  });
  c.nonce = (await c.tag('challenge')).nonce as string;
  const w = await c.register(name);
  if (w.t !== 'welcome') throw new Error(`${name}: ${JSON.stringify(w)}`);
  return c;
}

const sleepUntil = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - Date.now())));

describe('the slow-consumer timer on a real relay', () => {
  it('a receiver above the mark, drained, then above again is not cut before slowConsumerMs of its second episode', async () => {
    const SLOW_MS = 4000;
    /** Between the first episode being seen and the second one starting. */
    const GAP_MS = 1500;
    /** The check: this long after a timer left from the first episode would have fired. */
    const MARGIN_MS = 500;
    const logs: RelayLogLine[] = [];
    const r = await startRelay({
      port: 0,
      cookie: COOKIE,
      logger: (l) => logs.push(l),
      highWaterBytes: 64 * 1024,
      maxBufferedBytes: 256 * 1024 * 1024,
      slowConsumerMs: SLOW_MS,
    });
    relays.push(r);
    const a = await node(r, 'a@h');
    const slow = await node(r, 'slow@h');
    const ch = await a.open('slow@h');
    await slow.tag('incoming');
    const sock = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    const cut = (): boolean => logs.some((l) => l.event === 'slow_consumer') || slow.closeInfo !== undefined;
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const got = (): number => slow.inbox.filter((m) => m.t === 'd' && m.ch === ch).length;
    /** Send to the paused receiver until the relay has it above the mark; returns when it saw that. */
    const flood = async (): Promise<number> => {
      for (let round = 0; r.stats().backlogged === 0 && round < 256; round++) {
        for (let i = 0; i < 8; i++) a.send({ t: 'd', ch, d: `${sent++}:${chunk}` });
        await until(() => a.ws.bufferedAmount < 1 << 20 || r.stats().backlogged > 0, 'sender drain');
        await new Promise((res) => setTimeout(res, 1));
      }
      await until(() => r.stats().backlogged === 1, 'the receiver above the mark');
      return Date.now();
    };

    // Episode 1: above the mark, then drained.
    sock.pause();
    const seen1 = await flood();
    sock.resume();
    await until(() => got() === sent || cut(), 'every frame of episode 1', 20_000);
    await until(() => r.stats().backlogged === 0, 'drained');
    await a.roundTrip(); // the relay reads the sender again
    expect(cut()).toBe(false);

    // Episode 2, well after the first began.
    await sleepUntil(seen1 + GAP_MS);
    sock.pause();
    await flood();
    // A timer left from episode 1 is due by seen1 + SLOW_MS; episode 2's own not before
    // seen1 + GAP_MS + SLOW_MS. In between, the receiver is still above the mark and not cut.
    await sleepUntil(seen1 + SLOW_MS + MARGIN_MS);
    expect(logs.filter((l) => l.event === 'slow_consumer')).toEqual([]);
    expect(r.stats().backlogged).toBe(1);

    // It reads again: everything arrives, in order, and it was never cut.
    sock.resume();
    await until(() => got() === sent || cut(), 'every frame', 20_000);
    expect(cut()).toBe(false);
    const order = slow.inbox.filter((m) => m.t === 'd' && m.ch === ch).map((m) => Number(String(m.d).split(':')[0]));
    expect(order).toEqual(Array.from({ length: sent }, (_, i) => i));
    await until(() => r.stats().backlogged === 0, 'drained');
    await slow.roundTrip();
    await a.roundTrip();
  });
});
